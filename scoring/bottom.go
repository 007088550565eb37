package scoring

import (
	"cmp"
	"math"
	"slices"
	"time"
)

// BottomRule says who is at the bottom of a team's ranking and for how many
// periods in a row before a development plan follows.
type BottomRule struct {
	// Count is how many of the lowest-ranked members are at the bottom.
	Count int
	// Percent, used when Count is 0, is the share of the team at the
	// bottom in per cent (7 means 7 %), rounded up to whole members.
	Percent float64
	// Runs is how many consecutive periods at the bottom trigger the plan;
	// less than 1 counts as 1.
	Runs int
}

// BottomCount is how many members of a team of n the rule puts at the
// bottom before ties: count when count > 0, otherwise pct per cent of n
// rounded up, at least one when pct > 0, never more than n.
//
// The share is taken in whole basis points (0.01 %) and integers, because
// float arithmetic rounds the wrong way at the edges: 7/100×100 is
// 7.000000000000001, whose ceiling is 8 members, not 7.
func BottomCount(n, count int, pct float64) int {
	if n <= 0 {
		return 0
	}
	if count > 0 {
		return min(count, n)
	}
	if !(pct > 0) { // NaN and negative shares pick nobody
		return 0
	}
	if pct >= 100 {
		return n
	}
	bp := int64(math.Round(pct * 100))
	k := int((bp*int64(n) + 9999) / 10000)
	return min(max(k, 1), n)
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
	k := BottomCount(len(ranked), r.Count, r.Percent)
	if k == 0 {
		return nil
	}
	worstFirst := slices.Clone(ranked)
	slices.SortStableFunc(worstFirst, func(a, b Ranked) int { return cmp.Compare(b.Rank, a.Rank) })
	boundary := quantise(worstFirst[k-1].Score)
	var ids []string
	for _, m := range worstFirst {
		if quantise(m.Score) > boundary {
			break
		}
		ids = append(ids, m.MemberID)
	}
	return ids
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
