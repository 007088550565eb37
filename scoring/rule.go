package scoring

import (
	"fmt"
	"math"
)

// Direction says which way an indicator improves.
type Direction string

// Directions. The empty Direction means Higher, as in the template DSL,
// because most indicators (fans, conversions, retention) improve upwards.
const (
	Higher Direction = "higher"
	Lower  Direction = "lower" // lower is better: response time, complaint count
)

// Rule kinds.
const (
	KindLinear    = "linear"
	KindBands     = "bands"
	KindThreshold = "threshold"
	KindRatio     = "ratio"
)

// Rule turns one indicator's value into points on the 0–100 scale.
type Rule struct {
	Kind string

	// Linear: Floor points at exactly Baseline, rising linearly to Cap at
	// Stretch and staying at Cap beyond it; a value short of the baseline
	// earns BelowBaseline. For Lower, Stretch is below Baseline (baseline 5
	// min, stretch 3 min) and "short of" means above.
	Baseline, Stretch float64
	Floor, Cap        float64
	BelowBaseline     float64

	// Bands: the first band containing the value gives its Points.
	Bands []Band

	// Threshold: Pass points when the value meets Threshold (>= for Higher,
	// <= for Lower), Fail otherwise.
	Threshold  float64
	Pass, Fail float64

	// Ratio: 100 × value/Target (Target/value for Lower), clamped to 0..Cap,
	// so 80% of target scores 80 and overachievement is limited by Cap.
	Target float64
}

// Band is [Min, Max), or [Min, Max] when MaxInclusive (the top band).
type Band struct {
	Min, Max     float64
	MaxInclusive bool
	Points       float64
}

func (b Band) contains(v float64) bool {
	return v >= b.Min && (v < b.Max || b.MaxInclusive && v == b.Max)
}

// Score returns the points value earns under r. NaN or infinite values and
// invalid rules are errors, never panics; a value outside every band is
// ErrNoBand so the engine can report the gap instead of scoring zero.
func (r Rule) Score(value float64, dir Direction) (float64, error) {
	if err := r.Validate(dir); err != nil {
		return 0, err
	}
	if !finite(value) {
		return 0, fmt.Errorf("value %v: %w", value, ErrNotFinite)
	}
	lower := dir == Lower
	switch r.Kind {
	case KindLinear:
		// Mirroring lower-is-better onto higher-is-better keeps one formula.
		v, base, stretch := value, r.Baseline, r.Stretch
		if lower {
			v, base, stretch = -v, -base, -stretch
		}
		switch {
		case v < base:
			return r.BelowBaseline, nil
		case v >= stretch:
			return r.Cap, nil
		}
		// Halving first keeps the differences finite for extreme baselines.
		frac := (v/2 - base/2) / (stretch/2 - base/2)
		return clamp(r.Floor+frac*(r.Cap-r.Floor), r.Floor, r.Cap), nil
	case KindBands:
		for _, b := range r.Bands {
			if b.contains(value) {
				return b.Points, nil
			}
		}
		return 0, fmt.Errorf("value %v: %w", value, ErrNoBand)
	case KindThreshold:
		if r.meets(value, dir) {
			return r.Pass, nil
		}
		return r.Fail, nil
	default: // KindRatio, checked by Validate
		var ratio float64
		switch {
		case !lower:
			ratio = value / r.Target
		case value <= 0:
			return r.Cap, nil // zero minutes of waiting cannot be beaten
		default:
			ratio = r.Target / value
		}
		return clamp(100*ratio, 0, r.Cap), nil
	}
}

func (r Rule) meets(value float64, dir Direction) bool {
	if dir == Lower {
		return value <= r.Threshold
	}
	return value >= r.Threshold
}

// Basis is what a value met under a rule, so a result can say why it
// scored what it did: the band that contained it, or whether it met the
// threshold. Linear and ratio rules are explained by their baseline,
// stretch or target, which the caller already has.
type Basis struct {
	Band *Band
	Met  *bool
}

