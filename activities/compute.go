package activities

import (
	"errors"
	"fmt"
	"math"
	"sort"

	"github.com/perfloop/perfloop/scoring"
	"github.com/perfloop/perfloop/templates"
)

// MemberData is what scoring one member reads: metric values (indicators
// and signals), the member's targets for split indicators, and ratings by
// rater key and indicator, in each rater's own scale.
type MemberData struct {
	MemberID string
	Level    string
	Metrics  map[string]float64
	Targets  map[string]float64
	Ratings  map[string]map[string][]float64
}

// MemberScore is one member's computed result.
type MemberScore struct {
	MemberID    string             `json:"memberId"`
	Indicators  map[string]float64 `json:"indicators"`  // after adjustments
	Missing     []string           `json:"missing"`     // indicators with no data, left out of the total
	Parts       map[string]float64 `json:"parts"`       // total, quantitative, behaviour, rater keys
	Adjustments []scoring.Applied  `json:"adjustments"` // what anti-gaming rules did
	Final       float64            `json:"final"`
	Grade       string             `json:"grade"`    // by score alone
	Proposed    string             `json:"proposed"` // after the forced distribution
	Rank        int                `json:"rank"`
	Percentile  float64            `json:"percentile"`
	TieByID     bool               `json:"tieById"`
	Notes       []string           `json:"notes,omitempty"`
}

// ErrNoMembers means there is nobody to score.
var ErrNoMembers = errors.New("no members to score")

// ScoreMembers computes every member's indicator scores, rater parts,
// adjustments, final score, grade, rank and proposed grade. It is pure, so
// the rules are tested without a database and benchmarked on their own.
//
// Ties: members with equal final scores are ordered by the score of the
// highest-weight indicator, then the next, and finally by member id, which
// TieByID flags for the calibration meeting.
func ScoreMembers(t *templates.Template, members []MemberData) ([]MemberScore, error) {
	if len(members) == 0 {
		return nil, ErrNoMembers
	}
	c, err := newScorer(t)
	if err != nil {
		return nil, err
	}
	out := make([]MemberScore, len(members))
	entries := make([]scoring.Entry, len(members))
	for i, m := range members {
		s, err := c.member(m)
		if err != nil {
			var se *ScoreError
			if !errors.As(err, &se) {
				err = &ScoreError{MemberID: m.MemberID, Err: err}
			}
			return nil, err
		}
		out[i] = s
		tb := make([]float64, len(c.byWeight))
		for j, k := range c.byWeight {
			tb[j] = s.Indicators[k]
		}
		entries[i] = scoring.Entry{MemberID: m.MemberID, Score: s.Final, Tiebreak: tb}
	}
	ranked := scoring.Rank(entries)
	index := make(map[string]int, len(out))
	for i := range out {
		index[out[i].MemberID] = i
	}
	for _, r := range ranked {
		s := &out[index[r.MemberID]]
		s.Rank, s.Percentile, s.TieByID = r.Rank, r.Percentile, r.TieByID
	}
	prop, perr := scoring.Propose(ranked, c.grades, c.limits)
	for i := range out {
		out[i].Proposed = out[i].Grade
		if g, ok := prop.Grades[out[i].MemberID]; ok {
			out[i].Proposed = g
		}
		if perr != nil {
			out[i].Notes = append(out[i].Notes, "the forced distribution cannot be met by this headcount; grades follow scores: "+perr.Error())
		}
	}
	return out, nil
}

type scorer struct {
	t        *templates.Template
	rules    map[string]scoring.Rule
	exprs    map[string]*templates.Program
	conds    []*templates.Program
	formula  *templates.Program
	grades   []scoring.Grade
	limits   []scoring.Limit
	byWeight []string
	split    map[string]bool
}

func newScorer(t *templates.Template) (*scorer, error) {
	c := &scorer{t: t, rules: map[string]scoring.Rule{}, exprs: map[string]*templates.Program{}, split: map[string]bool{}}
	if t.Breakdown != nil {
		for _, tt := range t.Breakdown.Targets {
			c.split[tt.Indicator] = true
		}
	}
	for _, ind := range t.Indicators {
		if ind.Kind != templates.Quantitative || ind.Scoring == nil {
			continue
		}
		if ind.Scoring.Method == templates.ScoreExpression {
			p, err := templates.Compile(templates.CtxScoring, ind.Scoring.Expr, t)
			if err != nil {
				return nil, fmt.Errorf("indicator %s: %w", ind.Key, err)
			}
			c.exprs[ind.Key] = p
			continue
		}
		c.rules[ind.Key] = ruleOf(ind)
	}
	for _, adj := range t.Adjustments {
		p, err := templates.Compile(templates.CtxCondition, adj.When, t)
		if err != nil {
			return nil, fmt.Errorf("adjustment %s: %w", adj.Key, err)
		}
		c.conds = append(c.conds, p)
	}
	if t.Formula != "" {
		p, err := templates.Compile(templates.CtxFormula, t.Formula, t)
		if err != nil {
			return nil, fmt.Errorf("formula: %w", err)
		}
		c.formula = p
	}
	for _, g := range t.Grades {
		c.grades = append(c.grades, scoring.Grade{Key: g.Key, Min: g.Min, Max: g.Max})
	}
	c.limits = t.ScoringLimits()
	keys := make([]string, len(t.Indicators))
	weight := map[string]float64{}
	for i, ind := range t.Indicators {
		keys[i] = ind.Key
		weight[ind.Key] = ind.Weight
	}
	sort.SliceStable(keys, func(i, j int) bool { return weight[keys[i]] > weight[keys[j]] })
	c.byWeight = keys
	return c, nil
}

