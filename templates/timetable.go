package templates

import "time"

// Timetable is when a stage's work is due and when its people are nudged:
// reminders before the deadline, overdue reminders after it, the
// escalation, and the moment its open tasks expire. Every duration is the
// template's, already compressed for the cycle.
//
// The cycle workflow builds one per stage it opens, the member workflows
// rebuild it from the stage they are sent, and the launch preview lays the
// stages out with it, so the preview shows the moments the engine keeps.
type Timetable struct {
	Opened        time.Time
	Due           time.Time
	Before        []time.Duration // reminders this long before Due; nil when there are none
	OverdueEvery  time.Duration
	OverdueMax    int
	EscalateAfter time.Duration
	EscalateTo    string // the role escalated to; empty: no escalation
}

// Timetable is the stage's timetable when it opens at opened in a period
// [periodStart, periodEnd), for a cycle compressed by compress.
func (s *Stage) Timetable(opened, periodStart, periodEnd time.Time, compress float64) Timetable {
	t := Timetable{Opened: opened, Due: s.DueOf(opened, periodStart, periodEnd, compress)}
	if rm := s.Reminders; rm != nil {
		for _, b := range rm.Before {
			t.Before = append(t.Before, Compressed(DurationOf(b), compress))
		}
		t.OverdueEvery = Compressed(DurationOf(rm.OverdueEvery), compress)
		t.OverdueMax = rm.OverdueMax
	}
	if e := s.Escalation; e != nil {
		t.EscalateAfter = Compressed(DurationOf(e.After), compress)
		t.EscalateTo = e.To
	}
	return t
}

// MomentKind says what happens at a Moment.
type MomentKind string

// The kinds of moment in a timetable.
const (
	MomentReminder   MomentKind = "reminder"   // before the deadline
	MomentOverdue    MomentKind = "overdue"    // after it, every OverdueEvery
	MomentEscalation MomentKind = "escalation" // EscalateAfter past it
)

// Moment is one reminder or the escalation of a timetable.
type Moment struct {
	At   time.Time
	Kind MomentKind
	// Index numbers the reminders as the Remind activity keys them: the
	// ones before the deadline first, in the template's order, then the
	// overdue ones. It is 0 for the escalation.
	Index int
}

// Overdue says whether the moment comes after the deadline.
func (m Moment) Overdue() bool { return m.Kind != MomentReminder }

// Moments lists the timetable's reminders before the deadline, its overdue
// reminders and its escalation, in that order (the order the workflows
// have always armed them in; it is recorded in their histories). The
// reminders before the deadline that fall before armed, the moment the
// timers are set, are left out: a reminder for a moment gone would only be
// noise. The escalation is listed when the timetable escalates after a
// time, whether or not anyone is named to escalate to.
func (t Timetable) Moments(armed time.Time) []Moment {
	var out []Moment
	for i, b := range t.Before {
		if at := t.Due.Add(-b); !at.Before(armed) {
			out = append(out, Moment{At: at, Kind: MomentReminder, Index: i})
		}
	}
	if t.OverdueEvery > 0 {
		for k := 1; k <= t.OverdueMax; k++ {
			out = append(out, Moment{At: t.Due.Add(time.Duration(k) * t.OverdueEvery), Kind: MomentOverdue, Index: len(t.Before) + k - 1})
		}
	}
	if t.EscalateAfter > 0 {
		out = append(out, Moment{At: t.EscalateAt(), Kind: MomentEscalation})
	}
	return out
}

// EscalateAt is when the stage escalates: EscalateAfter past the deadline.
func (t Timetable) EscalateAt() time.Time { return t.Due.Add(t.EscalateAfter) }

// CloseAt is when the stage's open tasks expire: one more interval after
// the last overdue reminder or the escalation, whichever is later, so the
// last nudge still leaves time to act on it.
func (t Timetable) CloseAt() time.Time {
	grace := time.Duration(t.OverdueMax) * t.OverdueEvery
	if t.EscalateAfter > grace {
		grace = t.EscalateAfter
	}
	if grace == 0 {
		return t.Due
	}
	tail := t.OverdueEvery
	if tail == 0 {
		tail = t.EscalateAfter
	}
	return t.Due.Add(grace + tail)
}
