package faults_test

import "syscall"

// childAttrs kills a child when the test binary dies (a -timeout panic
// included), so no MariaDB or worker outlives a failed run.
func childAttrs() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