// ruleOf maps an indicator's scoring onto the scoring package's rule.
func ruleOf(ind templates.Indicator) scoring.Rule {
	s := ind.Scoring
	r := scoring.Rule{Kind: s.Method}
	if ind.Baseline != nil {
		r.Baseline, r.Threshold = *ind.Baseline, *ind.Baseline
	}
	if ind.Stretch != nil {
		r.Stretch = *ind.Stretch
	}
	r.Floor, r.Cap, r.BelowBaseline = val(s.Floor, 60), val(s.Cap, 100), val(s.BelowBaseline, 0)
	r.Pass, r.Fail = val(s.Pass, 100), val(s.Fail, 0)
	for i, b := range s.Bands {
		r.Bands = append(r.Bands, scoring.Band{Min: b.Min, Max: b.Max, Points: b.Points, MaxInclusive: i == topBand(s.Bands)})
	}
	return r
}

func topBand(bands []templates.Band) int {
	top := 0
	for i, b := range bands {
		if b.Max > bands[top].Max {
			top = i
		}
	}
	return top
}

func val(p *float64, d float64) float64 {
	if p == nil {
		return d
	}
	return *p
}

func direction(ind templates.Indicator) scoring.Direction {
	if ind.LowerIsBetter() {
		return scoring.Lower
	}
	return scoring.Higher
}

func (c *scorer) member(m MemberData) (MemberScore, error) {
	t := c.t
	s := MemberScore{MemberID: m.MemberID, Indicators: map[string]float64{}, Parts: map[string]float64{}}
	raw := map[string]float64{}
	quant, behav := map[string]float64{}, map[string]float64{}
	weights := c.weightsFor(m.Level)
	for _, ind := range t.Indicators {
		switch ind.Kind {
		case templates.Quantitative:
			v, ok := m.Metrics[ind.Key]
			if !ok {
				s.Missing = append(s.Missing, ind.Key)
				continue
			}
			score, err := c.quantScore(ind, v, m)
			if err != nil {
				return s, &ScoreError{MemberID: m.MemberID, Indicator: ind.Key, Value: &v, Err: err}
			}
			raw[ind.Key] = score
		case templates.Behavioural:
			score, ok, err := c.behaviourScore(ind, m)
			if err != nil {
				return s, fmt.Errorf("indicator %s: %w", ind.Key, err)
			}
			if !ok {
				s.Missing = append(s.Missing, ind.Key)
				continue
			}
			raw[ind.Key] = score
		}
	}
	// Anti-gaming rules see the raw scores and metrics.
	env := templates.Env{Score: raw, Metric: m.Metrics, Target: m.Targets, Vars: map[string]float64{}}
	var adj []scoring.Adjustment
	for i, cond := range c.conds {
		hit, err := cond.Bool(env)
		if err != nil {
			return s, fmt.Errorf("adjustment %s: %w", t.Adjustments[i].Key, err)
		}
		if !hit {
			continue
		}
		a := t.Adjustments[i]
		if _, ok := raw[a.Indicator]; !ok {
			continue
		}
		adj = append(adj, scoring.Adjustment{Indicator: a.Indicator, Multiply: a.Effect.Multiply, Add: a.Effect.Add, Set: a.Effect.Set, Reason: a.Name.Zh})
	}
	scores, applied := scoring.Apply(raw, adj)
	s.Indicators, s.Adjustments = scores, applied
	for _, ind := range t.Indicators {
		v, ok := scores[ind.Key]
		if !ok {
			continue
		}
		if ind.Kind == templates.Quantitative {
			quant[ind.Key] = v
		} else {
			behav[ind.Key] = v
		}
	}
	total, err := mixPresent(scores, weights)
	if err != nil {
		return s, err
	}
	s.Parts["total"] = total
	if q, err := mixSubset(quant, weights); err == nil {
		s.Parts["quantitative"] = q
	}
	if b, err := mixSubset(behav, weights); err == nil {
		s.Parts["behaviour"] = b
	}
	for _, r := range t.Raters {
		if v, ok := c.raterAverage(r, m); ok {
			s.Parts[r.Key] = v
		}
	}
	s.Final = total
	if c.formula != nil {
		env.Vars = s.Parts
		env.Score = scores
		f, err := c.formula.Float(env)
		if err != nil {
			return s, fmt.Errorf("formula: %w", err)
		}
		s.Final = f
	}
	s.Final = math.Round(clamp(s.Final)*100) / 100
	g, err := scoring.GradeOf(s.Final, c.grades)
	if err != nil {
		return s, err
	}
	s.Grade = g
	return s, nil
}

