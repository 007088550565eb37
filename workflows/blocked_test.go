package workflows_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/perfloop/perfloop/activities"
	"github.com/perfloop/perfloop/engine"
	"github.com/perfloop/perfloop/workflows"
)

const noBand = "member m2, indicator satisfaction: value 150: no band contains the value"

func scoringData() error {
	return temporal.NewNonRetryableApplicationError(noBand, activities.ErrTypeScoringData, nil)
}

// TestScoringThatCannotComputeBlocksTheCycleUntilResumed: the calibrate
// stage scores first; a value outside every band blocks the cycle with the
// reason (shown by the query, stored and notified once), a resume scores
// again, and the stage carries on with the grades.
func TestScoringThatCannotComputeBlocksTheCycleUntilResumed(t *testing.T) {
	env := newEnv(t)
	in := engine.CycleInput{CycleID: "c1", Snapshot: snapshot(t, "cs-ops-monthly"), StageIndex: 2}
	var states []string
	env.OnActivity(a.SetCycleState, mock.Anything, mock.Anything).Return(func(_ context.Context, ch activities.StateChange) error {
		states = append(states, ch.State)
		return nil
	})
	attempts := 0
	env.OnActivity(a.ComputeScores, mock.Anything, "c1").Return(func(context.Context, string) (*engine.Scored, error) {
		attempts++
		if attempts == 1 {
			return nil, scoringData()
		}
		return &engine.Scored{Grades: map[string]string{"m1": "A", "m2": "B", "m3": "B", "m4": "C"}, Count: 4}, nil
	})
	var blocked []activities.BlockRequest
	env.OnActivity(a.BlockCycle, mock.Anything, mock.Anything).Return(func(_ context.Context, req activities.BlockRequest) error {
		blocked = append(blocked, req)
		return nil
	})
	env.OnActivity(a.ScheduleCalibrationMeeting, mock.Anything, mock.Anything).Return(activities.MeetingResult{}, nil)
	env.OnActivity(a.EnsureCycleTasks, mock.Anything, mock.Anything).Return([]engine.TaskRef{}, nil)
	env.OnActivity(a.AcceptProposedGrades, mock.Anything, mock.Anything).Return(nil)

	var during engine.Progress
	env.RegisterDelayedCallback(func() {
		v, err := env.QueryWorkflow(engine.QueryProgress.String())
		require.NoError(t, err)
		require.NoError(t, v.Get(&during))
		require.Equal(t, 1, attempts, "a data error is not retried")
		env.SignalWorkflow(engine.SignalResume.String(), nil)
	}, time.Hour)
	env.ExecuteWorkflow(workflows.CycleWorkflow, in)
	next := continuedWith(t, env)

	require.Equal(t, "blocked", during.State)
	require.Equal(t, noBand, during.Reason)
	require.Equal(t, []activities.BlockRequest{{CycleID: "c1", StageKey: "calibrate", Reason: noBand, Round: 1}}, blocked)
	require.Equal(t, 2, attempts, "the resume scores again")
	require.Equal(t, []string{"running", "running"}, states, "the stage opens, then runs again after the resume")
	require.Equal(t, "C", next.Grades["m4"])
	require.Equal(t, 3, next.StageIndex)
}

// TestCancelWhileBlockedEndsTheCycle: a blocked cycle waits for a resume,
// but a cancel ends it at once, closing its tasks.
func TestCancelWhileBlockedEndsTheCycle(t *testing.T) {
	env := newEnv(t)
	in := engine.CycleInput{CycleID: "c1", Snapshot: snapshot(t, "cs-ops-monthly"), StageIndex: 2}
	env.OnActivity(a.SetCycleState, mock.Anything, mock.Anything).Return(nil)
	env.OnActivity(a.ComputeScores, mock.Anything, "c1").Return(nil, scoringData())
	env.OnActivity(a.BlockCycle, mock.Anything, mock.Anything).Return(nil).Once()
	cancelled := 0
	env.OnActivity(a.CancelCycle, mock.Anything, mock.Anything).Return(func(_ context.Context, ch activities.StateChange) error {
		cancelled++
		require.Equal(t, "data is wrong", ch.Reason)
		return nil
	})
	env.OnActivity(a.BroadcastFinish, mock.Anything, mock.Anything).Return(nil)
	env.RegisterDelayedCallback(func() { env.SignalWorkflow(engine.SignalCancel.String(), "data is wrong") }, time.Hour)
	env.ExecuteWorkflow(workflows.CycleWorkflow, in)

	require.True(t, env.IsWorkflowCompleted())
	require.NoError(t, env.GetWorkflowError())
	var res engine.CycleResult
	require.NoError(t, env.GetWorkflowResult(&res))
	require.Equal(t, "cancelled", res.State)
	require.Equal(t, 1, cancelled)
	env.AssertNotCalled(t, "ScheduleCalibrationMeeting", mock.Anything, mock.Anything)
}

// TestCancelStopsScoringThatKeepsRetrying: with the database away scoring
// retries without limit; a cancel must not wait for it.
func TestCancelStopsScoringThatKeepsRetrying(t *testing.T) {
	env := newEnv(t)
	in := engine.CycleInput{CycleID: "c1", Snapshot: snapshot(t, "cs-ops-monthly"), StageIndex: 2}
	env.OnActivity(a.SetCycleState, mock.Anything, mock.Anything).Return(nil)
	env.OnActivity(a.ComputeScores, mock.Anything, "c1").Return(nil, errors.New("dial tcp 127.0.0.1:3306: connection refused"))
	env.OnActivity(a.CancelCycle, mock.Anything, mock.Anything).Return(nil).Once()
	env.OnActivity(a.BroadcastFinish, mock.Anything, mock.Anything).Return(nil)
	env.RegisterDelayedCallback(func() { env.SignalWorkflow(engine.SignalCancel.String(), "wrong team") }, time.Minute)
	env.ExecuteWorkflow(workflows.CycleWorkflow, in)

	require.True(t, env.IsWorkflowCompleted())
	require.NoError(t, env.GetWorkflowError())
	var res engine.CycleResult
	require.NoError(t, env.GetWorkflowResult(&res))
	require.Equal(t, "cancelled", res.State)
	env.AssertNotCalled(t, "BlockCycle", mock.Anything, mock.Anything)
}

