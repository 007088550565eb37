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

// MissingPolicy is what a missing value of this indicator does to the
// member's score; renormalise unless the template says otherwise.
func (i Indicator) MissingPolicy() scoring.Policy { return scoring.Policy(i.Missing).Of() }

// MissingPolicy is what a rater group that gave no rating does to the
// member's score; renormalise unless the template says otherwise.
func (r Rater) MissingPolicy() scoring.Policy { return scoring.Policy(r.Missing).Of() }
