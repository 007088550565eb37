package templates

import "strings"

// RatersOf lists the rater groups that rate an indicator: those naming it,
// or, naming none, every behavioural indicator.
func (t *Template) RatersOf(indicator string) []Rater {
	var out []Rater
	for _, r := range t.Raters {
		if t.rates(r, indicator) {
			out = append(out, r)
		}
	}
	return out
}

func (t *Template) rates(r Rater, key string) bool {
	if len(r.Indicators) == 0 {
		for _, ind := range t.Indicators {
			if ind.Key == key {
				return ind.Kind == Behavioural
			}
		}
		return false
	}
	for _, k := range r.Indicators {
		if k == key {
			return true
		}
	}
	return false
}

// RaterWeight is how much of a score one rater group decides when every
// group's ratings arrive.
type RaterWeight struct {
	Key  string `json:"key"`
	Role string `json:"role"`
	// Final is the group's share of the final score, in percent.
	Final float64 `json:"final"`
	// Behaviour is its share of the behavioural indicators' weighted part:
	// rater weights act per indicator, so 40/30/30 as written can be
	// 63/17/20 here when the groups rate different indicators.
	Behaviour float64 `json:"behaviour"`
}

// EffectiveWeights is each rater group's effective weight for a member of
// level (the template's own indicator weights when the level sets none):
// formula part weights × indicator weights × the rater weights of each
// indicator, those renormalised over the groups that rate it, as scoring
// does. A template whose formula does not compile gives nil; the validator
// reports it.
func EffectiveWeights(t *Template, level string) []RaterWeight {
	weights := t.WeightsFor(level)
	// share[g][ind]: the part of a behavioural indicator's score group g decides.
	share := map[string]map[string]float64{}
	for _, ind := range t.Indicators {
		if ind.Kind != Behavioural {
			continue
		}
		rs := t.RatersOf(ind.Key)
		var sum float64
		for _, r := range rs {
			sum += r.Weight
		}
		if sum <= 0 {
			continue
		}
		for _, r := range rs {
			if share[r.Key] == nil {
				share[r.Key] = map[string]float64{}
			}
			share[r.Key][ind.Key] = r.Weight / sum
		}
	}
	// of is group g's share of a weighted mean of indicators (all when kind is empty).
	of := func(g, kind string) float64 {
		if t.RaterMix == MixPart {
			return partShare(t, weights, g, kind)
		}
		var num, den float64
		for _, ind := range t.Indicators {
			if kind != "" && ind.Kind != kind {
				continue
			}
			num += weights[ind.Key] * share[g][ind.Key]
			den += weights[ind.Key]
		}
		if den == 0 {
			return 0
		}
		return num / den
	}
	terms := []Term{{Name: "total", Weight: 1}}
	if t.Formula != "" {
		p, err := Compile(CtxFormula, t.Formula, t)
		if err != nil {
			return nil
		}
		lin, err := p.Linear()
		if err != nil {
			return nil
		}
		terms = lin.Terms
	}
	out := make([]RaterWeight, len(t.Raters))
	for i, r := range t.Raters {
		rw := RaterWeight{Key: r.Key, Role: r.Role, Behaviour: of(r.Key, Behavioural) * 100}
		for _, term := range terms {
			ns, key, dotted := strings.Cut(term.Name, ".")
			var s float64
			switch {
			case !dotted && term.Name == r.Key:
				s = 1
			case term.Name == "total":
				s = of(r.Key, "")
			case term.Name == "behaviour":
				s = of(r.Key, Behavioural)
			case dotted && ns == "score":
				s = share[r.Key][key]
			}
			rw.Final += term.Weight * s * 100
		}
		out[i] = rw
	}
	return out
}

// partShare is of for MixPart: the groups that rate behavioural indicators
// split the behaviour part by their weights as written, and the part weighs
// what the behavioural indicators' weights total.
func partShare(t *Template, weights map[string]float64, g, kind string) float64 {
	var groups, mine, behaviour, all float64
	for _, r := range t.Raters {
		if !t.RatesBehaviour(r) {
			continue
		}
		groups += r.Weight
		if r.Key == g {
			mine = r.Weight
		}
	}
	for _, ind := range t.Indicators {
		all += weights[ind.Key]
		if ind.Kind == Behavioural {
			behaviour += weights[ind.Key]
		}
	}
	if groups == 0 || behaviour == 0 {
		return 0
	}
	share := mine / groups
	if kind == Behavioural {
		return share
	}
	return share * behaviour / all
}

// RatesBehaviour reports whether a rater group rates any behavioural indicator.
func (t *Template) RatesBehaviour(r Rater) bool {
	for _, ind := range t.Indicators {
		if ind.Kind == Behavioural && t.rates(r, ind.Key) {
			return true
		}
	}
	return false
}

// WeightsFor gives the indicator weights of a member of level: the level's
// where the template sets them, else each indicator's own.
func (t *Template) WeightsFor(level string) map[string]float64 {
	if w, ok := t.LevelWeights[level]; ok {
		return w
	}
	w := make(map[string]float64, len(t.Indicators))
	for _, ind := range t.Indicators {
		w[ind.Key] = ind.Weight
	}
	return w
}
