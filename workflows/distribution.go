package workflows

import (
	"strings"

	"github.com/perfloop/perfloop/scoring"
	"github.com/perfloop/perfloop/templates"
)

// Limits turns a template's forced distribution (percent) into the scoring
// package's fractions.
func Limits(t *templates.Template) []scoring.Limit {
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

// distributionProblems names every limit the grades break, or "".
func distributionProblems(grades map[string]string, t *templates.Template) string {
	vs := scoring.CheckDistribution(grades, Limits(t))
	if len(vs) == 0 {
		return ""
	}
	msgs := make([]string, len(vs))
	for i, v := range vs {
		msgs[i] = v.Message
	}
	return "the grades break the forced distribution: " + strings.Join(msgs, "; ")
}
