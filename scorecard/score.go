package scorecard

import (
	"errors"
	"fmt"
	"math"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

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
	Sources  map[string]string // where each metric value came from, for the explanation
	Targets  map[string]float64
	Ratings  map[string]map[string][]float64
	// Waiver is why the manager waived the missing data a block policy
	// waits for: the member is then scored as if the policy were
	// renormalise. Empty when nothing was waived.
	Waiver string
}

// MemberScore is one member's computed result.
type MemberScore struct {
	MemberID    string             `json:"memberId"`
	Indicators  map[string]float64 `json:"indicators"`  // after adjustments
	Missing     []MissingData      `json:"missing"`     // data that was missing and the policy that applied
	Blocked     []MissingData      `json:"blocked"`     // missing data whose policy withholds the score: no final, grade or rank
	Parts       map[string]float64 `json:"parts"`       // total, quantitative, behaviour, rater keys
	Adjustments []scoring.Applied  `json:"adjustments"` // what anti-gaming rules did
	Explanation Explanation        `json:"explanation"`
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
	c, err := NewScorer(t)
	if err != nil {
		return nil, err
	}
	run := c.Start(len(members))
	for i, m := range members {
		run.Add(i, m)
	}
	return run.Finish()
}

// Run scores members on every core while they are still arriving (a cycle's
// values are read member by member) and ranks them once all are in. Each
// member's score reads only the compiled template and that member's data, so
// members split across goroutines freely; ranking and the forced
// distribution need everyone and run in Finish.
type Run struct {
	c         *Scorer
	out       []MemberScore
	tiebreaks [][]float64 // by index, worked out beside each score
	work      chan []scoreJob
	batch     []scoreJob // being filled by Add
	done      sync.WaitGroup
	errAt     atomic.Int64 // the lowest index that failed, or math.MaxInt64
	errs      []error      // by index, written only by the job that failed
	added     []bool
}

type scoreJob struct {
	i int
	m MemberData
}

// Start begins a run of n members, indexed 0..n-1 in the order their
// results come back.
func (c *Scorer) Start(n int) *Run {
	r := &Run{c: c, out: make([]MemberScore, n), tiebreaks: make([][]float64, n), errs: make([]error, n), added: make([]bool, n), work: make(chan []scoreJob, 16)}
	r.errAt.Store(math.MaxInt64)
	workers := runtime.GOMAXPROCS(0)
	if n < 2*minPerWorker {
		workers = 1
	}
	r.done.Add(workers)
	for range workers {
		go r.score()
	}
	return r
}

// minPerWorker keeps small cycles on one goroutine: below it, handing a
// member over costs more than scoring it.
const minPerWorker = 64

// addBatch is how many members Add hands over at once: one hand-over per
// member woke a scoring goroutine per member.
const addBatch = 16

func (r *Run) score() {
	defer r.done.Done()
	var parts []scoring.Part // this goroutine's scratch for weighted means
	for batch := range r.work {
		for _, j := range batch {
			if int64(j.i) > r.errAt.Load() {
				continue // an earlier member failed; the run's answer is that error
			}
			s, err := r.c.member(j.m, &parts)
			if err != nil {
				var se *ScoreError
				if !errors.As(err, &se) {
					err = &ScoreError{MemberID: j.m.MemberID, Err: err}
				}
				r.errs[j.i] = err
				r.failed(j.i)
				continue
			}
			r.out[j.i], r.tiebreaks[j.i] = s, r.c.Tiebreak(s.Indicators)
		}
	}
}

// failed lowers errAt to i unless a lower index failed already.
func (r *Run) failed(i int) {
	for {
		at := r.errAt.Load()
		if int64(i) >= at || r.errAt.CompareAndSwap(at, int64(i)) {
			return
		}
	}
}

// Add hands member i over for scoring. Add is called from one goroutine,
// once per index; m must not change afterwards.
func (r *Run) Add(i int, m MemberData) {
	r.added[i] = true
	if r.batch == nil {
		r.batch = make([]scoreJob, 0, addBatch)
	}
	r.batch = append(r.batch, scoreJob{i, m})
	if len(r.batch) == addBatch {
		r.work <- r.batch
		r.batch = nil
	}
}

