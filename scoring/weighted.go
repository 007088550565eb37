package scoring

import (
	"fmt"
	"math"
	"slices"
)

// weightTolerance absorbs weights typed as thirds (33.333 × 3). The extra
// 1e-9 lets 33.333 × 3, which float64 sums to 99.99900000000001, count as
// within it.
const weightTolerance = 0.001 + 1e-9

// Weighted combines indicator scores by weights given in percent, which
// must total 100 (±0.001). The total is divided by the actual weight sum, so
// thirds typed as 33.333 behave as thirds, and it is kept within the lowest
// and highest score, where a weighted mean lies, so float noise cannot push a
// perfect scorecard to 100.0000001 and out of the top grade.
//
// Keys are visited in sorted order because float addition is not
// associative: summing in Go's random map order could change the last bits
// of a total between runs, and a total on a grade boundary would then flip
// grade on a workflow replay.
func Weighted(scores map[string]float64, weights map[string]float64) (float64, error) {
	var buf [32]string
	keys := sortedKeys(buf[:0], weights)
	var total float64
	for _, k := range keys {
		w := weights[k]
		if !finite(w) || w < 0 {
			return 0, fmt.Errorf("weight of %s is %v; weights must be zero or positive percentages: %w", k, w, ErrWeightsTotal)
		}
		total += w
	}
	if math.Abs(total-100) > weightTolerance {
		return 0, fmt.Errorf("weights total %v: %w", total, ErrWeightsTotal)
	}
	if err := unweighted(scores, weights); err != nil {
		return 0, err
	}
	var sum float64
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, k := range keys {
		s, ok := scores[k]
		if !ok {
			return 0, fmt.Errorf("%s: %w", k, ErrMissingScore)
		}
		if !finite(s) {
			return 0, fmt.Errorf("score of %s is %v: %w", k, s, ErrNotFinite)
		}
		sum += s * weights[k]
		lo, hi = min(lo, s), max(hi, s)
	}
	return clamp(sum/total, lo, hi), nil
}

// unweighted reports the first (in sorted order, for a stable message) key
// of parts that has no weight at all: a template typo that would otherwise
// silently drop a score.
func unweighted(parts, weights map[string]float64) error {
	var missing []string
	for k := range parts {
		if _, ok := weights[k]; !ok {
			missing = append(missing, k)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	slices.Sort(missing)
	return fmt.Errorf("%s: %w", missing[0], ErrUnweighted)
}

// sortedKeys appends m's keys to dst in sorted order; callers pass a stack
// buffer so scoring a member does not allocate.
func sortedKeys(dst []string, m map[string]float64) []string {
	for k := range m {
		dst = append(dst, k)
	}
	slices.Sort(dst)
	return dst
}
