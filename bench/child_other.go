//go:build !linux

package bench

import "syscall"

// childAttr is the default elsewhere: the bench stops its children on
// every exit path it controls, but nothing kills them should it crash.
func childAttr() *syscall.SysProcAttr { return nil }
