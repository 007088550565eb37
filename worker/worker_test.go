package worker_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"
	sdkworker "go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/perfloop/perfloop/devserver/devservertest"
	"github.com/perfloop/perfloop/worker"
)

func closed(ch <-chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

// A rolling deploy SIGTERMs a worker while an activity runs: the worker must
// let it finish and report its result, not abandon it for Temporal to retry
// after its start-to-close timeout.
func TestStoppingAWorkerLetsTheActivityInFlightFinishInsteadOfAbandoningIt(t *testing.T) {
	srv := devservertest.Start(t)
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	c, err := client.Dial(client.Options{HostPort: srv.HostPort(), Namespace: srv.Namespace(), Logger: sdklog.NewStructuredLogger(quiet)})
	require.NoError(t, err)
	t.Cleanup(c.Close)

	started, stopping, release := make(chan struct{}), make(chan struct{}), make(chan struct{})
	slow := func(ctx context.Context) (string, error) {
		if n := activity.GetInfo(ctx).Attempt; n > 1 {
			return fmt.Sprintf("retried: attempt %d", n), nil
		}
		close(started)
		select {
		case <-activity.GetWorkerStopChannel(ctx):
			close(stopping)
		case <-ctx.Done():
			return "", ctx.Err()
		}
		select {
		case <-release:
			return "finished on attempt 1", nil
		case <-ctx.Done():
			return "", ctx.Err()
		}
	}
	flow := func(ctx workflow.Context) (string, error) {
		ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{StartToCloseTimeout: time.Minute})
		var out string
		err := workflow.ExecuteActivity(ctx, "SlowActivity").Get(ctx, &out)
		return out, err
	}
	const queue = "stop-test"
	newWorker := func() sdkworker.Worker {
		w := worker.New(worker.Options{Client: c, TaskQueue: queue, Log: quiet, StopTimeout: worker.DefaultStopTimeout})
		w.RegisterWorkflowWithOptions(flow, workflow.RegisterOptions{Name: "SlowWorkflow"})
		w.RegisterActivityWithOptions(slow, activity.RegisterOptions{Name: "SlowActivity"})
		return w
	}
	first := newWorker()
	require.NoError(t, first.Start())
	ctx, cancel := context.WithTimeout(context.Background(), 45*time.Second)
	defer cancel()
	run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{TaskQueue: queue}, "SlowWorkflow")
	require.NoError(t, err)
	require.Eventually(t, func() bool { return closed(started) }, 20*time.Second, 10*time.Millisecond)

	stopped := make(chan struct{})
	go func() { first.Stop(); close(stopped) }()
	require.Eventually(t, func() bool { return closed(stopping) }, 5*time.Second, 10*time.Millisecond, "the activity sees the worker stopping")
	require.Never(t, func() bool { return closed(stopped) }, 500*time.Millisecond, 10*time.Millisecond, "Stop waits for the activity in flight")
	close(release)
	require.Eventually(t, func() bool { return closed(stopped) }, 10*time.Second, 10*time.Millisecond)

	// The next replica picks the workflow up and finds the activity's result
	// recorded: no retry, no wait for the timeout.
	next := newWorker()
	require.NoError(t, next.Start())
	t.Cleanup(next.Stop)
	var out string
	require.NoError(t, run.Get(ctx, &out))
	require.Equal(t, "finished on attempt 1", out)
}
