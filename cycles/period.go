package cycles

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"time"

	"github.com/perfloop/perfloop/templates"
)

// ErrPeriod explains the period forms, per template period length.
var ErrPeriod = errors.New("period does not match the template's period")

var (
	monthRE   = regexp.MustCompile(`^(\d{4})-(0[1-9]|1[0-2])$`)
	quarterRE = regexp.MustCompile(`^(\d{4})-Q([1-4])$`)
	yearRE    = regexp.MustCompile(`^(\d{4})$`)
)

// The years a period may fall in. Beyond them a cycle's dates cannot be
// written as JSON or RFC 3339 (year 10000, or year -1 once 0000-01 in
// Shanghai is turned into UTC) and no review is meant anyway.
const (
	MinYear = 1970
	MaxYear = 2999
)

// Period is a review period in a time zone: [Start, End).
type Period struct {
	Label string
	Start time.Time
	End   time.Time
}

// ParsePeriod reads "2026-11" (monthly), "2026-Q4" (quarterly) or "2026"
// (annual) in the template's time zone, so a Shanghai cycle's month starts
// at midnight in Shanghai, not in UTC.
func ParsePeriod(kind, label, tz string) (Period, error) {
	loc, err := time.LoadLocation(tz)
	if err != nil {
		return Period{}, fmt.Errorf("time zone %q: %w", tz, err)
	}
	switch kind {
	case templates.Monthly:
		m := monthRE.FindStringSubmatch(label)
		if m == nil {
			return Period{}, fmt.Errorf("%w: a monthly template takes YYYY-MM, such as 2026-11", ErrPeriod)
		}
		y, _ := strconv.Atoi(m[1])
		if err := checkYear(y); err != nil {
			return Period{}, err
		}
		mo, _ := strconv.Atoi(m[2])
		start := time.Date(y, time.Month(mo), 1, 0, 0, 0, 0, loc)
		return Period{Label: label, Start: start, End: start.AddDate(0, 1, 0)}, nil
	case templates.Quarterly:
		m := quarterRE.FindStringSubmatch(label)
		if m == nil {
			return Period{}, fmt.Errorf("%w: a quarterly template takes YYYY-Qn, such as 2026-Q4", ErrPeriod)
		}
		y, _ := strconv.Atoi(m[1])
		if err := checkYear(y); err != nil {
			return Period{}, err
		}
		q, _ := strconv.Atoi(m[2])
		start := time.Date(y, time.Month(3*(q-1)+1), 1, 0, 0, 0, 0, loc)
		return Period{Label: label, Start: start, End: start.AddDate(0, 3, 0)}, nil
	case templates.Annual:
		m := yearRE.FindStringSubmatch(label)
		if m == nil {
			return Period{}, fmt.Errorf("%w: an annual template takes YYYY, such as 2026", ErrPeriod)
		}
		y, _ := strconv.Atoi(m[1])
		if err := checkYear(y); err != nil {
			return Period{}, err
		}
		start := time.Date(y, 1, 1, 0, 0, 0, 0, loc)
		return Period{Label: label, Start: start, End: start.AddDate(1, 0, 0)}, nil
	}
	return Period{}, fmt.Errorf("%w: unknown period kind %q", ErrPeriod, kind)
}

func checkYear(y int) error {
	if y < MinYear || y > MaxYear {
		return fmt.Errorf("%w: the year must be between %d and %d", ErrPeriod, MinYear, MaxYear)
	}
	return nil
}

// PeriodOf is the period containing t, for schedules and defaults.
func PeriodOf(kind string, t time.Time, tz string) (Period, error) {
	loc, err := time.LoadLocation(tz)
	if err != nil {
		return Period{}, err
	}
	t = t.In(loc)
	switch kind {
	case templates.Quarterly:
		return ParsePeriod(kind, fmt.Sprintf("%04d-Q%d", t.Year(), (int(t.Month())-1)/3+1), tz)
	case templates.Annual:
		return ParsePeriod(kind, fmt.Sprintf("%04d", t.Year()), tz)
	}
	return ParsePeriod(templates.Monthly, fmt.Sprintf("%04d-%02d", t.Year(), int(t.Month())), tz)
}

// Previous is the period before p, for "bottom N periods running".
func Previous(kind string, p Period, tz string) (Period, error) {
	return PeriodOf(kind, p.Start.Add(-time.Hour), tz)
}
