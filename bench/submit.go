package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"

	"github.com/perfloop/perfloop/engine"
	"github.com/perfloop/perfloop/store"
	"github.com/perfloop/perfloop/worker"
)

// SelfEvaluation is the form every bench submission sends.
var SelfEvaluation = json.RawMessage(`{"scores":{"collaboration":4,"serviceAttitude":4},"comment":"ok"}`)

// MaxSubmitters bounds the concurrent submitters.
const MaxSubmitters = 200

// Burst is what a burst of calls measured: each call's latency, sorted,
// the wall time of the whole burst and the calls that failed.
type Burst struct {
	Latencies []time.Duration
	Wall      time.Duration
	// CPU is the CPU time over the burst of every process of the bench
	// (engine, server and workers alike, in one process or in several);
	// 0 where /proc is not there.
	CPU      time.Duration
	Failed   int
	FirstErr error
}

// burst runs call(0 … n-1) from width goroutines, each taking the next
// index when its call returns.
func (e *Engine) burst(ctx context.Context, n, width int, call func(context.Context, int) error) Burst {
	lat := make([]time.Duration, n)
	errs := make([]error, n)
	var next atomic.Int64
	var wg sync.WaitGroup
	began, cpu := time.Now(), e.cpuTime()
	for range width {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= n || ctx.Err() != nil {
					return
				}
				t := time.Now()
				errs[i] = call(ctx, i)
				lat[i] = time.Since(t)
			}
		}()
	}
	wg.Wait()
	b := Burst{Wall: time.Since(began), CPU: e.cpuTime() - cpu}
	for i, err := range errs {
		if err != nil {
			b.Failed++
			if b.FirstErr == nil {
				b.FirstErr = err
			}
			continue
		}
		b.Latencies = append(b.Latencies, lat[i])
	}
	slices.Sort(b.Latencies)
	return b
}

func (b Burst) figures(fs *Figures, width int) {
	fs.ms("p50Ms", percentile(b.Latencies, 0.50))
	fs.ms("p95Ms", percentile(b.Latencies, 0.95))
	fs.ms("p99Ms", percentile(b.Latencies, 0.99))
	fs.add("perSec", float64(len(b.Latencies))/b.Wall.Seconds())
	fs.add("calls", float64(len(b.Latencies)))
	fs.add("concurrency", float64(width))
	fs.add("failed", float64(b.Failed))
	if b.CPU > 0 && len(b.Latencies) > 0 {
		fs.add("cpuMsPerCall", float64(b.CPU)/float64(time.Millisecond)/float64(len(b.Latencies)))
	}
}

// runSubmit measures n self-evaluations submitted through Service.Submit by
// min(n, 200) concurrent submitters, against as many bare Workflow Update
// round trips to n trivial workflows.
func (e *Engine) runSubmit(ctx context.Context, n int) (Result, error) {
	res := Result{Scenario: "submit", Members: n}
	width := min(n, MaxSubmitters)
	sq, err := e.SeedTeam(ctx, n)
	if err != nil {
		return res, err
	}
	l, err := e.Launch(ctx, sq)
	if err != nil {
		return res, err
	}
	e.logf("submit %d: cycle open with every self-evaluation task after %s; submitting from %d goroutines", n, l.All.Round(time.Millisecond), width)
	var tasks []store.Task
	if err := e.Store.DB.WithContext(ctx).Where("cycle_id = ? AND kind = ?", l.Cycle.ID, engine.TaskSelfEval).Find(&tasks).Error; err != nil {
		return res, fmt.Errorf("list self-evaluation tasks: %w", err)
	}
	who := make(map[string]*store.Member, n)
	for i := range sq.Employees {
		who[sq.Employees[i].ID] = &sq.Employees[i]
	}
	e.quiet(ctx, fmt.Sprintf("submit %d: ours", n))
	ours := e.burst(ctx, len(tasks), width, func(ctx context.Context, i int) error {
		_, err := e.Service.Submit(ctx, who[tasks[i].AssigneeID], tasks[i].ID, SelfEvaluation)
		return err
	})
	e.logf("submit %d: %d submitted in %s (%d failed); cancelling", n, len(ours.Latencies), ours.Wall.Round(time.Millisecond), ours.Failed)
	if err := e.Cancel(ctx, l); err != nil {
		return res, err
	}
	events, err := e.eventsPerSubmission(ctx, l)
	if err != nil {
		return res, err
	}
	if len(ours.Latencies) == 0 {
		return res, fmt.Errorf("every submission failed, the first with: %w", ours.FirstErr)
	}
	raw, err := e.rawUpdates(ctx, n, width)
	if err != nil {
		return res, err
	}
	e.logf("submit %d: raw updates %d in %s (%d failed)", n, len(raw.Latencies), raw.Wall.Round(time.Millisecond), raw.Failed)

	ours.figures(&res.Ours, width)
	raw.figures(&res.Raw, width)
	if events > 0 {
		res.Ours.add("memberEventsPerSubmission", events)
	}
	res.Ratio = ratio(res.Ours.Get("p50Ms"), res.Raw.Get("p50Ms"))
	res.Ratios = map[string]float64{
		"p50":        res.Ratio,
		"p95":        ratio(res.Ours.Get("p95Ms"), res.Raw.Get("p95Ms")),
		"p99":        ratio(res.Ours.Get("p99Ms"), res.Raw.Get("p99Ms")),
		"throughput": ratio(res.Ours.Get("perSec"), res.Raw.Get("perSec")),
	}
	res.Ratios["cpuPerCall"] = ratio(res.Ours.Get("cpuMsPerCall"), res.Raw.Get("cpuMsPerCall"))
	res.Notes = fmt.Sprintf("ours: Service.Submit (task read + form check + Update whose handler runs an activity that records the evaluation); raw: Update answered at once; throughput ours/raw %.2f; CPU per call ours/raw %.2f; %.1f member history events per submission",
		res.Ratios["throughput"], res.Ratios["cpuPerCall"], events)
	if ours.Failed > 0 {
		res.Notes += fmt.Sprintf("; %d submissions failed, the first with: %v", ours.Failed, ours.FirstErr)
	}
	if raw.Failed > 0 {
		res.Notes += fmt.Sprintf("; %d raw updates failed, the first with: %v", raw.Failed, raw.FirstErr)
	}
	return res, nil
}