// BasisOf returns what value met under r; empty when r has no band or
// threshold to meet, or no band contains value.
func (r Rule) BasisOf(value float64, dir Direction) Basis {
	switch r.Kind {
	case KindBands:
		for _, b := range r.Bands {
			if b.contains(value) {
				return Basis{Band: &b}
			}
		}
	case KindThreshold:
		met := r.meets(value, dir)
		return Basis{Met: &met}
	}
	return Basis{}
}

// Validate reports why r cannot score, naming the field; the template
// validator calls it so a bad rule is caught before a cycle starts.
func (r Rule) Validate(dir Direction) error {
	if dir != "" && dir != Higher && dir != Lower {
		return fmt.Errorf("direction %q: use %q or %q: %w", dir, Higher, Lower, ErrBadRule)
	}
	switch r.Kind {
	case KindLinear:
		if err := firstErr(points("floor", r.Floor), points("cap", r.Cap), points("belowBaseline", r.BelowBaseline)); err != nil {
			return err
		}
		if !finite(r.Baseline) || !finite(r.Stretch) {
			return fmt.Errorf("baseline %v, stretch %v: %w", r.Baseline, r.Stretch, ErrNotFinite)
		}
		if dir == Lower && r.Stretch >= r.Baseline {
			return fmt.Errorf("stretch %v must be below baseline %v when lower is better: %w", r.Stretch, r.Baseline, ErrBadRule)
		}
		if dir != Lower && r.Stretch <= r.Baseline {
			return fmt.Errorf("stretch %v must be above baseline %v: %w", r.Stretch, r.Baseline, ErrBadRule)
		}
		if r.Floor > r.Cap {
			return fmt.Errorf("floor %v is above cap %v: %w", r.Floor, r.Cap, ErrBadRule)
		}
	case KindBands:
		if len(r.Bands) == 0 {
			return fmt.Errorf("bands: at least one band is needed: %w", ErrBadRule)
		}
		for i, b := range r.Bands {
			if !finite(b.Min) || !finite(b.Max) {
				return fmt.Errorf("bands/%d: [%v, %v]: %w", i, b.Min, b.Max, ErrNotFinite)
			}
			if b.Min > b.Max || b.Min == b.Max && !b.MaxInclusive {
				return fmt.Errorf("bands/%d: min %v must be below max %v: %w", i, b.Min, b.Max, ErrBadRule)
			}
			if b.Points < 0 || b.Points > 100 || math.IsNaN(b.Points) {
				return fmt.Errorf("bands/%d/points %v must be points between 0 and 100: %w", i, b.Points, ErrBadRule)
			}
		}
	case KindThreshold:
		if !finite(r.Threshold) {
			return fmt.Errorf("threshold %v: %w", r.Threshold, ErrNotFinite)
		}
		return firstErr(points("pass", r.Pass), points("fail", r.Fail))
	case KindRatio:
		if !finite(r.Target) || r.Target <= 0 {
			return fmt.Errorf("target %v must be above zero: %w", r.Target, ErrBadRule)
		}
		if err := points("cap", r.Cap); err != nil {
			return err
		}
		if r.Cap == 0 {
			return fmt.Errorf("cap 0 would score everyone zero; set the most points a member can earn, usually 100: %w", ErrBadRule)
		}
	default:
		return fmt.Errorf("kind %q: use linear, bands, threshold or ratio: %w", r.Kind, ErrBadRule)
	}
	return nil
}

// points checks that a rule's points lie on the 0–100 scale.
func points(name string, v float64) error {
	if math.IsNaN(v) || v < 0 || v > 100 {
		return fmt.Errorf("%s %v must be points between 0 and 100: %w", name, v, ErrBadRule)
	}
	return nil
}

func firstErr(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

func clamp(v, lo, hi float64) float64 { return min(max(v, lo), hi) }
