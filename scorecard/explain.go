package scorecard

import (
	"strings"

	"github.com/perfloop/perfloop/scoring"
	"github.com/perfloop/perfloop/templates"
)

// Explanation is how a member's final score came about, stored with the
// result when it is computed so the API shows what scoring saw rather than
// a recomputation that could drift. Its parts recompute the final score:
// constant + Σ weight × score / 100, clamped to 0–100 and rounded to 0.01.
// Raters appear only as groups: never who rated.
type Explanation struct {
	Formula     string           `json:"formula,omitempty"` // empty: the weighted indicators are the parts
	Waiver      string           `json:"waiver,omitempty"`  // why a manager waived data a block policy waited for
	Constant    float64          `json:"constant"`
	Parts       []PartScore      `json:"parts"`
	Indicators  []IndicatorScore `json:"indicators"`
	Raters      []RaterScore     `json:"raters"`
	Adjustments []AdjustmentNote `json:"adjustments"`
	Missing     []MissingData    `json:"missing"`
	Blocked     []MissingData    `json:"blocked"` // missing data whose policy withholds the score
	Clamped     bool             `json:"clamped"` // the parts gave a score outside 0–100
	Final       float64          `json:"final"`
}

// PartScore is one part of the final formula (or, without a formula, one
// indicator of the weighted total).
type PartScore struct {
	Key string `json:"key"`
	// Weight is the part's share of the final score in percent, after
	// missing parts were handled; TemplateWeight is as written.
	Weight         float64        `json:"weight"`
	TemplateWeight float64        `json:"templateWeight"`
	Score          float64        `json:"score"`
	Missing        bool           `json:"missing"`
	Policy         scoring.Policy `json:"policy,omitempty"` // when missing
}

// IndicatorScore is one indicator: what was measured and what it earned.
type IndicatorScore struct {
	Key    string         `json:"key"`
	Name   templates.Text `json:"name"`
	Kind   string         `json:"kind"`
	Weight float64        `json:"weight"` // the member's level weight, as written
	// Value is the raw metric value and Source where it came from
	// (quantitative indicators).
	Value  *float64 `json:"value,omitempty"`
	Source string   `json:"source,omitempty"`
	// What the value was judged against: the member's target (split
	// indicators are scored on attainment), baseline and stretch, the band
	// it fell in, or whether it met the threshold.
	Target   *float64        `json:"target,omitempty"`
	Baseline *float64        `json:"baseline,omitempty"`
	Stretch  *float64        `json:"stretch,omitempty"`
	Band     *templates.Band `json:"band,omitempty"`
	Met      *bool           `json:"met,omitempty"`
	// Raters are the rater groups' shares of a behavioural indicator.
	Raters []RaterShare `json:"raters,omitempty"`
	// RawScore is before adjustments, Score after.
	RawScore float64        `json:"rawScore"`
	Score    float64        `json:"score"`
	Missing  bool           `json:"missing"`
	Policy   scoring.Policy `json:"policy"`
}

// RaterShare is a rater group's part in one behavioural indicator.
type RaterShare struct {
	Key     string  `json:"key"`
	Weight  float64 `json:"weight"` // percent of the indicator, after missing groups were handled
	Average float64 `json:"average"`
	Missing bool    `json:"missing"`
}

// RaterScore is a rater group's average over everything it rated, 0–100.
type RaterScore struct {
	Key    string  `json:"key"`
	Role   string  `json:"role"`
	Weight float64 `json:"weight"`
	// EffectiveWeight is the group's share of the final score in percent
	// as the template sets it for the member's level (templates.EffectiveWeights),
	// before missing data is handled: what Weight amounts to once formula
	// and indicator weights are applied.
	EffectiveWeight float64        `json:"effectiveWeight"`
	Average         *float64       `json:"average"`
	Missing         bool           `json:"missing"`
	Policy          scoring.Policy `json:"policy"`
}

// AdjustmentNote is an anti-gaming rule that held for the member.
type AdjustmentNote struct {
	Key       string         `json:"key"`
	Indicator string         `json:"indicator"`
	Reason    templates.Text `json:"reason"`
	Before    float64        `json:"before"`
	After     float64        `json:"after"`
	Skipped   string         `json:"skipped,omitempty"`
}

// Kinds of missing data.
const (
	MissingIndicator = "indicator" // a quantitative value or every rating of a behavioural indicator
	MissingRater     = "rater"     // one rater group's ratings of one indicator (In)
	MissingPart      = "part"      // a variable of the final formula
)

// MissingData is one gap in a member's data and the policy that applied.
type MissingData struct {
	Key    string         `json:"key"`
	Kind   string         `json:"kind"`
	In     string         `json:"in,omitempty"` // the indicator a rater group's ratings are missing from
	Policy scoring.Policy `json:"policy"`
}

// Keys lists the missing keys, the form the result's adjustments carried
// before policies existed.
func Keys(ms []MissingData) []string {
	out := make([]string, 0, len(ms))
	seen := map[string]bool{}
	for _, m := range ms {
		if m.Kind == MissingRater || seen[m.Key] {
			continue
		}
		seen[m.Key] = true
		out = append(out, m.Key)
	}
	return out
}

// note records gaps once each, whichever mix found them first.
func (e *Explanation) note(kind, in string, ms []scoring.Missing) {
	for _, m := range ms {
		d := MissingData{Key: m.Key, Kind: kind, In: in, Policy: m.Policy}
		dup := false
		for _, have := range e.Missing {
			if have == d {
				dup = true
				break
			}
		}
		if dup {
			continue
		}
		e.Missing = append(e.Missing, d)
		if m.Policy == scoring.Block {
			e.Blocked = append(e.Blocked, d)
		}
	}
}

// BlockedReason says in both languages what holds a member's score back.
func BlockedReason(ms []MissingData) string {
	if len(ms) == 0 {
		return ""
	}
	names := make([]string, len(ms))
	for i, m := range ms {
		names[i] = m.Key
		if m.In != "" {
			names[i] = m.In + "/" + m.Key
		}
	}
	list := strings.Join(names, ", ")
	return "缺少数据，模板要求补齐后再计分：" + list + " / Waiting for data the template requires before scoring: " + list
}
