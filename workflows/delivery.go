package workflows

import (
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/perfloop/perfloop/activities"
	"github.com/perfloop/perfloop/engine"
)

// DeliveryInput configures the delivery loop.
type DeliveryInput struct {
	Every time.Duration // between claims; default one minute
	Limit int           // notifications claimed per round; default 200
	Ticks int           // rounds before continuing as new (default 500)
	// Rounds, when set, stops after that many rounds instead of running
	// forever (tests).
	Rounds int
	// Retry overrides the sender's retry policy (tests).
	Retry *temporal.RetryPolicy
}

// SendRetry is how a message is retried: with backoff from ten seconds
// to ten minutes, eight attempts in all (about half an hour), then it is
// recorded as a permanent failure for an admin to see. A failure retrying
// cannot fix is not retried at all.
var SendRetry = temporal.RetryPolicy{
	InitialInterval:        10 * time.Second,
	BackoffCoefficient:     2,
	MaximumInterval:        10 * time.Minute,
	MaximumAttempts:        8,
	NonRetryableErrorTypes: []string{activities.ErrPermanentDelivery, "NotFound"},
}

// DeliveryWorkflow sends the notifications owed on e-mail, chat bots and
// webhooks: every round it claims what is due (grouped per recipient and
// channel, so reminders due together leave as one digest) and sends each
// message as its own activity, so Temporal retries a failing one with
// backoff while the others go on. An engine.SignalDeliverNow ends the wait
// early, so what "remind now" or a moved meeting owes leaves at once.
// One instance runs (DeliveryWorkflowID); it continues as new to keep its
// history short.
func DeliveryWorkflow(ctx workflow.Context, in DeliveryInput) error {
	if in.Every <= 0 {
		in.Every = time.Minute
	}
	if in.Limit <= 0 {
		in.Limit = 200
	}
	if in.Ticks <= 0 {
		in.Ticks = 500
	}
	retry := SendRetry
	if in.Retry != nil {
		retry = *in.Retry
	}
	send := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{StartToCloseTimeout: time.Minute, RetryPolicy: &retry})
	sel := workflow.NewSelector(ctx)
	wake := workflow.GetSignalChannel(ctx, engine.SignalDeliverNow.String())
	woken := false
	// Nudges that arrive together need one claim, so the wait drains them all.
	sel.AddReceive(wake, func(c workflow.ReceiveChannel, _ bool) {
		for c.ReceiveAsync(nil) {
		}
		woken = true
	})
	inflight := 0
	rounds := in.Ticks
	if in.Rounds > 0 {
		rounds = in.Rounds
	}
	for round := 0; round < rounds && !workflow.GetInfo(ctx).GetContinueAsNewSuggested(); round++ {
		var batches []activities.BatchRef
		if err := workflow.ExecuteActivity(withQuick(ctx), a.ClaimDeliveries, in.Limit).Get(ctx, &batches); err != nil {
			return err
		}
		for _, b := range batches {
			b.MaxAttempts = retry.MaximumAttempts
			inflight++
			// A failed send has recorded its own outcome; the loop goes on.
			sel.AddFuture(workflow.ExecuteActivity(send, a.SendBatch, b), func(workflow.Future) { inflight-- })
		}
		if len(batches) == in.Limit {
			continue // more are due right now
		}
		// Each round's timer marks only its own round, so a cancelled
		// timer that resolves during a later wait does not end that wait.
		ticked := false
		timerCtx, stopTimer := workflow.WithCancel(ctx)
		sel.AddFuture(workflow.NewTimer(timerCtx, in.Every), func(workflow.Future) { ticked = true })
		woken = false
		for !ticked && !woken {
			sel.Select(ctx)
		}
		if woken {
			stopTimer()
		}
	}
	for inflight > 0 {
		sel.Select(ctx)
	}
	if in.Rounds > 0 {
		return nil
	}
	// The next run claims first thing, so a nudge still queued is spent.
	for wake.ReceiveAsync(nil) {
	}
	return workflow.NewContinueAsNewError(ctx, DeliveryWorkflow, in)
}
