package scoring

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"slices"
)

// Move is a member whose proposed grade differs from the grade their score
// alone earns.
type Move struct {
	MemberID string
	Rank     int
	From, To string
}

// Proposal is the grade distribution put before the calibration meeting.
type Proposal struct {
	Grades map[string]string // member → grade
	Moves  []Move            // in rank order
}

// Propose grades ranked members by their scores and then, where limits
// demand it, moves the members at grade boundaries: the lowest-ranked of an
// over-full grade go down one grade, the highest-ranked below an
// under-filled grade come up, and so on until every limit holds. Grades stay
// in rank order, so a member never ends up below someone they outranked.
//
// It settles the headcount of the best grade first, then the next: each is
// kept as close as possible to what the scores earn while leaving the
// remaining limits satisfiable. Members are therefore never moved when the
// scores already meet the limits. The result is deterministic for a given
// input; ties at a boundary follow Rank, so check Ranked.TieByID.
//
// When the limits cannot be met by this headcount (see FeasibleFor), or the
// grade scale is broken (see CheckBands), Propose returns the score-based
// grades and an error.
func Propose(ranked []Ranked, grades []Grade, limits []Limit) (Proposal, error) {
	if errs := CheckBands(grades); len(errs) > 0 {
		return Proposal{}, errors.Join(errs...)
	}
	order := slices.Clone(grades)
	slices.SortStableFunc(order, func(a, b Grade) int { return cmp.Compare(b.Min, a.Min) })
	keys := make([]string, len(order))
	index := make(map[string]int, len(order))
	for i, g := range order {
		keys[i] = g.Key
		index[g.Key] = i
	}
	members := slices.Clone(ranked)
	slices.SortStableFunc(members, func(a, b Ranked) int { return cmp.Compare(a.Rank, b.Rank) })

	natural := make([]int, len(members))
	earned := make(map[string]string, len(members))
	cumulative := make([]int, len(keys)+1) // members in the k best grades, by score
	for i, m := range members {
		key, err := GradeOf(m.Score, grades)
		if err != nil {
			return Proposal{}, fmt.Errorf("member %s: %w", m.MemberID, err)
		}
		natural[i] = index[key]
		earned[m.MemberID] = key
		cumulative[natural[i]+1]++
	}
	for k := 1; k <= len(keys); k++ {
		cumulative[k] += cumulative[k-1]
	}

	spans, err := checkLimits(limits, keys)
	if err != nil {
		return Proposal{Grades: earned}, err
	}
	n := len(members)
	sys, ok := countSystem(limits, spans, len(keys), n)
	if !ok {
		return Proposal{Grades: earned}, FeasibleFor(limits, keys, n)
	}
	// With the distances closed, every value between a cumulative count's
	// lowest and highest feasible value extends to a full solution, so
	// fixing the counts one at a time never paints the proposal into a
	// corner.
	cut := make([]int, len(keys)+1)
	cut[len(keys)] = n
	for k := 1; k < len(keys); k++ {
		lo, hi := -sys.dist[k][0], sys.dist[0][k]
		cut[k] = int(math.Round(clamp(float64(cumulative[k]), lo, hi)))
		if !sys.fix(k, float64(cut[k])) {
			return Proposal{Grades: earned}, fmt.Errorf("grade %s: no headcount fits: %w", keys[k-1], ErrInfeasible)
		}
	}

	p := Proposal{Grades: make(map[string]string, n)}
	g := 0
	for i, m := range members {
		for i >= cut[g+1] {
			g++
		}
		p.Grades[m.MemberID] = keys[g]
		if g != natural[i] {
			p.Moves = append(p.Moves, Move{MemberID: m.MemberID, Rank: m.Rank, From: keys[natural[i]], To: keys[g]})
		}
	}
	return p, nil
}
