package workflows

import (
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/perfloop/perfloop/activities"
	"github.com/perfloop/perfloop/engine"
	"github.com/perfloop/perfloop/templates"
)

// a names the activities; workflows call them by method value only.
var a *activities.Activities

// historyBudget keeps every run well under Temporal's 10,240-event
// warning: a member stage of a large cycle receives one report per member,
// and a run that has taken this many events hands over mid-stage.
var historyBudget = 8000

// errHandOver asks CycleWorkflow to continue as new within the stage.
var errHandOver = errors.New("history budget reached; continuing as new")

// ErrInvalidSnapshot means the frozen template no longer parses, which only
// a bug or a hand-edited database can cause; the cycle fails rather than guess.
var ErrInvalidSnapshot = errors.New("the cycle's frozen template does not validate")

type cycleRun struct {
	in        engine.CycleInput
	snap      *engine.CycleSnapshot
	tpl       *templates.Template
	stage     templates.Stage
	due       time.Time
	done      map[string]bool
	expired   int
	cancelled bool
	reason    string
	resume    *engine.StageResume
	reports   int                        // stage-report signals received by this run
	tasks     map[string]*engine.TaskRef // open cycle-level tasks by id
	loading   bool                       // cycle-level tasks are being opened
	busy      map[string]bool            // submissions in flight, so a second is refused
	blocked   string                     // why the cycle cannot go on, while it waits for a resume
	blocks    int                        // blocks in this run, so each block's notice is sent anew
	resumes   int                        // resume signals received by this run
	halted    bool                       // scoring stopped for a cancel: the stage goes no further
}

// CycleWorkflow walks a frozen template's stages in order. Each run handles
// one stage and continues as new, carrying only what later stages need;
// stages that end within moments of the run's start (skipped, or already
// over at launch) share the run instead (see carryOn).
func CycleWorkflow(ctx workflow.Context, in engine.CycleInput) (*engine.CycleResult, error) {
	r := &cycleRun{in: in, done: map[string]bool{}, tasks: map[string]*engine.TaskRef{}, busy: map[string]bool{}}
	log := workflow.GetLogger(ctx)
	if in.Snapshot == nil {
		if err := workflow.ExecuteActivity(withQuick(ctx), a.LoadCycle, in.CycleID).Get(ctx, &r.snap); err != nil {
			return nil, fmt.Errorf("load cycle %s: %w", in.CycleID, err)
		}
		r.in.Snapshot = r.snap
		if err := r.setState(ctx, "running", ""); r.cancelRecorded(err) {
			return r.cancel(ctx)
		} else if err != nil {
			return nil, err
		}
	} else {
		r.snap = in.Snapshot
	}
	tpl, errs := templates.Parse(r.snap.Template)
	if tpl != nil && errs.OnlyTooCostly() && workflow.GetVersion(ctx, "expression-cost", workflow.DefaultVersion, 1) == workflow.DefaultVersion {
		// A run begun before expressions had a cost bound goes on with the
		// template it validated then; its scoring blocks on the bound instead.
		errs = nil
	}
	if len(errs) > 0 {
		_ = r.setState(ctx, "failed", "")
		return nil, temporal.NewNonRetryableApplicationError(errs.Error(), "InvalidTemplate", ErrInvalidSnapshot)
	}
	r.tpl = tpl
	if err := r.handlers(ctx); err != nil {
		return nil, err
	}
	for {
		if r.in.StageIndex >= len(tpl.Stages) {
			return r.finish(ctx)
		}
		r.stage = tpl.Stages[r.in.StageIndex]
		run, err := r.shouldRun(ctx)
		if err != nil {
			return nil, err
		}
		if run {
			log.Info("stage opens", "cycle", in.CycleID, "stage", r.stage.Key)
			if err := r.setState(ctx, "running", r.stage.Key); r.cancelRecorded(err) {
				return r.cancel(ctx)
			} else if err != nil {
				return nil, err
			}
			err := r.runStage(ctx)
			if errors.Is(err, errHandOver) {
				return r.handOver(ctx)
			}
			if err != nil {
				return nil, err
			}
		} else {
			r.in.Skipped = append(r.in.Skipped, r.stage.Key)
		}
		if r.cancelled {
			return r.cancel(ctx)
		}
		// Updates in flight must finish before this run hands over; a cancel
		// that arrived meanwhile is honoured here rather than lost in the hand-over.
		if err := workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) }); err != nil {
			return nil, err
		}
		if cancelled, err := r.cancelSettled(ctx, r.cancelled); err != nil || cancelled {
			if err != nil {
				return nil, err
			}
			return r.cancel(ctx)
		}
		next := r.in
		next.StageIndex++
		next.Snapshot = r.snap
		next.Resume = nil
		if !r.carryOn(ctx) {
			return nil, workflow.NewContinueAsNewError(ctx, CycleWorkflow, next)
		}
		r.in = next
		r.nextStage()
	}
}

