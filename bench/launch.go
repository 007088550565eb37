package bench

import (
	"context"
	"fmt"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"

	"github.com/perfloop/perfloop/cycles"
	"github.com/perfloop/perfloop/engine"
	"github.com/perfloop/perfloop/store"
	"github.com/perfloop/perfloop/worker"
)

// LaunchTemplate is the built-in template every launch uses.
const LaunchTemplate = "cs-ops-monthly"

// LaunchCompress makes a day of the template last ten minutes: the execute
// stage of a finished period ends at once, and the evaluate stage (three
// days) stays open for half an hour, longer than any measurement.
const LaunchCompress = 24 * 60 / 10

// pollEvery is how often a measurement looks for its end, on both sides.
const pollEvery = 20 * time.Millisecond

// LaunchPeriod is last month in the template's time zone: its execute stage
// is over, so a launch goes straight to evaluation.
func LaunchPeriod(now time.Time) string {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		loc = time.UTC
	}
	y, m, _ := now.In(loc).Date()
	return time.Date(y, m-1, 1, 0, 0, 0, 0, loc).Format("2006-01")
}

// Launched is a cycle whose members all have their self-evaluation task.
type Launched struct {
	Cycle *store.Cycle
	Squad *Squad
	// Call is how long Service.Launch took; First and All are when the first
	// and the last member's self-evaluation task existed, from the call.
	Call, First, All time.Duration
	Phases           Phases
}

// Launch launches a cycle for the squad and waits until every employee has
// a self-evaluation task in the database.
func (e *Engine) Launch(ctx context.Context, sq *Squad) (*Launched, error) {
	n := len(sq.Employees)
	began := time.Now()
	c, _, err := e.Service.Launch(ctx, cycles.LaunchRequest{
		OrgID: e.Org.ID, TemplateKey: LaunchTemplate, TeamID: sq.Team.ID, Period: LaunchPeriod(time.Now()),
		By: sq.Manager.ID, Compress: LaunchCompress, Title: "bench " + sq.Team.Key,
	})
	if err != nil {
		return nil, fmt.Errorf("launch a cycle for %d members: %w", n, err)
	}
	l := &Launched{Cycle: c, Squad: sq, Call: time.Since(began)}
	count := func(ctx context.Context) (int, error) {
		var got int64
		err := e.Store.DB.WithContext(ctx).Model(&store.Task{}).Where("cycle_id = ? AND kind = ?", c.ID, engine.TaskSelfEval).Count(&got).Error
		return int(got), err
	}
	l.First, l.All, err = waitFor(ctx, began, n, pollEvery, within(n), count)
	if err != nil {
		return l, fmt.Errorf("cycle %s: self-evaluation tasks: %w", c.ID, err)
	}
	l.Phases, err = e.phases(ctx, l, began)
	return l, err
}

// within bounds a measurement of n workflows generously: a miss means
// something is stuck, not slow.
func within(n int) time.Duration { return 2*time.Minute + time.Duration(n)*100*time.Millisecond }

// Cancel cancels a launched cycle and waits until its workflow and every
// member's have ended.
func (e *Engine) Cancel(ctx context.Context, l *Launched) error {
	if _, err := e.Service.Cancel(ctx, e.Org.ID, l.Cycle.ID, l.Squad.Manager.ID, "bench measurement over"); err != nil {
		return fmt.Errorf("cancel cycle %s: %w", l.Cycle.ID, err)
	}
	if err := e.Client.GetWorkflow(ctx, l.Cycle.WorkflowID, "").Get(ctx, nil); err != nil {
		return fmt.Errorf("cycle %s did not end cleanly: %w", l.Cycle.ID, err)
	}
	// Closing is slower than opening: every member expires its open tasks.
	return e.drainMembers(ctx, 2*within(len(l.Squad.Employees)))
}

