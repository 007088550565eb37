package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	enumspb "go.temporal.io/api/enums/v1"

	"github.com/perfloop/perfloop/engine"
	"github.com/perfloop/perfloop/store"
	"github.com/perfloop/perfloop/worker"
)

// ScenarioCycle runs one whole cycle; it is run only when named, since at
// 5,000 members it takes far longer than the others.
const ScenarioCycle = "cycle"

// historyLimit is the history length a run must stay under (issue 18):
// Temporal's default warning threshold (its hard limit is 51,200 events).
const historyLimit = 10_240

// ratingKinds are the tasks the evaluate stage waits for.
var ratingKinds = []engine.TaskKind{engine.TaskSelfEval, engine.TaskManagerEval, engine.TaskPeerEval, engine.TaskCrossEval}

// runCycle measures a cycle of n members end to end: launch until every
// self-evaluation task exists, every rating submitted (self, manager and
// any other rater) until the scores are in, the calibration submitted, and
// the results published. It reports each stage's time, the longest
// history of the cycle's runs and of a sample of members, and the peak
// resident set of this process (the embedded server and the worker share
// it). There is no raw side: the figures stand alone.
func (e *Engine) runCycle(ctx context.Context, n int) (Result, error) {
	res := Result{Scenario: ScenarioCycle, Members: n}
	width := min(n, MaxSubmitters)
	sq, err := e.SeedTeam(ctx, n)
	if err != nil {
		return res, err
	}
	hrbp := &store.Member{OrgID: e.Org.ID, Name: "HRBP " + sq.Team.Key, Email: sq.Team.Key + ".hrbp@bench.perfloop.dev", Role: store.RoleHRBP,
		Position: "HRBP", Level: "senior", Timezone: e.Org.Timezone, Locale: e.Org.Locale, Active: true}
	if err := e.Store.CreateMember(ctx, hrbp); err != nil {
		return res, fmt.Errorf("seed the HRBP: %w", err)
	}
	period := LaunchPeriod(time.Now())
	if err := e.seedCycleMetrics(ctx, sq, period); err != nil {
		return res, err
	}
	began := time.Now()
	l, err := e.Launch(ctx, sq)
	if err != nil {
		return res, err
	}
	e.logf("cycle %d: every self-evaluation task after %s; rating", n, l.All.Round(time.Millisecond))
	cycleID := l.Cycle.ID

	// Evaluate: every rating task of the stage, by its assignee. The
	// manager's tasks open with each member's, so wait for both kinds.
	if _, _, err := waitFor(ctx, began, 2*n, pollEvery, within(n), e.countTasks(cycleID, "", engine.TaskSelfEval, engine.TaskManagerEval)); err != nil {
		return res, fmt.Errorf("cycle %s: rating tasks: %w", cycleID, err)
	}
	rated, err := e.submitOpen(ctx, cycleID, width, 0, ratingKinds...)
	if err != nil {
		return res, err
	}
	evaluated := time.Since(began)
	e.logf("cycle %d: %d ratings submitted after %s; scoring", n, rated, evaluated.Round(time.Millisecond))
	if _, _, err := waitFor(ctx, began, n, pollEvery, within(n), e.countResults(cycleID, "")); err != nil {
		return res, fmt.Errorf("cycle %s: scores: %w", cycleID, err)
	}
	scored := time.Since(began)
	if _, _, err := waitFor(ctx, began, 1, pollEvery, within(n), e.countTasks(cycleID, engine.TaskOpen, engine.TaskCalibration)); err != nil {
		return res, fmt.Errorf("cycle %s: calibration task: %w", cycleID, err)
	}
	// Every holder of the calibrating role gets the task and the first
	// submission closes the stage: once the organisation holds a squad
	// from an earlier round, a second holder's task is refused after it.
	if _, err := e.submitOpen(ctx, cycleID, 1, 1, engine.TaskCalibration); err != nil {
		return res, err
	}
	calibrated := time.Since(began)
	e.logf("cycle %d: scored after %s, calibrated after %s; publishing", n, scored.Round(time.Millisecond), calibrated.Round(time.Millisecond))
	if _, _, err := waitFor(ctx, began, n, pollEvery, within(n), e.countResults(cycleID, store.ResultPublished)); err != nil {
		return res, fmt.Errorf("cycle %s: published results: %w", cycleID, err)
	}
	published := time.Since(began)
	longestCycle, longestMember, reports, err := e.longestHistories(ctx, l)
	if err != nil {
		return res, err
	}
	peak := peakResidentBytes()
	e.logf("cycle %d: results published after %s; longest history: cycle run %d events, member %d; cancelling the acknowledgements", n, published.Round(time.Millisecond), longestCycle, longestMember)
	if err := e.Cancel(ctx, l); err != nil {
		return res, err
	}

	res.Ours.ms("publishedMs", published)
	res.Ours.ms("launchMs", l.All)
	res.Ours.ms("evaluateMs", evaluated-l.All)
	res.Ours.ms("scoreMs", scored-evaluated)
	res.Ours.ms("calibrateMs", calibrated-scored)
	res.Ours.ms("publishMs", published-calibrated)
	res.Ours.add("ratings", float64(rated))
	res.Ours.add("longestCycleHistory", float64(longestCycle))
	res.Ours.add("longestMemberHistory", float64(longestMember))
	shape := "one process (server, worker, bench)"
	if e.procs == nil {
		res.Ours.add("peakRssMB", float64(peak)/(1<<20))
	} else {
		// Each process's peak follows, from addPeaks; this one's alone says little.
		shape = fmt.Sprintf("split: server, %d worker process(es) and the bench as api", len(e.procs.workers))
	}
	res.Ours.add("stageReportSignals", float64(reports))
	res.Notes = fmt.Sprintf("launch → %d ratings (self, manager, others) → scored → calibrated → published, %s; longest history %d events (limit %d); the cycle heard its %d members' stage reports in %d signals",
		rated, shape, max(longestCycle, longestMember), historyLimit, n, reports)
	if max(longestCycle, longestMember) >= historyLimit {
		res.Notes += "; a history is over the limit (failed)"
	}
	return res, nil
}

