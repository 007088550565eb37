package cycles_test

import (
	"context"
	"errors"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/perfloop/perfloop/cycles"
	"github.com/perfloop/perfloop/engine"
	"github.com/perfloop/perfloop/enginetest"
	"github.com/perfloop/perfloop/store"
	"github.com/perfloop/perfloop/store/storetest"
)

// TestConcurrentSubmissionsRecordExactlyTheValidOnes fires members'
// self-evaluations all at once together with duplicates and submissions
// sent by the wrong person: exactly one evaluation per member is recorded,
// the duplicates are refused as closed, and the impostors see "not found".
// By default 30 members each send a duplicate and suffer an impostor (90
// submissions); with PERFLOOP_FAULTS=1 it is the figure: 500 at
// once, 10% of them duplicates or impostors.
func TestConcurrentSubmissionsRecordExactlyTheValidOnes(t *testing.T) {
	members, dups, impostors := 30, 30, 30
	if os.Getenv("PERFLOOP_FAULTS") == "1" {
		members, dups, impostors = 450, 25, 25
	}
	st := storetest.SQLite(t)
	e := enginetest.Start(t, st, members)
	c := e.Launch("cs-ops-monthly", "2026-10", 10*time.Minute)
	ctx := context.Background()
	byMember := map[string]store.Task{}
	require.Eventually(t, func() bool {
		ts, _, err := st.ListTasks(ctx, e.Org.ID, store.TaskFilter{CycleID: c.ID, Kind: engine.TaskSelfEval, State: engine.TaskOpen}, store.Page{Limit: store.MaxLimit})
		for _, task := range ts {
			byMember[task.AssigneeID] = task
		}
		return err == nil && len(byMember) == members
	}, 3*time.Minute, 100*time.Millisecond, "every member should get a self-evaluation")
	tasks := make([]store.Task, members)
	for i, m := range e.Employees {
		tasks[i] = byMember[m.ID]
	}
	var ok, closed, notFound, other atomic.Int32
	var wg sync.WaitGroup
	start := make(chan struct{})
	send := func(who *store.Member, task store.Task) {
		defer wg.Done()
		<-start
		_, err := e.Service.Submit(ctx, who, task.ID, []byte(`{"scores":{"collaboration":4,"serviceAttitude":4}}`))
		var refused *cycles.Refused
		switch {
		case err == nil:
			ok.Add(1)
		case errors.As(err, &refused) && refused.Kind == "TaskClosed":
			closed.Add(1)
		case errors.Is(err, store.ErrNotFound):
			notFound.Add(1)
		default:
			other.Add(1)
			t.Logf("unexpected: %v", err)
		}
	}
	for i, m := range e.Employees {
		wg.Add(1)
		go send(m, tasks[i])
		if i < dups {
			wg.Add(1)
			go send(m, tasks[i])
		}
		if i < impostors {
			wg.Add(1)
			go send(e.Employees[(i+1)%members], tasks[i])
		}
	}
	close(start)
	wg.Wait()
	require.EqualValues(t, members, ok.Load(), "one accepted per member")
	require.EqualValues(t, dups, closed.Load(), "each duplicate refused")
	require.EqualValues(t, impostors, notFound.Load(), "someone else's task is not found")
	require.Zero(t, other.Load())
	evals, err := st.ListEvaluations(ctx, c.ID, "", "")
	require.NoError(t, err)
	require.Len(t, evals, members)
	seen := map[string]bool{}
	for _, ev := range evals {
		require.Equal(t, ev.RateeID, ev.RaterID, "a self-evaluation by the member")
		require.False(t, seen[ev.TaskID])
		seen[ev.TaskID] = true
	}
	_, err = e.Service.Cancel(ctx, e.Org.ID, c.ID, e.Manager.ID, "test over")
	require.NoError(t, err)
}
