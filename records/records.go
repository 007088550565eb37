package records

import (
	"encoding/json"
	"fmt"

	"github.com/perfloop/perfloop/scorecard"
	"github.com/perfloop/perfloop/scoring"
	"github.com/perfloop/perfloop/store"
	"github.com/perfloop/perfloop/templates"
)

// Gathering turns a cycle's recorded metric values, targets and
// evaluations into what scoring reads under template t. It reads no
// database, so a live cycle and a backtest of a draft template build the
// same members' data from the same records.
type Gathering struct {
	data    []scorecard.MemberData
	index   map[string]int
	raterOf map[string]string // metric source → the rater group reading it

	// Streaming (see Stream): the run members go to, the member whose
	// values are arriving, who has gone, and the first misuse seen.
	run     *scorecard.Run
	current int
	gone    []bool
	err     error

	// The member the last value was of: a read hands a member's values
	// over together, so most values need no lookup of their member.
	lastID    string
	lastIndex int
}

// NewGathering starts the members' data of a cycle scored under t.
func NewGathering(t *templates.Template, ms []store.CycleMember) *Gathering {
	g := &Gathering{data: make([]scorecard.MemberData, len(ms)), index: make(map[string]int, len(ms)), raterOf: map[string]string{}}
	// Sized for a value of every indicator and signal, so a large cycle's
	// maps are allocated once rather than grown value by value.
	n := len(t.Indicators) + len(t.Signals)
	for i, m := range ms {
		g.data[i] = scorecard.MemberData{MemberID: m.MemberID, Level: m.Level, Metrics: make(map[string]float64, n), Sources: make(map[string]string, n), Targets: map[string]float64{}, Ratings: map[string]map[string][]float64{}}
		g.index[m.MemberID] = i
	}
	for _, r := range t.Raters {
		if src := r.SourceOf(); src != "" {
			g.raterOf[src] = r.Key
		}
	}
	return g
}

// Metric adds a recorded metric value: a rating when a rater group of the
// template reads its source, otherwise the indicator's value.
func (g *Gathering) Metric(v store.MetricPoint) {
	i := g.lastIndex
	if v.MemberID != g.lastID || g.lastID == "" {
		var ok bool
		if i, ok = g.index[v.MemberID]; !ok {
			return
		}
		g.lastID, g.lastIndex = v.MemberID, i
	}
	if g.run != nil && !g.arriving(i) {
		return
	}
	if len(g.raterOf) > 0 {
		if rater, ok := g.raterOf[v.Source]; ok {
			rate(g.data[i].Ratings, rater, v.IndicatorKey, v.Value)
			return
		}
	}
	g.data[i].Metrics[v.IndicatorKey] += v.Value
	g.data[i].Sources[v.IndicatorKey] = v.Source
}

// Target adds a member's target; team targets are not a member's.
func (g *Gathering) Target(tg store.Target) {
	if tg.MemberID == nil {
		return
	}
	if i, ok := g.index[*tg.MemberID]; ok && g.open("a target") {
		g.data[i].Targets[tg.IndicatorKey] = tg.Value
	}
}

// Evaluation adds a rater's submitted scores of a member.
func (g *Gathering) Evaluation(e store.Evaluation) {
	i, ok := g.index[e.RateeID]
	if !ok || !g.open("an evaluation") {
		return
	}
	var scores map[string]float64
	if err := json.Unmarshal([]byte(e.Scores), &scores); err != nil {
		return
	}
	for k, v := range scores {
		rate(g.data[i].Ratings, e.RaterKey, k, v)
	}
}

// Data is the members' data, in the order of the members given.
func (g *Gathering) Data() []scorecard.MemberData { return g.data }

// Stream hands each member to run (started for as many members as the
// gathering has, in the same order) as soon as the member's data is
// complete, so scoring runs on the other cores while the values are still
// being read. It relies on the order store.EachMetricValue keeps: a
// member's values arrive together. So targets and evaluations are added
// first, then Stream, then the metric values, then Close.
func (g *Gathering) Stream(run *scorecard.Run) {
	g.run, g.current, g.gone = run, -1, make([]bool, len(g.data))
}

// arriving notes that member i's values are arriving, handing over the
// member whose values came before. A value of a member already handed over
// is refused: the read broke the order scoring relies on.
func (g *Gathering) arriving(i int) bool {
	if i == g.current {
		return true
	}
	if g.gone[i] {
		if g.err == nil {
			g.err = fmt.Errorf("gather: a value of member %s arrived after their other values; the read must keep each member's values together", g.data[i].MemberID)
		}
		return false
	}
	g.handOver(g.current)
	g.current = i
	return true
}

