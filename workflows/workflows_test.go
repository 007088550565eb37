package workflows_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/perfloop/perfloop/activities"
	"github.com/perfloop/perfloop/engine"
	"github.com/perfloop/perfloop/templates"
	"github.com/perfloop/perfloop/workflows"
)

var a *activities.Activities

func builtin(t *testing.T, key string) []byte {
	t.Helper()
	data, err := templates.BuiltinFile(key)
	require.NoError(t, err)
	return data
}

func snapshot(t *testing.T, key string) *engine.CycleSnapshot {
	start := time.Date(2026, 9, 30, 16, 0, 0, 0, time.UTC)
	return &engine.CycleSnapshot{CycleID: "c1", OrgID: "o1", Template: builtin(t, key), Period: "2026-10",
		PeriodStart: start, PeriodEnd: start.AddDate(0, 1, 0), Timezone: "Asia/Shanghai", Members: 4}
}

func newEnv(t *testing.T) *testsuite.TestWorkflowEnvironment {
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	env.RegisterWorkflowWithOptions(workflows.CycleWorkflow, workflow.RegisterOptions{Name: engine.CycleWorkflow.String()})
	env.RegisterWorkflowWithOptions(workflows.MemberWorkflow, workflow.RegisterOptions{Name: engine.MemberWorkflow.String()})
	env.RegisterActivity(&activities.Activities{})
	return env
}

func continuedWith(t *testing.T, env *testsuite.TestWorkflowEnvironment) engine.CycleInput {
	t.Helper()
	require.True(t, env.IsWorkflowCompleted())
	err := env.GetWorkflowError()
	require.Error(t, err)
	var can *workflow.ContinueAsNewError
	require.ErrorAs(t, err, &can, "each stage hands over to the next run")
	var next engine.CycleInput
	require.NoError(t, json.Unmarshal(can.Input.Payloads[0].Data, &next))
	return next
}

// TestStageWithFalseWhenIsSkipped: quarterly stages of a monthly cycle are
// skipped outside a quarter's last month, and the next run is told so.
func TestStageWithFalseWhenIsSkipped(t *testing.T) {
	env := newEnv(t)
	snap := snapshot(t, "cs-ops-monthly")
	var tpl map[string]any
	require.NoError(t, json.Unmarshal(snap.Template, &tpl))
	stages := tpl["stages"].([]any)
	stages[len(stages)-1].(map[string]any)["when"] = "quarterEnd"
	snap.Template, _ = json.Marshal(tpl)
	env.OnActivity(a.SetCycleState, mock.Anything, mock.Anything).Return(nil)
	env.OnActivity(a.BroadcastFinish, mock.Anything, "c1").Return(nil).Once()
	in := engine.CycleInput{CycleID: "c1", Snapshot: snap, StageIndex: len(stages) - 1}
	env.ExecuteWorkflow(workflows.CycleWorkflow, in)
	// A skipped stage takes no time, so the run carries on (carryOn) and
	// finishes the cycle itself rather than continuing as new.
	require.True(t, env.IsWorkflowCompleted())
	require.NoError(t, env.GetWorkflowError())
	var res engine.CycleResult
	require.NoError(t, env.GetWorkflowResult(&res))
	require.Equal(t, []string{"monthlyReview"}, res.Skipped, "October is not a quarter end")
	require.Equal(t, "completed", res.State)
	env.AssertNotCalled(t, "NotifyRole", mock.Anything, mock.Anything)
}

// TestAShortStageCarriesOnButALongOneContinuesAsNew: Temporal holds back a
// run continued as new until its predecessor is a second old, so a stage
// over in moments hands straight on within the run; a stage that waited
// (here the evaluation's three days) still ends its run.
func TestAShortStageCarriesOnButALongOneContinuesAsNew(t *testing.T) {
	env := newEnv(t)
	snap := snapshot(t, "cs-ops-monthly")
	env.OnActivity(a.SetCycleState, mock.Anything, mock.Anything).Return(nil)
	var opened []string
	env.OnActivity(a.BroadcastStage, mock.Anything, mock.Anything).Return(func(_ context.Context, o engine.StageOpen) (int, error) {
		opened = append(opened, o.StageKey)
		return 1, nil // one member who never reports: the stage waits to its end
	})
	env.OnActivity(a.MonitorPace, mock.Anything, mock.Anything).Return(nil).Maybe()
	env.OnActivity(a.ExpireTasks, mock.Anything, mock.Anything).Return(0, nil).Maybe()
	env.OnActivity(a.ComputeScores, mock.Anything, "c1").Return(&engine.Scored{}, nil).Once()
	// The snapshot's period is past, so its execute stage is over at launch.
	require.True(t, snap.PeriodEnd.Before(time.Now()))
	env.ExecuteWorkflow(workflows.CycleWorkflow, engine.CycleInput{CycleID: "c1", Snapshot: snap})
	next := continuedWith(t, env)
	require.Equal(t, 2, next.StageIndex, "execute, over at launch, shared the first run with evaluate, which waited and ended it")
	require.Equal(t, []string{"evaluate"}, opened)
}