// shortRun is how young a run must be to carry on into the next stage
// itself. Temporal holds back the first workflow task of a run continued
// as new until its predecessor has lived WorkflowIdReuseMinimalInterval
// (one second by default): at launch, a stage that is skipped or already
// over (last month's execute) ended its run in 40 ms and cost the cycle a
// full second before its evaluation opened.
const shortRun = 2 * time.Second

// carryOn says whether the stage just ended was short enough for this run
// to go on to the next stage instead of continuing as new. Long stages
// still end their run, so each run holds about one stage's history.
func (r *cycleRun) carryOn(ctx workflow.Context) bool {
	info := workflow.GetInfo(ctx)
	if workflow.Now(ctx).Sub(info.WorkflowStartTime) >= shortRun || info.GetCurrentHistoryLength() > historyBudget/8 || info.GetContinueAsNewSuggested() {
		return false
	}
	return workflow.GetVersion(ctx, "short-stages-share-a-run", workflow.DefaultVersion, 1) == 1
}

// nextStage clears what belonged to the stage just ended, as a new run
// would start with it cleared. What counts the run's own history (reports,
// blocks, resumes) stays.
func (r *cycleRun) nextStage() {
	r.due = time.Time{}
	r.done = map[string]bool{}
	r.expired = 0
	r.resume = nil
	r.tasks = map[string]*engine.TaskRef{}
	r.loading = false
	r.blocked = ""
	r.halted = false
}

// handOver continues the same stage in a fresh run, carrying the reports.
func (r *cycleRun) handOver(ctx workflow.Context) (*engine.CycleResult, error) {
	if err := workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) }); err != nil {
		return nil, err
	}
	// memberStage hands over only without a cancel; one that came while
	// updates finished was carried into nothing before, hence known false.
	if cancelled, err := r.cancelSettled(ctx, false); err != nil || cancelled {
		if err != nil {
			return nil, err
		}
		return r.cancel(ctx)
	}
	next := r.in
	next.Snapshot = r.snap
	res := *r.resume
	res.Done = make([]string, 0, len(r.done))
	for m := range r.done {
		res.Done = append(res.Done, m)
	}
	sort.Strings(res.Done)
	res.Expired = r.expired
	next.Resume = &res
	return nil, workflow.NewContinueAsNewError(ctx, CycleWorkflow, next)
}

// cancelSettled says whether the cycle is cancelled, once every coroutine
// woken with this one has run. The event that ends a stage (its last
// activity's result, a timer) can reach the run in one workflow task with
// a cancel signal; this coroutine runs first, before the one that reads
// the signal, so a run deciding at once would continue as new with the
// cancel unread, and the next run never hears of it (the row says
// cancelling, the cycle completes). Yielding once lets the signal be read.
// Runs that handed over with a cancel unread before this change keep
// doing so on replay: known is the cancel the run acted on before, and the
// marker is taken only when there is one beyond it.
func (r *cycleRun) cancelSettled(ctx workflow.Context, known bool) (bool, error) {
	yielded := false
	workflow.Go(ctx, func(workflow.Context) { yielded = true })
	if err := workflow.Await(ctx, func() bool { return yielded }); err != nil {
		return false, err
	}
	if r.cancelled && !known && workflow.GetVersion(ctx, "cancel-settles-before-handover", workflow.DefaultVersion, 1) == workflow.DefaultVersion {
		return false, nil
	}
	return r.cancelled, nil
}

// tooLong says the run should hand over before its history grows further.
// A report costs at most four events (the signal and, when it arrives
// alone, a workflow task's three), so counting reports bounds the run even
// where the server's history length is not known (the test suite).
func (r *cycleRun) tooLong(ctx workflow.Context) bool {
	info := workflow.GetInfo(ctx)
	return r.reports*4 > historyBudget || info.GetCurrentHistoryLength() > historyBudget || info.GetContinueAsNewSuggested()
}

func (r *cycleRun) setState(ctx workflow.Context, state, stage string) error {
	return workflow.ExecuteActivity(withQuick(ctx), a.SetCycleState, activities.StateChange{CycleID: r.in.CycleID, State: state, Stage: stage}).Get(ctx, nil)
}

// cancelRecorded takes a cancel that SetCycleState found on the cycle's
// row, unheard by this run, as if it had been signalled. No recorded
// history holds this failure (the activity did not refuse before), so
// handling it needs no version marker.
func (r *cycleRun) cancelRecorded(err error) bool {
	var app *temporal.ApplicationError
	if !errors.As(err, &app) || app.Type() != activities.ErrTypeCancelRecorded {
		return false
	}
	var reason string
	if app.HasDetails() {
		_ = app.Details(&reason)
	}
	r.cancelled, r.reason = true, reason
	return true
}

