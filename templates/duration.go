package templates

import (
	"errors"
	"regexp"
	"strconv"
	"time"
)

// ErrDuration explains the accepted duration forms.
var ErrDuration = errors.New("expected an ISO 8601 duration in weeks, days, hours, minutes or seconds, such as P3D, PT4H, P1W or P1DT12H")

// errCalendarDuration refuses years and months: their length depends on the
// calendar, and a deadline must not.
var errCalendarDuration = errors.New("years and months have no fixed length; write days instead, such as P30D")

// errLongDuration refuses durations past any review's horizon; without a
// bound, P99999W would overflow time.Duration and wrap to a negative length.
var errLongDuration = errors.New("is longer than ten years; no step of a review lasts that long")

// maxDuration bounds every duration a template may hold.
const maxDuration = 3653 * 24 * time.Hour

var (
	durationRE = regexp.MustCompile(`^P(?:(\d{1,5})W)?(?:(\d{1,5})D)?(?:T(?:(\d{1,6})H)?(?:(\d{1,7})M)?(?:(\d{1,8})S)?)?$`)
	calendarRE = regexp.MustCompile(`^P(?:\d+Y)?(?:\d+M)?`)
)

// ParseDuration reads an ISO 8601 duration such as P3D or PT4H.
func ParseDuration(s string) (time.Duration, error) {
	m := durationRE.FindStringSubmatch(s)
	if m == nil || s == "P" || s[len(s)-1] == 'T' {
		if c := calendarRE.FindString(s); len(c) > 1 {
			return 0, errCalendarDuration
		}
		return 0, ErrDuration
	}
	units := []time.Duration{7 * 24 * time.Hour, 24 * time.Hour, time.Hour, time.Minute, time.Second}
	var total time.Duration
	for i, u := range units {
		if m[i+1] == "" {
			continue
		}
		n, _ := strconv.Atoi(m[i+1]) // the pattern bounds the digits
		if time.Duration(n) > (maxDuration-total)/u {
			return 0, errLongDuration
		}
		total += time.Duration(n) * u
	}
	return total, nil
}

// DurationOf is ParseDuration for values a validated template holds; the
// validator has already refused anything it would fail on.
func DurationOf(s string) time.Duration {
	d, _ := ParseDuration(s)
	return d
}

// Compressed shortens a template duration for a cycle run compressed by
// factor (a factor of 1 or less leaves it as it is).
func Compressed(d time.Duration, factor float64) time.Duration {
	if factor > 1 {
		return time.Duration(float64(d) / factor)
	}
	return d
}

// DueOf is when a stage opened at opened is due: after its duration, or
// at its deadline in the period (never before it opened; a compressed
// cycle scales the wait). The cycle workflow and the launch preview both
// use it, so the preview shows the dates the engine will keep.
func (s *Stage) DueOf(opened, periodStart, periodEnd time.Time, compress float64) time.Time {
	switch {
	case s.Duration != "":
		return opened.Add(Compressed(DurationOf(s.Duration), compress))
	case s.Deadline != nil:
		base := periodStart
		if s.Deadline.From == "periodEnd" {
			base = periodEnd
		}
		abs := base.Add(DurationOf(s.Deadline.Offset))
		if abs.Before(opened) {
			return opened
		}
		if compress > 1 {
			return opened.Add(Compressed(abs.Sub(opened), compress))
		}
		return abs
	}
	return opened
}
