package activities

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/perfloop/perfloop/engine"
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
	ids := make([]string, len(ms))
	for i, m := range ms {
		ids[i] = m.MemberID
	}
	err = a.fanout(ctx, ids, start, func(ctx context.Context, id string) error {
		opts := client.StartWorkflowOptions{ID: engine.MemberWorkflowID(s.CycleID, id), TaskQueue: a.TaskQueue}
		in := engine.MemberInput{CycleID: s.CycleID, MemberID: id, ParentID: engine.CycleWorkflowID(s.CycleID)}
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
	ids := make([]string, len(ms))
	for i, m := range ms {
		ids[i] = m.MemberID
	}
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

// fanout calls fn for ids[start:] with bounded concurrency, heartbeating
// the index below which everything is done.
func (a *Activities) fanout(ctx context.Context, ids []string, start int, fn func(context.Context, string) error) error {
	width := a.Fanout
	if width <= 0 {
		width = 16
	}
	const chunk = 64
	for lo := start; lo < len(ids); lo += chunk {
		hi := min(lo+chunk, len(ids))
		var wg sync.WaitGroup
		sem := make(chan struct{}, width)
		errs := make([]error, hi-lo)
		for i := lo; i < hi; i++ {
			wg.Add(1)
			sem <- struct{}{}
			go func(i int) {
				defer wg.Done()
				defer func() { <-sem }()
				errs[i-lo] = fn(ctx, ids[i])
			}(i)
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				return fmt.Errorf("member %s: %w", ids[lo+i], err)
			}
		}
		activity.RecordHeartbeat(ctx, hi)
	}
	return nil
}