// handlers registers the query, the cancel signal, the members' reports
// and the Update for cycle-level tasks.
func (r *cycleRun) handlers(ctx workflow.Context) error {
	if err := workflow.SetQueryHandler(ctx, engine.QueryProgress.String(), r.progress); err != nil {
		return err
	}
	cancel := workflow.GetSignalChannel(ctx, engine.SignalCancel.String())
	workflow.Go(ctx, func(ctx workflow.Context) {
		var reason string
		cancel.Receive(ctx, &reason)
		r.cancelled, r.reason = true, reason
	})
	resume := workflow.GetSignalChannel(ctx, engine.SignalResume.String())
	workflow.Go(ctx, func(ctx workflow.Context) {
		for {
			var by string
			resume.Receive(ctx, &by)
			r.resumes++
		}
	})
	// Members report one at a time (SignalStageDone, from their workflow)
	// or, since stage-done-by-activity, several to a signal
	// (SignalStagesDone, from ReportStageDone). Reading a signal issues no
	// command, so one coroutine for both replays older histories alike.
	reports := workflow.NewSelector(ctx)
	reports.AddReceive(workflow.GetSignalChannel(ctx, engine.SignalStageDone.String()), func(c workflow.ReceiveChannel, _ bool) {
		var d engine.StageDone
		c.Receive(ctx, &d)
		r.report(d)
		r.reports++
	})
	reports.AddReceive(workflow.GetSignalChannel(ctx, engine.SignalStagesDone.String()), func(c workflow.ReceiveChannel, _ bool) {
		var ds []engine.StageDone
		c.Receive(ctx, &ds)
		for _, d := range ds {
			r.report(d)
		}
		r.reports++ // a signal's events, whatever it carries
	})
	workflow.Go(ctx, func(ctx workflow.Context) {
		for {
			reports.Select(ctx)
		}
	})
	return workflow.SetUpdateHandlerWithOptions(ctx, engine.UpdateSubmit.String(), r.submit, workflow.UpdateHandlerOptions{Validator: r.validateSubmit})
}

// report counts a member's StageDone once. A late report from an earlier
// stage's run is ignored: that stage closed without it.
func (r *cycleRun) report(d engine.StageDone) {
	if d.StageKey == r.stage.Key && !r.done[d.MemberID] {
		r.done[d.MemberID] = true
		r.expired += d.Expired
	}
}

func (r *cycleRun) progress() (engine.Progress, error) {
	p := engine.Progress{
		CycleID: r.in.CycleID, State: "running", Stage: r.stage.Key, StageType: r.stage.Type,
		StageIndex: r.in.StageIndex, Stages: len(r.tpl.Stages), Members: r.snap.Members,
		Done: len(r.done), Expired: r.expired, Skipped: append([]string{}, r.in.Skipped...),
	}
	if r.blocked != "" {
		p.State, p.Reason = "blocked", r.blocked
	}
	if r.cancelled {
		p.State = "cancelling"
	}
	if !r.due.IsZero() {
		d := r.due
		p.Due = &d
	}
	if len(r.in.Grades) > 0 {
		p.Grades = map[string]int{}
		for _, g := range r.in.Grades {
			p.Grades[g]++
		}
	}
	return p, nil
}

// shouldRun evaluates the stage's when against the period.
func (r *cycleRun) shouldRun(ctx workflow.Context) (bool, error) {
	if r.stage.When == "" {
		return true, nil
	}
	prog, err := templates.Compile(templates.CtxStage, r.stage.When, r.tpl)
	if err != nil {
		return false, temporal.NewNonRetryableApplicationError(err.Error(), "InvalidTemplate", err)
	}
	// The period is judged in the cycle's time zone: October in Shanghai
	// starts on 30 September in UTC.
	loc, err := time.LoadLocation(r.snap.Timezone)
	if err != nil {
		loc = time.UTC
	}
	start := r.snap.PeriodStart.In(loc)
	last := r.snap.PeriodEnd.Add(-time.Second).In(loc)
	env := templates.Env{Period: r.snap.Period, Month: int(last.Month()), Quarter: (int(start.Month())-1)/3 + 1, Members: r.snap.Members}
	return prog.Bool(env)
}

// scale shortens a template duration when the cycle runs compressed.
func (r *cycleRun) scale(d time.Duration) time.Duration {
	return templates.Compressed(d, r.snap.Compress)
}

// dueOf is when the stage's work is due, from its duration or its place in
// the period.
func (r *cycleRun) dueOf(opened time.Time) time.Time {
	return r.stage.DueOf(opened, r.snap.PeriodStart, r.snap.PeriodEnd, r.snap.Compress)
}

// timetable is the stage's deadline, reminders and escalation when it
// opens at opened.
func (r *cycleRun) timetable(opened time.Time) templates.Timetable {
	return r.stage.Timetable(opened, r.snap.PeriodStart, r.snap.PeriodEnd, r.snap.Compress)
}

