package cycles_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/worker"

	"github.com/perfloop/perfloop/engine"
	"github.com/perfloop/perfloop/enginetest"
	"github.com/perfloop/perfloop/store"
	"github.com/perfloop/perfloop/store/storetest"
	pworker "github.com/perfloop/perfloop/worker"
)

// TestABlockedEvaluationRunReplaysAfterItsResume: the evaluate stage's run
// that blocked on a value outside every band and was resumed replays
// through today's code (and, with PERFLOOP_RECORD_HISTORIES, is recorded
// for the replay tests in workflows).
func TestABlockedEvaluationRunReplaysAfterItsResume(t *testing.T) {
	st := storetest.SQLite(t)
	e := enginetest.Start(t, st, 2)
	ctx := context.Background()
	e.Metrics("2026-10")
	e.SetMetric(e.Employees[0], "satisfaction", "2026-10", 150)
	c := e.Launch("cs-ops-monthly", "2026-10", 20*time.Second)
	for _, m := range e.Employees {
		self := e.OpenTasks(c.ID, m.ID, engine.TaskSelfEval, 1)[0]
		require.NoError(t, submit(t, e, m, self, map[string]any{"scores": map[string]float64{"collaboration": 4, "serviceAttitude": 4}}))
	}
	for _, task := range e.OpenTasks(c.ID, e.Manager.ID, engine.TaskManagerEval, len(e.Employees)) {
		require.NoError(t, submit(t, e, e.Manager, task, map[string]any{"scores": map[string]float64{"collaboration": 4, "serviceAttitude": 4}}))
	}
	blocked := e.WaitState(c.ID, store.CycleBlocked, 60*time.Second)
	require.Contains(t, blocked.BlockedReason, "indicator satisfaction: value 150")

	e.SetMetric(e.Employees[0], "satisfaction", "2026-10", 91)
	_, err := e.Service.Resume(ctx, e.Org.ID, c.ID, e.Manager.ID)
	require.NoError(t, err)
	e.OpenTasks(c.ID, e.HRBP.ID, engine.TaskCalibration, 1)

	cur, err := pworker.FetchHistory(ctx, e.Client, c.WorkflowID, "")
	require.NoError(t, err)
	prev := cur.Events[0].GetWorkflowExecutionStartedEventAttributes().GetContinuedExecutionRunId()
	hist, err := pworker.FetchHistory(ctx, e.Client, c.WorkflowID, prev)
	require.NoError(t, err)
	r := worker.NewWorkflowReplayer()
	pworker.RegisterWorkflows(r)
	require.NoError(t, r.ReplayWorkflowHistory(nil, hist))
	record(t, e, "cycle-evaluate-blocked.json", c.WorkflowID, 1)
}
