package templates

import "github.com/perfloop/perfloop/scoring"

// ScoringLimits turns the template's forced distribution (percent of
// headcount) into the scoring package's limits (fractions), the one form
// the workflow's calibration check, scoring and the meeting agenda share.
func (t *Template) ScoringLimits() []scoring.Limit {
	out := make([]scoring.Limit, 0, len(t.Distribution))
	for _, l := range t.Distribution {
		sl := scoring.Limit{Grades: l.Grades}
		if l.Max != nil {
			v := *l.Max / 100
			sl.Max = &v
		}
		if l.Min != nil {
			v := *l.Min / 100
			sl.Min = &v
		}
		out = append(out, sl)
	}
	return out
}