func (r *cycleRun) runStage(ctx workflow.Context) error {
	switch r.stage.Type {
	case templates.StageGoal:
		var res activities.BreakdownResult
		if r.tpl.Breakdown != nil {
			if done, err := r.step(withBulk(ctx), a.BreakdownTargets, r.in.CycleID, &res); err != nil || !done {
				return err
			}
			if r.tpl.Breakdown.Confirm {
				return r.cycleTasks(ctx, "confirm_targets", orRole(r.stage.Assignee, "manager"))
			}
		}
		return nil
	case templates.StageExecute:
		return r.execute(ctx)
	case templates.StageEvaluate:
		if err := r.memberStage(ctx); err != nil || r.cancelled {
			return err
		}
		return r.score(ctx)
	case templates.StageCalibrate:
		if r.in.Grades == nil {
			if err := r.score(ctx); err != nil || r.halted {
				return err
			}
		}
		return r.calibrate(ctx)
	case templates.StageFeedback:
		if r.in.Grades == nil {
			if err := r.score(ctx); err != nil || r.halted {
				return err
			}
		}
		if r.in.Resume == nil { // a resumed run published already
			if done, err := r.step(withBulk(ctx), a.PublishResults, r.in.CycleID, nil); err != nil || !done {
				return err
			}
			if done, err := r.step(withBulk(ctx), a.ApplyOutcomes, r.in.CycleID, nil); err != nil || !done {
				return err
			}
		}
		if err := r.interviews(ctx); err != nil {
			return err
		}
		return r.memberStage(ctx)
	case templates.StagePlan:
		return r.memberStage(ctx)
	case templates.StageTask:
		if r.stage.Assignee == "employee" || r.stage.Assignee == "" {
			return r.memberStage(ctx)
		}
		return r.cycleTasks(ctx, "task", r.stage.Assignee)
	case templates.StageWait:
		return r.waitUntil(ctx, r.dueOf(workflow.Now(ctx)), func() bool { return false })
	case templates.StageNotify:
		msg := templates.Text{}
		if r.stage.Message != nil {
			msg = *r.stage.Message
		}
		_, err := r.step(withNotify(ctx), a.NotifyRole, activities.NotifyRequest{
			CycleID: r.in.CycleID, StageKey: r.stage.Key, Role: r.stage.Recipients, Zh: msg.Zh, En: msg.En,
		}, nil)
		return err
	}
	return fmt.Errorf("stage %s: unknown type %q", r.stage.Key, r.stage.Type)
}

func orRole(role, fallback string) string {
	if role == "" {
		return fallback
	}
	return role
}

// waitUntil blocks until cond holds, the cycle is cancelled, or when passes.
func (r *cycleRun) waitUntil(ctx workflow.Context, when time.Time, cond func() bool) error {
	tctx, stop := workflow.WithCancel(ctx)
	defer stop()
	fired := false
	at(tctx, when, func(workflow.Context) { fired = true })
	return workflow.Await(ctx, func() bool { return fired || r.cancelled || cond() })
}

// memberStage opens the stage in every member's workflow and waits for all
// of them to report, or for the stage's last moment.
func (r *cycleRun) memberStage(ctx workflow.Context) error {
	if res := r.in.Resume; res != nil && res.Open.StageKey == r.stage.Key {
		r.resume = res
		for _, m := range res.Done {
			r.done[m] = true
		}
		r.expired = res.Expired
	} else {
		opened := workflow.Now(ctx)
		sch := r.timetable(opened)
		open := engine.StageOpen{
			CycleID: r.in.CycleID, StageKey: r.stage.Key, StageType: r.stage.Type, Index: r.in.StageIndex,
			OpenedAt: opened, Due: sch.Due, Reminders: sch.Before, OverdueEvery: sch.OverdueEvery,
			OverdueMax: sch.OverdueMax, EscalateAfter: sch.EscalateAfter, EscalateTo: sch.EscalateTo, CloseAt: sch.CloseAt(),
		}
		var members int
		if done, err := r.step(withBulk(ctx), a.BroadcastStage, open, &members); err != nil || !done {
			return err
		}
		r.resume = &engine.StageResume{Open: open, Members: members}
	}
	open, members := r.resume.Open, r.resume.Members
	r.due = open.Due
	// Members close their own stage at CloseAt; the margin covers a member
	// workflow that cannot report (its worker gone), so the cycle moves on.
	hardStop := open.CloseAt.Add(r.scale(time.Hour))
	handOver := false
	err := r.waitUntil(ctx, hardStop, func() bool {
		handOver = len(r.done) < members && r.tooLong(ctx)
		return len(r.done) >= members || handOver
	})
	if err != nil {
		return err
	}
	if handOver && !r.cancelled {
		return errHandOver
	}
	if len(r.done) < members && !r.cancelled {
		var n int
		if err := workflow.ExecuteActivity(withQuick(ctx), a.ExpireTasks, activities.ExpireRequest{CycleID: r.in.CycleID, StageKey: r.stage.Key}).Get(ctx, &n); err != nil {
			return err
		}
		r.expired += n
	}
	return nil
}

// execute runs until the stage's deadline, checking pace on the monitor's
// interval.
func (r *cycleRun) execute(ctx workflow.Context) error {
	opened := workflow.Now(ctx)
	r.due = r.dueOf(opened)
	if rp := r.stage.Reports; rp != nil {
		workflow.Go(ctx, func(ctx workflow.Context) { r.reportRounds(ctx, opened, rp) })
	}
	if m := r.stage.Monitor; m != nil {
		every := r.scale(templates.DurationOf(m.Every))
		for next := opened.Add(every); every > 0 && next.Before(r.due) && !r.cancelled; next = next.Add(every) {
			if err := r.waitUntil(ctx, next, func() bool { return false }); err != nil {
				return err
			}
			if r.cancelled {
				return nil
			}
			if done, err := r.step(withBulk(ctx), a.MonitorPace, r.in.CycleID, nil); err != nil || !done {
				return err
			}
		}
	}
	return r.waitUntil(ctx, r.due, func() bool { return false })
}

