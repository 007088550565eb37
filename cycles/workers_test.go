package cycles_test

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"

	"github.com/perfloop/perfloop/engine"
	"github.com/perfloop/perfloop/enginetest"
	"github.com/perfloop/perfloop/store"
	"github.com/perfloop/perfloop/store/storetest"
	"github.com/perfloop/perfloop/worker"
)

// TestACycleFinishesWhenOneOfTwoWorkersStops: two workers poll the cycle's
// task queue and share its work (each one completes workflow tasks and
// runs activities); either one stops while members' tasks are open, and
// the other carries the cycle to the end with no task opened twice.
func TestACycleFinishesWhenOneOfTwoWorkersStops(t *testing.T) {
	for _, stop := range []string{"first", "second"} {
		t.Run("the "+stop+" stops", func(t *testing.T) {
			st := storetest.SQLite(t)
			e := enginetest.Start(t, st, 10)
			// Its own client gives the second worker its own identity in
			// the histories, which is how the test tells the two apart.
			c2, err := client.NewClientFromExisting(e.Client, client.Options{Identity: "second-worker", Logger: sdklog.NewStructuredLogger(slog.New(slog.NewTextHandler(testLog{t}, &slog.HandlerOptions{Level: slog.LevelWarn})))})
			require.NoError(t, err)
			t.Cleanup(c2.Close)
			second := worker.New(worker.Options{Client: c2, Store: st, TaskQueue: e.TaskQueue})
			require.NoError(t, second.Start())
			stopSecond := second.Stop
			t.Cleanup(func() { stopSecond() })
			e.Metrics("2026-10")
			c := e.Launch("cs-ops-monthly", "2026-10", 300*time.Millisecond)
			for _, m := range e.Employees {
				e.OpenTasks(c.ID, m.ID, engine.TaskSelfEval, 1)
			}
			shared := identities(t, e, c.ID)
			require.Len(t, shared, 2, "both workers took work before one stopped: %v", shared)
			if stop == "first" {
				e.StopWorker()
			} else {
				second.Stop()
				stopSecond = func() {}
			}
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
				key := task.StageKey + string(task.Kind) + task.AssigneeID
				if task.SubjectID != nil {
					key += *task.SubjectID
				}
				require.False(t, seen[key], "task opened twice: %s", key)
				seen[key] = true
			}
		})
	}
}

// identities lists the workers that completed workflow tasks or started
// activities in the cycle's member workflows, with how many each.
func identities(t *testing.T, e *enginetest.Env, cycleID string) map[string]int {
	t.Helper()
	ctx := context.Background()
	out := map[string]int{}
	for _, m := range e.Employees {
		it := e.Client.GetWorkflowHistory(ctx, engine.MemberWorkflowID(cycleID, m.ID), "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
		for it.HasNext() {
			ev, err := it.Next()
			require.NoError(t, err)
			if a := ev.GetWorkflowTaskCompletedEventAttributes(); a != nil {
				out[a.GetIdentity()]++
			}
			if a := ev.GetActivityTaskStartedEventAttributes(); a != nil {
				out[a.GetIdentity()]++
			}
		}
	}
	return out
}

// testLog keeps the second worker's warnings with the test.
type testLog struct{ t *testing.T }

func (w testLog) Write(p []byte) (int, error) {
	w.t.Log(string(p))
	return len(p), nil
}
