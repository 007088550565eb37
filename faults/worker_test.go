package faults_test

import (
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"

	"github.com/perfloop/perfloop/api"
	"github.com/perfloop/perfloop/cycles"
	"github.com/perfloop/perfloop/store"
)

// TestACycleSurvivesItsWorkerProcessBeingKilledMidEvaluation runs a
// 200-member cycle whose only worker is a `perfloop worker` process. Half
// the evaluations are in when the other half starts; with submissions in
// flight the worker gets SIGKILL, and a new worker process takes over. The
// cycle completes with every submission recorded once, one task per
// member and kind, one notification per task, and one IDP per member at
// the bottom.
func TestACycleSurvivesItsWorkerProcessBeingKilledMidEvaluation(t *testing.T) {
	requireFaults(t)
	began := time.Now()
	const n = 200
	dsn := "sqlite:" + filepath.Join(t.TempDir(), "perfloop.db")
	st := migrate(t, dsn)
	tm := seedTeam(t, st, n)

	srv := startTemporal(t)
	tc, err := client.Dial(client.Options{HostPort: srv.HostPort(), Namespace: srv.Namespace()})
	require.NoError(t, err)
	t.Cleanup(tc.Close)
	const queue = "faults-worker"
	web := httptest.NewServer(api.New(api.Deps{Store: st, Cycles: &cycles.Service{Store: st, Client: tc, TaskQueue: queue}}))
	t.Cleanup(web.Close)

	startWorker := func(name string) *proc {
		p := startProc(t, name, binary, "worker", "--db", dsn, "--temporal", srv.HostPort(), "--namespace", srv.Namespace(), "--task-queue", queue)
		require.Eventually(t, func() bool { return p.logContains("worker running") || p.exited() }, 30*time.Second, 50*time.Millisecond)
		require.False(t, p.exited(), "%s exited at start", name)
		return p
	}
	first := startWorker("worker-1")

	r := &cycleRun{t: t, api: newAPIClient(web.URL), tm: tm, st: func() *store.Store { return st }}
	r.launch(20 * time.Second)
	r.evaluate(began, func() {
		first.kill()
		t.Logf("worker-1 killed (SIGKILL) %s after start", since(began))
		startWorker("worker-2")
	})
	r.finish(3 * time.Minute)
	t.Logf("cycle completed %s after start", since(began))
	r.verify()
}