func clamp(v float64) float64 { return math.Max(0, math.Min(100, v)) }

// weightsFor gives the level's weights where the template sets them.
func (c *scorer) weightsFor(level string) map[string]float64 {
	if w, ok := c.t.LevelWeights[level]; ok {
		return w
	}
	w := make(map[string]float64, len(c.t.Indicators))
	for _, ind := range c.t.Indicators {
		w[ind.Key] = ind.Weight
	}
	return w
}

// quantScore scores a metric value. A split indicator is judged on
// attainment of the member's own target (value / target × 100), so its
// baseline and stretch are read as percentages of that target.
func (c *scorer) quantScore(ind templates.Indicator, v float64, m MemberData) (float64, error) {
	if c.split[ind.Key] {
		if target, ok := m.Targets[ind.Key]; ok && target > 0 {
			v = v / target * 100
		}
	}
	if p, ok := c.exprs[ind.Key]; ok {
		vars := map[string]float64{"value": v, "target": m.Targets[ind.Key]}
		if ind.Baseline != nil {
			vars["baseline"] = *ind.Baseline
		}
		if ind.Stretch != nil {
			vars["stretch"] = *ind.Stretch
		}
		f, err := p.Float(templates.Env{Vars: vars, Metric: m.Metrics})
		return clamp(f), err
	}
	return c.rules[ind.Key].Score(v, direction(ind))
}

// ratersOf lists the raters that rate an indicator.
func (c *scorer) ratersOf(key string) []templates.Rater {
	var out []templates.Rater
	for _, r := range c.t.Raters {
		if rates(r, key, c.t) {
			out = append(out, r)
		}
	}
	return out
}

func rates(r templates.Rater, key string, t *templates.Template) bool {
	if len(r.Indicators) == 0 {
		for _, ind := range t.Indicators {
			if ind.Key == key {
				return ind.Kind == templates.Behavioural
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

// behaviourScore mixes the raters' averages by rater weight; raters with
// no answers drop out and the rest are re-weighted (scoring.Mix's rule).
func (c *scorer) behaviourScore(ind templates.Indicator, m MemberData) (float64, bool, error) {
	parts, weights := map[string]float64{}, map[string]float64{}
	for _, r := range c.ratersOf(ind.Key) {
		weights[r.Key] = r.Weight
		if avg, ok := average(m.Ratings[r.Key][ind.Key]); ok {
			parts[r.Key] = normalise(avg, r.Scale)
		}
	}
	return mixOver(parts, weights)
}

// raterAverage is a rater's mean over every indicator it rated, 0–100.
func (c *scorer) raterAverage(r templates.Rater, m MemberData) (float64, bool) {
	var all []float64
	keys := make([]string, 0, len(m.Ratings[r.Key]))
	for k := range m.Ratings[r.Key] {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		all = append(all, m.Ratings[r.Key][k]...)
	}
	avg, ok := average(all)
	if !ok {
		return 0, false
	}
	return normalise(avg, r.Scale), true
}

func average(xs []float64) (float64, bool) {
	if len(xs) == 0 {
		return 0, false
	}
	sum := 0.0
	for _, x := range xs {
		sum += x
	}
	return sum / float64(len(xs)), true
}

func normalise(v float64, s *templates.Scale) float64 {
	if s == nil || s.Max <= s.Min {
		return clamp(v)
	}
	return clamp((v - s.Min) / (s.Max - s.Min) * 100)
}

// mixOver weighs the parts present among weights, re-normalising; zero
// weights (a self rating shown but not counted) are left out.
func mixOver(parts, weights map[string]float64) (float64, bool, error) {
	sum := 0.0
	for k, w := range weights {
		if _, ok := parts[k]; ok {
			sum += w
		}
	}
	if sum <= 0 {
		return 0, false, nil
	}
	scaled := make(map[string]float64, len(weights))
	for k, w := range weights {
		scaled[k] = w * 100 / totalOf(weights)
	}
	r, err := scoring.Mix(parts, scaled)
	if err != nil {
		return 0, false, err
	}
	return r.Score, true, nil
}

func totalOf(w map[string]float64) float64 {
	t := 0.0
	for _, v := range w {
		t += v
	}
	return t
}

// mixPresent is the weighted total over the indicators with data.
func mixPresent(scores, weights map[string]float64) (float64, error) {
	v, ok, err := mixOver(scores, weights)
	if err != nil || !ok {
		return 0, err
	}
	return v, nil
}

// mixSubset is the weighted mean of a subset of indicators.
func mixSubset(scores, weights map[string]float64) (float64, error) {
	sub := map[string]float64{}
	for k := range scores {
		sub[k] = weights[k]
	}
	v, ok, err := mixOver(scores, sub)
	if err != nil {
		return 0, err
	}
	if !ok {
		return 0, errors.New("no data")
	}
	return v, nil
}
