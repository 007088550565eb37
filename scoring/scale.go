package scoring

import "math"

// Rating-scale mappings: how a rater's answer on their scale becomes points.
const (
	// MapLinear stretches the scale from its minimum: on 1–5 a 1 is 0, a 3 is
	// 50. The default, so scores written before mappings existed stand.
	MapLinear = "linear"
	// MapRatio reads an answer as a share of the maximum: on 1–5 a 3 is 60,
	// as many teams read "3 out of 5".
	MapRatio = "ratio"
	// MapPoints gives each answer explicit points; answers between two
	// listed ones score in proportion between them.
	MapPoints = "points"
)

// ScalePoint is one answer and the points it scores.
type ScalePoint struct {
	Rating float64 `json:"rating"`
	Points float64 `json:"points"`
}

// RatingScale is the range a rater group answers in and how an answer maps
// onto 0–100. The zero value is the 0–100 scale read as it is.
type RatingScale struct {
	Min, Max float64
	Mapping  string       // MapLinear (when empty), MapRatio or MapPoints
	Points   []ScalePoint // MapPoints: sorted by Rating, first at Min, last at Max
}

// Score maps one answer onto 0–100, clamped.
func (s RatingScale) Score(v float64) float64 {
	if s.Max <= s.Min {
		return clamp(v, 0, 100)
	}
	switch s.Mapping {
	case MapRatio:
		return clamp(v/s.Max*100, 0, 100)
	case MapPoints:
		return clamp(s.interpolate(v), 0, 100)
	default:
		return clamp((v-s.Min)/(s.Max-s.Min)*100, 0, 100)
	}
}

// Average is the group's mean answer in points, false when nobody answered.
// Linear and ratio map the mean answer, which is the mean of the mapped
// answers and keeps the bits scores had before mappings existed; points
// are not linear, so each answer is mapped first.
func (s RatingScale) Average(ratings []float64) (float64, bool) {
	if len(ratings) == 0 {
		return 0, false
	}
	sum := 0.0
	for _, r := range ratings {
		if s.Mapping == MapPoints && s.Max > s.Min {
			r = s.Score(r)
		}
		sum += r
	}
	mean := sum / float64(len(ratings))
	if s.Mapping == MapPoints && s.Max > s.Min {
		return mean, true
	}
	return s.Score(mean), true
}

// Steps lists what each whole answer from Min to Max scores (every listed
// point for a points mapping), for a preview; nil for a scale of more than
// 11 steps, where a list would not help.
func (s RatingScale) Steps() []ScalePoint {
	if s.Max <= s.Min {
		return nil
	}
	if s.Mapping == MapPoints {
		out := make([]ScalePoint, len(s.Points))
		for i, p := range s.Points {
			out[i] = ScalePoint{Rating: p.Rating, Points: s.Score(p.Rating)}
		}
		return out
	}
	lo, hi := math.Ceil(s.Min), math.Floor(s.Max)
	if hi-lo > 10 {
		return nil
	}
	var out []ScalePoint
	for r := lo; r <= hi; r++ {
		out = append(out, ScalePoint{Rating: r, Points: s.Score(r)})
	}
	return out
}

func (s RatingScale) interpolate(v float64) float64 {
	ps := s.Points
	if len(ps) == 0 {
		return v
	}
	if v <= ps[0].Rating {
		return ps[0].Points
	}
	for i := 1; i < len(ps); i++ {
		a, b := ps[i-1], ps[i]
		if v <= b.Rating {
			return a.Points + (v-a.Rating)/(b.Rating-a.Rating)*(b.Points-a.Points)
		}
	}
	return ps[len(ps)-1].Points
}
