package scoring_test

import (
	"math/rand"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/perfloop/perfloop/scoring"
)

func order(ranked []scoring.Ranked) []string {
	ids := make([]string, len(ranked))
	for i, r := range ranked {
		ids[i] = r.MemberID
	}
	return ids
}

func TestRankOrdersByScoreThenTiebreakThenMemberID(t *testing.T) {
	entries := []scoring.Entry{
		{MemberID: "lin", Score: 80, Tiebreak: []float64{70}},
		{MemberID: "chen", Score: 92},
		{MemberID: "wang", Score: 80, Tiebreak: []float64{90}},
		{MemberID: "zhao", Score: 75, Tiebreak: []float64{60}},
		{MemberID: "li", Score: 75, Tiebreak: []float64{60}},
	}
	ranked := scoring.Rank(entries)
	require.Equal(t, []string{"chen", "wang", "lin", "li", "zhao"}, order(ranked))
	require.Equal(t, []int{1, 2, 3, 4, 5}, []int{ranked[0].Rank, ranked[1].Rank, ranked[2].Rank, ranked[3].Rank, ranked[4].Rank})
	require.Equal(t, []int{1, 2, 2, 4, 4}, []int{ranked[0].CompetitionRank, ranked[1].CompetitionRank, ranked[2].CompetitionRank, ranked[3].CompetitionRank, ranked[4].CompetitionRank})
	require.Equal(t, []bool{false, false, false, true, true}, []bool{ranked[0].TieByID, ranked[1].TieByID, ranked[2].TieByID, ranked[3].TieByID, ranked[4].TieByID},
		"only li and zhao were separated by ID alone")
	require.Equal(t, 1.0, ranked[0].Percentile)
	require.Equal(t, 0.75, ranked[1].Percentile)
	require.Equal(t, 0.25, ranked[4].Percentile)
}

func TestRankIsTheSameWhateverTheInputOrder(t *testing.T) {
	r := rand.New(rand.NewSource(42))
	entries := make([]scoring.Entry, 200)
	for i := range entries {
		entries[i] = scoring.Entry{MemberID: "m" + strconv.Itoa(i), Score: float64(60 + r.Intn(5)), Tiebreak: []float64{float64(r.Intn(3))}}
	}
	want := scoring.Rank(entries)
	for range 20 {
		r.Shuffle(len(entries), func(i, j int) { entries[i], entries[j] = entries[j], entries[i] })
		require.Equal(t, want, scoring.Rank(entries))
	}
}

func TestScoresEqualUpToFloatNoiseAreTies(t *testing.T) {
	ranked := scoring.Rank([]scoring.Entry{{MemberID: "b", Score: 85}, {MemberID: "a", Score: 84.99999999999}})
	require.Equal(t, []string{"a", "b"}, order(ranked))
	require.True(t, ranked[0].TieByID)
	require.Equal(t, 1, ranked[1].CompetitionRank)
}

func TestMissingTiebreakLosesAndUnscorableMembersRankLast(t *testing.T) {
	ranked := scoring.Rank([]scoring.Entry{
		{MemberID: "a", Score: nan()},
		{MemberID: "b", Score: 70},
		{MemberID: "c", Score: 70, Tiebreak: []float64{1}},
	})
	require.Equal(t, []string{"c", "b", "a"}, order(ranked))
	require.False(t, ranked[0].TieByID)
}

func TestTeamOfOneIsAtTheTopPercentile(t *testing.T) {
	ranked := scoring.Rank([]scoring.Entry{{MemberID: "solo", Score: 50}})
	require.Equal(t, 1.0, ranked[0].Percentile)
}
