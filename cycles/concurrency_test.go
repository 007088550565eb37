package cycles_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/perfloop/perfloop/cycles"
	"github.com/perfloop/perfloop/cycles/cyclestest"
	"github.com/perfloop/perfloop/store"
	"github.com/perfloop/perfloop/store/storetest"
)

// TestConcurrentSubmissionsRecordExactlyTheValidOnes fires every member's
// self-evaluation at once together with a duplicate of each and one sent
// by the wrong person: exactly one evaluation per member is recorded, the
// duplicates are refused as closed, and the impostors see "not found".
func TestConcurrentSubmissionsRecordExactlyTheValidOnes(t *testing.T) {
	st := storetest.SQLite(t)
	e := cyclestest.Start(t, st, 30)
	c := e.Launch("cs-ops-monthly", "2026-10", 10*time.Minute)
	ctx := context.Background()
	tasks := make([]store.Task, len(e.Employees))
	for i, m := range e.Employees {
		tasks[i] = e.OpenTasks(c.ID, m.ID, store.TaskSelfEval, 1)[0]
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
		wg.Add(3)
		go send(m, tasks[i])
		go send(m, tasks[i])
		go send(e.Employees[(i+1)%len(e.Employees)], tasks[i])
	}
	close(start)
	wg.Wait()
	require.EqualValues(t, 30, ok.Load(), "one accepted per member")
	require.EqualValues(t, 30, closed.Load(), "each duplicate refused")
	require.EqualValues(t, 30, notFound.Load(), "someone else's task is not found")
	require.Zero(t, other.Load())
	evals, err := st.ListEvaluations(ctx, c.ID, "", "")
	require.NoError(t, err)
	require.Len(t, evals, 30)
	seen := map[string]bool{}
	for _, ev := range evals {
		require.Equal(t, ev.RateeID, ev.RaterID, "a self-evaluation by the member")
		require.False(t, seen[ev.TaskID])
		seen[ev.TaskID] = true
	}
	_, err = e.Service.Cancel(ctx, e.Org.ID, c.ID, e.Manager.ID, "test over")
	require.NoError(t, err)
}