// reportRounds opens the execute stage's progress reports: round k is due
// at the end of its interval (opened + k·every) and opens dueIn before, in
// every member's workflow as a stage of its own, which takes late reports
// until the next round opens. Rounds due after the stage are not opened,
// so a member's workflow is free when the next stage opens.
func (r *cycleRun) reportRounds(ctx workflow.Context, opened time.Time, rp *templates.Reports) {
	every := r.scale(templates.DurationOf(rp.Every))
	dueIn := r.scale(templates.DurationOf(orRole(rp.DueIn, templates.DefaultReportDue)))
	if every <= 0 || dueIn <= 0 {
		return
	}
	// The stage's own key, index and due, read once: a run that carries on
	// into the next stage (carryOn) changes r's, and this stage's rounds
	// end with it.
	key, index, stageDue := r.stage.Key, r.in.StageIndex, r.due
	for k := 1; ; k++ {
		due := opened.Add(time.Duration(k) * every)
		if due.After(stageDue) || r.cancelled || r.in.StageIndex != index {
			return
		}
		if err := r.waitUntil(ctx, due.Add(-dueIn), func() bool { return false }); err != nil || r.cancelled || r.in.StageIndex != index {
			return
		}
		closeAt := due.Add(every - dueIn)
		if closeAt.After(stageDue) {
			closeAt = stageDue
		}
		open := engine.StageOpen{
			CycleID: r.in.CycleID, StageKey: engine.ReportKey(key, k), StageType: engine.StageReport, Index: index,
			OpenedAt: workflow.Now(ctx), Due: due, Reminders: []time.Duration{dueIn / 2}, CloseAt: closeAt, Round: k,
		}
		if err := workflow.ExecuteActivity(withBulk(ctx), a.BroadcastStage, open).Get(ctx, nil); err != nil {
			workflow.GetLogger(ctx).Warn("report round not opened", "cycle", r.in.CycleID, "round", k, "error", err)
		}
	}
}

// score computes the results. Scoring that cannot compute from its data
// blocks the cycle until a resume (the data corrected) or a cancel; a
// cancel also stops scoring in flight, which retries without limit while
// the database is away. After a cancel, halted tells the stage to stop.
//
// A template that no longer validates (an expression over the cost bound,
// in a cycle launched before the bound) blocks too, so a cancel ends it.
//
// Histories from before blocking ran the activity under the run's own
// context, so a cancel waited for it; they keep doing so. Neither failure
// occurs in those histories (the workflow parsed the same template), so
// what follows one is new either way: a cycle stuck before this change
// blocks on its next attempt.
func (r *cycleRun) score(ctx workflow.Context) error {
	var s engine.Scored
	var err error
	blocks := workflow.GetVersion(ctx, "scoring-blocks", workflow.DefaultVersion, 1) == 1
	if blocks {
		s, err = r.scoreOnce(ctx)
	} else {
		err = workflow.ExecuteActivity(withBulk(ctx), a.ComputeScores, r.in.CycleID).Get(ctx, &s)
	}
	blocks = blocks || cannotScore(err) != nil
	for err != nil && !r.cancelled {
		app := cannotScore(err)
		if app == nil {
			return err
		}
		if err := r.block(ctx, app.Message()); err != nil {
			return err
		}
		if r.cancelled {
			break
		}
		s, err = r.scoreOnce(ctx)
	}
	if r.cancelled && blocks {
		r.halted = true
		return nil
	}
	if err != nil {
		return err
	}
	r.in.Grades = s.Grades
	if r.in.Grades == nil {
		r.in.Grades = map[string]string{}
	}
	return nil
}

// cannotScore gives the failure of scoring that no retry can fix (its data
// or its frozen template), or nil.
func cannotScore(err error) *temporal.ApplicationError {
	var app *temporal.ApplicationError
	if errors.As(err, &app) && (app.Type() == activities.ErrTypeScoringData || app.Type() == "InvalidTemplate") {
		return app
	}
	return nil
}

// cannotProceed gives the failure of a stage's activity that no retry can
// fix (a row gone, its data, its frozen template), or nil.
func cannotProceed(err error) *temporal.ApplicationError {
	if app := cannotScore(err); app != nil {
		return app
	}
	var app *temporal.ApplicationError
	if errors.As(err, &app) && (app.Type() == activities.ErrTypeNotFound || app.Type() == activities.ErrTypeCycleData) {
		return app
	}
	return nil
}

