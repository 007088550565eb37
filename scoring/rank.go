package scoring

import (
	"cmp"
	"math"
	"slices"
)

// scoreResolution is the precision at which scores are compared. Weighted
// totals carry float noise (84.99999999999 for 85); quantising keeps such
// members tied, so the documented tie-break decides rather than noise.
const scoreResolution = 1e6

// Entry is one member's final score for ranking. Tiebreak holds further
// scores compared in order when final scores tie, higher first: typically
// the score of the highest-weight indicator, then the next.
type Entry struct {
	MemberID string
	Score    float64
	Tiebreak []float64
}

// Ranked is a member's place in the team.
type Ranked struct {
	MemberID string
	Score    float64
	// Rank is the strict order, 1 = best: equal scores are separated by
	// Tiebreak values, then by MemberID ascending.
	Rank int
	// CompetitionRank shares a place between equal scores ("1224"), which
	// is what people comparing the published scores expect.
	CompetitionRank int
	// Percentile is the share of the other members who did not score higher:
	// (n - CompetitionRank) / (n - 1); 1 = best, 0 = worst, 1 for a team of one.
	Percentile float64
	// TieByID marks members whose order against a neighbour was decided by
	// member ID alone, so the UI can ask the calibration meeting to decide.
	TieByID bool
}

type rankKey struct {
	score    float64
	tiebreak []float64
	index    int
}

func quantise(v float64) float64 {
	if math.IsNaN(v) {
		return math.Inf(-1) // unscorable members rank last rather than at random
	}
	return math.Round(v * scoreResolution)
}

// compareMerit orders by score then tiebreaks, best first; 0 means only the
// member ID can separate them.
func compareMerit(a, b rankKey) int {
	if c := cmp.Compare(b.score, a.score); c != 0 {
		return c
	}
	for i := range max(len(a.tiebreak), len(b.tiebreak)) {
		// A missing tiebreak value loses to any present one.
		x, y := math.Inf(-1), math.Inf(-1)
		if i < len(a.tiebreak) {
			x = quantise(a.tiebreak[i])
		}
		if i < len(b.tiebreak) {
			y = quantise(b.tiebreak[i])
		}
		if c := cmp.Compare(y, x); c != 0 {
			return c
		}
	}
	return 0
}

// Rank orders entries best first; the output is sorted by Rank.
func Rank(entries []Entry) []Ranked {
	keys := make([]rankKey, len(entries))
	for i, e := range entries {
		keys[i] = rankKey{score: quantise(e.Score), tiebreak: e.Tiebreak, index: i}
	}
	slices.SortStableFunc(keys, func(a, b rankKey) int {
		if c := compareMerit(a, b); c != 0 {
			return c
		}
		return cmp.Compare(entries[a.index].MemberID, entries[b.index].MemberID)
	})
	n := len(entries)
	out := make([]Ranked, n)
	for pos, k := range keys {
		r := Ranked{MemberID: entries[k.index].MemberID, Score: entries[k.index].Score, Rank: pos + 1, CompetitionRank: pos + 1}
		if pos > 0 {
			prev := keys[pos-1]
			if prev.score == k.score {
				r.CompetitionRank = out[pos-1].CompetitionRank
			}
			if compareMerit(prev, k) == 0 {
				r.TieByID = true
				out[pos-1].TieByID = true
			}
		}
		r.Percentile = 1
		if n > 1 {
			r.Percentile = float64(n-r.CompetitionRank) / float64(n-1)
		}
		out[pos] = r
	}
	return out
}
