package scoring

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
)

// Limit bounds the share of headcount holding any of Grades after
// calibration, as fractions 0..1: S at most 0.10; C and D together at least
// 0.10.
type Limit struct {
	Grades []string
	Max    *float64
	Min    *float64
}

func (l Limit) label() string { return strings.Join(l.Grades, "+") }

// countEpsilon keeps fractions that are whole numbers of members on paper
// (0.1 × 30 = 3.0000000000000004) from rounding the wrong way.
const countEpsilon = 1e-9

// Bounds converts l into headcounts for a team of n.
//
// The maximum is floor(Max × n), so the stated percentage is never exceeded,
// except that a positive Max always allows at least one member: otherwise a
// team of nine could never award an S under "S ≤ 10%", which managers read
// as a broken rule rather than a strict one. The minimum is ceil(Min × n),
// so "C+D ≥ 10%" in a team of nine still needs one member. Both are capped at
// n. A nil bound gives 0 for lo and n for hi.
func Bounds(l Limit, n int) (lo, hi int) {
	hi = n
	if l.Max != nil {
		hi = int(math.Floor(*l.Max*float64(n) + countEpsilon))
		if *l.Max > 0 {
			hi = max(hi, 1)
		}
		hi = min(max(hi, 0), n)
	}
	if l.Min != nil {
		lo = min(max(int(math.Ceil(*l.Min*float64(n)-countEpsilon)), 0), n)
	}
	return lo, hi
}

// Violation is one limit a grade distribution breaks.
type Violation struct {
	Limit     int      // index in the limits passed in
	Grades    []string // the limit's grade set
	Bound     string   // "max" or "min"
	Allowed   int      // the bound as a headcount, see Bounds
	Actual    int      // members holding one of Grades
	By        int      // how many over the max or under the min
	Headcount int
	Message   string // "S: 3 of 12 members (25%), at most 1 allowed (10%) — 2 over"
}

// CheckDistribution reports the limits that the member → grade map breaks,
// in limit order, max before min.
func CheckDistribution(grades map[string]string, limits []Limit) []Violation {
	n := len(grades)
	count := map[string]int{}
	for _, g := range grades {
		count[g]++
	}
	var out []Violation
	for i, l := range limits {
		actual := 0
		for _, g := range uniq(l.Grades) {
			actual += count[g]
		}
		lo, hi := Bounds(l, n)
		base := Violation{Limit: i, Grades: l.Grades, Actual: actual, Headcount: n}
		head := fmt.Sprintf("%s: %d of %d %s (%s)", l.label(), actual, n, plural(n, "member"), pct(float64(actual), float64(n)))
		if l.Max != nil && actual > hi {
			v := base
			v.Bound, v.Allowed, v.By = "max", hi, actual-hi
			v.Message = fmt.Sprintf("%s, at most %d allowed (%s) — %d over", head, hi, pct(*l.Max, 1), v.By)
			out = append(out, v)
		}
		if l.Min != nil && actual < lo {
			v := base
			v.Bound, v.Allowed, v.By = "min", lo, lo-actual
			v.Message = fmt.Sprintf("%s, at least %d required (%s) — %d under", head, lo, pct(*l.Min, 1), v.By)
			out = append(out, v)
		}
	}
	return out
}

func uniq(keys []string) []string {
	if len(keys) < 2 {
		return keys
	}
	out := slices.Clone(keys)
	slices.Sort(out)
	return slices.Compact(out)
}

func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}

// pct formats part/whole as a percentage with at most one decimal.
func pct(part, whole float64) string {
	if whole == 0 {
		return "0%"
	}
	return strconv.FormatFloat(math.Round(part/whole*1000)/10, 'f', -1, 64) + "%"
}