// step runs a stage's activity as interruptible does. A failure no retry
// can fix (a member gone mid-cycle, say) blocks the cycle with the reason
// until a resume runs the activity again or a cancel ends the cycle; it
// failed the workflow before, leaving the cycle shown running with nothing
// to say why. Runs that failed so before keep doing so on replay: the
// marker is taken only on such a failure.
func (r *cycleRun) step(ctx workflow.Context, activity, arg, out any) (done bool, err error) {
	for {
		done, err := r.interruptible(ctx, activity, arg, out)
		app := cannotProceed(err)
		if app == nil || workflow.GetVersion(ctx, "stage-failure-blocks", workflow.DefaultVersion, 1) == workflow.DefaultVersion {
			return done, err
		}
		if err := r.block(ctx, app.Message()); err != nil {
			return false, err
		}
		if r.cancelled {
			return false, nil
		}
	}
}

// scoreOnce runs ComputeScores so that a cancel does not wait for it.
func (r *cycleRun) scoreOnce(ctx workflow.Context) (engine.Scored, error) {
	var s engine.Scored
	_, err := r.interruptible(withBulk(ctx), a.ComputeScores, r.in.CycleID, &s)
	return s, err
}

// interruptible runs a stage's activity under a context a cancel cancels,
// without waiting for the attempt to notice (a heartbeating one does at its
// next heartbeat): an activity retrying without limit — the database away,
// or a failure no retry fixes — must not hold a cancel back. After a cancel
// it starts nothing. done is false, with no error, when the cancel came
// first.
func (r *cycleRun) interruptible(ctx workflow.Context, activity, arg, out any) (done bool, err error) {
	if r.cancelled && r.interrupts(ctx) {
		return false, nil
	}
	actx, stop := workflow.WithCancel(ctx)
	defer stop()
	f := workflow.ExecuteActivity(actx, activity, arg)
	if err := workflow.Await(ctx, func() bool { return f.IsReady() || r.cancelled }); err != nil {
		return false, err
	}
	if !f.IsReady() && r.interrupts(ctx) {
		return false, nil
	}
	return true, f.Get(ctx, out)
}

// interrupts says a cancel interrupts this run's activities. Runs that got
// a cancel mid-stage before this change waited for (and went on to start)
// their activities; the version marker, taken only once a cancel is in,
// keeps their histories replaying.
func (r *cycleRun) interrupts(ctx workflow.Context) bool {
	return workflow.GetVersion(ctx, "cancel-interrupts-activities", workflow.DefaultVersion, 1) == 1
}

// block shows the cycle blocked with the reason, tells the people who can
// correct the data, and waits for a resume or a cancel.
func (r *cycleRun) block(ctx workflow.Context, reason string) error {
	seen := r.resumes // a resume sent before this block is not for it
	r.blocks++
	r.blocked = reason
	defer func() { r.blocked = "" }()
	workflow.GetLogger(ctx).Warn("cycle blocked", "cycle", r.in.CycleID, "stage", r.stage.Key, "reason", reason)
	req := activities.BlockRequest{CycleID: r.in.CycleID, StageKey: r.stage.Key, Reason: reason, Round: r.blocks}
	if err := workflow.ExecuteActivity(withQuick(ctx), a.BlockCycle, req).Get(ctx, nil); err != nil {
		return err
	}
	if err := workflow.Await(ctx, func() bool { return r.cancelled || r.resumes > seen }); err != nil {
		return err
	}
	if r.cancelled {
		return nil
	}
	if err := r.setState(ctx, "running", r.stage.Key); !r.cancelRecorded(err) {
		return err
	}
	return nil
}

// cycleTasks opens tasks for the holders of role and waits for them.
func (r *cycleRun) cycleTasks(ctx workflow.Context, kind, role string) error {
	opened := workflow.Now(ctx)
	sch := r.timetable(opened)
	r.due = sch.Due
	refs, err := r.openCycleTasks(ctx, kind, role, sch)
	if err != nil {
		return err
	}
	for i := range refs {
		if refs[i].State == engine.TaskOpen {
			r.tasks[refs[i].TaskID] = &refs[i]
		}
	}
	tctx, stop := workflow.WithCancel(ctx)
	defer stop()
	startTimetable(tctx, sch, r.remind(""), r.escalate(""))
	if err := r.waitUntil(ctx, sch.CloseAt(), func() bool { return len(r.tasks) == 0 }); err != nil {
		return err
	}
	return r.expireCycleTasks(ctx)
}

func (r *cycleRun) openCycleTasks(ctx workflow.Context, kind, role string, sch templates.Timetable) ([]engine.TaskRef, error) {
	var refs []engine.TaskRef
	req := activities.CycleTaskRequest{CycleID: r.in.CycleID, StageKey: r.stage.Key, Kind: kind, Role: role, Due: sch.Due}
	r.loading = true
	_, err := r.step(withQuick(ctx), a.EnsureCycleTasks, req, &refs)
	r.loading = false
	return refs, err
}

func (r *cycleRun) expireCycleTasks(ctx workflow.Context) error {
	if len(r.tasks) == 0 || r.cancelled {
		return nil
	}
	r.tasks = map[string]*engine.TaskRef{}
	return workflow.ExecuteActivity(withQuick(ctx), a.ExpireTasks, activities.ExpireRequest{CycleID: r.in.CycleID, StageKey: r.stage.Key}).Get(ctx, nil)
}

