package api

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/perfloop/perfloop/activities"
	"github.com/perfloop/perfloop/cycles"
	"github.com/perfloop/perfloop/engine"
	"github.com/perfloop/perfloop/templates"
	"github.com/perfloop/perfloop/workflows"
)

// TestThePreviewShowsTheMomentsTheWorkflowsKeep: for stages that remind
// and escalate, in real time and compressed, a cycle run in Temporal's
// test environment from the moment the preview says the stage opens sends
// its reminders and escalation exactly when the launch preview shows them:
// a member stage's through the cycle's signal to a member workflow, a
// cycle-level stage's (calibration) from the cycle itself. No task is
// ever answered, so every moment comes.
func TestThePreviewShowsTheMomentsTheWorkflowsKeep(t *testing.T) {
	body, err := templates.BuiltinFile("content-ops-monthly")
	require.NoError(t, err)
	tpl, errs := templates.Parse(body)
	require.Empty(t, errs)
	start := time.Date(2026, 9, 30, 16, 0, 0, 0, time.UTC) // October in Shanghai
	period := cycles.Period{Label: "2026-10", Start: start, End: start.AddDate(0, 1, 0)}
	for _, compress := range []float64{0, 96} {
		preview := previewStages(tpl, period, start, compress)
		snap := &engine.CycleSnapshot{CycleID: "c1", OrgID: "o1", Template: body, Period: period.Label,
			PeriodStart: period.Start, PeriodEnd: period.End, Timezone: "Asia/Shanghai", Members: 1, Compress: compress}
		checked := 0
		for i, st := range tpl.Stages {
			want := preview[i]
			var got sent
			switch st.Type {
			case templates.StagePlan, templates.StageEvaluate:
				got = memberStageSends(t, snap, i, want.OpensAt)
			case templates.StageCalibrate:
				got = calibrationSends(t, snap, i, want.OpensAt)
			default:
				continue
			}
			require.True(t, len(want.Reminders) > 0 || want.EscalateAt != nil, "%s: the stage reminds or escalates", st.Key)
			require.Equal(t, want.Reminders, got.reminders, "%s (compress %v): the reminders", st.Key, compress)
			require.Equal(t, want.EscalateAt, got.escalated, "%s (compress %v): the escalation", st.Key, compress)
			checked++
		}
		require.Equal(t, 3, checked, "plan, evaluate and calibrate")
	}
}

// sent is what a stage's workflow sent, and when.
type sent struct {
	reminders []previewReminder
	escalated *time.Time
}

func (s *sent) record(env *testsuite.TestWorkflowEnvironment) {
	var a *activities.Activities
	s.reminders = []previewReminder{}
	env.OnActivity(a.Remind, mock.Anything, mock.Anything).Return(func(_ context.Context, r activities.ReminderRequest) (int, error) {
		s.reminders = append(s.reminders, previewReminder{At: env.Now().UTC(), Overdue: r.Overdue})
		return 1, nil
	})
	env.OnActivity(a.Escalate, mock.Anything, mock.Anything).Return(func(context.Context, activities.EscalationRequest) (int, error) {
		at := env.Now().UTC()
		s.escalated = &at
		return 1, nil
	})
}

func workflowEnv(opens time.Time) *testsuite.TestWorkflowEnvironment {
	var suite testsuite.WorkflowTestSuite
	env := suite.NewTestWorkflowEnvironment()
	env.RegisterWorkflowWithOptions(workflows.CycleWorkflow, workflow.RegisterOptions{Name: engine.CycleWorkflow.String()})
	env.RegisterWorkflowWithOptions(workflows.MemberWorkflow, workflow.RegisterOptions{Name: engine.MemberWorkflow.String()})
	env.RegisterActivity(&activities.Activities{})
	env.SetStartTime(opens)
	// The suite's clock skips ahead, but these bounds are on real time,
	// which a machine busy with other tests stretches: parsing the frozen
	// template in the workflow's first task can take over the default
	// second there.
	env.SetTestTimeout(time.Minute)
	env.SetWorkerOptions(worker.Options{DeadlockDetectionTimeout: 30 * time.Second})
	return env
}

