package faults_test

import (
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/perfloop/perfloop/store"
)

// devMembers is the team size of the `perfloop dev` test: the whole product
// restarts in it, so it runs a smaller team than the worker test to keep
// the package within minutes on two cores.
const devMembers = 100

// TestACycleSurvivesPerfloopDevBeingKilledAndRestartedOnItsFiles runs a
// cycle on `perfloop dev` with its file-backed Temporal and SQLite. With
// evaluations in flight the whole process gets SIGKILL; a new one starts
// on the same data directory and the cycle completes with every
// submission kept and nothing twice.
func TestACycleSurvivesPerfloopDevBeingKilledAndRestartedOnItsFiles(t *testing.T) {
	requireFaults(t)
	began := time.Now()
	n := devMembers
	data := filepath.Join(t.TempDir(), "data")
	// Seeding the organisation first means dev keeps it and adds no demo data.
	st := migrate(t, "sqlite:"+filepath.Join(data, "perfloop.db"))
	tm := seedTeam(t, st, n)
	addr := fmt.Sprintf("127.0.0.1:%d", freePort(t))
	startDev := func(name string) *proc {
		p := startProc(t, name, binary, "dev", "--data", data, "--http", addr, "--temporal-port", "0", "--temporal-ui-port", "0")
		require.Eventually(t, func() bool { return p.logContains("Perfloop is ready") || p.exited() }, time.Minute, 50*time.Millisecond)
		require.False(t, p.exited(), "%s exited at start", name)
		return p
	}
	first := startDev("dev-1")
	t.Logf("dev ready %s after start", since(began))

	r := &cycleRun{t: t, api: newAPIClient("http://" + addr), tm: tm, st: func() *store.Store { return st }}
	r.launch(20 * time.Second)
	r.evaluate(began, func() {
		first.kill()
		t.Logf("dev-1 killed (SIGKILL) %s after start", since(began))
		startDev("dev-2")
		t.Logf("dev-2 ready %s after start", since(began))
	})
	r.finish(3 * time.Minute)
	t.Logf("cycle completed %s after start", since(began))
	r.verify()
}
