package bench

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	sdkworker "go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
)

// The raw side: the least Temporal can do for each of our shapes, on its
// own task queue and worker, so its figures are Temporal's floor.

// Signal names of the trivial workflows.
const (
	rawSignalStage  = "stage"
	rawSignalFinish = "finish"
	rawUpdate       = "submit"
)

// rawLifetime ends trivial workflows nobody finishes (on an external
// server the bench leaves them behind otherwise).
const rawLifetime = 30 * time.Minute

// rawFanoutWidth matches the engine's default fan-out (activities.Activities.Fanout).
const rawFanoutWidth = 16

// TrivialInput names a trivial workflow's batch; WaitStage makes it wait
// for the stage signal first, as a member workflow does.
type TrivialInput struct {
	Run       string
	WaitStage bool
}

// TrivialWorkflow does nothing but wait: it counts itself as running (once
// it has the stage signal, when asked to wait for one) and stays open until
// told to finish, like a member workflow with open tasks.
func TrivialWorkflow(ctx workflow.Context, in TrivialInput) error {
	if in.WaitStage {
		workflow.GetSignalChannel(ctx, rawSignalStage).Receive(ctx, nil)
	}
	arrive(ctx, in.Run)
	workflow.GetSignalChannel(ctx, rawSignalFinish).Receive(ctx, nil)
	return nil
}

// UpdateTargetWorkflow answers every Update at once and stays open.
func UpdateTargetWorkflow(ctx workflow.Context, in TrivialInput) error {
	err := workflow.SetUpdateHandler(ctx, rawUpdate, func(ctx workflow.Context, body string) (string, error) {
		return "ok", nil
	})
	if err != nil {
		return err
	}
	arrive(ctx, in.Run)
	workflow.GetSignalChannel(ctx, rawSignalFinish).Receive(ctx, nil)
	return nil
}

// FanoutInput starts N trivial workflows named Run-0 … Run-(N-1).
type FanoutInput struct {
	Run string
	N   int
}

// SignalFanoutWorkflow starts its trivial workflows the way a cycle opens a
// stage: one activity signal-with-starts them all.
func SignalFanoutWorkflow(ctx workflow.Context, in FanoutInput) error {
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{StartToCloseTimeout: 30 * time.Minute})
	return workflow.ExecuteActivity(ctx, ra.SignalWithStartAll, in).Get(ctx, nil)
}

// ChildFanoutWorkflow starts its trivial workflows as children, 100 at a
// time, waiting for each batch to have started, then stays open so they do.
func ChildFanoutWorkflow(ctx workflow.Context, in FanoutInput) error {
	const batch = 100
	for lo := 0; lo < in.N; lo += batch {
		var started []workflow.ChildWorkflowFuture
		for i := lo; i < min(lo+batch, in.N); i++ {
			cctx := workflow.WithChildOptions(ctx, workflow.ChildWorkflowOptions{
				WorkflowID: fmt.Sprintf("%s-%d", in.Run, i), WorkflowRunTimeout: rawLifetime,
			})
			started = append(started, workflow.ExecuteChildWorkflow(cctx, TrivialWorkflow, TrivialInput{Run: in.Run}))
		}
		for _, f := range started {
			if err := f.GetChildWorkflowExecution().Get(ctx, nil); err != nil {
				return err
			}
		}
	}
	workflow.GetSignalChannel(ctx, rawSignalFinish).Receive(ctx, nil)
	return nil
}

// ra names the raw activities; workflows call them by method value only.
var ra *rawActivities

type rawActivities struct {
	client client.Client
	queue  string
}

// SignalWithStartAll signal-with-starts in.N trivial workflows, rawFanoutWidth at a time.
func (a *rawActivities) SignalWithStartAll(ctx context.Context, in FanoutInput) error {
	return fanout(ctx, in.N, rawFanoutWidth, func(ctx context.Context, i int) error {
		id := fmt.Sprintf("%s-%d", in.Run, i)
		opts := client.StartWorkflowOptions{ID: id, TaskQueue: a.queue, WorkflowRunTimeout: rawLifetime}
		_, err := a.client.SignalWithStartWorkflow(ctx, id, rawSignalStage, nil, opts, TrivialWorkflow, TrivialInput{Run: in.Run, WaitStage: true})
		if err == nil && i%256 == 0 {
			activity.RecordHeartbeat(ctx, i)
		}
		return err
	})
}

func registerRaw(w sdkworker.Worker, c client.Client, queue string) {
	w.RegisterWorkflow(TrivialWorkflow)
	w.RegisterWorkflow(UpdateTargetWorkflow)
	w.RegisterWorkflow(SignalFanoutWorkflow)
	w.RegisterWorkflow(ChildFanoutWorkflow)
	w.RegisterActivity(&rawActivities{client: c, queue: queue})
}

// fanout calls fn(0 … n-1) with at most width calls in flight and returns
// the first error.
func fanout(ctx context.Context, n, width int, fn func(context.Context, int) error) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var wg sync.WaitGroup
	sem := make(chan struct{}, width)
	for i := 0; i < n; i++ {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			wg.Wait()
			return context.Cause(ctx)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			if err := fn(ctx, i); err != nil {
				cancel(err)
			}
		}()
	}
	wg.Wait()
	if ctx.Err() != nil {
		return context.Cause(ctx)
	}
	return nil
}

// arrivals counts, per batch, the trivial workflows whose code has run.
// Workflow code of the raw worker runs in this process, so a counter is
// the cheapest exact signal that a workflow is up; ids make a replay after
// a cache eviction count once.
var arrivals sync.Map // run → *tally

type tally struct {
	seen sync.Map
	n    atomic.Int64
}

func tallyOf(run string) *tally {
	t, _ := arrivals.LoadOrStore(run, &tally{})
	return t.(*tally)
}

func arrive(ctx workflow.Context, run string) {
	t := tallyOf(run)
	if _, dup := t.seen.LoadOrStore(workflow.GetInfo(ctx).WorkflowExecution.ID, true); !dup {
		t.n.Add(1)
	}
}

func arrived(run string) func(context.Context) (int, error) {
	t := tallyOf(run)
	return func(context.Context) (int, error) { return int(t.n.Load()), nil }
}

// forget drops a batch's tally once it is measured.
func forget(run string) { arrivals.Delete(run) }