// memberStageSends runs the cycle's stage to get the stage it signals its
// members, then a member workflow that receives it a second later.
func memberStageSends(t *testing.T, snap *engine.CycleSnapshot, index int, opens time.Time) sent {
	var a *activities.Activities
	cycle := workflowEnv(opens)
	var open *engine.StageOpen
	cycle.OnActivity(a.SetCycleState, mock.Anything, mock.Anything).Return(nil)
	cycle.OnActivity(a.BroadcastStage, mock.Anything, mock.Anything).Return(func(_ context.Context, o engine.StageOpen) (int, error) {
		open = &o
		return 0, nil
	})
	cycle.OnActivity(a.ComputeScores, mock.Anything, mock.Anything).Return(&engine.Scored{}, nil).Maybe()
	cycle.ExecuteWorkflow(workflows.CycleWorkflow, engine.CycleInput{CycleID: "c1", Snapshot: snap, StageIndex: index})
	require.True(t, cycle.IsWorkflowCompleted())
	require.NotNil(t, open, "the stage was signalled to the members (the run ended with %v)", cycle.GetWorkflowError())

	var s sent
	member := workflowEnv(open.OpenedAt)
	member.OnActivity(a.EnsureMemberTasks, mock.Anything, mock.Anything).Return([]engine.TaskRef{{TaskID: "t1", Kind: "self_eval", AssigneeID: "m1", SubjectID: "m1", State: "open"}}, nil)
	member.OnActivity(a.ExpireTasks, mock.Anything, mock.Anything).Return(1, nil)
	// The member reports its finished stage through ReportStageDone (a
	// local activity) on runs that take the member baseline.
	member.OnActivity(a.ReportStageDone, mock.Anything, mock.Anything).Return(nil).Maybe()
	member.OnSignalExternalWorkflow(mock.Anything, "cycle-c1", "", engine.SignalStageDone.String(), mock.Anything).Return(nil).Maybe()
	s.record(member)
	member.RegisterDelayedCallback(func() { member.SignalWorkflow(engine.SignalStage.String(), *open) }, time.Second)
	member.RegisterDelayedCallback(func() { member.SignalWorkflow(engine.SignalFinish.String(), nil) }, 60*24*time.Hour)
	member.ExecuteWorkflow(workflows.MemberWorkflow, engine.MemberInput{CycleID: "c1", MemberID: "m1", ParentID: "cycle-c1"})
	require.NoError(t, member.GetWorkflowError())
	return s
}

// calibrationSends runs the calibrate stage with the facilitator's task
// never submitted.
func calibrationSends(t *testing.T, snap *engine.CycleSnapshot, index int, opens time.Time) sent {
	var a *activities.Activities
	var s sent
	cycle := workflowEnv(opens)
	cycle.OnActivity(a.SetCycleState, mock.Anything, mock.Anything).Return(nil)
	cycle.OnActivity(a.ScheduleCalibrationMeeting, mock.Anything, mock.Anything).Return(activities.MeetingResult{}, nil)
	cycle.OnActivity(a.EnsureCycleTasks, mock.Anything, mock.Anything).Return([]engine.TaskRef{{TaskID: "t1", Kind: "calibration", AssigneeID: "hr", State: "open"}}, nil)
	cycle.OnActivity(a.ExpireTasks, mock.Anything, mock.Anything).Return(1, nil)
	cycle.OnActivity(a.AcceptProposedGrades, mock.Anything, mock.Anything).Return(nil)
	s.record(cycle)
	cycle.ExecuteWorkflow(workflows.CycleWorkflow, engine.CycleInput{CycleID: "c1", Snapshot: snap, StageIndex: index, Grades: map[string]string{"m1": "B"}})
	require.True(t, cycle.IsWorkflowCompleted())
	return s
}