// TestCalibrationRefusesABrokenDistributionThenAcceptsOne: the Update's
// validator rejects grade changes that break "C ≥ 10%" before they reach
// history, and the valid submission is applied once.
func TestCalibrationRefusesABrokenDistributionThenAcceptsOne(t *testing.T) {
	env := newEnv(t)
	snap := snapshot(t, "cs-ops-monthly")
	grades := map[string]string{"m1": "S", "m2": "A", "m3": "B", "m4": "C"}
	in := engine.CycleInput{CycleID: "c1", Snapshot: snap, StageIndex: 2, Grades: grades}
	env.OnActivity(a.SetCycleState, mock.Anything, mock.Anything).Return(nil)
	env.OnActivity(a.ScheduleCalibrationMeeting, mock.Anything, mock.Anything).Return(activities.MeetingResult{}, nil)
	env.OnActivity(a.EnsureCycleTasks, mock.Anything, mock.Anything).Return([]engine.TaskRef{{TaskID: "t1", Kind: "calibration", AssigneeID: "hr", State: "open"}}, nil)
	env.OnActivity(a.Remind, mock.Anything, mock.Anything).Return(0, nil).Maybe()
	applied := 0
	env.OnActivity(a.ApplyCalibration, mock.Anything, mock.Anything).Return(func(_ context.Context, req activities.CalibrationRequest) error {
		applied++
		require.Equal(t, "B", req.Submission.Changes[0].To)
		return nil
	})
	env.OnActivity(a.RecordSubmission, mock.Anything, mock.Anything).Return(engine.SubmitResult{TaskID: "t1", State: "submitted"}, nil)

	body := func(member, to string) engine.Submission {
		data, _ := json.Marshal(map[string]any{"changes": []map[string]string{{"memberId": member, "to": to, "reason": "校准会讨论"}}})
		return engine.Submission{TaskID: "t1", By: "hr", Data: data}
	}
	var refused, wrongPerson error
	env.RegisterDelayedCallback(func() {
		env.UpdateWorkflow(engine.UpdateSubmit.String(), "u1", &testsuite.TestUpdateCallback{
			OnReject: func(err error) { refused = err }, OnAccept: func() {}, OnComplete: func(any, error) {},
		}, body("m4", "B"))
		bad := body("m2", "B")
		bad.By = "someone"
		env.UpdateWorkflow(engine.UpdateSubmit.String(), "u2", &testsuite.TestUpdateCallback{
			OnReject: func(err error) { wrongPerson = err }, OnAccept: func() {}, OnComplete: func(any, error) {},
		}, bad)
		env.UpdateWorkflow(engine.UpdateSubmit.String(), "u3", &testsuite.TestUpdateCallback{
			OnReject: func(err error) { t.Errorf("valid calibration rejected: %v", err) }, OnAccept: func() {}, OnComplete: func(any, error) {},
		}, body("m2", "B"))
	}, time.Hour)
	env.ExecuteWorkflow(workflows.CycleWorkflow, in)
	next := continuedWith(t, env)
	require.ErrorContains(t, refused, "C: 0 of 4 members (0%), at least 1 required (10%) — 1 under")
	require.ErrorContains(t, wrongPerson, "assigned to someone else")
	require.Equal(t, 1, applied)
	require.True(t, next.Calibrated)
	require.Equal(t, "B", next.Grades["m2"])
	env.AssertNotCalled(t, "AcceptProposedGrades", mock.Anything, mock.Anything)
}

func memberStage(open time.Time) engine.StageOpen {
	due := open.Add(72 * time.Hour)
	return engine.StageOpen{CycleID: "c1", StageKey: "evaluate", StageType: "evaluate", OpenedAt: open, Due: due,
		Reminders: []time.Duration{24 * time.Hour}, OverdueEvery: 24 * time.Hour, OverdueMax: 2,
		EscalateAfter: 24 * time.Hour, EscalateTo: "manager", CloseAt: due.Add(72 * time.Hour)}
}

