package scoring

import (
	"errors"
	"fmt"
)

// Policy says what a weighted part without data does to the score it is
// part of. A new joiner with no customer survey yet has not earned zero on
// it; a template says whether the gap is spread over what exists, counted
// as zero, or holds the member back until the data arrives.
type Policy string

// Missing-data policies. The empty Policy means Renormalise.
const (
	// Renormalise spreads the part's weight over the parts that have data,
	// in proportion to their weights.
	Renormalise Policy = "renormalise"
	// Zero counts the part as 0 points with its full weight.
	Zero Policy = "zero"
	// Block withholds the member's score until the data arrives or the
	// manager waives it.
	Block Policy = "block"
)

// Policies lists the policies a template may name, the default first.
var Policies = []Policy{Renormalise, Zero, Block}

// Of returns p, or Renormalise when p is empty.
func (p Policy) Of() Policy {
	if p == "" {
		return Renormalise
	}
	return p
}

// Valid reports whether p is one of Policies (empty counts as the default).
func (p Policy) Valid() bool {
	for _, q := range Policies {
		if p.Of() == q {
			return true
		}
	}
	return false
}

// ErrNoData means no part with a positive weight has data (or counts as
// zero), so there is nothing to spread a renormalised weight over.
var ErrNoData = errors.New("no weighted part has data")

// Part is one weighted input of a score: an indicator of a total, a rater
// of a behavioural indicator, a variable of the final formula.
type Part struct {
	Key     string
	Weight  float64
	Score   float64 // read only when Present
	Present bool
	Policy  Policy
}

// Missing records a part without data and the policy that applied.
type Missing struct {
	Key    string `json:"key"`
	Policy Policy `json:"policy"`
}

// Share is how a part counted: its weight after missing parts were dealt
// with (in the unit the weights were given in) and the score it counted
// with, 0 for a part counted as zero or left out.
type Share struct {
	Key     string
	Weight  float64
	Score   float64
	Present bool
}

// Combined is the result of Mean or Sum.
type Combined struct {
	Score   float64
	Shares  []Share   // one per part with a non-zero weight, in the order given
	Missing []Missing // in the order given
	Blocked []string  // keys of missing parts whose policy is Block
}

// Mean is the weighted mean of parts, with each missing part handled by
// its policy. Parts with zero weight (a self rating shown but not counted)
// take no part at all. When any missing part blocks, Score is 0 and
// Blocked names it; the caller must not use the score.
//
// The shares' weights are percentages of the mean, so Σ weight × score /
// 100 gives Score back.
func Mean(parts []Part) (Combined, error) {
	for _, p := range parts {
		if p.Weight < 0 {
			return Combined{}, fmt.Errorf("weight of %s is %v; a mean takes zero or positive weights: %w", p.Key, p.Weight, ErrWeightsTotal)
		}
	}
	r, err := resolve(parts)
	if err != nil || len(r.Blocked) > 0 {
		return r.Combined, err
	}
	if r.counted <= 0 {
		return r.Combined, fmt.Errorf("missing %v: %w", keys(r.Missing), ErrNoData)
	}
	r.Score = r.sum / r.counted
	for i := range r.Shares {
		r.Shares[i].Weight = r.Shares[i].Weight * r.spread / r.all * 100
	}
	return r.Combined, nil
}

// Sum is constant + Σ weight × score over parts, the final formula written
// as a weighted sum, with each missing part handled by its policy: a
// renormalised part's weight is spread over the positively weighted parts
// that count, in proportion. A negative weight (a penalty such as
// -0.5 × metric.complaints) is never scaled.
//
// The shares' weights are in the unit given, so constant + Σ weight ×
// score gives Score back.
func Sum(parts []Part, constant float64) (Combined, error) {
	r, err := resolve(parts)
	if err != nil || len(r.Blocked) > 0 {
		return r.Combined, err
	}
	if r.all > r.counted && r.counted <= 0 {
		return r.Combined, fmt.Errorf("missing %v: %w", keys(r.Missing), ErrNoData)
	}
	total := constant
	for i := range r.Shares {
		s := &r.Shares[i]
		if s.Weight > 0 {
			s.Weight *= r.spread
		}
		total += s.Weight * s.Score
	}
	r.Score = total
	return r.Combined, nil
}

type resolved struct {
	Combined
	sum     float64 // Σ weight × score over present positive parts
	all     float64 // Σ positive weights
	counted float64 // Σ positive weights of parts present or counted as zero
	spread  float64 // all / counted: what a counted positive weight is scaled by
}

func resolve(parts []Part) (resolved, error) {
	var r resolved
	if len(parts) > 0 {
		r.Shares = make([]Share, 0, len(parts)) // one allocation, not a growth per part
	}
	for _, p := range parts {
		if !finite(p.Weight) {
			return r, fmt.Errorf("weight of %s is %v: %w", p.Key, p.Weight, ErrNotFinite)
		}
		if p.Weight == 0 {
			continue
		}
		if !p.Policy.Valid() {
			return r, fmt.Errorf("%s: policy %q: use renormalise, zero or block: %w", p.Key, p.Policy, ErrBadRule)
		}
		share := Share{Key: p.Key, Weight: p.Weight, Present: p.Present}
		if p.Weight > 0 {
			r.all += p.Weight
		}
		switch {
		case p.Present:
			if !finite(p.Score) {
				return r, fmt.Errorf("%s is %v: %w", p.Key, p.Score, ErrNotFinite)
			}
			share.Score = p.Score
			if p.Weight > 0 {
				r.sum += p.Score * p.Weight
				r.counted += p.Weight
			}
		default:
			pol := p.Policy.Of()
			r.Missing = append(r.Missing, Missing{Key: p.Key, Policy: pol})
			switch pol {
			case Block:
				r.Blocked = append(r.Blocked, p.Key)
			case Zero:
				if p.Weight > 0 {
					r.counted += p.Weight
				}
			case Renormalise:
				share.Weight = 0
			}
		}
		r.Shares = append(r.Shares, share)
	}
	r.spread = 1
	if r.counted > 0 {
		r.spread = r.all / r.counted
	}
	return r, nil
}

func keys(ms []Missing) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = m.Key
	}
	return out
}
