package scoring

import (
	"cmp"
	"slices"
	"time"
)

// BottomRule says who is at the bottom of a team's ranking and for how many
// periods in a row before a development plan follows.
type BottomRule struct {
	// Count is how many of the lowest-ranked members are at the bottom.
	Count int
	// Percent, used when Count is 0, is the share of the team at the
	// bottom in per cent (7 means 7 %), counted by ShareCount.
	Percent float64
	// Runs is how many consecutive periods at the bottom trigger the plan;
	// less than 1 counts as 1.
	Runs int
}

// BottomCount is how many members of a team of n the rule puts at the
// bottom before ties: count when count > 0 (never more than n), otherwise
// ShareCount's pct per cent of n.
func BottomCount(n, count int, pct float64) int {
	if count > 0 {
		return min(count, max(n, 0))
	}
	return ShareCount(n, pct)
}

// Bottom returns the members at the bottom of ranked, worst first.
//
// Ties at the boundary are all in: a member whose final score equals (at
// the score resolution Rank compares) that of the best-placed of the
// BottomCount lowest-ranked members is at the bottom too, so the bottom can
// hold more members than the count. People who see the same published
// score get the same outcome, rather than one decided by a tiebreak
// indicator or their member ID. Put another way: a member is at the bottom
// when fewer than BottomCount teammates scored strictly lower.
func (r BottomRule) Bottom(ranked []Ranked) []string {
	worstFirst := slices.Clone(ranked)
	slices.SortStableFunc(worstFirst, func(a, b Ranked) int { return cmp.Compare(b.Rank, a.Rank) })
	return throughTies(worstFirst, BottomCount(len(ranked), r.Count, r.Percent))
}

// PeriodRanking is a team's ranking in one period of a template: the
// periods [Start, End) of a template's unit (month, quarter, year) follow
// each other when one ends where the next starts.
type PeriodRanking struct {
	Period     string
	Start, End time.Time
	// Ranked needs MemberID, Score and Rank.
	Ranked []Ranked
}

// Standing is where a member stood in one period of a bottom run.
type Standing struct {
	Period   string
	Rank     int
	TeamSize int
	Score    float64
}

// Run returns the member's last Runs periods at the bottom, oldest first,
// when they are consecutive and end with the newest period; nil otherwise.
// periods is newest first, as the store lists a team's history. A period
// missing from the list (no cycle, or a cancelled or failed one), a period
// in which the member was not ranked (a team change, leave) or one not at
// the bottom ends the run.
func (r BottomRule) Run(periods []PeriodRanking, memberID string) []Standing {
	runs := max(r.Runs, 1)
	var run []Standing
	for i, p := range periods {
		if len(run) == runs {
			break
		}
		if i > 0 && !p.End.Equal(periods[i-1].Start) {
			break
		}
		s, ok := r.standing(p, memberID)
		if !ok {
			break
		}
		run = append(run, s)
	}
	if len(run) < runs {
		return nil
	}
	slices.Reverse(run)
	return run
}

// standing is the member's place in p when they are at its bottom.
func (r BottomRule) standing(p PeriodRanking, memberID string) (Standing, bool) {
	if !slices.Contains(r.Bottom(p.Ranked), memberID) {
		return Standing{}, false
	}
	i := slices.IndexFunc(p.Ranked, func(m Ranked) bool { return m.MemberID == memberID })
	m := p.Ranked[i]
	return Standing{Period: p.Period, Rank: m.Rank, TeamSize: len(p.Ranked), Score: m.Score}, true
}