// TestUnansweredTaskIsRemindedEscalatedThenExpired: one reminder before the
// deadline, two overdue, one escalation, then the task expires and the
// parent hears the stage is done for this member.
func TestUnansweredTaskIsRemindedEscalatedThenExpired(t *testing.T) {
	env := newEnv(t)
	env.OnActivity(a.EnsureMemberTasks, mock.Anything, mock.Anything).Return([]engine.TaskRef{{TaskID: "t1", Kind: "self_eval", AssigneeID: "m1", SubjectID: "m1", State: "open"}}, nil)
	var reminders []int
	env.OnActivity(a.Remind, mock.Anything, mock.Anything).Return(func(_ context.Context, r activities.ReminderRequest) (int, error) {
		reminders = append(reminders, r.Index)
		return 1, nil
	})
	env.OnActivity(a.Escalate, mock.Anything, mock.Anything).Return(1, nil).Once()
	env.OnActivity(a.ExpireTasks, mock.Anything, mock.Anything).Return(1, nil).Once()
	var report engine.StageDone
	env.OnActivity(a.ReportStageDone, mock.Anything, mock.Anything).Return(func(_ context.Context, r engine.DoneReport) error {
		require.Equal(t, "cycle-c1", r.ParentID)
		report = r.Done
		return nil
	})
	env.RegisterDelayedCallback(func() {
		env.SignalWorkflow(engine.SignalStage.String(), memberStage(env.Now()))
	}, time.Minute)
	env.RegisterDelayedCallback(func() { env.SignalWorkflow(engine.SignalFinish.String(), nil) }, 10*24*time.Hour)
	env.ExecuteWorkflow(workflows.MemberWorkflow, engine.MemberInput{CycleID: "c1", MemberID: "m1", ParentID: "cycle-c1"})
	require.NoError(t, env.GetWorkflowError())
	require.Equal(t, []int{0, 1, 2}, reminders)
	require.Equal(t, engine.StageDone{StageKey: "evaluate", MemberID: "m1", Expired: 1}, report)
	env.AssertExpectations(t)
}

// TestEarlySubmissionCancelsTheReminders: a task submitted on the first
// day leaves no reminder, escalation or expiry behind.
func TestEarlySubmissionCancelsTheReminders(t *testing.T) {
	env := newEnv(t)
	env.OnActivity(a.EnsureMemberTasks, mock.Anything, mock.Anything).Return([]engine.TaskRef{{TaskID: "t1", Kind: "self_eval", AssigneeID: "m1", SubjectID: "m1", State: "open"}}, nil)
	env.OnActivity(a.RecordSubmission, mock.Anything, mock.Anything).Return(engine.SubmitResult{TaskID: "t1", State: "submitted"}, nil).Once()
	env.OnActivity(a.ReportStageDone, mock.Anything, engine.DoneReport{ParentID: "cycle-c1", Done: engine.StageDone{StageKey: "evaluate", MemberID: "m1"}}).Return(nil).Once()
	env.RegisterDelayedCallback(func() { env.SignalWorkflow(engine.SignalStage.String(), memberStage(env.Now())) }, time.Minute)
	var second error
	env.RegisterDelayedCallback(func() {
		env.UpdateWorkflow(engine.UpdateSubmit.String(), "u1", &testsuite.TestUpdateCallback{OnReject: func(err error) { t.Errorf("rejected: %v", err) }, OnAccept: func() {}, OnComplete: func(any, error) {}},
			engine.Submission{TaskID: "t1", By: "m1", Data: []byte(`{}`)})
	}, 2*time.Hour)
	env.RegisterDelayedCallback(func() {
		env.UpdateWorkflow(engine.UpdateSubmit.String(), "u2", &testsuite.TestUpdateCallback{OnReject: func(err error) { second = err }, OnAccept: func() {}, OnComplete: func(any, error) {}},
			engine.Submission{TaskID: "t1", By: "m1", Data: []byte(`{}`)})
	}, 3*time.Hour)
	env.RegisterDelayedCallback(func() { env.SignalWorkflow(engine.SignalFinish.String(), nil) }, 10*24*time.Hour)
	env.ExecuteWorkflow(workflows.MemberWorkflow, engine.MemberInput{CycleID: "c1", MemberID: "m1", ParentID: "cycle-c1"})
	require.NoError(t, env.GetWorkflowError())
	require.ErrorContains(t, second, "not open any more")
	env.AssertNotCalled(t, "Remind", mock.Anything, mock.Anything)
	env.AssertNotCalled(t, "Escalate", mock.Anything, mock.Anything)
	env.AssertNotCalled(t, "ExpireTasks", mock.Anything, mock.Anything)
	env.AssertExpectations(t)
}