// Finish waits for every member added, then ranks them and applies the
// forced distribution. The error is the first failing member's, in index
// order, so a run fails the same way whichever core scored what.
func (r *Run) Finish() ([]MemberScore, error) {
	if len(r.batch) > 0 {
		r.work <- r.batch
		r.batch = nil
	}
	close(r.work)
	r.done.Wait()
	if at := r.errAt.Load(); at != math.MaxInt64 {
		return nil, r.errs[at]
	}
	for i, ok := range r.added {
		if !ok {
			return nil, fmt.Errorf("scoring run: member %d of %d was never added", i, len(r.added))
		}
	}
	c, out := r.c, r.out
	entries := make([]scoring.Entry, 0, len(out))
	for i := range out {
		if len(out[i].Blocked) > 0 {
			continue // ranked once the data arrives, not on a partial score
		}
		entries = append(entries, scoring.Entry{MemberID: out[i].MemberID, Score: out[i].Final, Tiebreak: r.tiebreaks[i]})
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
		if perr != nil && len(out[i].Blocked) == 0 {
			out[i].Notes = append(out[i].Notes, "the forced distribution cannot be met by this headcount; grades follow scores: "+perr.Error())
		}
	}
	return out, nil
}

// Scorer is a template compiled for scoring: its rules, expressions,
// grades and distribution limits, built once per cycle.
type Scorer struct {
	t        *templates.Template
	quant    []quantRule // by indicator position
	conds    []*templates.Program
	formula  *templates.Program
	linear   templates.Linear // the formula as a weighted sum of its parts
	grades   []scoring.Grade
	limits   []scoring.Limit
	byWeight []string
	onlyKind string // the kind of every indicator, when they share one
	// effective is templates.EffectiveWeights of each level the template
	// names, in rater order, and otherEffective that of any other level.
	effective      map[string][]templates.RaterWeight
	otherEffective []templates.RaterWeight
	// weights is Template.WeightsFor of each level the template names, and
	// otherWeights that of any other: building it per member was a map of
	// every indicator per member. Both are read only once built.
	weights      map[string]map[string]float64
	otherWeights map[string]float64
}

