package scoring_test

import (
	"fmt"
	"math/rand"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/perfloop/perfloop/scoring"
)

var (
	sAtMost10   = scoring.Limit{Grades: []string{"S"}, Max: ptr(0.10)}
	cdAtLeast10 = scoring.Limit{Grades: []string{"C", "D"}, Min: ptr(0.10)}
)

func TestBoundsRoundMaxDownButAllowOneAndMinUp(t *testing.T) {
	tests := []struct {
		limit  scoring.Limit
		n      int
		lo, hi int
	}{
		{sAtMost10, 9, 0, 1},
		{sAtMost10, 12, 0, 1},
		{sAtMost10, 19, 0, 1},
		{sAtMost10, 20, 0, 2},
		{sAtMost10, 30, 0, 3},
		{scoring.Limit{Grades: []string{"S"}, Max: ptr(0.0)}, 30, 0, 0},
		{cdAtLeast10, 9, 1, 9},
		{cdAtLeast10, 30, 3, 30},
		{cdAtLeast10, 31, 4, 31},
		{cdAtLeast10, 0, 0, 0},
	}
	for _, tt := range tests {
		lo, hi := scoring.Bounds(tt.limit, tt.n)
		require.Equal(t, [2]int{tt.lo, tt.hi}, [2]int{lo, hi}, "%s with %d members", tt.limit.Grades, tt.n)
	}
}

func teamGrades(counts ...any) map[string]string {
	out := map[string]string{}
	i := 0
	for j := 0; j < len(counts); j += 2 {
		for range counts[j+1].(int) {
			out["m"+strconv.Itoa(i)] = counts[j].(string)
			i++
		}
	}
	return out
}

func TestDistributionViolationsSayWhatIsOverAndByHowMuch(t *testing.T) {
	got := scoring.CheckDistribution(teamGrades("S", 3, "A", 4, "B", 5), []scoring.Limit{sAtMost10, cdAtLeast10})
	require.Len(t, got, 2)
	require.Equal(t, "S: 3 of 12 members (25%), at most 1 allowed (10%) — 2 over", got[0].Message)
	require.Equal(t, scoring.Violation{Limit: 0, Grades: []string{"S"}, Bound: "max", Allowed: 1, Actual: 3, By: 2, Headcount: 12, Message: got[0].Message}, got[0])
	require.Equal(t, "C+D: 0 of 12 members (0%), at least 2 required (10%) — 2 under", got[1].Message)
	require.Equal(t, 1, got[1].Limit)
	require.Equal(t, "min", got[1].Bound)

	require.Empty(t, scoring.CheckDistribution(teamGrades("S", 1, "A", 4, "B", 5, "C", 1, "D", 1), []scoring.Limit{sAtMost10, cdAtLeast10}))
	got = scoring.CheckDistribution(teamGrades("S", 1, "B", 2), []scoring.Limit{{Grades: []string{"A"}, Min: ptr(0.2), Max: ptr(0.5)}})
	require.Equal(t, "A: 0 of 3 members (0%), at least 1 required (20%) — 1 under", got[0].Message)
}

func TestFeasibleAcceptsATypicalForcedDistribution(t *testing.T) {
	limits := []scoring.Limit{
		sAtMost10,
		{Grades: []string{"S", "A"}, Max: ptr(0.30)},
		cdAtLeast10,
		{Grades: []string{"D"}, Max: ptr(0.05)},
	}
	require.NoError(t, scoring.Feasible(limits, gradeKeys))
	require.NoError(t, scoring.Feasible(limits, []string{"D", "C", "B", "A", "S"}), "worst-first order judges adjacency the same")
}