func (r *cycleRun) remind(subject string) func(workflow.Context, int, bool) {
	return func(ctx workflow.Context, i int, overdue bool) {
		req := activities.ReminderRequest{CycleID: r.in.CycleID, SubjectID: subject, StageKey: r.stage.Key, Index: i, Overdue: overdue}
		if err := workflow.ExecuteActivity(withNotify(ctx), a.Remind, req).Get(ctx, nil); err != nil {
			workflow.GetLogger(ctx).Warn("reminder not sent", "cycle", r.in.CycleID, "stage", r.stage.Key, "error", err)
		}
	}
}

func (r *cycleRun) escalate(subject string) func(workflow.Context) {
	if r.stage.Escalation == nil {
		return nil
	}
	return func(ctx workflow.Context) {
		req := activities.EscalationRequest{CycleID: r.in.CycleID, SubjectID: subject, StageKey: r.stage.Key, To: r.stage.Escalation.To}
		if err := workflow.ExecuteActivity(withNotify(ctx), a.Escalate, req).Get(ctx, nil); err != nil {
			workflow.GetLogger(ctx).Warn("escalation not sent", "cycle", r.in.CycleID, "stage", r.stage.Key, "error", err)
		}
	}
}

// interviews books each member's feedback interview with their manager
// when the stage asks for them. Histories recorded before interviews
// existed replay without the activity. A resumed run books too: the
// activity finds what is booked already.
func (r *cycleRun) interviews(ctx workflow.Context) error {
	iv := r.stage.Interview
	if iv == nil || workflow.GetVersion(ctx, "feedback-interviews", workflow.DefaultVersion, 1) == workflow.DefaultVersion {
		return nil
	}
	opened := workflow.Now(ctx)
	req := activities.InterviewRequest{CycleID: r.in.CycleID, StageKey: r.stage.Key, From: opened, Until: opened.Add(r.scale(templates.DurationOf(iv.Within)))}
	_, err := r.step(withBulk(ctx), a.ScheduleFeedbackInterviews, req, nil)
	return err
}

// calibrate schedules the meeting, opens the facilitator's task and waits
// for a submission that keeps the forced distribution. Without one by the
// deadline it escalates, then extends once or accepts the proposed grades,
// as the template says.
func (r *cycleRun) calibrate(ctx workflow.Context) error {
	opened := workflow.Now(ctx)
	sch := r.timetable(opened)
	until := sch.Due
	if m := r.stage.Meeting; m != nil {
		until = opened.Add(r.scale(templates.DurationOf(m.Within)))
	}
	meet := activities.MeetingRequest{CycleID: r.in.CycleID, StageKey: r.stage.Key, From: opened, Until: until}
	if done, err := r.step(withQuick(ctx), a.ScheduleCalibrationMeeting, meet, nil); err != nil || !done {
		return err
	}
	facilitator := "hrbp"
	if m := r.stage.Meeting; m != nil && m.Facilitator != "" {
		facilitator = m.Facilitator
	}
	err := r.cycleTasksUntil(ctx, "calibration", facilitator, sch)
	if err != nil || r.cancelled || r.in.Calibrated {
		return err
	}
	if r.stage.OnTimeout == "extend" && r.stage.ExtendBy != "" {
		ext := sch
		ext.Due = workflow.Now(ctx).Add(r.scale(templates.DurationOf(r.stage.ExtendBy)))
		ext.Before, ext.OverdueMax, ext.EscalateAfter = nil, 0, 0
		if err := r.reopen(ctx, ext); err != nil || r.cancelled || r.in.Calibrated {
			return err
		}
	}
	if err := r.expireCycleTasks(ctx); err != nil {
		return err
	}
	_, err = r.step(withQuick(ctx), a.AcceptProposedGrades, r.in.CycleID, nil)
	return err
}

// cycleTasksUntil is cycleTasks without expiring at the end, so calibrate
// can extend the same task.
func (r *cycleRun) cycleTasksUntil(ctx workflow.Context, kind, role string, sch templates.Timetable) error {
	r.due = sch.Due
	refs, err := r.openCycleTasks(ctx, kind, role, sch)
	if err != nil {
		return err
	}
	for i := range refs {
		if refs[i].State == engine.TaskOpen {
			r.tasks[refs[i].TaskID] = &refs[i]
		}
	}
	return r.reopen(ctx, sch)
}

func (r *cycleRun) reopen(ctx workflow.Context, sch templates.Timetable) error {
	r.due = sch.Due
	tctx, stop := workflow.WithCancel(ctx)
	defer stop()
	startTimetable(tctx, sch, r.remind(""), r.escalate(""))
	return r.waitUntil(ctx, sch.CloseAt(), func() bool { return r.in.Calibrated || len(r.tasks) == 0 })
}

// validateSubmit rejects a cycle-level submission before it enters history.
func (r *cycleRun) validateSubmit(ctx workflow.Context, s engine.Submission) error {
	if _, ok := r.tasks[s.TaskID]; !ok && r.loading {
		return nil // the handler waits for the tasks to open, then checks again
	}
	return r.checkSubmit(s)
}