// seedCycleMetrics records the launch template's measured values for every
// employee, spread so that ranks and grades differ.
func (e *Engine) seedCycleMetrics(ctx context.Context, sq *Squad, period string) error {
	rows := make([]store.MetricValue, 0, 6*len(sq.Employees))
	for i, m := range sq.Employees {
		f := float64(i % 20)
		add := func(ind, src string, v float64) {
			rows = append(rows, store.MetricValue{MemberID: m.ID, IndicatorKey: ind, Period: period, Value: v, Source: src})
		}
		add("satisfaction", "survey", 97-f)
		add("responseTime", "tickets", 2.5+0.2*f)
		add("retention", "crm", 52-f)
		add("oneOnOneRating", "service", 96-f/2)
		add("complaintRate", "tickets", 1+f/4)
		add("serviceAttitude", "customer", 95-2*f)
	}
	batch := &store.MetricBatch{OrgID: e.Org.ID, Checksum: randomHex(32), FileName: "bench " + sq.Team.Key, CreatedBy: sq.Manager.ID}
	if _, err := e.Store.UpsertMetricValues(ctx, batch, rows); err != nil {
		return fmt.Errorf("seed metrics of %s: %w", sq.Team.Key, err)
	}
	return nil
}

func (e *Engine) countTasks(cycleID string, state engine.TaskState, kinds ...engine.TaskKind) func(context.Context) (int, error) {
	return func(ctx context.Context) (int, error) {
		q := e.Store.DB.WithContext(ctx).Model(&store.Task{}).Where("cycle_id = ? AND kind IN ?", cycleID, kinds)
		if state != "" {
			q = q.Where("state = ?", state)
		}
		var got int64
		err := q.Count(&got).Error
		return int(got), err
	}
}

func (e *Engine) countResults(cycleID, state string) func(context.Context) (int, error) {
	return func(ctx context.Context) (int, error) {
		q := e.Store.DB.WithContext(ctx).Model(&store.Result{}).Where("cycle_id = ?", cycleID)
		if state != "" {
			q = q.Where("state = ?", state)
		}
		var got int64
		err := q.Count(&got).Error
		return int(got), err
	}
}

