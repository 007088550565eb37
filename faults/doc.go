// Package faults holds Perfloop's fault-injection tests: real processes
// (`perfloop worker`, `perfloop dev`, `perfloop api`, a private MariaDB) are
// killed in the middle of a cycle, and the cycle must still finish with
// every accepted submission kept and no task, notification or IDP twice.
//
// They take minutes and send SIGKILL to the processes they start, so they
// run only when PERFLOOP_FAULTS=1:
//
//	PERFLOOP_FAULTS=1 go test ./faults/ -timeout 15m -v
//
// Everything listens on the loopback. The package has no code outside its
// tests and must never be imported.
package faults
