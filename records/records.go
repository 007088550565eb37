package records

import (
	"encoding/json"

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
	i, ok := g.index[v.MemberID]
	if !ok {
		return
	}
	if rater, ok := g.raterOf[v.Source]; ok {
		rate(g.data[i].Ratings, rater, v.IndicatorKey, v.Value)
		return
	}
	g.data[i].Metrics[v.IndicatorKey] += v.Value
	g.data[i].Sources[v.IndicatorKey] = v.Source
}

// Target adds a member's target; team targets are not a member's.
func (g *Gathering) Target(tg store.Target) {
	if tg.MemberID == nil {
		return
	}
	if i, ok := g.index[*tg.MemberID]; ok {
		g.data[i].Targets[tg.IndicatorKey] = tg.Value
	}
}

// Evaluation adds a rater's submitted scores of a member.
func (g *Gathering) Evaluation(e store.Evaluation) {
	i, ok := g.index[e.RateeID]
	if !ok {
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