// TestANewRunOfATemplateOverTheExpressionCostBoundFailsVisibly: a cycle
// launched before expressions had a cost bound, reaching a new run, is
// marked failed rather than left to burn a core at scoring.
func TestANewRunOfATemplateOverTheExpressionCostBoundFailsVisibly(t *testing.T) {
	env := newEnv(t)
	snap := snapshot(t, "cs-ops-monthly")
	var tpl map[string]any
	require.NoError(t, json.Unmarshal(snap.Template, &tpl))
	tpl["indicators"].([]any)[2].(map[string]any)["scoring"] = map[string]any{"method": "expression", "expr": "let x = 1..9999; sum(map(x, sum(map(x, sum(map(x, #))))))"}
	snap.Template, _ = json.Marshal(tpl)
	var states []string
	env.OnActivity(a.SetCycleState, mock.Anything, mock.Anything).Return(func(_ context.Context, ch activities.StateChange) error {
		states = append(states, ch.State)
		return nil
	})
	env.ExecuteWorkflow(workflows.CycleWorkflow, engine.CycleInput{CycleID: "c1", Snapshot: snap, StageIndex: 2})

	require.True(t, env.IsWorkflowCompleted())
	require.ErrorContains(t, env.GetWorkflowError(), "could take too long to evaluate")
	require.Equal(t, []string{"failed"}, states)
	env.AssertNotCalled(t, engine.ComputeScores.String(), mock.Anything, mock.Anything)
}

// TestACycleStuckInScoringBeforeBlockingExistedEndsOnItsPendingCancel: a
// run that began scoring under the old code (no scoring-blocks marker) and
// was cancelled while the activity retried ends cancelled once the new
// worker's attempt fails on the data, instead of failing the workflow.
func TestACycleStuckInScoringBeforeBlockingExistedEndsOnItsPendingCancel(t *testing.T) {
	env := newEnv(t)
	env.OnGetVersion("scoring-blocks", workflow.DefaultVersion, 1).Return(workflow.DefaultVersion)
	in := engine.CycleInput{CycleID: "c1", Snapshot: snapshot(t, "cs-ops-monthly"), StageIndex: 2}
	env.OnActivity(a.SetCycleState, mock.Anything, mock.Anything).Return(nil)
	attempts := 0
	env.OnActivity(a.ComputeScores, mock.Anything, "c1").Return(func(context.Context, string) (*engine.Scored, error) {
		attempts++
		if attempts < 3 {
			return nil, errors.New("dial tcp 127.0.0.1:3306: connection refused")
		}
		return nil, scoringData()
	})
	env.OnActivity(a.CancelCycle, mock.Anything, mock.Anything).Return(nil).Once()
	env.OnActivity(a.BroadcastFinish, mock.Anything, mock.Anything).Return(nil)
	env.RegisterDelayedCallback(func() { env.SignalWorkflow(engine.SignalCancel.String(), "wrong team") }, time.Second)
	env.ExecuteWorkflow(workflows.CycleWorkflow, in)

	require.True(t, env.IsWorkflowCompleted())
	require.NoError(t, env.GetWorkflowError())
	var res engine.CycleResult
	require.NoError(t, env.GetWorkflowResult(&res))
	require.Equal(t, "cancelled", res.State)
	require.Equal(t, 3, attempts, "the old run still waited for the activity")
	env.AssertNotCalled(t, "BlockCycle", mock.Anything, mock.Anything)
}

// TestCancelStopsAStageActivityThatKeepsRetrying: publishing results that
// fails on every attempt does not hold a cancel back, and nothing after it
// starts.
func TestCancelStopsAStageActivityThatKeepsRetrying(t *testing.T) {
	env := newEnv(t)
	grades := map[string]string{"m1": "A", "m2": "B", "m3": "B", "m4": "C"}
	in := engine.CycleInput{CycleID: "c1", Snapshot: snapshot(t, "cs-ops-monthly"), StageIndex: 3, Grades: grades, Calibrated: true}
	env.OnActivity(a.SetCycleState, mock.Anything, mock.Anything).Return(nil)
	env.OnActivity(a.PublishResults, mock.Anything, "c1").Return(0, errors.New("member m9: record not found"))
	env.OnActivity(a.CancelCycle, mock.Anything, mock.Anything).Return(nil).Once()
	env.OnActivity(a.BroadcastFinish, mock.Anything, mock.Anything).Return(nil)
	env.RegisterDelayedCallback(func() { env.SignalWorkflow(engine.SignalCancel.String(), "wrong period") }, time.Minute)
	env.ExecuteWorkflow(workflows.CycleWorkflow, in)

	require.True(t, env.IsWorkflowCompleted())
	require.NoError(t, env.GetWorkflowError())
	var res engine.CycleResult
	require.NoError(t, env.GetWorkflowResult(&res))
	require.Equal(t, "cancelled", res.State)
	env.AssertNotCalled(t, "ApplyOutcomes", mock.Anything, mock.Anything)
	env.AssertNotCalled(t, "BroadcastStage", mock.Anything, mock.Anything)
}
