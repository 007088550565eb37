package cycles_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/perfloop/perfloop/cycles/cyclestest"
	"github.com/perfloop/perfloop/store"
	"github.com/perfloop/perfloop/store/storetest"
	"github.com/perfloop/perfloop/worker"
)

// TestACycleFinishesWhenOneOfTwoWorkersStops: two workers poll the cycle's
// task queue; the first stops while members' tasks are open, and the
// second carries the cycle to the end with no task opened twice.
func TestACycleFinishesWhenOneOfTwoWorkersStops(t *testing.T) {
	st := storetest.SQLite(t)
	e := cyclestest.Start(t, st, 10)
	second := worker.New(worker.Options{Client: e.Client, Store: st, TaskQueue: e.TaskQueue})
	require.NoError(t, second.Start())
	t.Cleanup(second.Stop)
	e.Metrics("2026-10")
	c := e.Launch("cs-ops-monthly", "2026-10", 300*time.Millisecond)
	for _, m := range e.Employees {
		e.OpenTasks(c.ID, m.ID, store.TaskSelfEval, 1)
	}
	e.StopWorker()
	e.WaitState(c.ID, store.CycleCompleted, 120*time.Second)
	ctx := context.Background()
	results, _, err := st.ListResults(ctx, c.ID, store.Page{Limit: 100})
	require.NoError(t, err)
	require.Len(t, results, 10)
	for _, r := range results {
		require.Equal(t, store.ResultPublished, r.State, "published; nobody acknowledged in time")
	}
	tasks, _, err := st.ListTasks(ctx, e.Org.ID, store.TaskFilter{CycleID: c.ID}, store.Page{Limit: 500})
	require.NoError(t, err)
	seen := map[string]bool{}
	for _, task := range tasks {
		key := task.StageKey + task.Kind + task.AssigneeID
		if task.SubjectID != nil {
			key += *task.SubjectID
		}
		require.False(t, seen[key], "task opened twice: %s", key)
		seen[key] = true
	}
}
