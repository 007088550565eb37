package scoring

import (
	"fmt"
	"math"
)

// MixResult is a member's combined score from several rater parts.
type MixResult struct {
	Score float64
	// Missing lists parts with a positive weight that had no value, sorted.
	Missing []string
	// Weights are the percentages actually used: the template's weights
	// re-normalised over the parts that are present.
	Weights map[string]float64
}

// Mix combines rater parts (quantitative, self, manager, peer, customer …)
// by weights in percent totalling 100.
//
// A part with a positive weight but no value is not counted as zero: the
// remaining weights are re-normalised over the parts present and the part is
// listed in Missing. A member nobody in the next department rated has not
// performed at zero, and scoring them so would punish them for their
// colleagues' silence; Missing lets the calibration meeting see why the mix
// differs.
func Mix(parts map[string]float64, weights map[string]float64) (MixResult, error) {
	var buf [16]string
	keys := sortedKeys(buf[:0], weights)
	var total, present float64
	for _, k := range keys {
		w := weights[k]
		if !finite(w) || w < 0 {
			return MixResult{}, fmt.Errorf("weight of %s is %v; weights must be zero or positive percentages: %w", k, w, ErrWeightsTotal)
		}
		total += w
	}
	if math.Abs(total-100) > weightTolerance {
		return MixResult{}, fmt.Errorf("rater weights total %v: %w", total, ErrWeightsTotal)
	}
	if err := unweighted(parts, weights); err != nil {
		return MixResult{}, err
	}
	var res MixResult
	var sum float64
	for _, k := range keys {
		w := weights[k]
		if w == 0 {
			continue
		}
		p, ok := parts[k]
		if !ok {
			res.Missing = append(res.Missing, k)
			continue
		}
		if !finite(p) {
			return MixResult{}, fmt.Errorf("%s part is %v: %w", k, p, ErrNotFinite)
		}
		sum += p * w
		present += w
	}
	if present == 0 {
		return MixResult{}, fmt.Errorf("missing %v: %w", res.Missing, ErrNoRatings)
	}
	res.Score = sum / present
	res.Weights = make(map[string]float64, len(keys))
	for _, k := range keys {
		if _, ok := parts[k]; ok && weights[k] > 0 {
			res.Weights[k] = weights[k] * 100 / present
		}
	}
	return res, nil
}
