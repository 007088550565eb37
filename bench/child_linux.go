package bench

import "syscall"

// childAttr puts a child in its own process group, so a Ctrl-C at the
// terminal reaches the bench alone and the bench stops its children in
// order; and has the kernel kill the child should the bench itself die
// without stopping it (SIGKILL, a crash).
func childAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}