// Feasible reports whether limits can be met at all, as percentages (that
// is, for a large enough team): unknown or repeated grades, bounds outside
// 0..1, a limit without a bound, a limit on grades that are not adjacent, a
// min above a max, minimums of separate grade sets adding up to more than
// 100%, or maximums that leave some members no grade. gradeKeys lists the
// grades in order of merit (best first; worst first works the same), which
// is how adjacency is judged. The template validator reuses it.
func Feasible(limits []Limit, gradeKeys []string) error {
	spans, err := checkLimits(limits, gradeKeys)
	if err != nil {
		return err
	}
	if err := crossCheck(limits); err != nil {
		return err
	}
	sys := newSystem(len(gradeKeys), 1)
	for i, l := range limits {
		lo, hi := 0.0, 1.0
		if l.Min != nil {
			lo = *l.Min
		}
		if l.Max != nil {
			hi = *l.Max
		}
		sys.bound(spans[i], lo, hi)
	}
	if !sys.solve() {
		return fmt.Errorf("the limits contradict each other once combined: %w", ErrInfeasible)
	}
	return nil
}

// FeasibleFor reports whether limits can be met by a team of n, with the
// headcount rounding of Bounds. Limits that are feasible as percentages can
// still fail for small teams: three grades each needing 30% take six of
// five members once rounded up.
func FeasibleFor(limits []Limit, gradeKeys []string, n int) error {
	spans, err := checkLimits(limits, gradeKeys)
	if err != nil {
		return err
	}
	if _, ok := countSystem(limits, spans, len(gradeKeys), n); !ok {
		var parts []string
		for _, l := range limits {
			lo, hi := Bounds(l, n)
			parts = append(parts, fmt.Sprintf("%s %d–%d", l.label(), lo, hi))
		}
		return fmt.Errorf("a team of %d cannot meet %s: %w", n, strings.Join(parts, ", "), ErrInfeasible)
	}
	return nil
}

// span is a limit's grades as positions [from, to] in order of merit.
type span struct{ from, to int }

func checkLimits(limits []Limit, gradeKeys []string) ([]span, error) {
	pos := make(map[string]int, len(gradeKeys))
	for i, k := range gradeKeys {
		pos[k] = i
	}
	var errs []error
	spans := make([]span, len(limits))
	for i, l := range limits {
		name := fmt.Sprintf("limit %d (%s)", i, l.label())
		if len(l.Grades) == 0 {
			errs = append(errs, fmt.Errorf("limit %d names no grades: %w", i, ErrLimitInvalid))
			continue
		}
		if l.Max == nil && l.Min == nil {
			errs = append(errs, fmt.Errorf("%s sets neither max nor min: %w", name, ErrLimitInvalid))
		}
		for _, b := range []*float64{l.Min, l.Max} {
			if b != nil && (math.IsNaN(*b) || *b < 0 || *b > 1) {
				errs = append(errs, fmt.Errorf("%s: bound %v must be a fraction of headcount between 0 and 1: %w", name, *b, ErrLimitInvalid))
			}
		}
		if l.Min != nil && l.Max != nil && *l.Min > *l.Max {
			errs = append(errs, fmt.Errorf("%s: at least %s but at most %s: %w", name, pct(*l.Min, 1), pct(*l.Max, 1), ErrInfeasible))
		}
		at := make([]int, 0, len(l.Grades))
		known := true
		for _, g := range l.Grades {
			p, ok := pos[g]
			if !ok {
				errs = append(errs, fmt.Errorf("%s: %q: known grades are %s: %w", name, g, strings.Join(gradeKeys, ", "), ErrUnknownGrade))
				known = false
				continue
			}
			if slices.Contains(at, p) {
				errs = append(errs, fmt.Errorf("%s names %s twice: %w", name, g, ErrLimitInvalid))
				known = false
			}
			at = append(at, p)
		}
		if !known {
			continue
		}
		lo, hi := slices.Min(at), slices.Max(at)
		if hi-lo+1 != len(at) {
			errs = append(errs, fmt.Errorf("%s skips a grade between %s and %s: %w", name, gradeKeys[lo], gradeKeys[hi], ErrLimitNotAdjacent))
		}
		spans[i] = span{lo, hi}
	}
	return spans, errors.Join(errs...)
}

