package scoring_test

import (
	"math"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/perfloop/perfloop/scoring"
)

func TestBottomPercentIsExactAtSharesFloatsRoundUp(t *testing.T) {
	// 7/100×100 is 7.000000000000001 in floats, 14 and 28 likewise: a
	// plain ceiling picks one member too many.
	for _, pct := range []float64{7, 14, 28, 29, 57, 58} {
		require.Equal(t, int(pct), scoring.BottomCount(100, 0, pct), "%v%% of 100", pct)
	}
	require.Equal(t, 3, scoring.BottomCount(30, 0, 10), "10% of 30 is 3, not 4")
	require.Equal(t, 4, scoring.BottomCount(30, 0, 10.01), "just over 10% of 30 rounds up")
	require.Equal(t, 1, scoring.BottomCount(3, 0, 33.33))
	require.Equal(t, 2, scoring.BottomCount(3, 0, 33.34))
}

func TestShareCountIsExactSoTenPerCentOfThirtyIsThree(t *testing.T) {
	// 7/100×100 is 7.000000000000001 in floats, 14/100×50 likewise: a
	// plain ceiling counts one member too many.
	require.Equal(t, 3, scoring.ShareCount(30, 10), "10% of 30")
	require.Equal(t, 7, scoring.ShareCount(100, 7), "7% of 100")
	require.Equal(t, 7, scoring.ShareCount(50, 14), "14% of 50")
	require.Equal(t, 4, scoring.ShareCount(30, 10.01), "just over 10% of 30 rounds up")
	require.Equal(t, 1, scoring.ShareCount(9, 10), "10% of nine rounds up to one")
	require.Equal(t, 30, scoring.ShareCount(30, 100))
	require.Zero(t, scoring.ShareCount(30, 0))
	require.Zero(t, scoring.ShareCount(0, 10))
}

func TestTopIsTheBestShareWithTiesAtTheBoundaryAllIn(t *testing.T) {
	scores := make([]float64, 30)
	for i := range scores {
		scores[i] = float64(i)
	}
	require.Equal(t, []string{"m29", "m28", "m27"}, scoring.Top(rankScores(scores...), 10), "10% of 30 is three, best first")
	// m1 and m2 share 85.0, 2nd and 3rd: 10 % of nine is one place,
	// then two.
	ranked := rankScores(90, 85, 85, 80, 75, 70, 65, 50, 60)
	require.Equal(t, []string{"m0"}, scoring.Top(ranked, 10), "a tie below the boundary changes nothing")
	require.Equal(t, []string{"m0", "m1", "m2"}, scoring.Top(ranked, 20), "both of the tied pair, though the share is two")
	require.Len(t, scoring.Top(rankScores(60, 60, 60), 10), 3, "a team all tied is all in the top")
	require.Empty(t, scoring.Top(ranked, 0))
	require.Empty(t, scoring.Top(nil, 10))
}

func TestBottomCountRules(t *testing.T) {
	require.Equal(t, 1, scoring.BottomCount(9, 0, 10), "10% of nine rounds up to one")
	require.Equal(t, 1, scoring.BottomCount(4, 0, 1), "a positive share picks at least one")
	require.Equal(t, 1, scoring.BottomCount(1, 0, 50), "a team of one")
	require.Equal(t, 2, scoring.BottomCount(2, 5, 0), "never more than the team")
	require.Equal(t, 2, scoring.BottomCount(10, 2, 50), "the count wins when both are given")
	require.Equal(t, 10, scoring.BottomCount(10, 0, 150))
	require.Zero(t, scoring.BottomCount(0, 2, 0), "an empty team has no bottom")
	require.Zero(t, scoring.BottomCount(10, 0, 0))
	require.Zero(t, scoring.BottomCount(10, 0, -5))
	require.Zero(t, scoring.BottomCount(10, 0, math.NaN()))
}

func rankScores(scores ...float64) []scoring.Ranked {
	entries := make([]scoring.Entry, len(scores))
	for i, s := range scores {
		entries[i] = scoring.Entry{MemberID: "m" + strconv.Itoa(i), Score: s}
	}
	return scoring.Rank(entries)
}

func TestBottomReturnsTheLowestRankedWorstFirst(t *testing.T) {
	scores := make([]float64, 30)
	for i := range scores {
		scores[i] = float64(i)
	}
	ranked := rankScores(scores...)
	require.Equal(t, []string{"m0", "m1"}, scoring.BottomRule{Count: 2}.Bottom(ranked))
	require.Equal(t, []string{"m0", "m1", "m2"}, scoring.BottomRule{Percent: 10}.Bottom(ranked))
	require.Empty(t, scoring.BottomRule{}.Bottom(ranked))
	require.Len(t, scoring.BottomRule{Count: 99}.Bottom(ranked), 30)
}