func TestFeasibleExplainsImpossibleLimits(t *testing.T) {
	tests := []struct {
		name   string
		limits []scoring.Limit
		want   error
		msg    string
	}{
		{"unknown grade", []scoring.Limit{{Grades: []string{"E"}, Max: ptr(0.1)}}, scoring.ErrUnknownGrade, `limit 0 (E): "E": known grades are S, A, B, C, D`},
		{"min above max on one set", []scoring.Limit{{Grades: []string{"C", "D"}, Min: ptr(0.3), Max: ptr(0.2)}}, scoring.ErrInfeasible, "limit 0 (C+D): at least 30% but at most 20%"},
		{"min of a set above max of its superset", []scoring.Limit{{Grades: []string{"S", "A"}, Max: ptr(0.2)}, {Grades: []string{"A"}, Min: ptr(0.25)}}, scoring.ErrInfeasible, "A needs at least 25% but S+A allows at most 20%"},
		{"minimums over 100%", []scoring.Limit{{Grades: []string{"S", "A"}, Min: ptr(0.6)}, {Grades: []string{"C", "D"}, Min: ptr(0.5)}}, scoring.ErrInfeasible, "minimums add up to 110% of headcount (S+A ≥ 60%, C+D ≥ 50%)"},
		{"maximums leave members ungraded", []scoring.Limit{
			{Grades: []string{"S", "A"}, Max: ptr(0.2)}, {Grades: []string{"B"}, Max: ptr(0.5)}, {Grades: []string{"C", "D"}, Max: ptr(0.2)},
		}, scoring.ErrInfeasible, "contradict each other"},
		{"grades not adjacent", []scoring.Limit{{Grades: []string{"S", "C"}, Max: ptr(0.2)}}, scoring.ErrLimitNotAdjacent, "limit 0 (S+C) skips a grade between S and C"},
		{"bound written as a percentage", []scoring.Limit{{Grades: []string{"S"}, Max: ptr(10.0)}}, scoring.ErrLimitInvalid, "bound 10 must be a fraction of headcount between 0 and 1"},
		{"no bound", []scoring.Limit{{Grades: []string{"S"}}}, scoring.ErrLimitInvalid, "sets neither max nor min"},
		{"no grades", []scoring.Limit{{Max: ptr(0.1)}}, scoring.ErrLimitInvalid, "names no grades"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := scoring.Feasible(tt.limits, gradeKeys)
			require.ErrorIs(t, err, tt.want)
			require.ErrorContains(t, err, tt.msg)
		})
	}
}

func TestSmallTeamsCanFailLimitsThatHoldAsPercentages(t *testing.T) {
	limits := []scoring.Limit{
		{Grades: []string{"A"}, Min: ptr(0.3)}, {Grades: []string{"B"}, Min: ptr(0.3)}, {Grades: []string{"C"}, Min: ptr(0.3)},
	}
	require.NoError(t, scoring.Feasible(limits, gradeKeys))
	err := scoring.FeasibleFor(limits, gradeKeys, 5)
	require.ErrorIs(t, err, scoring.ErrInfeasible)
	require.ErrorContains(t, err, "a team of 5 cannot meet A 2–5, B 2–5, C 2–5")
	require.NoError(t, scoring.FeasibleFor(limits, gradeKeys, 10))
}

func rankedTeam(scores ...float64) []scoring.Ranked {
	entries := make([]scoring.Entry, len(scores))
	for i, s := range scores {
		entries[i] = scoring.Entry{MemberID: fmt.Sprintf("m%02d", i), Score: s}
	}
	return scoring.Rank(entries)
}

func TestProposeDemotesTheLowestRankedFromAnOverFullTopGrade(t *testing.T) {
	team := rankedTeam(97, 95, 93, 88, 86, 84, 78, 76, 74, 72, 71, 65)
	p, err := scoring.Propose(team, grades, []scoring.Limit{sAtMost10, cdAtLeast10})
	require.NoError(t, err)
	require.Equal(t, []scoring.Move{
		{MemberID: "m01", Rank: 2, From: "S", To: "A"},
		{MemberID: "m02", Rank: 3, From: "S", To: "A"},
		{MemberID: "m10", Rank: 11, From: "B", To: "C"},
	}, p.Moves)
	require.Equal(t, "S", p.Grades["m00"])
	require.Equal(t, "C", p.Grades["m11"])
	require.Empty(t, scoring.CheckDistribution(p.Grades, []scoring.Limit{sAtMost10, cdAtLeast10}))
}

