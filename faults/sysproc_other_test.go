//go:build !linux

package faults_test

import "syscall"

func childAttrs() *syscall.SysProcAttr { return nil }
