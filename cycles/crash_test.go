package cycles_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/perfloop/perfloop/cycles"
	"github.com/perfloop/perfloop/engine"
	"github.com/perfloop/perfloop/enginetest"
	"github.com/perfloop/perfloop/store"
	"github.com/perfloop/perfloop/store/storetest"
)

// TestASubmissionCutShortByACrashIsCompletedWhenSentAgain: a worker dies
// after marking a self-evaluation submitted but before recording the
// evaluation and completing the Update (the faults package caught this
// with `perfloop dev` killed mid-cycle), simulated here by writing the row
// alone. Sent again, the submission is accepted, the evaluation recorded
// once, and the member's workflow knows, refusing a third attempt.
func TestASubmissionCutShortByACrashIsCompletedWhenSentAgain(t *testing.T) {
	st := storetest.SQLite(t)
	e := enginetest.Start(t, st, 2)
	c := e.Launch("cs-ops-monthly", "2026-10", 10*time.Minute)
	ctx := context.Background()
	m := e.Employees[0]
	task := e.OpenTasks(c.ID, m.ID, engine.TaskSelfEval, 1)[0]
	form := []byte(`{"scores":{"collaboration":4,"serviceAttitude":5},"comment":"崩溃前提交"}`)
	_, err := st.SubmitTask(ctx, task.ID, m.ID, string(form), task.Version)
	require.NoError(t, err)

	res, err := e.Service.Submit(ctx, m, task.ID, form)
	require.NoError(t, err)
	require.Equal(t, engine.TaskSubmitted, res.State)
	evals, err := st.ListEvaluations(ctx, c.ID, m.ID, m.ID)
	require.NoError(t, err)
	require.Len(t, evals, 1)
	require.Equal(t, "崩溃前提交", evals[0].Comment)

	_, err = e.Service.Submit(ctx, m, task.ID, form)
	var refused *cycles.Refused
	require.True(t, errors.As(err, &refused), "got %v", err)
	require.Equal(t, "TaskClosed", refused.Kind)
	// Someone else's submitted task is still "not found" to them.
	_, err = e.Service.Submit(ctx, e.Employees[1], task.ID, form)
	require.ErrorIs(t, err, store.ErrNotFound)
	_, err = e.Service.Cancel(ctx, e.Org.ID, c.ID, e.Manager.ID, "test over")
	require.NoError(t, err)
}
