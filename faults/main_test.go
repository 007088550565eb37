package faults_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// enableEnv turns the fault-injection tests on.
const enableEnv = "PERFLOOP_FAULTS"

// binary is the perfloop executable TestMain built, "" when the tests are off.
var binary string

func TestMain(m *testing.M) {
	if os.Getenv(enableEnv) != "1" {
		os.Exit(m.Run())
	}
	dir, err := os.MkdirTemp("", "perfloop-faults-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "faults:", err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "perfloop")
	began := time.Now()
	build := exec.Command("go", "build", "-o", binary, "./cmd/perfloop")
	build.Dir = ".."
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "faults: go build ./cmd/perfloop:", err)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	fmt.Fprintf(os.Stderr, "faults: built %s in %s\n", binary, time.Since(began).Round(time.Millisecond))
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// requireFaults skips the test unless the fault-injection tests are on.
func requireFaults(t *testing.T) {
	t.Helper()
	if binary == "" {
		t.Skip("fault-injection test (kills processes, takes minutes): set " + enableEnv + "=1 to run it")
	}
}
