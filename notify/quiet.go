package notify

import (
	"fmt"
	"regexp"
	"slices"
	"time"
)

// Window is when messages may reach people, in their own time zone: the
// working days (ISO numbers, 1 = Monday … 7 = Sunday) from Start to End.
// Outside it are quiet hours; a message due then waits for the next
// opening, the start of the next working morning.
type Window struct {
	Start string `json:"start"` // "09:00"
	End   string `json:"end"`   // "21:00", after Start
	Days  []int  `json:"days"`
}

var clock = regexp.MustCompile(`^([01][0-9]|2[0-3]):[0-5][0-9]$`)

func (w Window) validate(path string) []FieldError {
	var out []FieldError
	if !clock.MatchString(w.Start) {
		out = append(out, FieldError{Path: path + "/start", Value: w.Start, Message: "expected a time of day HH:MM such as 09:00"})
	}
	if !clock.MatchString(w.End) {
		out = append(out, FieldError{Path: path + "/end", Value: w.End, Message: "expected a time of day HH:MM such as 21:00"})
	}
	if len(out) == 0 && w.End <= w.Start {
		out = append(out, FieldError{Path: path + "/end", Value: w.End, Message: "must be after start (" + w.Start + "); quiet hours are the rest of the day"})
	}
	if len(w.Days) == 0 {
		out = append(out, FieldError{Path: path + "/days", Value: "[]", Message: "expected at least one working day, 1 (Monday) to 7 (Sunday)"})
	}
	for i, d := range w.Days {
		if d < 1 || d > 7 {
			out = append(out, FieldError{Path: fmt.Sprintf("%s/days/%d", path, i), Value: fmt.Sprint(d), Message: "expected 1 (Monday) to 7 (Sunday)"})
		}
	}
	return out
}

// Next returns the earliest moment at or after t when the window is open
// in loc: t itself during working hours, else the next working morning.
// An invalid window (never open) returns t, so nothing is held forever.
func (w Window) Next(t time.Time, loc *time.Location) time.Time {
	if len(w.validate("")) > 0 {
		return t
	}
	local := t.In(loc)
	for i := 0; i <= 7; i++ {
		day := time.Date(local.Year(), local.Month(), local.Day()+i, 0, 0, 0, 0, loc)
		if !slices.Contains(w.Days, isoWeekday(day)) {
			continue
		}
		open, shut := at(day, w.Start), at(day, w.End)
		if i > 0 || local.Before(open) {
			return open
		}
		if local.Before(shut) {
			return t
		}
	}
	return t
}

// SendAt is when a notification created at now may go out: digestible
// events wait for the end of the current digest slot (so reminders due
// together leave as one message), then everything waits for the window.
func (p Policy) SendAt(now time.Time, event string, loc *time.Location) time.Time {
	t := now
	if Digestible(event) && p.DigestMinutes > 0 {
		slot := time.Duration(p.DigestMinutes) * time.Minute
		if r := t.Truncate(slot); !r.Equal(t) {
			t = r.Add(slot)
		}
	}
	return p.Window.Next(t, loc).UTC()
}

func isoWeekday(t time.Time) int {
	if t.Weekday() == time.Sunday {
		return 7
	}
	return int(t.Weekday())
}

func at(day time.Time, hhmm string) time.Time {
	var h, m int
	_, _ = fmt.Sscanf(hhmm, "%d:%d", &h, &m) // quiet hours are checked HH:MM when saved
	return time.Date(day.Year(), day.Month(), day.Day(), h, m, 0, 0, day.Location())
}