// NewScorer compiles a template's scoring rules.
func NewScorer(t *templates.Template) (*Scorer, error) {
	c := &Scorer{t: t, quant: make([]quantRule, len(t.Indicators)), effective: map[string][]templates.RaterWeight{}, weights: map[string]map[string]float64{}}
	split := map[string]bool{}
	if t.Breakdown != nil {
		for _, tt := range t.Breakdown.Targets {
			split[tt.Indicator] = true
		}
	}
	for i, ind := range t.Indicators {
		if i == 0 || ind.Kind == c.onlyKind {
			c.onlyKind = ind.Kind
		} else {
			c.onlyKind = "-" // no kind is every indicator's
		}
		if ind.Kind != templates.Quantitative || ind.Scoring == nil {
			continue
		}
		q := &c.quant[i]
		q.dir, q.split = direction(ind), split[ind.Key]
		if ind.Scoring.Method == templates.ScoreExpression {
			p, err := templates.Compile(templates.CtxScoring, ind.Scoring.Expr, t)
			if err != nil {
				return nil, fmt.Errorf("indicator %s: %w", ind.Key, err)
			}
			q.expr = p
			continue
		}
		q.rule, q.hasRule = ruleOf(ind), true
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
		if c.linear, err = p.Linear(); err != nil {
			return nil, fmt.Errorf("formula: %w", err)
		}
	}
	for _, g := range t.Grades {
		c.grades = append(c.grades, scoring.Grade{Key: g.Key, Min: g.Min, Max: g.Max})
	}
	c.limits = t.ScoringLimits()
	for level := range t.LevelWeights {
		c.weights[level], c.effective[level] = t.WeightsFor(level), templates.EffectiveWeights(t, level)
	}
	// A level the template does not name takes the indicators' own weights.
	other := "(any other level)"
	for t.LevelWeights[other] != nil {
		other += "'"
	}
	c.otherWeights, c.otherEffective = t.WeightsFor(other), templates.EffectiveWeights(t, other)
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

// weightsFor is the level's indicator weights. Every level the template
// names, and the weights of any other, are worked out in NewScorer, so
// members score on many goroutines without writing to the Scorer.
func (c *Scorer) weightsFor(level string) map[string]float64 {
	if w, ok := c.weights[level]; ok {
		return w
	}
	return c.otherWeights
}

func (c *Scorer) effectiveFor(level string) []templates.RaterWeight {
	if w, ok := c.effective[level]; ok {
		return w
	}
	return c.otherEffective
}

// Tiebreak orders equal finals by the indicator scores, heaviest first.
func (c *Scorer) Tiebreak(indicators map[string]float64) []float64 {
	tb := make([]float64, len(c.byWeight))
	for j, k := range c.byWeight {
		tb[j] = indicators[k]
	}
	return tb
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

// quantRule is a quantitative indicator compiled: its rule or its
// expression, its direction, and whether it is split, so scoring a value
// looks nothing up by key.
type quantRule struct {
	rule    scoring.Rule
	hasRule bool
	expr    *templates.Program
	dir     scoring.Direction
	split   bool
}

func direction(ind templates.Indicator) scoring.Direction {
	if ind.LowerIsBetter() {
		return scoring.Lower
	}
	return scoring.Higher
}

// member scores one member. parts is scratch space for the weighted means,
// reused from member to member by the goroutine that owns it.
func (c *Scorer) member(m MemberData, parts *[]scoring.Part) (MemberScore, error) {
	t := c.t
	s := MemberScore{MemberID: m.MemberID, Parts: map[string]float64{}}
	e := &s.Explanation
	e.Formula, e.Waiver = t.Formula, m.Waiver
	weights := c.weightsFor(m.Level)
	raw := make(map[string]float64, len(t.Indicators))
	blocked := map[string]bool{} // behavioural indicators a rater group's gap holds back
	e.Indicators = make([]IndicatorScore, len(t.Indicators))
	// The explanation points at each indicator's value and target; one
	// array holds them all rather than one allocation per pointer.
	figures := make([]float64, 2*len(t.Indicators))
	for i, ind := range t.Indicators {
		is := IndicatorScore{Key: ind.Key, Name: ind.Name, Kind: ind.Kind, Weight: weights[ind.Key], Baseline: ind.Baseline, Stretch: ind.Stretch, Policy: ind.MissingPolicy()}
		switch ind.Kind {
		case templates.Quantitative:
			v, ok := m.Metrics[ind.Key]
			if !ok {
				is.Missing = true
				break
			}
			figures[2*i] = v
			is.Value, is.Source = &figures[2*i], m.Sources[ind.Key]
			if target, ok := m.Targets[ind.Key]; ok {
				figures[2*i+1] = target
				is.Target = &figures[2*i+1]
			}
			score, basis, err := c.quantScore(i, ind, v, m)
			if err != nil {
				return s, &ScoreError{MemberID: m.MemberID, Indicator: ind.Key, Value: is.Value, Err: err}
			}
			is.Band, is.Met = basis.band, basis.met
			raw[ind.Key], is.RawScore = score, score
		case templates.Behavioural:
			mix, err := c.behaviourScore(ind, m)
			e.note(MissingRater, ind.Key, mix.Missing)
			for _, sh := range mix.Shares {
				is.Raters = append(is.Raters, RaterShare{Key: sh.Key, Weight: sh.Weight, Average: sh.Score, Missing: !sh.Present})
			}
			switch {
			case len(mix.Blocked) > 0:
				blocked[ind.Key] = true
			case errors.Is(err, scoring.ErrNoData):
				is.Missing = true
			case err != nil:
				return s, fmt.Errorf("indicator %s: %w", ind.Key, err)
			default:
				raw[ind.Key], is.RawScore = mix.Score, mix.Score
			}
		}
		e.Indicators[i] = is
	}
	// Anti-gaming rules see the raw scores and metrics.
	var adj []scoring.Adjustment
	var held []templates.Adjustment
	var env templates.Env
	if len(c.conds) > 0 {
		env = templates.Env{Score: raw, Metric: m.Metrics, Target: m.Targets, Vars: map[string]float64{}}
	}
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
		held = append(held, a)
	}
	scores, applied := scoring.Apply(raw, adj)
	s.Indicators, s.Adjustments = scores, applied
	e.Adjustments = make([]AdjustmentNote, len(applied))
	for i, ap := range applied {
		e.Adjustments[i] = AdjustmentNote{Key: held[ap.Index].Key, Indicator: ap.Indicator, Reason: held[ap.Index].Name, Before: ap.Before, After: ap.After, Skipped: ap.Skipped}
	}
	for i := range e.Indicators {
		e.Indicators[i].Score = scores[e.Indicators[i].Key]
	}
	total, err := c.mean(e, m, scores, blocked, weights, "", parts)
	if err != nil {
		return s, err
	}
	present := map[string]bool{}
	if total.ok {
		s.Parts["total"], present["total"] = total.Score, true
	} else {
		s.Parts["total"] = 0 // what a formula read before; the gap is in Missing
	}
	for _, sub := range []struct{ key, kind string }{{"quantitative", templates.Quantitative}, {"behaviour", templates.Behavioural}} {
		mix := total // when every indicator is of the kind, its mean is the total's
		if sub.kind != c.onlyKind {
			if mix, err = c.mean(e, m, scores, blocked, weights, sub.kind, parts); err != nil {
				return s, err
			}
		}
		if mix.ok {
			s.Parts[sub.key], present[sub.key] = mix.Score, true
		}
	}
	e.Raters = make([]RaterScore, len(t.Raters))
	effective := c.effectiveFor(m.Level)
	for i, r := range t.Raters {
		rs := RaterScore{Key: r.Key, Role: r.Role, Weight: r.Weight, Policy: r.MissingPolicy(), Missing: true}
		if i < len(effective) {
			rs.EffectiveWeight = effective[i].Final
		}
		if v, ok := c.raterAverage(r, m); ok {
			s.Parts[r.Key], present[r.Key] = v, true
			rs.Average, rs.Missing = &v, false
		}
		e.Raters[i] = rs
	}
	partWeights := weights
	if c.t.RaterMix == templates.MixPart {
		var beh mixed
		if total, beh, partWeights, err = c.partMix(e, m, s.Parts, present, weights); err != nil {
			return s, err
		}
		delete(s.Parts, "behaviour")
		delete(present, "behaviour")
		if beh.ok {
			s.Parts["behaviour"], present["behaviour"] = beh.Score, true
		}
		s.Parts["total"], present["total"] = 0, total.ok
		if total.ok {
			s.Parts["total"] = total.Score
		}
	}
	var final float64
	if c.formula == nil {
		final = total.Score
		e.Parts = make([]PartScore, 0, len(total.Shares))
		for _, sh := range total.Shares {
			e.Parts = append(e.Parts, PartScore{Key: sh.Key, Weight: sh.Weight, TemplateWeight: partWeights[sh.Key], Score: sh.Score, Missing: !sh.Present})
		}
	} else {
		final, err = c.sum(e, s.Parts, present, scores, m)
		if err != nil {
			return s, err
		}
	}
	for i := range e.Parts {
		if p := &e.Parts[i]; p.Missing {
			p.Policy = waived(c.policyOf(p.Key), m)
		}
	}
	if len(e.Blocked) > 0 {
		// The member is not scored until the data arrives: no final, grade
		// or rank that a meeting could act on.
		s.Missing, s.Blocked = e.Missing, e.Blocked
		e.Final = 0
		return s, nil
	}
	e.Clamped = clamp(final) != final
	s.Final = math.Round(clamp(final)*100) / 100
	e.Final, s.Missing = s.Final, e.Missing
	g, err := scoring.GradeOf(s.Final, c.grades)
	if err != nil {
		return s, err
	}
	s.Grade = g
	return s, nil
}

// mixed is a weighted mean and whether there was anything to take it of.
type mixed struct {
	scoring.Combined
	ok bool
}

// mean is the weighted mean of the member's indicators of kind (all when
// empty), each missing one handled by its policy; a behavioural indicator
// held back by a rater group's gap counts as blocked. A kind the template
// has no indicator of has no mean. buf is scratch space (Mean keeps none
// of the parts).
func (c *Scorer) mean(e *Explanation, m MemberData, scores map[string]float64, blocked map[string]bool, weights map[string]float64, kind string, buf *[]scoring.Part) (mixed, error) {
	parts := (*buf)[:0]
	for _, ind := range c.t.Indicators {
		if kind != "" && ind.Kind != kind {
			continue
		}
		v, ok := scores[ind.Key]
		pol := waived(ind.MissingPolicy(), m)
		if blocked[ind.Key] {
			pol = scoring.Block
		}
		parts = append(parts, scoring.Part{Key: ind.Key, Weight: weights[ind.Key], Score: v, Present: ok, Policy: pol})
	}
	*buf = parts
	if len(parts) == 0 {
		return mixed{}, nil
	}
	mix, err := scoring.Mean(parts)
	e.note(MissingIndicator, "", mix.Missing)
	if errors.Is(err, scoring.ErrNoData) {
		return mixed{Combined: mix}, nil
	}
	return mixed{Combined: mix, ok: err == nil && len(mix.Blocked) == 0}, err
}

// partMix is the total when rater weights act on the behaviour part
// (templates.MixPart): the behaviour part is each group's average by rater
// weight, each group without ratings handled by its policy, and the total
// weighs it against the quantitative part by what each kind's indicator
// weights total. The weights it returns are those two totals, as written.
func (c *Scorer) partMix(e *Explanation, m MemberData, vars map[string]float64, present map[string]bool, weights map[string]float64) (total, behaviour mixed, kinds map[string]float64, err error) {
	kinds = map[string]float64{}
	for _, ind := range c.t.Indicators {
		if ind.Kind == templates.Quantitative {
			kinds["quantitative"] += weights[ind.Key]
		} else {
			kinds["behaviour"] += weights[ind.Key]
		}
	}
	var groups []scoring.Part
	for _, r := range c.t.Raters {
		if !c.t.RatesBehaviour(r) {
			continue
		}
		groups = append(groups, scoring.Part{Key: r.Key, Weight: r.Weight, Score: vars[r.Key], Present: present[r.Key], Policy: waived(r.MissingPolicy(), m)})
	}
	beh, err := scoring.Mean(groups)
	e.note(MissingRater, "behaviour", beh.Missing)
	if err != nil && !errors.Is(err, scoring.ErrNoData) {
		return total, behaviour, nil, fmt.Errorf("behaviour part: %w", err)
	}
	behaviour = mixed{Combined: beh, ok: err == nil && len(beh.Blocked) == 0}
	behPolicy := scoring.Renormalise
	if len(beh.Blocked) > 0 {
		behPolicy = scoring.Block
	}
	sum, err := scoring.Mean([]scoring.Part{
		{Key: "quantitative", Weight: kinds["quantitative"], Score: vars["quantitative"], Present: present["quantitative"], Policy: scoring.Renormalise},
		{Key: "behaviour", Weight: kinds["behaviour"], Score: beh.Score, Present: behaviour.ok, Policy: behPolicy},
	})
	if errors.Is(err, scoring.ErrNoData) {
		return mixed{Combined: sum}, behaviour, kinds, nil
	}
	return mixed{Combined: sum, ok: err == nil && len(sum.Blocked) == 0}, behaviour, kinds, err
}

// sum evaluates the final formula as the weighted sum it was validated to
// be, each part without data handled by its policy, and records the parts.
func (c *Scorer) sum(e *Explanation, vars map[string]float64, present map[string]bool, scores map[string]float64, m MemberData) (float64, error) {
	parts := make([]scoring.Part, len(c.linear.Terms))
	for i, term := range c.linear.Terms {
		p := scoring.Part{Key: term.Name, Weight: term.Weight, Policy: waived(c.policyOf(term.Name), m)}
		ns, key, dotted := strings.Cut(term.Name, ".")
		switch {
		case !dotted:
			p.Score, p.Present = vars[term.Name], present[term.Name]
		case ns == "score":
			p.Score, p.Present = scores[key]
		case ns == "metric":
			p.Score, p.Present = m.Metrics[key]
		case ns == "target":
			p.Score, p.Present = m.Targets[key]
		}
		parts[i] = p
	}
	e.Constant = c.linear.Constant
	res, err := scoring.Sum(parts, c.linear.Constant)
	e.note(MissingPart, "", res.Missing)
	if err != nil && !errors.Is(err, scoring.ErrNoData) {
		return 0, fmt.Errorf("formula: %w", err)
	}
	for i, sh := range res.Shares {
		w := sh.Weight
		if err != nil {
			w = 0 // nothing had data to spread over: the score is the constant
		}
		e.Parts = append(e.Parts, PartScore{Key: sh.Key, Weight: w * 100, TemplateWeight: parts[i].Weight * 100, Score: sh.Score, Missing: !sh.Present})
	}
	if err != nil {
		return c.linear.Constant, nil
	}
	return res.Score, nil
}

// waived is the policy that applies to the member: a waiver turns a block
// into the default, so the member is scored on the data there is.
func waived(p scoring.Policy, m MemberData) scoring.Policy {
	if m.Waiver != "" && p == scoring.Block {
		return scoring.Renormalise
	}
	return p
}

// policyOf is the missing-data policy of a formula part: the rater group's
// or the indicator's own; a subtotal is missing only when all of its
// indicators were renormalised away, so it renormalises too; a metric or
// target the formula reads counts as zero, as it always has, but is
// reported.
func (c *Scorer) policyOf(name string) scoring.Policy {
	ns, key, dotted := strings.Cut(name, ".")
	if !dotted {
		key = name
	}
	for _, r := range c.t.Raters {
		if !dotted && r.Key == key {
			return r.MissingPolicy()
		}
	}
	if dotted && ns != "score" {
		return scoring.Zero
	}
	for _, ind := range c.t.Indicators {
		if ind.Key == key {
			return ind.MissingPolicy()
		}
	}
	return scoring.Renormalise
}

func clamp(v float64) float64 { return math.Max(0, math.Min(100, v)) }

// quantScore scores a metric value. A split indicator is judged on
// attainment of the member's own target (value / target × 100), so its
// baseline and stretch are read as percentages of that target.
func (c *Scorer) quantScore(i int, ind templates.Indicator, v float64, m MemberData) (float64, basis, error) {
	q := &c.quant[i]
	if q.split {
		if target, ok := m.Targets[ind.Key]; ok && target > 0 {
			v = v / target * 100
		}
	}
	score, err := c.quantPoints(q, ind, v, m)
	if err != nil {
		return 0, basis{}, err
	}
	var b basis
	if q.hasRule {
		sb := q.rule.BasisOf(v, q.dir)
		b.met = sb.Met
		if sb.Band != nil {
			b.band = &templates.Band{Min: sb.Band.Min, Max: sb.Band.Max, Points: sb.Band.Points}
		}
	}
	return score, b, nil
}

// basis is what a value met, in the template's terms.
type basis struct {
	band *templates.Band
	met  *bool
}

func (c *Scorer) quantPoints(q *quantRule, ind templates.Indicator, v float64, m MemberData) (float64, error) {
	if p := q.expr; p != nil {
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
	return q.rule.Score(v, q.dir)
}

// behaviourScore mixes the raters' averages by rater weight; a rater group
// with no answers is handled by its missing-data policy.
func (c *Scorer) behaviourScore(ind templates.Indicator, m MemberData) (scoring.Combined, error) {
	var parts []scoring.Part
	for _, r := range c.t.RatersOf(ind.Key) {
		p := scoring.Part{Key: r.Key, Weight: r.Weight, Policy: waived(r.MissingPolicy(), m)}
		p.Score, p.Present = r.Scale.Rating().Average(m.Ratings[r.Key][ind.Key])
		parts = append(parts, p)
	}
	return scoring.Mean(parts)
}

// raterAverage is a rater's mean over every indicator it rated, 0–100.
func (c *Scorer) raterAverage(r templates.Rater, m MemberData) (float64, bool) {
	var all []float64
	keys := make([]string, 0, len(m.Ratings[r.Key]))
	for k := range m.Ratings[r.Key] {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		all = append(all, m.Ratings[r.Key][k]...)
	}
	return r.Scale.Rating().Average(all)
}
