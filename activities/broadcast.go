package activities

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/perfloop/perfloop/engine"
	"github.com/perfloop/perfloop/store"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
)

// BroadcastStage signals-with-start every member's workflow with the
// stage. It heartbeats how far it got, so a retry after a worker crash
// resumes there; members ignore a stage they have already seen, so the
// overlap is harmless. It returns the number of members.
func (a *Activities) BroadcastStage(ctx context.Context, s engine.StageOpen) (int, error) {
	ms, err := a.Store.ListCycleMembers(ctx, s.CycleID)
	if err != nil {
		return 0, err
	}
	start := 0
	if activity.HasHeartbeatDetails(ctx) {
		_ = activity.GetHeartbeatDetails(ctx, &start)
	}
	ids := store.MemberIDsOf(ms)
	err = a.fanout(ctx, ids, start, func(ctx context.Context, id string) error {
		opts := client.StartWorkflowOptions{ID: engine.MemberWorkflowID(s.CycleID, id), TaskQueue: a.TaskQueue}
		in := engine.MemberInput{CycleID: s.CycleID, MemberID: id, ParentID: engine.CycleWorkflowID(s.CycleID), Baseline: engine.MemberBaseline}
		_, err := a.Client.SignalWithStartWorkflow(ctx, opts.ID, engine.SignalStage.String(), s, opts, engine.MemberWorkflow.String(), in)
		return err
	})
	return len(ids), err
}

// BroadcastFinish tells every member's workflow the cycle is over.
func (a *Activities) BroadcastFinish(ctx context.Context, cycleID string) error {
	ms, err := a.Store.ListCycleMembers(ctx, cycleID)
	if err != nil {
		return err
	}
	ids := store.MemberIDsOf(ms)
	start := 0
	if activity.HasHeartbeatDetails(ctx) {
		_ = activity.GetHeartbeatDetails(ctx, &start)
	}
	return a.fanout(ctx, ids, start, func(ctx context.Context, id string) error {
		err := a.Client.SignalWorkflow(ctx, engine.MemberWorkflowID(cycleID, id), "", engine.SignalFinish.String(), nil)
		var nf *serviceerror.NotFound
		if errors.As(err, &nf) {
			return nil // never started (no member stage) or already finished
		}
		return err
	})
}

// fanout calls fn for ids[start:] with at most a.Fanout calls in flight,
// each worker taking the next id as soon as its call returns (a batch
// barrier left slots idle while a batch's slowest call finished), and
// heartbeats the index below which every call is done, so a retry resumes
// there. It stops at the first error.
func (a *Activities) fanout(ctx context.Context, ids []string, start int, fn func(context.Context, string) error) error {
	width := a.Fanout
	if width <= 0 {
		width = 16
	}
	if start >= len(ids) {
		return nil
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var (
		mu     sync.Mutex
		next   = start
		done   = make([]bool, len(ids)-start)
		mark   = start // every index below mark is done
		beaten = start // the mark last heartbeaten
	)
	take := func() (int, bool) {
		mu.Lock()
		defer mu.Unlock()
		if next >= len(ids) || ctx.Err() != nil {
			return 0, false
		}
		next++
		return next - 1, true
	}
	finish := func(i int) {
		mu.Lock()
		done[i-start] = true
		for mark < len(ids) && done[mark-start] {
			mark++
		}
		beat := mark-beaten >= 64 || mark == len(ids)
		if beat {
			beaten = mark
		}
		m := mark
		mu.Unlock()
		if beat {
			activity.RecordHeartbeat(ctx, m)
		}
	}
	var wg sync.WaitGroup
	for range min(width, len(ids)-start) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i, ok := take()
				if !ok {
					return
				}
				if err := fn(ctx, ids[i]); err != nil {
					cancel(fmt.Errorf("member %s: %w", ids[i], err))
					return
				}
				finish(i)
			}
		}()
	}
	wg.Wait()
	if err := context.Cause(ctx); err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	return ctx.Err()
}