// TestASubmissionOutlastsADatabaseOutageAndHoldsTheStageUntilRecorded:
// the database refuses writes for longer than the local activity retries.
// The Update is neither handed back nor forgotten: it is recorded once the
// database answers, and only then does the member report the stage done
// (so the cycle never scores without it).
func TestASubmissionOutlastsADatabaseOutageAndHoldsTheStageUntilRecorded(t *testing.T) {
	env := newEnv(t)
	env.OnActivity(a.EnsureMemberTasks, mock.Anything, mock.Anything).Return([]engine.TaskRef{{TaskID: "t1", Kind: "self_eval", AssigneeID: "m1", SubjectID: "m1", State: "open"}}, nil)
	calls, recorded := 0, false
	env.OnActivity(a.RecordSubmission, mock.Anything, mock.Anything).Return(func(context.Context, engine.Submission) (engine.SubmitResult, error) {
		calls++
		if calls <= 12 { // more than the local activity's eight attempts
			return engine.SubmitResult{}, errors.New("dial tcp 127.0.0.1:3306: connect: connection refused")
		}
		recorded = true
		return engine.SubmitResult{TaskID: "t1", State: "submitted"}, nil
	})
	reportedAfterRecord := false
	env.OnActivity(a.ReportStageDone, mock.Anything, mock.Anything).Return(func(_ context.Context, r engine.DoneReport) error {
		reportedAfterRecord = recorded
		require.Equal(t, engine.DoneReport{ParentID: "cycle-c1", Done: engine.StageDone{StageKey: "evaluate", MemberID: "m1"}}, r)
		return nil
	}).Once()
	env.RegisterDelayedCallback(func() { env.SignalWorkflow(engine.SignalStage.String(), memberStage(env.Now())) }, time.Minute)
	var result engine.SubmitResult
	var failed error
	completed := false
	env.RegisterDelayedCallback(func() {
		env.UpdateWorkflow(engine.UpdateSubmit.String(), "u1", &testsuite.TestUpdateCallback{
			OnReject: func(err error) { t.Errorf("rejected: %v", err) }, OnAccept: func() {},
			OnComplete: func(v any, err error) {
				completed, failed = true, err
				if err == nil {
					result = v.(engine.SubmitResult)
				}
			}},
			engine.Submission{TaskID: "t1", By: "m1", Data: []byte(`{}`)})
	}, 2*time.Hour)
	env.RegisterDelayedCallback(func() { env.SignalWorkflow(engine.SignalFinish.String(), nil) }, 10*24*time.Hour)
	env.ExecuteWorkflow(workflows.MemberWorkflow, engine.MemberInput{CycleID: "c1", MemberID: "m1", ParentID: "cycle-c1"})
	require.NoError(t, env.GetWorkflowError())
	require.True(t, completed, "the Update should complete")
	require.NoError(t, failed, "the submission should not be handed back")
	require.Equal(t, engine.TaskSubmitted, result.State)
	require.Equal(t, 13, calls)
	require.True(t, reportedAfterRecord, "the stage should be reported done only after the submission is recorded")
	env.AssertNotCalled(t, "ExpireTasks", mock.Anything, mock.Anything)
	env.AssertExpectations(t)
}