func TestProposePromotesToFillAMinimum(t *testing.T) {
	team := rankedTeam(88, 85, 79, 75, 72)
	limits := []scoring.Limit{{Grades: []string{"S", "A"}, Min: ptr(0.6)}}
	p, err := scoring.Propose(team, grades, limits)
	require.NoError(t, err)
	require.Equal(t, []scoring.Move{{MemberID: "m02", Rank: 3, From: "B", To: "A"}}, p.Moves)
}

func TestProposeMovesNobodyWhenScoresAlreadyMeetTheLimits(t *testing.T) {
	team := rankedTeam(95, 85, 84, 75, 74, 73, 72, 71, 65, 50)
	p, err := scoring.Propose(team, grades, []scoring.Limit{sAtMost10, cdAtLeast10})
	require.NoError(t, err)
	require.Empty(t, p.Moves)
}

func TestProposeReportsLimitsATeamCannotMeet(t *testing.T) {
	team := rankedTeam(95, 85, 75)
	p, err := scoring.Propose(team, grades, []scoring.Limit{
		{Grades: []string{"S"}, Min: ptr(0.5)}, {Grades: []string{"D"}, Min: ptr(0.5)}, {Grades: []string{"B"}, Min: ptr(0.3)},
	})
	require.ErrorIs(t, err, scoring.ErrInfeasible)
	require.Equal(t, map[string]string{"m00": "S", "m01": "A", "m02": "B"}, p.Grades, "score-based grades are still returned")
}

func randomLimits(r *rand.Rand) []scoring.Limit {
	var limits []scoring.Limit
	for range 1 + r.Intn(4) {
		from := r.Intn(len(gradeKeys))
		to := from + r.Intn(min(3, len(gradeKeys)-from))
		l := scoring.Limit{Grades: gradeKeys[from : to+1]}
		if r.Intn(2) == 0 {
			l.Max = ptr(float64(r.Intn(60)) / 100)
		}
		if l.Max == nil || r.Intn(3) == 0 {
			l.Min = ptr(float64(r.Intn(40)) / 100)
		}
		limits = append(limits, l)
	}
	return limits
}

func TestProposedGradesAlwaysPassTheDistributionCheckWhenFeasible(t *testing.T) {
	feasible := 0
	for seed := range int64(3000) {
		r := rand.New(rand.NewSource(seed))
		limits := randomLimits(r)
		scores := make([]float64, 1+r.Intn(60))
		for i := range scores {
			scores[i] = float64(r.Intn(1001)) / 10
		}
		team := rankedTeam(scores...)
		p, err := scoring.Propose(team, grades, limits)
		if scoring.FeasibleFor(limits, gradeKeys, len(team)) != nil {
			require.ErrorIs(t, err, scoring.ErrInfeasible, "seed %d", seed)
			continue
		}
		feasible++
		require.NoError(t, err, "seed %d", seed)
		require.Len(t, p.Grades, len(team))
		require.Empty(t, scoring.CheckDistribution(p.Grades, limits), "seed %d: limits %+v", seed, limits)
		// Grades never invert the ranking.
		rankOf := map[string]int{}
		for i, k := range gradeKeys {
			rankOf[k] = i
		}
		for i := 1; i < len(team); i++ {
			require.LessOrEqual(t, rankOf[p.Grades[team[i-1].MemberID]], rankOf[p.Grades[team[i].MemberID]], "seed %d", seed)
		}
		again, err := scoring.Propose(team, grades, limits)
		require.NoError(t, err)
		require.Equal(t, p, again, "seed %d: deterministic", seed)
	}
	require.Greater(t, feasible, 1000, "the property must be exercised on many feasible cases")
}