// rawUpdates starts n trivial update targets (not timed), then times one
// Update to each from width goroutines.
func (e *Engine) rawUpdates(ctx context.Context, n, width int) (Burst, error) {
	run := fmt.Sprintf("raw-update-%s-%d", e.run, e.nextRaw())
	defer e.forget(run)
	began := time.Now()
	err := fanout(ctx, n, rawFanoutWidth, func(ctx context.Context, i int) error {
		opts := client.StartWorkflowOptions{ID: fmt.Sprintf("%s-%d", run, i), TaskQueue: e.RawQueue, WorkflowRunTimeout: rawLifetime}
		_, err := e.Client.ExecuteWorkflow(ctx, opts, UpdateTargetWorkflow, TrivialInput{Run: run})
		return err
	})
	if err != nil {
		return Burst{}, fmt.Errorf("start raw update targets: %w", err)
	}
	if _, _, err := waitFor(ctx, began, n, pollEvery, within(n), e.arrived(run)); err != nil {
		return Burst{}, fmt.Errorf("raw update targets: %w", err)
	}
	e.quiet(ctx, fmt.Sprintf("submit %d: raw", n))
	b := e.burst(ctx, n, width, func(ctx context.Context, i int) error {
		h, err := e.Client.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
			WorkflowID: fmt.Sprintf("%s-%d", run, i), UpdateName: rawUpdate, Args: []any{string(SelfEvaluation)},
			WaitForStage: client.WorkflowUpdateStageCompleted,
		})
		if err != nil {
			return err
		}
		var ok string
		return h.Get(ctx, &ok)
	})
	e.finishRaw(ctx, run, n)
	if len(b.Latencies) == 0 {
		return b, fmt.Errorf("every raw update failed, the first with: %w", b.FirstErr)
	}
	return b, nil
}

// eventsPerSubmission reads the histories of up to 10 closed member
// workflows of l and averages the events a submission brought: from the
// workflow task that took the Update to the finish signal (the workflow
// tasks, markers, timer cancel and stage report in between, and whatever
// the report wrote back).
func (e *Engine) eventsPerSubmission(ctx context.Context, l *Launched) (float64, error) {
	sample := l.Squad.Employees[:min(10, len(l.Squad.Employees))]
	total, counted := 0, 0
	for _, m := range sample {
		h, err := worker.FetchHistory(ctx, e.Client, engine.MemberWorkflowID(l.Cycle.ID, m.ID), "")
		if err != nil {
			return 0, fmt.Errorf("read member %s history: %w", m.ID, err)
		}
		from, to := -1, -1
		lastTask := -1
		for i, ev := range h.GetEvents() {
			switch ev.GetEventType() {
			case enumspb.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED:
				lastTask = i
			case enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED:
				if from < 0 {
					from = lastTask
				}
			case enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED:
				if from >= 0 && to < 0 && ev.GetWorkflowExecutionSignaledEventAttributes().GetSignalName() == engine.SignalFinish.String() {
					to = i
				}
			}
		}
		if from >= 0 && to > from {
			total += to - from
			counted++
		}
	}
	if counted == 0 {
		return 0, nil
	}
	return float64(total) / float64(counted), nil
}