// TestIDPCheckinsRunUntilDueThenTheMentorReviews: a 60-day plan with
// fortnightly check-ins reminds four times, then opens the review task.
func TestIDPCheckinsRunUntilDueThenTheMentorReviews(t *testing.T) {
	env := newEnv(t)
	env.RegisterWorkflowWithOptions(workflows.IDPWorkflow, workflow.RegisterOptions{Name: engine.IDPWorkflow.String()})
	var checkins []int
	env.OnActivity(a.IDPCheckinReminder, mock.Anything, "p1", mock.Anything).Return(func(_ context.Context, _ string, n int) (bool, error) {
		checkins = append(checkins, n)
		return true, nil
	})
	start := env.Now()
	review := &engine.TaskRef{TaskID: "r1", AssigneeID: "mentor", State: "open", Due: start.Add(74 * 24 * time.Hour)}
	env.OnActivity(a.EnsureIDPReview, mock.Anything, "p1").Return(review, nil).Once()
	env.OnActivity(a.RecordSubmission, mock.Anything, mock.Anything).Return(engine.SubmitResult{TaskID: "r1", State: "submitted"}, nil).Once()
	env.RegisterDelayedCallback(func() {
		env.UpdateWorkflow(engine.UpdateSubmit.String(), "u1", &testsuite.TestUpdateCallback{OnReject: func(err error) { t.Errorf("rejected: %v", err) }, OnAccept: func() {}, OnComplete: func(any, error) {}},
			engine.Submission{TaskID: "r1", By: "mentor", Data: []byte(`{"outcome":"completed"}`)})
	}, 61*24*time.Hour)
	env.ExecuteWorkflow(workflows.IDPWorkflow, engine.IDPInput{IDPID: "p1", Due: start.Add(60 * 24 * time.Hour), CheckinEvery: 14 * 24 * time.Hour})
	require.NoError(t, env.GetWorkflowError())
	require.Equal(t, []int{1, 2, 3, 4}, checkins)
	env.AssertExpectations(t)
}

// TestALongMemberStageHandsOverWithItsReports: when a stage's reports
// would push the run past its history budget, the run continues as new in
// the same stage, carrying who has reported, without opening it again.
func TestALongMemberStageHandsOverWithItsReports(t *testing.T) {
	defer workflows.SetHistoryBudget(120)()
	env := newEnv(t)
	snap := snapshot(t, "cs-ops-monthly")
	snap.Members = 300
	env.OnActivity(a.SetCycleState, mock.Anything, mock.Anything).Return(nil)
	env.OnActivity(a.BroadcastStage, mock.Anything, mock.Anything).Return(300, nil).Once()
	for i := 0; i < 300; i++ {
		i := i
		env.RegisterDelayedCallback(func() {
			env.SignalWorkflow(engine.SignalStageDone.String(), engine.StageDone{StageKey: "evaluate", MemberID: fmt.Sprintf("m%03d", i)})
		}, time.Duration(i+1)*time.Minute)
	}
	env.ExecuteWorkflow(workflows.CycleWorkflow, engine.CycleInput{CycleID: "c1", Snapshot: snap, StageIndex: 1})
	next := continuedWith(t, env)
	require.Equal(t, 1, next.StageIndex, "still the evaluate stage")
	require.NotNil(t, next.Resume)
	require.Equal(t, 300, next.Resume.Members)
	require.NotEmpty(t, next.Resume.Done)
	require.Less(t, len(next.Resume.Done), 300)
	require.True(t, sort.StringsAreSorted(next.Resume.Done), "carried in a fixed order")
	env.AssertNotCalled(t, engine.ComputeScores.String(), mock.Anything, mock.Anything)
}

