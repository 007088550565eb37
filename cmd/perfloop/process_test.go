package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"

	"github.com/perfloop/perfloop/devserver/devservertest"
	"github.com/perfloop/perfloop/engine"
	"github.com/perfloop/perfloop/store"
	"github.com/perfloop/perfloop/store/storetest"
	"github.com/perfloop/perfloop/templates"
)

// logBuffer collects a child's stderr while the test reads it.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// requireJSONLines checks that every line a process logged is JSON.
func requireJSONLines(t *testing.T, log string) {
	t.Helper()
	for _, line := range strings.Split(strings.TrimSpace(log), "\n") {
		require.True(t, json.Valid([]byte(line)), "a plain-text line in a JSON log: %s", line)
	}
}

// started is a perfloop child process with its log.
type started struct {
	cmd  *exec.Cmd
	log  *logBuffer
	exit chan error
}

// waitForLog waits until p's log holds want or p exits, whichever comes
// first, and says which: gone, with its exit error, when it exited.
func (p *started) waitForLog(t *testing.T, want string, within, every time.Duration) (gone bool, exited error) {
	t.Helper()
	require.Eventually(t, func() bool {
		select {
		case exited = <-p.exit:
			gone = true
			return true
		default:
			return strings.Contains(p.log.String(), want)
		}
	}, within, every)
	return gone, exited
}

func startPerfloop(t *testing.T, args ...string) *started {
	t.Helper()
	p := &started{cmd: perfloopProcess(t, args...), log: &logBuffer{}, exit: make(chan error, 1)}
	p.cmd.Stderr = p.log
	require.NoError(t, p.cmd.Start())
	go func() { p.exit <- p.cmd.Wait() }()
	t.Cleanup(func() { p.cmd.Process.Kill() }) // a no-op once it has exited
	return p
}

// waitExit waits for the process to end after a signal and returns its error (nil: exit 0).
func (p *started) waitExit(t *testing.T, within time.Duration) error {
	t.Helper()
	select {
	case err := <-p.exit:
		return err
	case <-time.After(within):
		t.Fatalf("still running %s after SIGTERM; log:\n%s", within, p.log.String())
		return nil
	}
}

func TestThreeWorkerProcessesStartedTogetherOnAFreshDatabaseAllRunAndStopOnSIGTERM(t *testing.T) {
	temporal := devservertest.Start(t)
	files, err := templates.BuiltinFiles()
	require.NoError(t, err)
	for _, db := range migrated(t) {
		t.Run(db.Name, func(t *testing.T) {
			queue := "start-together-" + db.Name
			workers := make([]*started, 3)
			for i := range workers {
				workers[i] = startPerfloop(t, "worker", "--db", db.DSN, "--temporal", temporal.HostPort(), "--namespace", temporal.Namespace(),
					"--task-queue", queue, "--log-format", "json", "--shutdown-timeout", "5s")
			}
			for i, w := range workers {
				gone, exited := w.waitForLog(t, `"msg":"worker running"`, 60*time.Second, 20*time.Millisecond)
				require.NotContains(t, w.log.String(), `"level":"ERROR"`)
				require.False(t, gone, "worker %d exited (%v) while starting:\n%s", i, exited, w.log.String())
			}
			st := openStore(t, db.DSN)
			_, total, err := st.ListTemplates(context.Background(), store.TemplateFilter{}, store.Page{Limit: 100})
			require.NoError(t, err)
			require.EqualValues(t, len(files), total, "each built-in is published once, by one of the three")

			for _, w := range workers {
				require.NoError(t, w.cmd.Process.Signal(syscall.SIGTERM))
			}
			for i, w := range workers {
				require.NoError(t, w.waitExit(t, 20*time.Second), "worker %d:\n%s", i, w.log.String())
				requireJSONLines(t, w.log.String())
			}
		})
	}
}

func freeAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	return ln.Addr().String()
}