func (r *cycleRun) checkSubmit(s engine.Submission) error {
	t, ok := r.tasks[s.TaskID]
	if !ok || r.busy[s.TaskID] {
		return temporal.NewApplicationError("this task is not open in the cycle's current stage", "TaskClosed")
	}
	if t.AssigneeID != s.By {
		return temporal.NewApplicationError("this task is assigned to someone else", "NotAssignee")
	}
	if t.Kind == engine.TaskCalibration {
		var cs engine.CalibrationSubmission
		if err := json.Unmarshal(s.Data, &cs); err != nil {
			return temporal.NewApplicationError("the calibration form is not valid JSON: "+err.Error(), "BadSubmission")
		}
		return r.checkCalibration(cs)
	}
	return nil
}

// checkCalibration applies the changes to the proposed grades in memory and
// checks the forced distribution, naming what is over or under.
func (r *cycleRun) checkCalibration(cs engine.CalibrationSubmission) error {
	grades := make(map[string]string, len(r.in.Grades))
	for m, g := range r.in.Grades {
		grades[m] = g
	}
	known := map[string]bool{}
	for _, g := range r.tpl.Grades {
		known[g.Key] = true
	}
	for i, ch := range cs.Changes {
		cur, ok := grades[ch.MemberID]
		switch {
		case !ok:
			return temporal.NewApplicationError(fmt.Sprintf("/changes/%d/memberId: %s is not in this cycle", i, ch.MemberID), "BadSubmission")
		case !known[ch.To]:
			return temporal.NewApplicationError(fmt.Sprintf("/changes/%d/to: unknown grade %q", i, ch.To), "BadSubmission")
		case ch.Reason == "":
			return temporal.NewApplicationError(fmt.Sprintf("/changes/%d/reason: every change needs a reason", i), "BadSubmission")
		case ch.From != "" && ch.From != cur:
			return temporal.NewApplicationError(fmt.Sprintf("/changes/%d/from: the member's grade is %s now, not %s; reload the board", i, cur, ch.From), "StaleGrade")
		}
		grades[ch.MemberID] = ch.To
	}
	if msg := distributionProblems(grades, r.tpl); msg != "" {
		return temporal.NewApplicationError(msg, "DistributionBroken")
	}
	return nil
}

func (r *cycleRun) submit(ctx workflow.Context, s engine.Submission) (engine.SubmitResult, error) {
	var res engine.SubmitResult
	if err := workflow.Await(ctx, func() bool { return !r.loading }); err != nil {
		return res, err
	}
	if err := r.checkSubmit(s); err != nil {
		return res, err
	}
	r.busy[s.TaskID] = true
	defer delete(r.busy, s.TaskID)
	t := r.tasks[s.TaskID]
	if t != nil && t.Kind == engine.TaskCalibration {
		var cs engine.CalibrationSubmission
		_ = json.Unmarshal(s.Data, &cs) // the validator has decoded it already
		cs.TaskID, cs.By = s.TaskID, s.By
		if cs.SubmissionID == "" {
			cs.SubmissionID = s.TaskID
		}
		req := activities.CalibrationRequest{CycleID: r.in.CycleID, Submission: cs}
		if err := workflow.ExecuteActivity(withQuick(ctx), a.ApplyCalibration, req).Get(ctx, nil); err != nil {
			return res, err
		}
		for _, ch := range cs.Changes {
			r.in.Grades[ch.MemberID] = ch.To
		}
		r.in.Calibrated = true
	}
	res, err := recordSubmission(ctx, s)
	if err != nil {
		return res, err
	}
	delete(r.tasks, s.TaskID)
	return res, nil
}

func (r *cycleRun) cancel(ctx workflow.Context) (*engine.CycleResult, error) {
	// Cancelling must finish even though the run's context is live: use a
	// disconnected one so the clean-up is not itself cancelled.
	dctx, _ := workflow.NewDisconnectedContext(ctx)
	req := activities.StateChange{CycleID: r.in.CycleID, State: "cancelled", Stage: r.stage.Key, Reason: r.reason}
	if err := workflow.ExecuteActivity(withQuick(dctx), a.CancelCycle, req).Get(dctx, nil); err != nil {
		return nil, err
	}
	if err := workflow.ExecuteActivity(withBulk(dctx), a.BroadcastFinish, r.in.CycleID).Get(dctx, nil); err != nil {
		return nil, err
	}
	return &engine.CycleResult{CycleID: r.in.CycleID, State: "cancelled", Skipped: r.in.Skipped}, nil
}

func (r *cycleRun) finish(ctx workflow.Context) (*engine.CycleResult, error) {
	if err := workflow.ExecuteActivity(withBulk(ctx), a.BroadcastFinish, r.in.CycleID).Get(ctx, nil); err != nil {
		return nil, err
	}
	if err := r.setState(ctx, "completed", ""); r.cancelRecorded(err) {
		return r.cancel(ctx)
	} else if err != nil {
		return nil, err
	}
	return &engine.CycleResult{CycleID: r.in.CycleID, State: "completed", Skipped: r.in.Skipped}, nil
}