// TestTheFeedbackStageBooksInterviewsAfterPublishingResults: a feedback
// stage with an interview block books them once, after the results are
// out and before members acknowledge, within the block's window; without
// the block nothing is booked.
func TestTheFeedbackStageBooksInterviewsAfterPublishingResults(t *testing.T) {
	for _, withBlock := range []bool{true, false} {
		t.Run(fmt.Sprint("interview block ", withBlock), func(t *testing.T) {
			env := newEnv(t)
			snap := snapshot(t, "cs-ops-monthly")
			if !withBlock {
				var tpl map[string]any
				require.NoError(t, json.Unmarshal(snap.Template, &tpl))
				delete(tpl["stages"].([]any)[3].(map[string]any), "interview")
				snap.Template, _ = json.Marshal(tpl)
			}
			var order []string
			env.OnActivity(a.SetCycleState, mock.Anything, mock.Anything).Return(nil)
			env.OnActivity(a.PublishResults, mock.Anything, "c1").Return(func(context.Context, string) (int, error) {
				order = append(order, "publish")
				return 4, nil
			}).Once()
			env.OnActivity(a.ApplyOutcomes, mock.Anything, "c1").Return(func(context.Context, string) ([]activities.IDPRef, error) {
				order = append(order, "outcomes")
				return nil, nil
			}).Once()
			var booked []activities.InterviewRequest
			env.OnActivity(a.ScheduleFeedbackInterviews, mock.Anything, mock.Anything).Return(func(_ context.Context, req activities.InterviewRequest) (activities.InterviewResult, error) {
				order = append(order, "interviews")
				booked = append(booked, req)
				return activities.InterviewResult{Booked: 4}, nil
			}).Maybe()
			env.OnActivity(a.BroadcastStage, mock.Anything, mock.Anything).Return(func(context.Context, engine.StageOpen) (int, error) {
				order = append(order, "acknowledge")
				return 0, nil
			}).Once()
			// Nobody to acknowledge: the stage is over at once and the run
			// carries on through the monthly review notice to the end.
			env.OnActivity(a.NotifyRole, mock.Anything, mock.Anything).Return(1, nil).Once()
			env.OnActivity(a.BroadcastFinish, mock.Anything, "c1").Return(nil).Once()
			env.ExecuteWorkflow(workflows.CycleWorkflow, engine.CycleInput{CycleID: "c1", Snapshot: snap, StageIndex: 3, Grades: map[string]string{"m1": "A"}})
			require.True(t, env.IsWorkflowCompleted())
			require.NoError(t, env.GetWorkflowError())
			if !withBlock {
				require.Equal(t, []string{"publish", "outcomes", "acknowledge"}, order)
				return
			}
			require.Equal(t, []string{"publish", "outcomes", "interviews", "acknowledge"}, order)
			require.Len(t, booked, 1)
			require.Equal(t, "feedback", booked[0].StageKey)
			require.Equal(t, 48*time.Hour, booked[0].Until.Sub(booked[0].From), "the template's window P2D")
		})
	}
}

// TestTheExecuteStageOpensAWeeklyReportRoundDueAtTheEndOfEachWeek: over
// October, ops-assistant-monthly's weekly reports open two days before each
// week ends, are due when it ends and take late reports until the next
// round, and no round outlives the stage (the fifth week would).
func TestTheExecuteStageOpensAWeeklyReportRoundDueAtTheEndOfEachWeek(t *testing.T) {
	env := newEnv(t)
	snap := snapshot(t, "ops-assistant-monthly")
	env.SetStartTime(snap.PeriodStart)
	env.OnActivity(a.SetCycleState, mock.Anything, mock.Anything).Return(nil)
	env.OnActivity(a.MonitorPace, mock.Anything, mock.Anything).Return(activities.PaceReport{}, nil)
	var rounds []engine.StageOpen
	env.OnActivity(a.BroadcastStage, mock.Anything, mock.Anything).Return(func(_ context.Context, s engine.StageOpen) (int, error) {
		rounds = append(rounds, s)
		return 4, nil
	})
	execute := -1
	tpl, errs := templates.Parse(snap.Template)
	require.Empty(t, errs)
	for i, s := range tpl.Stages {
		if s.Type == templates.StageExecute {
			execute = i
		}
	}
	env.ExecuteWorkflow(workflows.CycleWorkflow, engine.CycleInput{CycleID: "c1", Snapshot: snap, StageIndex: execute})
	next := continuedWith(t, env)
	require.Equal(t, execute+1, next.StageIndex)

	day := 24 * time.Hour
	require.Len(t, rounds, 4, "weeks ending on days 7, 14, 21 and 28 of a 31-day stage")
	for i, r := range rounds {
		k := i + 1
		due := snap.PeriodStart.Add(time.Duration(7*k) * day)
		require.Equal(t, fmt.Sprintf("execute#report-%d", k), r.StageKey)
		require.Equal(t, engine.StageReport, r.StageType)
		require.Equal(t, k, r.Round)
		require.True(t, r.OpenedAt.Equal(due.Add(-2*day)), "round %d opens %s", k, r.OpenedAt)
		require.True(t, r.Due.Equal(due), "round %d is due %s", k, r.Due)
		closes := due.Add(5 * day)
		if k == 4 {
			closes = snap.PeriodEnd // not past the stage
		}
		require.True(t, r.CloseAt.Equal(closes), "round %d closes %s", k, r.CloseAt)
		require.Equal(t, []time.Duration{day}, r.Reminders, "a reminder halfway through the two days")
	}
}

