package scoring

import (
	"fmt"
	"maps"
)

// Adjustment is the effect of an anti-gaming rule on one indicator's score
// (fan growth from low-quality traffic halved, a failed experiment not
// penalised). The engine evaluates the rule's condition; Apply only applies
// the effect.
type Adjustment struct {
	Indicator string
	Multiply  *float64
	Add       *float64
	Set       *float64
	Reason    string
}

// Applied records what one adjustment did, for the member's score sheet.
type Applied struct {
	Index     int // position in the adjustments passed to Apply
	Indicator string
	Reason    string
	Before    float64
	After     float64
	Clamped   bool // the effect would have left the 0–100 scale
	// Skipped says why the adjustment had no effect; empty when applied.
	Skipped string
}

// Apply returns scores with adj applied in order, and one Applied per
// adjustment: a copy, so scores is never modified, or with no adjustment
// scores itself (most members of most cycles meet none, and scoring a
// large cycle would copy every member's scores for nothing). Within an
// adjustment Set comes first, then Multiply, then Add. The result is
// clamped to 0–100 after every adjustment, so each Before/After pair a
// member sees is a real score. An adjustment naming an indicator without
// a score, or carrying a NaN or infinite effect, is skipped and says why.
func Apply(scores map[string]float64, adj []Adjustment) (map[string]float64, []Applied) {
	if len(adj) == 0 && scores != nil {
		return scores, []Applied{}
	}
	out := maps.Clone(scores)
	if out == nil {
		out = map[string]float64{}
	}
	applied := make([]Applied, len(adj))
	for i, a := range adj {
		rec := Applied{Index: i, Indicator: a.Indicator, Reason: a.Reason}
		before, ok := out[a.Indicator]
		switch {
		case !ok:
			rec.Skipped = fmt.Sprintf("indicator %q has no score", a.Indicator)
		case !finitePtr(a.Set) || !finitePtr(a.Multiply) || !finitePtr(a.Add):
			rec.Skipped = "effect is not a finite number"
		default:
			v := before
			if a.Set != nil {
				v = *a.Set
			}
			if a.Multiply != nil {
				v *= *a.Multiply
			}
			if a.Add != nil {
				v += *a.Add
			}
			after := clamp(v, 0, 100)
			rec.Before, rec.After, rec.Clamped = before, after, after != v
			out[a.Indicator] = after
		}
		if rec.Skipped != "" {
			rec.Before, rec.After = before, before
		}
		applied[i] = rec
	}
	return out, applied
}

func finitePtr(p *float64) bool { return p == nil || finite(*p) }
