package templates_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/perfloop/perfloop/templates"
)

// TestStageTimetable: the deadline, the reminders before it (those before
// the moment the timers are armed left out), the overdue reminders and the
// escalation, numbered as the Remind activity keys them, and the moment
// the stage's tasks expire, in real time and compressed.
func TestStageTimetable(t *testing.T) {
	opened := time.Date(2026, 10, 26, 9, 0, 0, 0, time.UTC)
	periodStart := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	periodEnd := periodStart.AddDate(0, 1, 0)
	h, d := time.Hour, 24*time.Hour
	rem := func(at time.Time, i int) templates.Moment {
		return templates.Moment{At: at, Kind: templates.MomentReminder, Index: i}
	}
	late := func(at time.Time, i int) templates.Moment {
		return templates.Moment{At: at, Kind: templates.MomentOverdue, Index: i}
	}
	esc := func(at time.Time) templates.Moment { return templates.Moment{At: at, Kind: templates.MomentEscalation} }

	cases := []struct {
		name     string
		stage    templates.Stage
		compress float64
		armed    time.Time
		due      time.Time
		moments  []templates.Moment
		closeAt  time.Time
	}{{
		name:  "no reminders: due after the duration, closes at once",
		stage: templates.Stage{Duration: "P3D"},
		armed: opened, due: opened.Add(3 * d), closeAt: opened.Add(3 * d),
	}, {
		name: "reminders before, overdue and escalation",
		stage: templates.Stage{Duration: "P3D",
			Reminders:  &templates.Reminders{Before: []string{"P1D", "PT2H"}, OverdueEvery: "P1D", OverdueMax: 2},
			Escalation: &templates.Escalation{After: "P1D", To: "manager"}},
		armed: opened, due: opened.Add(3 * d),
		moments: []templates.Moment{
			rem(opened.Add(2*d), 0), rem(opened.Add(3*d-2*h), 1),
			late(opened.Add(4*d), 2), late(opened.Add(5*d), 3),
			esc(opened.Add(4 * d)),
		},
		// the grace is the longer of 2 overdue days and the escalation's day, plus one interval
		closeAt: opened.Add(3*d + 2*d + d),
	}, {
		name: "a reminder before the timers are armed is left out; one at that moment is kept",
		stage: templates.Stage{Duration: "P2D",
			Reminders: &templates.Reminders{Before: []string{"P2D", "P1D", "PT1H"}}},
		armed: opened.Add(d), due: opened.Add(2 * d),
		moments: []templates.Moment{rem(opened.Add(d), 1), rem(opened.Add(2*d-h), 2)},
		closeAt: opened.Add(2 * d),
	}, {
		name: "escalation alone: closes one escalation interval after it",
		stage: templates.Stage{Duration: "P1D",
			Escalation: &templates.Escalation{After: "PT12H", To: "hrbp"}},
		armed: opened, due: opened.Add(d),
		moments: []templates.Moment{esc(opened.Add(d + 12*h))},
		closeAt: opened.Add(d + 24*h),
	}, {
		name: "overdue every without a count sends none",
		stage: templates.Stage{Duration: "P1D",
			Reminders: &templates.Reminders{OverdueEvery: "P1D"}},
		armed: opened, due: opened.Add(d), closeAt: opened.Add(d),
	}, {
		name: "compressed 24 times: days become hours",
		stage: templates.Stage{Duration: "P3D",
			Reminders:  &templates.Reminders{Before: []string{"P1D"}, OverdueEvery: "P1D", OverdueMax: 1},
			Escalation: &templates.Escalation{After: "P2D", To: "manager"}},
		compress: 24,
		armed:    opened, due: opened.Add(3 * h),
		moments: []templates.Moment{rem(opened.Add(2*h), 0), late(opened.Add(4*h), 1), esc(opened.Add(5 * h))},
		closeAt: opened.Add(3*h + 2*h + h),
	}, {
		name:  "a deadline in the period: due then, reminders before it",
		stage: templates.Stage{Deadline: &templates.Deadline{From: "periodEnd", Offset: "P2D"}, Reminders: &templates.Reminders{Before: []string{"P1D"}}},
		armed: opened, due: periodEnd.Add(2 * d),
		moments: []templates.Moment{rem(periodEnd.Add(d), 0)},
		closeAt: periodEnd.Add(2 * d),
	}, {
		name:  "a deadline gone already: due at once, its reminder before left out",
		stage: templates.Stage{Deadline: &templates.Deadline{From: "periodStart", Offset: "P1D"}, Reminders: &templates.Reminders{Before: []string{"PT1H"}}},
		armed: opened, due: opened, closeAt: opened,
	}}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tt := c.stage.Timetable(opened, periodStart, periodEnd, c.compress)
			require.Equal(t, opened, tt.Opened)
			require.Equal(t, c.due, tt.Due)
			require.Equal(t, c.moments, tt.Moments(c.armed))
			require.Equal(t, c.closeAt, tt.CloseAt())
			if e := c.stage.Escalation; e != nil {
				require.Equal(t, e.To, tt.EscalateTo)
			}
			if c.stage.Reminders == nil || len(c.stage.Reminders.Before) == 0 {
				require.Nil(t, tt.Before, "no reminders is nil, as the stage's signal has always carried it")
			}
		})
	}
}

// TestMomentsAreOverdueAfterTheDeadline: only the reminders before the
// deadline are not overdue.
func TestMomentsAreOverdueAfterTheDeadline(t *testing.T) {
	require.False(t, templates.Moment{Kind: templates.MomentReminder}.Overdue())
	require.True(t, templates.Moment{Kind: templates.MomentOverdue}.Overdue())
	require.True(t, templates.Moment{Kind: templates.MomentEscalation}.Overdue())
}
