package backtest

import (
	"cmp"
	"slices"

	"github.com/perfloop/perfloop/records"
	"github.com/perfloop/perfloop/scorecard"
	"github.com/perfloop/perfloop/scoring"
	"github.com/perfloop/perfloop/templates"
)

// idps is who a plan would follow after each period: the as-run rule of
// that period's template on the recorded ranks, the draft's rule on the
// draft's ranks. Each period sees the periods up to it, as ApplyOutcomes
// sees the team's history when that period's cycle ends.
func idps(in Input, drafts [][]scorecard.MemberScore) IDPs {
	out := IDPs{AsRun: []IDPDue{}, Draft: []IDPDue{}}
	recorded := make([]scoring.PeriodRanking, len(in.Periods))
	draft := make([]scoring.PeriodRanking, len(in.Periods))
	for i, p := range in.Periods {
		recorded[i] = ranking(p)
		draft[i] = recorded[i]
		draft[i].Ranked = nil
		for _, s := range drafts[i] {
			if len(s.Blocked) == 0 {
				draft[i].Ranked = append(draft[i].Ranked, scoring.Ranked{MemberID: s.MemberID, Score: s.Final, Rank: s.Rank})
			}
		}
	}
	for i := range in.Periods {
		// Worst first, the order Bottom sorts into: its stable sort then
		// finds every period of a 10,000-member team already in order.
		worstFirst(recorded[i].Ranked)
		worstFirst(draft[i].Ranked)
	}
	for i, p := range in.Periods {
		if r := rule(p.AsRun); r != nil {
			out.AsRun = append(out.AsRun, due(in, p.Cycle.Period, *r, newestFirst(recorded[:i+1]))...)
		}
		if r := rule(in.Draft); r != nil {
			out.Draft = append(out.Draft, due(in, p.Cycle.Period, *r, newestFirst(draft[:i+1]))...)
		}
	}
	return out
}

func rule(t *templates.Template) *scoring.BottomRule {
	if t.Outcomes == nil || t.Outcomes.IDP == nil {
		return nil
	}
	r := records.BottomRule(t.Outcomes.IDP)
	return &r
}

// ranking is a period's recorded ranking, as store.TeamRankHistory reads
// it: withheld results have no rank.
func ranking(p Period) scoring.PeriodRanking {
	pr := scoring.PeriodRanking{Period: p.Cycle.Period, Start: p.Cycle.PeriodStart, End: p.Cycle.PeriodEnd}
	for _, r := range p.Records.Results {
		if r.Blocked == "" {
			pr.Ranked = append(pr.Ranked, scoring.Ranked{MemberID: r.MemberID, Score: r.FinalScore, Rank: r.Rank})
		}
	}
	return pr
}

func worstFirst(rs []scoring.Ranked) {
	slices.SortFunc(rs, func(a, b scoring.Ranked) int { return cmp.Compare(b.Rank, a.Rank) })
}

func newestFirst(ps []scoring.PeriodRanking) []scoring.PeriodRanking {
	out := make([]scoring.PeriodRanking, len(ps))
	for i, p := range ps {
		out[len(ps)-1-i] = p
	}
	return out
}

func due(in Input, period string, r scoring.BottomRule, history []scoring.PeriodRanking) []IDPDue {
	var out []IDPDue
	for _, b := range records.BottomRuns(r, history) {
		d := IDPDue{Period: period, MemberID: b.MemberID, Name: in.Names[b.MemberID]}
		for _, s := range b.Run {
			d.Run = append(d.Run, BottomRun{Period: s.Period, Rank: s.Rank, TeamSize: s.TeamSize, Score: s.Score})
		}
		out = append(out, d)
	}
	return out
}
