package main

import (
	"context"
	"log/slog"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/perfloop/perfloop/engine"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"
)

// Ctrl-C on `perfloop dev` while one of its activities waits on the
// database: like `perfloop worker`, it lets the activity finish (up to
// --shutdown-timeout) before Temporal and the database close under it.
func TestPerfloopDevOnSIGTERMFinishesTheActivityInFlightBeforeExiting(t *testing.T) {
	dir := t.TempDir()
	_, port, _ := strings.Cut(freeAddr(t), ":")
	temporalAddr := "127.0.0.1:" + port
	dev := startPerfloop(t, "dev", "--data", dir, "--http", freeAddr(t), "--temporal-port", port, "--temporal-ui-port", "0",
		"--task-queue", "dev-sigterm", "--log-format", "json", "--shutdown-timeout", "20s")
	require.Eventually(t, func() bool { return strings.Contains(dev.log.String(), `"msg":"api listening"`) }, 60*time.Second, 20*time.Millisecond, "dev log:\n%s", dev.log)

	tc, err := client.Dial(client.Options{HostPort: temporalAddr, Namespace: "default", Logger: sdklog.NewStructuredLogger(slog.New(slog.DiscardHandler))})
	require.NoError(t, err)
	defer tc.Close()
	pending := func() []string {
		d, err := tc.DescribeWorkflowExecution(context.Background(), engine.DeliveryWorkflowID, "")
		require.NoError(t, err)
		var out []string
		for _, a := range d.PendingActivities {
			out = append(out, a.ActivityType.GetName()+" "+a.State.String())
		}
		return out
	}
	require.Eventually(t, func() bool { return len(pending()) == 0 }, 20*time.Second, 20*time.Millisecond, "the first claim at start is done")

	locker := openStore(t, "sqlite:"+filepath.Join(dir, "perfloop.db"))
	lock := locker.DB.Begin() // BEGIN IMMEDIATE: every other writer waits (busy_timeout 10 s)
	require.NoError(t, lock.Error)
	require.NoError(t, tc.SignalWorkflow(context.Background(), engine.DeliveryWorkflowID, "", engine.SignalDeliverNow.String(), nil))
	require.Eventually(t, func() bool {
		p := pending()
		return len(p) == 1 && p[0] == "ClaimDeliveries Started"
	}, 10*time.Second, 20*time.Millisecond, "the claim is in flight, waiting for the database: %v\n%s", pending(), dev.log)

	require.NoError(t, dev.cmd.Process.Signal(syscall.SIGTERM))
	// Without the timeout dev exits within a second or so; 3 s tells the two apart.
	require.Never(t, func() bool { return len(dev.exit) > 0 }, 3*time.Second, 10*time.Millisecond, "dev waits for the activity in flight")
	require.NoError(t, lock.Rollback().Error)
	require.NoError(t, dev.waitExit(t, 15*time.Second), dev.log.String())
}
