package devserver_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/perfloop/perfloop/devserver"
	"github.com/perfloop/perfloop/devserver/devservertest"
)

const taskQueue = "devserver-test"

// greetWorkflow greets through an activity, sums the numbers it is sent by
// the "add" Update (validated: positive only) and ends on the "finish" Update.
func greetWorkflow(ctx workflow.Context, name string) (string, error) {
	total, done := 0, false
	err := workflow.SetUpdateHandlerWithOptions(ctx, "add",
		func(ctx workflow.Context, n int) (int, error) {
			total += n
			return total, nil
		},
		workflow.UpdateHandlerOptions{Validator: func(ctx workflow.Context, n int) error {
			if n <= 0 {
				return fmt.Errorf("add %d: only positive numbers", n)
			}
			return nil
		}},
	)
	if err != nil {
		return "", err
	}
	if err := workflow.SetUpdateHandler(ctx, "finish", func(ctx workflow.Context) error {
		done = true
		return nil
	}); err != nil {
		return "", err
	}

	var greeting string
	actx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{StartToCloseTimeout: 10 * time.Second})
	if err := workflow.ExecuteActivity(actx, greetActivity, name).Get(ctx, &greeting); err != nil {
		return "", err
	}
	if err := workflow.Await(ctx, func() bool { return done }); err != nil {
		return "", err
	}
	return fmt.Sprintf("%s total=%d", greeting, total), nil
}

func greetActivity(ctx context.Context, name string) (string, error) {
	activity.GetLogger(ctx).Debug("greeting", "name", name)
	return "hello " + name, nil
}

func quietLogger(t testing.TB) *slog.Logger {
	return slog.New(slog.NewTextHandler(io.Discard, nil)).With("test", t.Name())
}

func dial(t *testing.T, s *devserver.Server) client.Client {
	t.Helper()
	c, err := client.Dial(client.Options{
		HostPort:  s.HostPort(),
		Namespace: s.Namespace(),
		Logger:    sdklog.NewStructuredLogger(quietLogger(t)),
	})
	require.NoError(t, err)
	t.Cleanup(c.Close)
	return c
}

func startWorker(t *testing.T, c client.Client) {
	t.Helper()
	w := worker.New(c, taskQueue, worker.Options{})
	w.RegisterWorkflow(greetWorkflow)
	w.RegisterActivity(greetActivity)
	require.NoError(t, w.Start())
	t.Cleanup(w.Stop)
}

func update(ctx context.Context, c client.Client, workflowID, name string, args ...any) (client.WorkflowUpdateHandle, error) {
	return c.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		WorkflowID:   workflowID,
		UpdateName:   name,
		Args:         args,
		WaitForStage: client.WorkflowUpdateStageCompleted,
	})
}

func TestEphemeralServerRunsWorkflowActivityAndUpdates(t *testing.T) {
	t.Parallel()
	began := time.Now()
	s := devservertest.Start(t)
	t.Logf("ephemeral start-up: %s", time.Since(began).Round(time.Millisecond))
	require.Regexp(t, `^127\.0\.0\.1:\d+$`, s.HostPort())
	require.Equal(t, devserver.DefaultNamespace, s.Namespace())
	require.Empty(t, s.UIAddr())

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c := dial(t, s)
	startWorker(t, c)

	run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: "greet-1", TaskQueue: taskQueue}, greetWorkflow, "Perfloop")
	require.NoError(t, err)

	h, err := update(ctx, c, run.GetID(), "add", 3)
	require.NoError(t, err)
	var total int
	require.NoError(t, h.Get(ctx, &total))
	require.Equal(t, 3, total)

	h, err = update(ctx, c, run.GetID(), "add", -1)
	if err == nil {
		err = h.Get(ctx, nil)
	}
	require.ErrorContains(t, err, "only positive numbers", "the validator rejects the update")

	h, err = update(ctx, c, run.GetID(), "finish")
	require.NoError(t, err)
	require.NoError(t, h.Get(ctx, nil))

	var result string
	require.NoError(t, run.Get(ctx, &result))
	require.Equal(t, "hello Perfloop total=3", result)

	// Update-With-Start: the API's "submit a task, starting its workflow if need be".
	start := c.NewWithStartWorkflowOperation(client.StartWorkflowOptions{
		ID: "greet-2", TaskQueue: taskQueue, WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
	}, greetWorkflow, "again")
	h, err = c.UpdateWithStartWorkflow(ctx, client.UpdateWithStartWorkflowOptions{
		StartWorkflowOperation: start,
		UpdateOptions:          client.UpdateWorkflowOptions{UpdateName: "add", Args: []any{7}, WaitForStage: client.WorkflowUpdateStageCompleted},
	})
	require.NoError(t, err)
	require.NoError(t, h.Get(ctx, &total))
	require.Equal(t, 7, total)
}

