package scoring

import (
	"cmp"
	"math"
	"slices"
)

// ShareCount is how many members of a team of n make up pct per cent of
// it: rounded up to whole members, at least one when pct > 0, never more
// than n. The IDP rule's bottom and the promotion list's top both count
// their share here, so 10 % of 30 is the same three people at either end.
//
// The share is taken in whole basis points (0.01 %) and integers, because
// float arithmetic rounds the wrong way at the edges: 7/100×100 is
// 7.000000000000001, whose ceiling is 8 members, not 7.
func ShareCount(n int, pct float64) int {
	if n <= 0 || !(pct > 0) { // NaN and negative shares pick nobody
		return 0
	}
	if pct >= 100 {
		return n
	}
	bp := int64(math.Round(pct * 100))
	k := int((bp*int64(n) + 9999) / 10000)
	return min(max(k, 1), n)
}

// Top returns the members in the top pct per cent of ranked, best first.
//
// Ties at the boundary are all in, as at the bottom (BottomRule.Bottom): a
// member is in the top when fewer than ShareCount teammates scored
// strictly higher, so two people with the same published score are both
// promoted or neither is, whatever a tiebreak indicator or their member
// IDs say.
func Top(ranked []Ranked, pct float64) []string {
	bestFirst := slices.Clone(ranked)
	slices.SortStableFunc(bestFirst, func(a, b Ranked) int { return cmp.Compare(a.Rank, b.Rank) })
	return throughTies(bestFirst, ShareCount(len(ranked), pct))
}

// throughTies returns the first k members of ordered (sorted from one end
// of a ranking inwards) and every later one whose score equals the k-th's
// at the resolution Rank compares; a ranking orders by that score first,
// so the ties follow the k-th directly.
func throughTies(ordered []Ranked, k int) []string {
	if k <= 0 {
		return nil
	}
	boundary := quantise(ordered[k-1].Score)
	var ids []string
	for i, m := range ordered {
		if i >= k && quantise(m.Score) != boundary {
			break
		}
		ids = append(ids, m.MemberID)
	}
	return ids
}
