package workflows

import (
	"time"

	"go.temporal.io/sdk/workflow"
)

// at runs fn when the workflow clock reaches when (at once if it has), on
// its own coroutine. Cancelling ctx cancels the timer, which is why the
// stages use this rather than AwaitWithTimeout: a stage that finishes early
// leaves no timer behind in history.
func at(ctx workflow.Context, when time.Time, fn func(ctx workflow.Context)) {
	workflow.Go(ctx, func(ctx workflow.Context) {
		if d := when.Sub(workflow.Now(ctx)); d > 0 {
			if err := workflow.NewTimer(ctx, d).Get(ctx, nil); err != nil {
				return // cancelled
			}
		}
		if ctx.Err() == nil {
			fn(ctx)
		}
	})
}

// deadlineSchedule sends reminders before a deadline, repeats them once it
// has passed, and escalates, all on timers cancelled with ctx.
type deadlineSchedule struct {
	Due           time.Time
	Before        []time.Duration
	OverdueEvery  time.Duration
	OverdueMax    int
	EscalateAfter time.Duration
}

func (s deadlineSchedule) start(ctx workflow.Context, remind func(ctx workflow.Context, index int, overdue bool), escalate func(ctx workflow.Context)) {
	now := workflow.Now(ctx)
	for i, b := range s.Before {
		when := s.Due.Add(-b)
		if when.Before(now) {
			continue // opened late: a reminder for a moment already past would only be noise
		}
		i := i
		at(ctx, when, func(ctx workflow.Context) { remind(ctx, i, false) })
	}
	if s.OverdueEvery > 0 {
		for k := 1; k <= s.OverdueMax; k++ {
			i := len(s.Before) + k - 1
			at(ctx, s.Due.Add(time.Duration(k)*s.OverdueEvery), func(ctx workflow.Context) { remind(ctx, i, true) })
		}
	}
	if s.EscalateAfter > 0 && escalate != nil {
		at(ctx, s.Due.Add(s.EscalateAfter), escalate)
	}
}

// closeAt is when a stage's open tasks expire: one more interval after the
// last overdue reminder or the escalation, whichever is later, so the last
// nudge still leaves time to act on it.
func (s deadlineSchedule) closeAt() time.Time {
	grace := time.Duration(s.OverdueMax) * s.OverdueEvery
	if s.EscalateAfter > grace {
		grace = s.EscalateAfter
	}
	if grace == 0 {
		return s.Due
	}
	tail := s.OverdueEvery
	if tail == 0 {
		tail = s.EscalateAfter
	}
	return s.Due.Add(grace + tail)
}