func (g *Gathering) handOver(i int) {
	if i >= 0 && !g.gone[i] {
		g.gone[i] = true
		g.run.Add(i, g.data[i])
	}
}

// open says whether records other than metric values may still be added:
// not once streaming has handed members over.
func (g *Gathering) open(what string) bool {
	if g.run == nil || g.current < 0 {
		return true
	}
	if g.err == nil {
		g.err = fmt.Errorf("gather: %s was added after metric values began streaming", what)
	}
	return false
}

// Close hands over every member not handed over yet (the last one read,
// and those with no values at all) and says whether the read kept the
// order streaming relies on. Without Stream it does nothing.
func (g *Gathering) Close() error {
	if g.run == nil {
		return nil
	}
	for i := range g.data {
		g.handOver(i)
	}
	return g.err
}

func rate(r map[string]map[string][]float64, rater, indicator string, v float64) {
	if r[rater] == nil {
		r[rater] = map[string][]float64{}
	}
	r[rater][indicator] = append(r[rater][indicator], v)
}

// Outcomes is each result's bonus and promotion under the template's
// outcome rules, by the result's grade and rank.
func Outcomes(o *templates.Outcomes, results []store.Result) []store.Outcome {
	n := len(results)
	// A withheld result has no rank: it neither counts towards the promoted
	// share nor can be promoted until it is scored.
	scored := make([]scoring.Ranked, 0, n)
	for _, r := range results {
		if r.Blocked == "" {
			scored = append(scored, scoring.Ranked{MemberID: r.MemberID, Score: r.FinalScore, Rank: r.Rank})
		}
	}
	promoted := map[string]bool{}
	if p := o.Promotion; p != nil {
		if p.TopPercent != nil {
			for _, id := range scoring.Top(scored, *p.TopPercent) {
				promoted[id] = true
			}
		}
		for _, r := range results {
			if r.Blocked != "" {
				continue
			}
			if contains(p.Grades, r.Grade) {
				promoted[r.MemberID] = true
			}
		}
	}
	var tiers []scoring.Tier
	currency := ""
	if b := o.Bonus; b != nil {
		currency = b.Currency
		for _, tier := range b.Tiers {
			tiers = append(tiers, scoring.Tier{Grades: tier.Grades, Amount: tier.Amount, Currency: b.Currency})
		}
	}
	outcomes := make([]store.Outcome, 0, n)
	for _, r := range results {
		oc := store.Outcome{MemberID: r.MemberID, Promotion: promoted[r.MemberID], BonusCurrency: currency}
		if tier, ok := scoring.BonusFor(r.Grade, tiers); ok {
			oc.BonusAmount = tier.Amount
		}
		outcomes = append(outcomes, oc)
	}
	return outcomes
}

func contains(xs []string, x string) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

// BottomRule is the template's IDP rule in scoring's terms.
func BottomRule(r *templates.IDPRule) scoring.BottomRule {
	pct := 0.0
	if r.BottomPercent != nil {
		pct = *r.BottomPercent
	}
	return scoring.BottomRule{Count: r.BottomCount, Percent: pct, Runs: r.Runs()}
}

// RankingsOf maps the store's team history onto scoring's.
func RankingsOf(history []store.PeriodRanking) []scoring.PeriodRanking {
	out := make([]scoring.PeriodRanking, len(history))
	for i, h := range history {
		ranked := make([]scoring.Ranked, len(h.Ranks))
		for j, r := range h.Ranks {
			ranked[j] = scoring.Ranked{MemberID: r.MemberID, Score: r.Score, Rank: r.Rank}
		}
		out[i] = scoring.PeriodRanking{Period: h.Period, Start: h.PeriodStart, End: h.PeriodEnd, Ranked: ranked}
	}
	return out
}

// BottomRun is a member the IDP rule sends to a plan after the newest
// period, with the periods at the bottom that did it, oldest first.
type BottomRun struct {
	MemberID string
	Run      []scoring.Standing
}

// BottomRuns is who the rule sends to a plan after periods[0] (periods are
// newest first, as the store lists a team's history): each member at its
// bottom whose run of consecutive bottom places is long enough.
func BottomRuns(rule scoring.BottomRule, periods []scoring.PeriodRanking) []BottomRun {
	if len(periods) == 0 {
		return nil
	}
	var out []BottomRun
	for _, memberID := range rule.Bottom(periods[0].Ranked) {
		if run := rule.Run(periods, memberID); run != nil {
			out = append(out, BottomRun{MemberID: memberID, Run: run})
		}
	}
	return out
}