func TestFileBackedServerKeepsWorkflowsAcrossRestart(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	began := time.Now()
	first, err := devserver.Start(ctx, devserver.Options{DataDir: dir, Logger: quietLogger(t)})
	require.NoError(t, err)
	t.Logf("file-backed start-up, new data directory: %s", time.Since(began).Round(time.Millisecond))
	t.Cleanup(func() { _ = first.Stop() })

	// No worker yet: the workflow is accepted and waits for one.
	c1, err := client.Dial(client.Options{HostPort: first.HostPort(), Logger: sdklog.NewStructuredLogger(quietLogger(t))})
	require.NoError(t, err)
	run, err := c1.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: "survivor", TaskQueue: taskQueue}, greetWorkflow, "again")
	require.NoError(t, err)
	c1.Close()
	require.NoError(t, first.Stop())
	require.NoError(t, first.Stop(), "Stop is safe to call twice")

	began = time.Now()
	second, err := devserver.Start(ctx, devserver.Options{DataDir: dir, Logger: quietLogger(t)})
	require.NoError(t, err)
	t.Logf("file-backed start-up, existing data directory: %s", time.Since(began).Round(time.Millisecond))
	t.Cleanup(func() { _ = second.Stop() })

	c2 := dial(t, second)
	desc, err := c2.DescribeWorkflowExecution(ctx, "survivor", run.GetRunID())
	require.NoError(t, err)
	require.Equal(t, enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING, desc.GetWorkflowExecutionInfo().GetStatus())

	iter := c2.GetWorkflowHistory(ctx, "survivor", run.GetRunID(), false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	require.True(t, iter.HasNext())
	ev, err := iter.Next()
	require.NoError(t, err)
	require.Equal(t, enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED, ev.GetEventType())

	// The workflow carries on where it was: a worker on the restarted server finishes it.
	startWorker(t, c2)
	h, err := update(ctx, c2, "survivor", "finish")
	require.NoError(t, err)
	require.NoError(t, h.Get(ctx, nil))
	var result string
	require.NoError(t, c2.GetWorkflow(ctx, "survivor", run.GetRunID()).Get(ctx, &result))
	require.Equal(t, "hello again total=0", result)
}

func TestTwoServersOnFreePortsRunSideBySide(t *testing.T) {
	t.Parallel()
	a := devservertest.Start(t)
	b := devservertest.Start(t)
	require.NotEqual(t, a.HostPort(), b.HostPort())

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	// The same workflow ID on both: they are two clusters, not one.
	for _, s := range []*devserver.Server{a, b} {
		c := dial(t, s)
		_, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: "same-id", TaskQueue: taskQueue}, greetWorkflow, "twin")
		require.NoError(t, err)
	}
}

func TestExplicitPortInUseIsReportedWithTheFlagToChange(t *testing.T) {
	t.Parallel()
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer taken.Close()
	port := taken.Addr().(*net.TCPAddr).Port

	_, err = devserver.Start(context.Background(), devserver.Options{Port: port})
	require.ErrorIs(t, err, devserver.ErrPortInUse)
	require.EqualError(t, err, fmt.Sprintf("temporal frontend port %d is already in use (choose another with --temporal-port)", port))

	_, err = devserver.Start(context.Background(), devserver.Options{UIPort: port})
	require.ErrorIs(t, err, devserver.ErrPortInUse)
	require.EqualError(t, err, fmt.Sprintf("temporal UI port %d is already in use (choose another with --temporal-ui-port)", port))
}

func TestSecondServerOnTheSameDataDirIsRefused(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	devservertest.StartWith(t, devserver.Options{DataDir: dir})

	_, err := devserver.Start(context.Background(), devserver.Options{DataDir: dir})
	require.ErrorContains(t, err, "is in use by another process")
}

func TestWebUIServesTheEmbeddedServer(t *testing.T) {
	t.Parallel()
	port, uiPort := freePort(t), freePort(t)
	s := devservertest.StartWith(t, devserver.Options{Port: port, UIPort: uiPort})
	require.Equal(t, fmt.Sprintf("127.0.0.1:%d", port), s.HostPort())
	require.Equal(t, fmt.Sprintf("127.0.0.1:%d", uiPort), s.UIAddr())

	page := get(t, "http://"+s.UIAddr()+"/")
	require.Contains(t, page, "<html")

	// The UI's API proxies to the frontend: the namespace we registered is listed.
	require.Eventually(t, func() bool {
		return strings.Contains(get(t, "http://"+s.UIAddr()+"/api/v1/namespaces"), `"`+s.Namespace()+`"`)
	}, 10*time.Second, 50*time.Millisecond)
}

func TestStopIsSafeTwice(t *testing.T) {
	t.Parallel()
	s, err := devserver.Start(context.Background(), devserver.Options{})
	require.NoError(t, err)
	require.NoError(t, s.Stop())
	require.NoError(t, s.Stop())
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func get(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode, "GET %s: %s", url, body)
	return string(body)
}

// BenchmarkStartEphemeral measures Start alone; Stop (about 1 s, the
// frontend's minimum drain time) runs with the timer stopped.
func BenchmarkStartEphemeral(b *testing.B) {
	for b.Loop() {
		s, err := devserver.Start(context.Background(), devserver.Options{})
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		if err := s.Stop(); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
}