// runLaunch measures one launch of n members against n trivial workflows
// signal-with-started by one activity, and n child workflows of one parent.
func (e *Engine) runLaunch(ctx context.Context, n int) (Result, error) {
	res := Result{Scenario: "launch", Members: n}
	began := time.Now()
	sq, err := e.SeedTeam(ctx, n)
	if err != nil {
		return res, err
	}
	seeded := time.Since(began)
	e.logf("launch %d: team seeded in %s; launching", n, seeded.Round(time.Millisecond))
	e.quiet(ctx, fmt.Sprintf("launch %d: ours", n))
	l, err := e.Launch(ctx, sq)
	if err != nil {
		return res, err
	}
	e.logf("launch %d: all self-evaluation tasks after %s (broadcast scheduled at %s, started %s, done %s); cancelling", n, l.All.Round(time.Millisecond),
		l.Phases.BroadcastScheduled.Round(time.Millisecond), l.Phases.BroadcastStarted.Round(time.Millisecond), l.Phases.BroadcastDone.Round(time.Millisecond))
	began = time.Now()
	if err := e.Cancel(ctx, l); err != nil {
		return res, err
	}
	drained := time.Since(began)
	e.logf("launch %d: cycle cancelled and drained in %s; raw signal-with-start", n, drained.Round(time.Millisecond))
	e.quiet(ctx, fmt.Sprintf("launch %d: raw", n))
	sws, err := e.rawSignalWithStart(ctx, n)
	if err != nil {
		return res, err
	}
	e.logf("launch %d: raw signal-with-start %s; raw child workflows", n, sws.Round(time.Millisecond))
	e.quiet(ctx, fmt.Sprintf("launch %d: raw children", n))
	child, err := e.rawChildren(ctx, n)
	if err != nil {
		return res, err
	}
	e.logf("launch %d: raw child workflows %s", n, child.Round(time.Millisecond))

	res.Ours.ms("allTasksMs", l.All)
	res.Ours.ms("firstTaskMs", l.First)
	res.Ours.ms("launchCallMs", l.Call)
	res.Ours.add("membersPerSec", float64(n)/l.All.Seconds())
	res.Ours.ms("broadcastScheduledMs", l.Phases.BroadcastScheduled)
	res.Ours.ms("broadcastStartedMs", l.Phases.BroadcastStarted)
	res.Ours.ms("broadcastDoneMs", l.Phases.BroadcastDone)
	res.Ours.ms("seedMs", seeded)
	res.Ours.ms("cancelDrainMs", drained)
	res.Raw.ms("signalWithStartMs", sws)
	res.Raw.ms("childWorkflowsMs", child)
	res.Raw.add("signalWithStartPerSec", float64(n)/sws.Seconds())
	res.Ratio = ratio(res.Ours.Get("allTasksMs"), res.Raw.Get("signalWithStartMs"))
	res.Ratios = map[string]float64{
		"vsSignalWithStart": res.Ratio,
		"vsChildWorkflows":  ratio(res.Ours.Get("allTasksMs"), res.Raw.Get("childWorkflowsMs")),
	}
	res.Notes = fmt.Sprintf("ours: Launch call → %d self_eval rows (signal-with-start per member + an activity writing its tasks); raw: %d trivial workflows running; ratio vs child workflows %.2f",
		n, n, res.Ratios["vsChildWorkflows"])
	return res, nil
}

// rawSignalWithStart times one workflow whose activity signal-with-starts n
// trivial workflows, until all of them have run.
func (e *Engine) rawSignalWithStart(ctx context.Context, n int) (time.Duration, error) {
	run := fmt.Sprintf("raw-sws-%s-%d", e.run, e.nextRaw())
	defer e.forget(run)
	began := time.Now()
	if _, err := e.Client.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: run, TaskQueue: e.RawQueue}, SignalFanoutWorkflow, FanoutInput{Run: run, N: n}); err != nil {
		return 0, fmt.Errorf("start raw signal-with-start parent: %w", err)
	}
	_, all, err := waitFor(ctx, began, n, pollEvery, within(n), e.arrived(run))
	if err != nil {
		return all, fmt.Errorf("raw signal-with-start of %d: %w", n, err)
	}
	e.finishRaw(ctx, run, n)
	if err := e.drainRaw(ctx, within(n)); err != nil {
		e.logf("drain %s: %v", run, err)
	}
	return all, nil
}

