package workflows

import (
	"sort"
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

// timed is one moment of a schedule and what happens then.
type timed struct {
	when time.Time
	fn   func(ctx workflow.Context)
}

// start runs the schedule's reminders and escalation, then also's moments,
// on timers cancelled with ctx.
//
// One coroutine walks the moments in time order on one timer at a time,
// and runs each moment's work on a coroutine of its own, so a reminder
// still being sent never holds back the next moment. Each open member
// workflow used to keep a coroutine (a stack) and a timer per moment, four
// or more, which made a waiting member cost four times a trivial workflow
// (perfloop bench --scenario memory); it also left every pending timer to
// cancel, one event each, when the stage closed early. Histories from
// before this change started every timer at once and keep doing so.
func (s deadlineSchedule) start(ctx workflow.Context, remind func(ctx workflow.Context, index int, overdue bool), escalate func(ctx workflow.Context), also ...timed) {
	moments := s.moments(workflow.Now(ctx), remind, escalate)
	if version(ctx, "one-timer-per-schedule", 1) == workflow.DefaultVersion {
		for _, m := range append(moments, also...) {
			at(ctx, m.when, m.fn)
		}
		return
	}
	moments = append(moments, also...)
	sort.SliceStable(moments, func(i, j int) bool { return moments[i].when.Before(moments[j].when) })
	workflow.Go(ctx, func(ctx workflow.Context) {
		for _, m := range moments {
			if d := m.when.Sub(workflow.Now(ctx)); d > 0 {
				if err := workflow.NewTimer(ctx, d).Get(ctx, nil); err != nil {
					return // cancelled
				}
			}
			if ctx.Err() != nil {
				return
			}
			workflow.Go(ctx, m.fn)
		}
	})
}

// moments lists the schedule's reminders before the deadline (those
// already past at now left out: a reminder for a moment gone would only be
// noise), its overdue reminders and its escalation, in the order they
// were always started in.
func (s deadlineSchedule) moments(now time.Time, remind func(ctx workflow.Context, index int, overdue bool), escalate func(ctx workflow.Context)) []timed {
	var out []timed
	for i, b := range s.Before {
		when := s.Due.Add(-b)
		if when.Before(now) {
			continue
		}
		out = append(out, timed{when, func(ctx workflow.Context) { remind(ctx, i, false) }})
	}
	if s.OverdueEvery > 0 {
		for k := 1; k <= s.OverdueMax; k++ {
			i := len(s.Before) + k - 1
			out = append(out, timed{s.Due.Add(time.Duration(k) * s.OverdueEvery), func(ctx workflow.Context) { remind(ctx, i, true) }})
		}
	}
	if s.EscalateAfter > 0 && escalate != nil {
		out = append(out, timed{s.Due.Add(s.EscalateAfter), escalate})
	}
	return out
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