// crossCheck explains the two common contradictions in words before the
// general solver gives its blunter verdict.
func crossCheck(limits []Limit) error {
	var withMin, withMax []int
	for i, l := range limits {
		if l.Min != nil && *l.Min > 0 {
			withMin = append(withMin, i)
		}
		if l.Max != nil {
			withMax = append(withMax, i)
		}
	}
	for _, i := range withMin {
		for _, j := range withMax {
			if i != j && subset(limits[i].Grades, limits[j].Grades) && *limits[i].Min > *limits[j].Max+countEpsilon {
				return fmt.Errorf("%s needs at least %s but %s allows at most %s: %w",
					limits[i].label(), pct(*limits[i].Min, 1), limits[j].label(), pct(*limits[j].Max, 1), ErrInfeasible)
			}
		}
	}
	// Families of separate grade sets; a template has a handful of limits,
	// so enumerating them stays cheap.
	if len(withMin) <= 16 {
		for mask := 1; mask < 1<<len(withMin); mask++ {
			var family []int
			var sum float64
			for b, i := range withMin {
				if mask&(1<<b) != 0 {
					family = append(family, i)
					sum += *limits[i].Min
				}
			}
			if len(family) > 1 && sum > 1+countEpsilon && disjoint(limits, family) {
				var names []string
				for _, i := range family {
					names = append(names, fmt.Sprintf("%s ≥ %s", limits[i].label(), pct(*limits[i].Min, 1)))
				}
				return fmt.Errorf("minimums add up to %s of headcount (%s): %w", pct(sum, 1), strings.Join(names, ", "), ErrInfeasible)
			}
		}
	}
	return nil
}

func subset(a, b []string) bool {
	for _, g := range a {
		if !slices.Contains(b, g) {
			return false
		}
	}
	return true
}

func disjoint(limits []Limit, family []int) bool {
	seen := map[string]bool{}
	for _, i := range family {
		for _, g := range limits[i].Grades {
			if seen[g] {
				return false
			}
			seen[g] = true
		}
	}
	return true
}

// system is a set of difference constraints over the cumulative headcounts
// x[k] = members in the k best grades (x[0] = 0, x[g] = total). Limits on
// adjacent grades become bounds on x[to+1] - x[from], which is why limits
// must name adjacent grades: the system then stays small and exactly
// solvable by shortest paths.
type system struct {
	n    int // nodes: grades + 1
	dist [][]float64
}

func newSystem(grades int, total float64) *system {
	s := &system{n: grades + 1, dist: make([][]float64, grades+1)}
	for i := range s.dist {
		s.dist[i] = make([]float64, grades+1)
		for j := range s.dist[i] {
			if i != j {
				s.dist[i][j] = math.Inf(1)
			}
		}
	}
	for k := 1; k <= grades; k++ {
		s.edge(k, k-1, 0) // no grade holds a negative number of members
	}
	s.edge(0, grades, total)
	s.edge(grades, 0, -total)
	return s
}

// edge adds the constraint x[v] - x[u] <= w.
func (s *system) edge(u, v int, w float64) {
	s.dist[u][v] = min(s.dist[u][v], w)
}

func (s *system) bound(sp span, lo, hi float64) {
	s.edge(sp.from, sp.to+1, hi)
	s.edge(sp.to+1, sp.from, -lo)
}

// solve closes the distances (Floyd–Warshall) and reports whether the
// constraints are consistent, i.e. there is no negative cycle.
func (s *system) solve() bool {
	for k := range s.n {
		for i := range s.n {
			for j := range s.n {
				s.dist[i][j] = min(s.dist[i][j], s.dist[i][k]+s.dist[k][j])
			}
		}
	}
	return s.consistent()
}

func (s *system) consistent() bool {
	for i := range s.n {
		if s.dist[i][i] < -countEpsilon {
			return false
		}
	}
	return true
}

// fix sets x[k] = v on a solved system and keeps the distances closed.
func (s *system) fix(k int, v float64) bool {
	for _, e := range [2]struct {
		u, v int
		w    float64
	}{{0, k, v}, {k, 0, -v}} {
		for i := range s.n {
			for j := range s.n {
				s.dist[i][j] = min(s.dist[i][j], s.dist[i][e.u]+e.w+s.dist[e.v][j])
			}
		}
	}
	return s.consistent()
}

func countSystem(limits []Limit, spans []span, grades, n int) (*system, bool) {
	s := newSystem(grades, float64(n))
	for i, l := range limits {
		lo, hi := Bounds(l, n)
		s.bound(spans[i], float64(lo), float64(hi))
	}
	return s, s.solve()
}
