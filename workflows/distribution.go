package workflows

import (
	"strings"

	"github.com/perfloop/perfloop/scoring"
	"github.com/perfloop/perfloop/templates"
)

// distributionProblems names every limit the grades break, or "".
func distributionProblems(grades map[string]string, t *templates.Template) string {
	vs := scoring.CheckDistribution(grades, t.ScoringLimits())
	if len(vs) == 0 {
		return ""
	}
	msgs := make([]string, len(vs))
	for i, v := range vs {
		msgs[i] = v.Message
	}
	return "the grades break the forced distribution: " + strings.Join(msgs, "; ")
}