// submitOpen submits the open tasks of the given kinds in the cycle (the
// first limit of them by id; 0: every one) through Service.Submit, as
// their assignees, from width goroutines: ratings rate every indicator
// the task names, a calibration changes nothing.
func (e *Engine) submitOpen(ctx context.Context, cycleID string, width, limit int, kinds ...engine.TaskKind) (int, error) {
	var tasks []store.Task
	if err := e.Store.DB.WithContext(ctx).Where("cycle_id = ? AND state = ? AND kind IN ?", cycleID, engine.TaskOpen, kinds).Order("id").Find(&tasks).Error; err != nil {
		return 0, fmt.Errorf("list open tasks: %w", err)
	}
	if limit > 0 && len(tasks) > limit {
		tasks = tasks[:limit]
	}
	var mu sync.Mutex
	people := map[string]*store.Member{}
	who := func(ctx context.Context, id string) (*store.Member, error) {
		mu.Lock()
		defer mu.Unlock()
		if m, ok := people[id]; ok {
			return m, nil
		}
		m, err := e.Store.GetMember(ctx, e.Org.ID, id)
		if err != nil {
			return nil, err
		}
		people[id] = m
		return m, nil
	}
	b := e.burst(ctx, len(tasks), width, func(ctx context.Context, i int) error {
		t := tasks[i]
		m, err := who(ctx, t.AssigneeID)
		if err != nil {
			return fmt.Errorf("assignee of task %s: %w", t.ID, err)
		}
		form, err := formFor(t, i)
		if err != nil {
			return err
		}
		_, err = e.Service.Submit(ctx, m, t.ID, form)
		return err
	})
	if b.Failed > 0 {
		return len(b.Latencies), fmt.Errorf("%d of %d submissions failed, the first with: %w", b.Failed, len(tasks), b.FirstErr)
	}
	return len(b.Latencies), nil
}

// formFor is a valid form for task t: a rating of every indicator it names
// within its scale (varied by i), or a calibration with no changes.
func formFor(t store.Task, i int) (json.RawMessage, error) {
	if t.Kind == engine.TaskCalibration {
		return json.RawMessage(`{"changes":[]}`), nil
	}
	p := engine.ParsePayload(t.Payload)
	lo, hi := 0.0, 100.0
	if p.Scale != nil {
		lo, hi = p.Scale.Min, p.Scale.Max
	}
	scores := make(map[string]float64, len(p.Indicators))
	for _, k := range p.Indicators {
		scores[k] = lo + (hi-lo)*float64(2+i%3)/4
	}
	return json.Marshal(map[string]any{"scores": scores})
}

// longestHistories is the length of the longest run of the cycle's
// workflow (every run, following the continue-as-new chain back) and of
// the longest of up to 20 member workflows, and how many stage-report
// signals the cycle's runs received (members' reports share signals).
func (e *Engine) longestHistories(ctx context.Context, l *Launched) (cycleRun, member, reports int, err error) {
	runID := ""
	for range 100 {
		h, err := worker.FetchHistory(ctx, e.Client, l.Cycle.WorkflowID, runID)
		if err != nil {
			return 0, 0, 0, fmt.Errorf("read cycle %s history: %w", l.Cycle.ID, err)
		}
		cycleRun = max(cycleRun, len(h.GetEvents()))
		evs := h.GetEvents()
		for _, ev := range evs {
			if ev.GetEventType() == enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED {
				switch ev.GetWorkflowExecutionSignaledEventAttributes().GetSignalName() {
				case engine.SignalStageDone.String(), engine.SignalStagesDone.String():
					reports++
				}
			}
		}
		if len(evs) == 0 || evs[0].GetEventType() != enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED {
			break
		}
		runID = evs[0].GetWorkflowExecutionStartedEventAttributes().GetContinuedExecutionRunId()
		if runID == "" {
			break
		}
	}
	for _, m := range l.Squad.Employees[:min(20, len(l.Squad.Employees))] {
		h, err := worker.FetchHistory(ctx, e.Client, engine.MemberWorkflowID(l.Cycle.ID, m.ID), "")
		if err != nil {
			return 0, 0, 0, fmt.Errorf("read member %s history: %w", m.ID, err)
		}
		member = max(member, len(h.GetEvents()))
	}
	return cycleRun, member, reports, nil
}
