package breakdown

import (
	"fmt"
	"time"
)

// proRatas returns each member's active fraction of the period. Fractions are
// taken over wall-clock durations, so a member who joins at noon on the 16th
// of a 31-day month is active 15.5/31 of it.
func proRatas(in Input) ([]float64, error) {
	out := make([]float64, len(in.Members))
	period := in.PeriodEnd.Sub(in.PeriodStart)
	for i, m := range in.Members {
		if m.ActiveFrom == nil && m.ActiveTo == nil {
			out[i] = 1
			continue
		}
		if period <= 0 {
			return nil, fmt.Errorf("/periodEnd: %s is not after /periodStart %s, but member %q has active dates: %w",
				in.PeriodEnd.Format(time.RFC3339), in.PeriodStart.Format(time.RFC3339), m.ID, ErrPeriod)
		}
		from, to := in.PeriodStart, in.PeriodEnd
		if m.ActiveFrom != nil && m.ActiveFrom.After(from) {
			from = *m.ActiveFrom
		}
		if m.ActiveTo != nil && m.ActiveTo.Before(to) {
			to = *m.ActiveTo
		}
		if m.ActiveFrom != nil && m.ActiveTo != nil && m.ActiveTo.Before(*m.ActiveFrom) {
			return nil, fmt.Errorf("/members/%d/activeTo: %s is before activeFrom %s: %w",
				i, m.ActiveTo.Format(time.RFC3339), m.ActiveFrom.Format(time.RFC3339), ErrPeriod)
		}
		if active := to.Sub(from); active > 0 {
			out[i] = float64(active) / float64(period)
		}
	}
	return out, nil
}
