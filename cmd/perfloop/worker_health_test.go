package main

import (
	"fmt"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/perfloop/perfloop/devserver/devservertest"
	"github.com/stretchr/testify/require"
)

// Kubernetes probes a worker through its --metrics listener: alive at once,
// ready once it polls its task queue.
func TestAWorkerProcessAnswersItsProbesOnTheMetricsListener(t *testing.T) {
	temporal := devservertest.Start(t)
	db := migrated(t)[0]
	metrics := freeAddr(t)
	w := startPerfloop(t, "worker", "--db", db.DSN, "--temporal", temporal.HostPort(), "--namespace", temporal.Namespace(),
		"--task-queue", "probes", "--metrics", metrics, "--log-format", "json", "--shutdown-timeout", "5s")
	status := func(path string) int {
		res, err := http.Get(fmt.Sprintf("http://%s%s", metrics, path))
		if err != nil {
			return 0
		}
		res.Body.Close()
		return res.StatusCode
	}
	require.Eventually(t, func() bool { return status("/readyz") == http.StatusOK }, 60*time.Second, 20*time.Millisecond, "worker log:\n%s", w.log)
	require.Contains(t, w.log.String(), `"msg":"worker running"`, "ready only once the worker polls")
	require.Equal(t, http.StatusOK, status("/healthz"))

	require.NoError(t, w.cmd.Process.Signal(syscall.SIGTERM))
	require.NoError(t, w.waitExit(t, 20*time.Second), w.log.String())
	require.True(t, strings.Contains(w.log.String(), `"msg":"stopping: finishing activities in flight"`))
}