func TestMembersTiedWithTheLastBottomMemberAreAtTheBottomToo(t *testing.T) {
	// m1 and m2 share 55.0; a tiebreak or their IDs put one of them 8th,
	// but both published the same score, so both are at the bottom.
	ranked := rankScores(90, 55, 55, 80, 75, 70, 65, 50, 85)
	require.Equal(t, []string{"m7", "m2", "m1"}, scoring.BottomRule{Count: 2}.Bottom(ranked))
	require.Equal(t, []string{"m7"}, scoring.BottomRule{Count: 1}.Bottom(ranked), "a tie above the boundary changes nothing")
	require.Len(t, scoring.BottomRule{Count: 1}.Bottom(rankScores(60, 60, 60)), 3, "a team all tied is all at the bottom")
	require.Equal(t, []string{"m1", "m0"}, scoring.BottomRule{Count: 1}.Bottom(rankScores(70, 70.0000000001)), "noise below the score resolution is a tie")
}

func month(label string, ranked []scoring.Ranked) scoring.PeriodRanking {
	start, err := time.Parse("2006-01", label)
	if err != nil {
		panic(err)
	}
	return scoring.PeriodRanking{Period: label, Start: start, End: start.AddDate(0, 1, 0), Ranked: ranked}
}

func TestBottomRunNeedsConsecutivePeriods(t *testing.T) {
	rule := scoring.BottomRule{Count: 1, Runs: 2}
	bottom := rankScores(90, 80, 55) // m2 last
	top := rankScores(40, 80, 95)    // m2 first
	run := rule.Run([]scoring.PeriodRanking{month("2026-09", bottom), month("2026-08", rankScores(90, 80, 61.2))}, "m2")
	require.Equal(t, []scoring.Standing{{Period: "2026-08", Rank: 3, TeamSize: 3, Score: 61.2}, {Period: "2026-09", Rank: 3, TeamSize: 3, Score: 55}}, run, "two months running, oldest first")

	require.Nil(t, rule.Run([]scoring.PeriodRanking{month("2026-11", bottom), month("2026-09", bottom)}, "m2"), "a month without a cycle between breaks the run")
	require.Nil(t, rule.Run([]scoring.PeriodRanking{month("2026-10", bottom)}, "m2"), "the first month is no run")
	require.Nil(t, rule.Run([]scoring.PeriodRanking{month("2026-10", bottom), month("2026-09", top), month("2026-08", bottom)}, "m2"), "bottom, then not, then bottom")
	require.Nil(t, rule.Run([]scoring.PeriodRanking{month("2026-10", top), month("2026-09", bottom)}, "m2"), "not at the bottom now")
	require.Nil(t, rule.Run([]scoring.PeriodRanking{month("2026-10", bottom), month("2026-09", rankScores(90, 80))}, "m2"), "not ranked in this team last month (a team change)")
	require.Nil(t, rule.Run(nil, "m2"))

	three := []scoring.PeriodRanking{month("2027-01", bottom), month("2026-12", bottom), month("2026-11", bottom)}
	require.Len(t, rule.Run(three, "m2"), 2, "a longer run still reports the last Runs periods")
	require.Equal(t, "2026-11", scoring.BottomRule{Count: 1, Runs: 3}.Run(three, "m2")[0].Period, "across a year end")
	require.Len(t, scoring.BottomRule{Count: 1}.Run(three[:1], "m2"), 1, "Runs below one counts as one")
}

func TestBottomRunFollowsQuarters(t *testing.T) {
	q := func(label string, start time.Time) scoring.PeriodRanking {
		return scoring.PeriodRanking{Period: label, Start: start, End: start.AddDate(0, 3, 0), Ranked: rankScores(90, 50)}
	}
	q3 := q("2026-Q3", time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC))
	q4 := q("2026-Q4", time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC))
	q1 := q("2027-Q1", time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC))
	rule := scoring.BottomRule{Percent: 50, Runs: 2}
	require.Len(t, rule.Run([]scoring.PeriodRanking{q4, q3}, "m1"), 2)
	require.Nil(t, rule.Run([]scoring.PeriodRanking{q1, q3}, "m1"), "a skipped quarter breaks the run")
}