// rawChildren times one workflow starting n children in batches of 100,
// until all of them have run.
func (e *Engine) rawChildren(ctx context.Context, n int) (time.Duration, error) {
	run := fmt.Sprintf("raw-child-%s-%d", e.run, e.nextRaw())
	defer e.forget(run)
	began := time.Now()
	if _, err := e.Client.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: run, TaskQueue: e.RawQueue, WorkflowRunTimeout: rawLifetime}, ChildFanoutWorkflow, FanoutInput{Run: run, N: n}); err != nil {
		return 0, fmt.Errorf("start raw child-workflow parent: %w", err)
	}
	_, all, err := waitFor(ctx, began, n, pollEvery, within(n), e.arrived(run))
	// Terminating the parent terminates its children (the default parent
	// close policy), measured or not.
	if terr := e.Client.TerminateWorkflow(context.WithoutCancel(ctx), run, "", "bench measurement over"); terr != nil {
		e.logf("terminate %s: %v", run, terr)
	}
	if err != nil {
		return all, fmt.Errorf("raw child workflows of %d: %w", n, err)
	}
	if err := e.drainRaw(ctx, within(n)); err != nil {
		e.logf("drain %s: %v", run, err)
	}
	return all, nil
}

func (e *Engine) nextRaw() int {
	e.raws++
	return e.raws
}

// finishRaw ends trivial workflows run-0 … run-(n-1), as ours are
// cancelled and drained after each measurement: left open, a round's raw
// workflows sat in the server and in the process's shared workflow cache
// through every later round, which then ran ours (measured first in each
// round) against a fuller server than the raw side it was compared with.
func (e *Engine) finishRaw(ctx context.Context, run string, n int) {
	err := fanout(ctx, n, rawFanoutWidth, func(ctx context.Context, i int) error {
		return e.Client.SignalWorkflow(ctx, fmt.Sprintf("%s-%d", run, i), "", rawSignalFinish, nil)
	})
	if err != nil {
		e.logf("finish %s: %v (they end by themselves after %s)", run, err, rawLifetime)
	}
}

// Phases splits a launch by the evaluate run's history: when BroadcastStage
// was scheduled (the cycle's first run, execute and the hand-over are
// behind it), started and completed (every member signal-with-started).
type Phases struct {
	BroadcastScheduled, BroadcastStarted, BroadcastDone time.Duration
}

func (e *Engine) phases(ctx context.Context, l *Launched, began time.Time) (Phases, error) {
	h, err := worker.FetchHistory(ctx, e.Client, l.Cycle.WorkflowID, "")
	if err != nil {
		return Phases{}, fmt.Errorf("read cycle %s history: %w", l.Cycle.ID, err)
	}
	var p Phases
	var scheduled int64
	for _, ev := range h.GetEvents() {
		at := ev.GetEventTime().AsTime().Sub(began)
		switch ev.GetEventType() {
		case enumspb.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
			if ev.GetActivityTaskScheduledEventAttributes().GetActivityType().GetName() == "BroadcastStage" {
				scheduled, p.BroadcastScheduled = ev.GetEventId(), at
			}
		case enumspb.EVENT_TYPE_ACTIVITY_TASK_STARTED:
			if scheduled != 0 && ev.GetActivityTaskStartedEventAttributes().GetScheduledEventId() == scheduled {
				p.BroadcastStarted = at
			}
		case enumspb.EVENT_TYPE_ACTIVITY_TASK_COMPLETED:
			if scheduled != 0 && ev.GetActivityTaskCompletedEventAttributes().GetScheduledEventId() == scheduled {
				p.BroadcastDone = at
			}
		}
	}
	return p, nil
}