// TestReportsArrivingTogetherCountEachMemberOnceAndCloseTheStage: members
// report through ReportStageDone, which sends the reports that arrive
// together in one stages-done signal. A report repeated by a retry, or
// left over from an earlier stage, counts for nothing; a lone report on the
// old stage-done signal still counts. The stage closes when all four are in.
func TestReportsArrivingTogetherCountEachMemberOnceAndCloseTheStage(t *testing.T) {
	env := newEnv(t)
	in := engine.CycleInput{CycleID: "c1", Snapshot: snapshot(t, "cs-ops-monthly"), StageIndex: 1}
	env.OnActivity(a.SetCycleState, mock.Anything, mock.Anything).Return(nil)
	env.OnActivity(a.BroadcastStage, mock.Anything, mock.Anything).Return(4, nil).Once()
	done := func(m string) engine.StageDone { return engine.StageDone{StageKey: "evaluate", MemberID: m} }
	env.RegisterDelayedCallback(func() {
		env.SignalWorkflow(engine.SignalStagesDone.String(), []engine.StageDone{done("m1"), done("m2"), done("m1"), {StageKey: "plan", MemberID: "m3"}})
	}, time.Minute)
	env.RegisterDelayedCallback(func() { env.SignalWorkflow(engine.SignalStageDone.String(), done("m3")) }, 2*time.Minute)
	var scoredAfter time.Duration
	start := env.Now()
	env.RegisterDelayedCallback(func() {
		env.SignalWorkflow(engine.SignalStagesDone.String(), []engine.StageDone{done("m2"), {StageKey: "evaluate", MemberID: "m4", Expired: 1}})
	}, 3*time.Minute)
	env.OnActivity(a.ComputeScores, mock.Anything, "c1").Return(func(context.Context, string) (*engine.Scored, error) {
		scoredAfter = env.Now().Sub(start)
		return &engine.Scored{Grades: map[string]string{"m1": "A", "m2": "B", "m3": "B", "m4": "C"}, Count: 4}, nil
	}).Once()
	env.ExecuteWorkflow(workflows.CycleWorkflow, in)
	next := continuedWith(t, env)
	require.Equal(t, 2, next.StageIndex, "the evaluate stage closed on its four members")
	require.Equal(t, 3*time.Minute, scoredAfter.Round(time.Minute), "scored once the fourth member reported, not before")
	env.AssertExpectations(t)
}

// TestAMemberRunFromBeforeReportsBySignalStillDoes: a member history
// recorded before stage-done-by-activity signals its parent itself.
func TestAMemberRunFromBeforeReportsBySignalStillDoes(t *testing.T) {
	env := newEnv(t)
	env.OnGetVersion("member-baseline", workflow.DefaultVersion, 1).Return(workflow.DefaultVersion)
	env.OnGetVersion("stage-done-by-activity", workflow.DefaultVersion, 1).Return(workflow.DefaultVersion)
	env.OnActivity(a.EnsureMemberTasks, mock.Anything, mock.Anything).Return([]engine.TaskRef{{TaskID: "t1", Kind: "self_eval", AssigneeID: "m1", SubjectID: "m1", State: "open"}}, nil)
	env.OnActivity(a.RecordSubmission, mock.Anything, mock.Anything).Return(engine.SubmitResult{TaskID: "t1", State: "submitted"}, nil).Once()
	env.OnSignalExternalWorkflow(mock.Anything, "cycle-c1", "", engine.SignalStageDone.String(), engine.StageDone{StageKey: "evaluate", MemberID: "m1"}).Return(nil).Once()
	env.RegisterDelayedCallback(func() { env.SignalWorkflow(engine.SignalStage.String(), memberStage(env.Now())) }, time.Minute)
	env.RegisterDelayedCallback(func() {
		env.UpdateWorkflow(engine.UpdateSubmit.String(), "u1", &testsuite.TestUpdateCallback{OnReject: func(err error) { t.Errorf("rejected: %v", err) }, OnAccept: func() {}, OnComplete: func(any, error) {}},
			engine.Submission{TaskID: "t1", By: "m1", Data: []byte(`{}`)})
	}, 2*time.Hour)
	env.RegisterDelayedCallback(func() { env.SignalWorkflow(engine.SignalFinish.String(), nil) }, 10*24*time.Hour)
	env.ExecuteWorkflow(workflows.MemberWorkflow, engine.MemberInput{CycleID: "c1", MemberID: "m1", ParentID: "cycle-c1"})
	require.NoError(t, env.GetWorkflowError())
	env.AssertNotCalled(t, "ReportStageDone", mock.Anything, mock.Anything)
	env.AssertExpectations(t)
}
