package workflows

import (
	"sort"
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/perfloop/perfloop/templates"
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

// timed is one moment of a schedule and what happens then.
type timed struct {
	when time.Time
	fn   func(ctx workflow.Context)
}

// startTimetable runs a stage timetable's reminders and escalation
// (templates.Timetable.Moments), then also's moments, on timers cancelled
// with ctx.
//
// One coroutine walks the moments in time order on one timer at a time,
// and runs each moment's work on a coroutine of its own, so a reminder
// still being sent never holds back the next moment. Each open member
// workflow used to keep a coroutine (a stack) and a timer per moment, four
// or more, which made a waiting member cost four times a trivial workflow
// (perfloop bench --scenario memory); it also left every pending timer to
// cancel, one event each, when the stage closed early. Histories from
// before this change started every timer at once and keep doing so.
func startTimetable(ctx workflow.Context, t templates.Timetable, remind func(ctx workflow.Context, index int, overdue bool), escalate func(ctx workflow.Context), also ...timed) {
	moments := actions(t.Moments(workflow.Now(ctx)), remind, escalate)
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

// actions pairs each moment with its work, in the moments' order; with no
// escalate, the escalation is left out.
func actions(ms []templates.Moment, remind func(ctx workflow.Context, index int, overdue bool), escalate func(ctx workflow.Context)) []timed {
	var out []timed
	for _, m := range ms {
		if m.Kind != templates.MomentEscalation {
			out = append(out, timed{m.At, func(ctx workflow.Context) { remind(ctx, m.Index, m.Overdue()) }})
		} else if escalate != nil {
			out = append(out, timed{m.At, escalate})
		}
	}
	return out
}
