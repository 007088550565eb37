package workflows

import (
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/perfloop/perfloop/activities"
	"github.com/perfloop/perfloop/engine"
)

type memberRun struct {
	in       engine.MemberInput
	pending  []engine.StageOpen
	seen     map[string]bool
	stage    *engine.StageOpen
	tasks    map[string]*engine.TaskRef
	finished bool
	// loading is set while a stage's tasks are being opened: their rows
	// exist (and can be submitted) before the activity's result arrives.
	loading bool
	// waitInFlight keeps a stage open while a submission is being recorded,
	// so the stage is never reported done (and scored) before its last
	// evaluation is in the database. Older runs reported on acceptance.
	waitInFlight bool
	// baseline: the run answers versions from the member-baseline table
	// (versions.go), by its input or by the marker.
	baseline bool
}

// MemberWorkflow owns one member's tasks in a cycle: it opens them when the
// parent opens a stage, reminds and escalates on cancellable timers,
// accepts submissions as Updates, expires what is left when the stage
// closes, and reports back to the parent.
func MemberWorkflow(ctx workflow.Context, in engine.MemberInput) error {
	r := &memberRun{in: in, seen: map[string]bool{}, tasks: map[string]*engine.TaskRef{}}
	ctx, r.baseline = withMemberBaseline(ctx, in.Baseline)
	// One coroutine reads both signals (a coroutine is a stack kept for
	// as long as the member waits, so one per signal doubled the cost).
	// Reading a signal issues no command, so histories replay either way.
	signals := workflow.NewSelector(ctx)
	signals.AddReceive(workflow.GetSignalChannel(ctx, engine.SignalStage.String()), func(c workflow.ReceiveChannel, _ bool) {
		var s engine.StageOpen
		c.Receive(ctx, &s)
		// A broadcast retried after a crash repeats a stage; once is enough.
		if !r.seen[s.StageKey] {
			r.seen[s.StageKey] = true
			r.pending = append(r.pending, s)
		}
	})
	signals.AddReceive(workflow.GetSignalChannel(ctx, engine.SignalFinish.String()), func(c workflow.ReceiveChannel, _ bool) {
		c.Receive(ctx, nil)
		r.finished = true
	})
	workflow.Go(ctx, func(ctx workflow.Context) {
		for {
			signals.Select(ctx)
		}
	})
	err := workflow.SetUpdateHandlerWithOptions(ctx, engine.UpdateSubmit.String(), r.submit, workflow.UpdateHandlerOptions{Validator: r.validate})
	if err != nil {
		return err
	}
	r.waitInFlight = version(ctx, "stage-waits-for-submissions", 1) == 1
	if err := workflow.SetQueryHandler(ctx, "tasks", func() ([]engine.TaskRef, error) {
		out := []engine.TaskRef{}
		for _, id := range sortedKeys(r.tasks) {
			out = append(out, *r.tasks[id])
		}
		return out, nil
	}); err != nil {
		return err
	}
	for {
		if err := workflow.Await(ctx, func() bool { return len(r.pending) > 0 || r.finished }); err != nil {
			return err
		}
		if len(r.pending) == 0 {
			break
		}
		s := r.pending[0]
		r.pending = r.pending[1:]
		if err := r.runStage(ctx, s); err != nil {
			return err
		}
	}
	return workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) })
}

func (r *memberRun) runStage(ctx workflow.Context, s engine.StageOpen) error {
	r.stage = &s
	r.tasks = map[string]*engine.TaskRef{}
	req := activities.MemberTasksRequest{MemberID: r.in.MemberID, WorkflowID: workflow.GetInfo(ctx).WorkflowExecution.ID, Stage: s}
	r.loading = true
	refs, err := ensureMemberTasks(ctx, req)
	r.loading = false
	if err != nil {
		return err
	}
	for i := range refs {
		r.tasks[refs[i].TaskID] = &refs[i]
	}
	tctx, stop := workflow.WithCancel(ctx)
	closed := false
	startTimetable(tctx, s.Timetable(), r.remind(s), r.escalate(s), timed{s.CloseAt, func(workflow.Context) { closed = true }})
	err = workflow.Await(ctx, func() bool { return r.unsettled() == 0 || closed || r.finished })
	stop()
	if err != nil {
		return err
	}
	// The cycle ended under this stage (cancelled): its tasks are closed
	// already and the parent is gone, so there is nothing to expire or
	// report (`perfloop bench` showed a cancelled 1,000-member cycle spending
	// its wind-down on exactly these no-op steps). Older histories took the
	// long way; the marker keeps them replaying.
	if r.finished && version(ctx, "finish-skips-report", 1) == 1 {
		return nil
	}
	expired := 0
	if r.openCount() > 0 {
		req := activities.ExpireRequest{CycleID: r.in.CycleID, StageKey: s.StageKey, SubjectID: r.in.MemberID}
		if err := workflow.ExecuteActivity(withQuick(ctx), a.ExpireTasks, req).Get(ctx, &expired); err != nil {
			return err
		}
		for _, t := range r.tasks {
			if t.State == engine.TaskOpen {
				t.State = engine.TaskExpired
			}
		}
	}
	// A progress report is nobody's stage to wait for: the parent does not
	// count it, so it is not told (5,000 members reporting weekly would add
	// 20,000 signals a month to its history).
	if (r.finished && r.in.ParentID == "") || s.StageType == engine.StageReport {
		return nil
	}
	done := engine.StageDone{StageKey: s.StageKey, MemberID: r.in.MemberID, Expired: expired}
	err = reportStageDone(ctx, r.in.ParentID, done)
	if err != nil {
		// The parent may have moved on or ended (cancelled); the report is
		// then moot and the member carries on.
		workflow.GetLogger(ctx).Info("stage report not delivered", "member", r.in.MemberID, "stage", s.StageKey, "error", err)
	}
	return nil
}

