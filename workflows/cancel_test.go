package workflows_test

import (
	"context"
	"fmt"
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

// TestACancelArrivingAsTheEvaluateStageFinishesEndsTheCycle: the cancel
// lands in the same workflow task as the scores that end the stage (the
// server batches them), so the run wakes on the scores before the cancel
// is read. It used to continue as new into calibration with the cancel
// lost; it must end the cycle cancelled instead.
func TestACancelArrivingAsTheEvaluateStageFinishesEndsTheCycle(t *testing.T) {
	env := newEnv(t)
	in := engine.CycleInput{CycleID: "c1", Snapshot: snapshot(t, "cs-ops-monthly"), StageIndex: 1}
	env.OnActivity(a.SetCycleState, mock.Anything, mock.Anything).Return(nil)
	env.OnActivity(a.BroadcastStage, mock.Anything, mock.Anything).Return(4, nil).Once()
	for i := 1; i <= 4; i++ {
		done := engine.StageDone{StageKey: "evaluate", MemberID: fmt.Sprintf("m%d", i)}
		env.RegisterDelayedCallback(func() { env.SignalWorkflow(engine.SignalStageDone.String(), done) }, time.Duration(i)*time.Minute)
	}
	env.OnActivity(a.ComputeScores, mock.Anything, "c1").Return(func(context.Context, string) (*engine.Scored, error) {
		env.SignalWorkflowSkippingWorkflowTask(engine.SignalCancel.String(), "wrong period")
		return &engine.Scored{Grades: map[string]string{"m1": "A", "m2": "B", "m3": "B", "m4": "C"}, Count: 4}, nil
	})
	var reasons []string
	env.OnActivity(a.CancelCycle, mock.Anything, mock.Anything).Return(func(_ context.Context, ch activities.StateChange) error {
		reasons = append(reasons, ch.Reason)
		return nil
	})
	env.OnActivity(a.BroadcastFinish, mock.Anything, mock.Anything).Return(nil)
	env.ExecuteWorkflow(workflows.CycleWorkflow, in)

	require.True(t, env.IsWorkflowCompleted())
	require.NoError(t, env.GetWorkflowError(), "the run must not continue as new with the cancel dropped")
	var res engine.CycleResult
	require.NoError(t, env.GetWorkflowResult(&res))
	require.Equal(t, "cancelled", res.State)
	require.Equal(t, []string{"wrong period"}, reasons)
}

// TestARunThatDroppedACancelAtTheHandOverReplaysUnchanged: a history
// recorded before the fix, where the run continued as new with the cancel
// unread, keeps doing so (the version marker is absent), so replay of a
// running cycle does not break.
func TestARunThatDroppedACancelAtTheHandOverReplaysUnchanged(t *testing.T) {
	env := newEnv(t)
	env.OnGetVersion("cancel-settles-before-handover", workflow.DefaultVersion, 1).Return(workflow.DefaultVersion)
	in := engine.CycleInput{CycleID: "c1", Snapshot: snapshot(t, "cs-ops-monthly"), StageIndex: 1}
	env.OnActivity(a.SetCycleState, mock.Anything, mock.Anything).Return(nil)
	env.OnActivity(a.BroadcastStage, mock.Anything, mock.Anything).Return(1, nil).Once()
	env.RegisterDelayedCallback(func() {
		env.SignalWorkflow(engine.SignalStageDone.String(), engine.StageDone{StageKey: "evaluate", MemberID: "m1"})
	}, time.Minute)
	env.OnActivity(a.ComputeScores, mock.Anything, "c1").Return(func(context.Context, string) (*engine.Scored, error) {
		env.SignalWorkflowSkippingWorkflowTask(engine.SignalCancel.String(), "wrong period")
		return &engine.Scored{Grades: map[string]string{"m1": "A"}, Count: 1}, nil
	})
	env.ExecuteWorkflow(workflows.CycleWorkflow, in)

	next := continuedWith(t, env)
	require.Equal(t, 2, next.StageIndex)
	env.AssertNotCalled(t, "CancelCycle", mock.Anything, mock.Anything)
}

// TestANewRunHonoursACancelRecordedOnTheCycle: a cancel the run never
// heard (dropped at an earlier hand-over, or not signalled) but recorded
// on the row ends the cycle when the next stage would open, with the
// recorded reason, before any of the stage's work starts.
func TestANewRunHonoursACancelRecordedOnTheCycle(t *testing.T) {
	env := newEnv(t)
	grades := map[string]string{"m1": "A", "m2": "B", "m3": "B", "m4": "C"}
	in := engine.CycleInput{CycleID: "c1", Snapshot: snapshot(t, "cs-ops-monthly"), StageIndex: 2, Grades: grades}
	env.OnActivity(a.SetCycleState, mock.Anything, mock.Anything).Return(
		temporal.NewNonRetryableApplicationError("the cycle has a cancel recorded: wrong period", activities.ErrTypeCancelRecorded, nil, "wrong period"))
	var reasons []string
	env.OnActivity(a.CancelCycle, mock.Anything, mock.Anything).Return(func(_ context.Context, ch activities.StateChange) error {
		reasons = append(reasons, ch.Reason)
		return nil
	})
	env.OnActivity(a.BroadcastFinish, mock.Anything, mock.Anything).Return(nil)
	env.ExecuteWorkflow(workflows.CycleWorkflow, in)

	require.True(t, env.IsWorkflowCompleted())
	require.NoError(t, env.GetWorkflowError())
	var res engine.CycleResult
	require.NoError(t, env.GetWorkflowResult(&res))
	require.Equal(t, "cancelled", res.State)
	require.Equal(t, []string{"wrong period"}, reasons)
	env.AssertNotCalled(t, "ScheduleCalibrationMeeting", mock.Anything, mock.Anything)
}

// TestTheLastRunOfACycleWithACancelRecordedEndsCancelledNotCompleted: a
// cancel accepted while the cycle winds down after its last stage wins
// over completing it.
func TestTheLastRunOfACycleWithACancelRecordedEndsCancelledNotCompleted(t *testing.T) {
	env := newEnv(t)
	snap := snapshot(t, "cs-ops-monthly")
	env.OnActivity(a.BroadcastFinish, mock.Anything, mock.Anything).Return(nil)
	env.OnActivity(a.SetCycleState, mock.Anything, mock.Anything).Return(func(_ context.Context, ch activities.StateChange) error {
		require.Equal(t, "completed", ch.State)
		return temporal.NewNonRetryableApplicationError("the cycle has a cancel recorded: wrong team", activities.ErrTypeCancelRecorded, nil, "wrong team")
	})
	env.OnActivity(a.CancelCycle, mock.Anything, mock.Anything).Return(nil).Once()
	env.ExecuteWorkflow(workflows.CycleWorkflow, engine.CycleInput{CycleID: "c1", Snapshot: snap, StageIndex: 99})

	require.True(t, env.IsWorkflowCompleted())
	require.NoError(t, env.GetWorkflowError())
	var res engine.CycleResult
	require.NoError(t, env.GetWorkflowResult(&res))
	require.Equal(t, "cancelled", res.State)
}

// TestAMemberGoneMidCycleBlocksTheStageUntilResumed: applying outcomes
// fails on a member no longer in the organisation, which no retry fixes;
// the cycle blocks with that reason (it failed the workflow, the cycle
// still shown running), a resume after the data is restored applies them
// again, and the stage carries on.
func TestAMemberGoneMidCycleBlocksTheStageUntilResumed(t *testing.T) {
	env := newEnv(t)
	grades := map[string]string{"m1": "A", "m2": "B", "m3": "B", "m4": "C"}
	in := engine.CycleInput{CycleID: "c1", Snapshot: snapshot(t, "cs-ops-monthly"), StageIndex: 3, Grades: grades, Calibrated: true}
	const gone = "find the manager of member m9: get member m9: not found"
	env.OnActivity(a.SetCycleState, mock.Anything, mock.Anything).Return(nil)
	env.OnActivity(a.PublishResults, mock.Anything, "c1").Return(4, nil)
	attempts := 0
	env.OnActivity(a.ApplyOutcomes, mock.Anything, "c1").Return(func(context.Context, string) ([]activities.IDPRef, error) {
		attempts++
		if attempts == 1 {
			return nil, temporal.NewNonRetryableApplicationError(gone, activities.ErrTypeNotFound, nil)
		}
		return nil, nil
	})
	var blocked []activities.BlockRequest
	env.OnActivity(a.BlockCycle, mock.Anything, mock.Anything).Return(func(_ context.Context, req activities.BlockRequest) error {
		blocked = append(blocked, req)
		return nil
	})
	env.OnActivity(a.ScheduleFeedbackInterviews, mock.Anything, mock.Anything).Return(activities.InterviewResult{}, nil).Maybe()
	env.OnActivity(a.BroadcastStage, mock.Anything, mock.Anything).Return(0, nil)
	var during engine.Progress
	env.RegisterDelayedCallback(func() {
		v, err := env.QueryWorkflow(engine.QueryProgress.String())
		require.NoError(t, err)
		require.NoError(t, v.Get(&during))
		env.SignalWorkflow(engine.SignalResume.String(), "hr")
	}, time.Hour)
	env.ExecuteWorkflow(workflows.CycleWorkflow, in)

	next := continuedWith(t, env)
	require.Equal(t, "blocked", during.State)
	require.Equal(t, gone, during.Reason)
	require.Equal(t, []activities.BlockRequest{{CycleID: "c1", StageKey: "feedback", Reason: gone, Round: 1}}, blocked)
	require.Equal(t, 2, attempts, "the resume applies the outcomes again")
	require.Equal(t, 4, next.StageIndex)
}

// TestATargetThatCannotBeSplitBlocksTheGoalStageAndCancelEndsIt: a split
// that no retry fixes blocks the cycle, naming the target, and a cancel
// while blocked ends the cycle.
func TestATargetThatCannotBeSplitBlocksTheGoalStageAndCancelEndsIt(t *testing.T) {
	env := newEnv(t)
	snap := snapshot(t, "community-quarterly")
	snap.Period = "2026-Q3"
	const why = "split the team target fans: no members to split the target across"
	env.OnActivity(a.SetCycleState, mock.Anything, mock.Anything).Return(nil)
	env.OnActivity(a.BreakdownTargets, mock.Anything, "c1").Return(activities.BreakdownResult{}, temporal.NewNonRetryableApplicationError(why, activities.ErrTypeCycleData, nil)).Once()
	var blocked []activities.BlockRequest
	env.OnActivity(a.BlockCycle, mock.Anything, mock.Anything).Return(func(_ context.Context, req activities.BlockRequest) error {
		blocked = append(blocked, req)
		return nil
	})
	env.OnActivity(a.CancelCycle, mock.Anything, mock.Anything).Return(nil).Once()
	env.OnActivity(a.BroadcastFinish, mock.Anything, mock.Anything).Return(nil)
	env.RegisterDelayedCallback(func() { env.SignalWorkflow(engine.SignalCancel.String(), "no team yet") }, time.Hour)
	env.ExecuteWorkflow(workflows.CycleWorkflow, engine.CycleInput{CycleID: "c1", Snapshot: snap})

	require.True(t, env.IsWorkflowCompleted())
	require.NoError(t, env.GetWorkflowError())
	var res engine.CycleResult
	require.NoError(t, env.GetWorkflowResult(&res))
	require.Equal(t, "cancelled", res.State)
	require.Len(t, blocked, 1)
	require.Equal(t, why, blocked[0].Reason)
	env.AssertNotCalled(t, "EnsureCycleTasks", mock.Anything, mock.Anything)
}