func TestAPIProcessOnSIGTERMAnswersReadyz503WhileDrainingThenExits0(t *testing.T) {
	temporal := devservertest.Start(t)
	db := migrated(t)[0]
	addr := freeAddr(t)
	api := startPerfloop(t, "api", "--db", db.DSN, "--temporal", temporal.HostPort(), "--namespace", temporal.Namespace(),
		"--http", addr, "--log-format", "json", "--drain-delay", "2s", "--shutdown-timeout", "5s")
	readyz := func() int {
		res, err := http.Get(fmt.Sprintf("http://%s/readyz", addr))
		if err != nil {
			return 0
		}
		res.Body.Close()
		return res.StatusCode
	}
	require.Eventually(t, func() bool { return readyz() == http.StatusOK }, 30*time.Second, 20*time.Millisecond, "api log:\n%s", api.log)

	require.NoError(t, api.cmd.Process.Signal(syscall.SIGTERM))
	require.Eventually(t, func() bool { return readyz() == http.StatusServiceUnavailable }, 1500*time.Millisecond, 10*time.Millisecond,
		"while draining the replica still answers, with /readyz 503")
	require.NoError(t, api.waitExit(t, 10*time.Second), api.log.String())
	requireJSONLines(t, api.log.String())
	require.Contains(t, api.log.String(), `"msg":"draining: /readyz answers 503 before the listener closes"`)
}

func TestAFailingCommandWithJSONLogsReportsItsErrorAsJSON(t *testing.T) {
	db := storetest.EmptyDatabases(t)[0]
	out, err := perfloopProcess(t, "worker", "--db", db.DSN, "--log-format", "json").CombinedOutput()
	var exit *exec.ExitError
	require.ErrorAs(t, err, &exit)
	require.Equal(t, 1, exit.ExitCode())
	requireJSONLines(t, string(out))
	require.Contains(t, string(out), "run `perfloop migrate` first")
}

// A rolling deploy SIGTERMs a worker process while one of Perfloop's own
// activities waits on the database: the process must let it finish and
// report before exiting, not leave it for Temporal to time out (30 s here).
func TestAWorkerProcessOnSIGTERMFinishesTheActivityInFlightBeforeExiting(t *testing.T) {
	temporal := devservertest.Start(t)
	db := migrated(t)[0] // SQLite: a write lock held by the test stalls the activity
	w := startPerfloop(t, "worker", "--db", db.DSN, "--temporal", temporal.HostPort(), "--namespace", temporal.Namespace(),
		"--task-queue", "sigterm-in-flight", "--log-format", "json", "--shutdown-timeout", "20s")
	require.Eventually(t, func() bool { return strings.Contains(w.log.String(), `"msg":"worker running"`) }, 60*time.Second, 20*time.Millisecond)

	tc, err := client.Dial(client.Options{HostPort: temporal.HostPort(), Namespace: temporal.Namespace(), Logger: sdklog.NewStructuredLogger(slog.New(slog.DiscardHandler))})
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

	locker := openStore(t, db.DSN)
	lock := locker.DB.Begin() // BEGIN IMMEDIATE: every other writer waits (busy_timeout 10 s)
	require.NoError(t, lock.Error)
	require.NoError(t, tc.SignalWorkflow(context.Background(), engine.DeliveryWorkflowID, "", engine.SignalDeliverNow.String(), nil))
	require.Eventually(t, func() bool {
		p := pending()
		return len(p) == 1 && p[0] == "ClaimDeliveries Started"
	}, 10*time.Second, 20*time.Millisecond, "the claim is in flight, waiting for the database: %v\n%s", pending(), w.log)

	require.NoError(t, w.cmd.Process.Signal(syscall.SIGTERM))
	require.Never(t, func() bool { return len(w.exit) > 0 }, time.Second, 10*time.Millisecond, "the worker waits for the activity in flight")
	require.NoError(t, lock.Rollback().Error)
	require.NoError(t, w.waitExit(t, 15*time.Second), w.log.String())
	require.Empty(t, pending(), "the claim completed and was reported before the worker exited")
}
