package main

import (
	"os"
	"os/exec"
	"testing"
)

// runMainEnv makes the test binary behave as perfloop itself, so tests start
// real processes (for signals, exit codes and races between replicas)
// without a separate `go build`.
const runMainEnv = "PERFLOOP_TEST_RUN_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(runMainEnv) == "1" {
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// perfloopProcess prepares `perfloop ARGS...` as a child process.
func perfloopProcess(t *testing.T, args ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), runMainEnv+"=1")
	return cmd
}