// unsettled counts the tasks the stage still waits for: open ones and,
// in runs that wait for them, those whose submission is being recorded.
func (r *memberRun) unsettled() int {
	n := 0
	for _, t := range r.tasks {
		if t.State == engine.TaskOpen || (r.waitInFlight && t.State == engine.TaskSubmitting) {
			n++
		}
	}
	return n
}

func (r *memberRun) openCount() int {
	n := 0
	for _, t := range r.tasks {
		if t.State == engine.TaskOpen {
			n++
		}
	}
	return n
}

func (r *memberRun) remind(s engine.StageOpen) func(workflow.Context, int, bool) {
	return func(ctx workflow.Context, i int, overdue bool) {
		if r.openCount() == 0 {
			return
		}
		req := activities.ReminderRequest{CycleID: r.in.CycleID, SubjectID: r.in.MemberID, StageKey: s.StageKey, Index: i, Overdue: overdue}
		if err := workflow.ExecuteActivity(withNotify(ctx), a.Remind, req).Get(ctx, nil); err != nil {
			workflow.GetLogger(ctx).Warn("reminder not sent", "member", r.in.MemberID, "error", err)
		}
	}
}

func (r *memberRun) escalate(s engine.StageOpen) func(workflow.Context) {
	if s.EscalateTo == "" {
		return nil
	}
	return func(ctx workflow.Context) {
		if r.openCount() == 0 {
			return
		}
		req := activities.EscalationRequest{CycleID: r.in.CycleID, SubjectID: r.in.MemberID, StageKey: s.StageKey, To: s.EscalateTo}
		if err := workflow.ExecuteActivity(withNotify(ctx), a.Escalate, req).Get(ctx, nil); err != nil {
			workflow.GetLogger(ctx).Warn("escalation not sent", "member", r.in.MemberID, "error", err)
		}
	}
}

// validate refuses a submission that is not for an open task of this
// member's current stage, or comes from someone other than the assignee,
// before it is written to history.
func (r *memberRun) validate(ctx workflow.Context, s engine.Submission) error {
	t, ok := r.tasks[s.TaskID]
	if !ok && r.loading {
		return nil // the handler waits for the stage's tasks, then checks again
	}
	return r.check(t, ok, s)
}

func (r *memberRun) check(t *engine.TaskRef, ok bool, s engine.Submission) error {
	if !ok || t.State != engine.TaskOpen {
		return temporal.NewApplicationError("this task is not open any more", "TaskClosed")
	}
	if t.AssigneeID != s.By {
		return temporal.NewApplicationError("this task is assigned to someone else", "NotAssignee")
	}
	return nil
}

func (r *memberRun) submit(ctx workflow.Context, s engine.Submission) (engine.SubmitResult, error) {
	var res engine.SubmitResult
	ctx = onBaseline(ctx, r.baseline)
	if err := workflow.Await(ctx, func() bool { return !r.loading }); err != nil {
		return res, err
	}
	t, ok := r.tasks[s.TaskID]
	if err := r.check(t, ok, s); err != nil {
		return res, err
	}
	// Mark first so a second Update for the same task, admitted while the
	// activity runs, is refused by the validator.
	t.State = engine.TaskSubmitting
	res, err := recordSubmission(ctx, s)
	if err != nil {
		t.State = engine.TaskOpen
		return res, err
	}
	t.State = res.State
	if res.Follow != nil {
		f := *res.Follow
		r.tasks[f.TaskID] = &f
	}
	return res, nil
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sortStrings(out)
	return out
}

func sortStrings(xs []string) {
	for i := 1; i < len(xs); i++ {
		for j := i; j > 0 && xs[j] < xs[j-1]; j-- {
			xs[j], xs[j-1] = xs[j-1], xs[j]
		}
	}
}
