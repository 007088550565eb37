package bench

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"sort"
	"strings"
)

// DefaultRepeat is how many rounds each scenario runs unless told: three
// is the fewest that has a median that one bad round cannot move.
const DefaultRepeat = 3

// combine folds the rounds of one scenario at one size into one Result.
// Each round measured ours and then raw back to back, so a slow moment of
// the machine falls on both sides of that round's ratio. Each figure is its
// median over the rounds; the headline ratio and every named ratio are the
// medians of the rounds' ratios, and Spread is how far the rounds'
// headline ratios lay apart, relative to their median.
func combine(rounds []Result) Result {
	if len(rounds) == 0 {
		return Result{}
	}
	out := rounds[0]
	out.Rounds = len(rounds)
	if len(rounds) == 1 {
		out.RatioMin, out.RatioMax = out.Ratio, out.Ratio
		return out
	}
	out.Ours = medianFigures(rounds, func(r Result) Figures { return r.Ours })
	out.Raw = medianFigures(rounds, func(r Result) Figures { return r.Raw })
	heads := make([]float64, len(rounds))
	for i, r := range rounds {
		heads[i] = r.Ratio
	}
	out.Ratio = round(median(heads))
	out.RatioMin, out.RatioMax = slices.Min(heads), slices.Max(heads)
	if out.Ratio > 0 {
		out.Spread = round((out.RatioMax - out.RatioMin) / out.Ratio)
	}
	if rounds[0].Ratios != nil {
		out.Ratios = make(map[string]float64, len(rounds[0].Ratios))
		for k := range rounds[0].Ratios {
			vs := make([]float64, 0, len(rounds))
			for _, r := range rounds {
				vs = append(vs, r.Ratios[k])
			}
			out.Ratios[k] = round(median(vs))
		}
	}
	// A note that names a failure in any round must survive the fold.
	for _, r := range rounds[1:] {
		if strings.Contains(r.Notes, "failed") && !strings.Contains(out.Notes, "failed") {
			out.Notes += "; another round: " + r.Notes
		}
	}
	return out
}

// medianFigures keeps the first round's figure order and takes each
// figure's median over the rounds.
func medianFigures(rounds []Result, side func(Result) Figures) Figures {
	first := side(rounds[0])
	out := make(Figures, 0, len(first))
	for _, f := range first {
		vs := make([]float64, 0, len(rounds))
		for _, r := range rounds {
			vs = append(vs, side(r).Get(f.Name))
		}
		out = append(out, Figure{f.Name, round(median(vs))})
	}
	return out
}

// median of vs (the mean of the middle two for an even count).
func median(vs []float64) float64 {
	if len(vs) == 0 {
		return 0
	}
	s := slices.Clone(vs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// Goal is one budget of issue 18: a ratio of ours to raw that must stay at
// or under Max (or at or over Min, for throughput).
type Goal struct {
	Scenario string
	// AtLeast is the smallest team size the goal applies to; a goal with a
	// larger AtLeast at the same ratio replaces it from that size on.
	AtLeast int
	Ratio   string // a key of Result.Ratios
	Max     float64
	Min     float64
}

// Goals are the budgets --check holds the results to.
var Goals = []Goal{
	{Scenario: ScenarioLaunch, AtLeast: 1, Ratio: "vsSignalWithStart", Max: 1.5},
	{Scenario: ScenarioLaunch, AtLeast: 1000, Ratio: "vsSignalWithStart", Max: 1.3},
	{Scenario: ScenarioSubmit, AtLeast: 1, Ratio: "p50", Max: 1.5},
	{Scenario: ScenarioSubmit, AtLeast: 1, Ratio: "throughput", Min: 0.7},
	{Scenario: ScenarioMemory, AtLeast: 1, Ratio: "rssPerWorkflow", Max: 2},
	{Scenario: ScenarioScore, AtLeast: 1, Ratio: "fromDb", Max: 1.2},
}

// Verdict is one goal checked against one result.
type Verdict struct {
	Scenario string  `json:"scenario"`
	Members  int     `json:"members"`
	Ratio    string  `json:"ratio"`
	Value    float64 `json:"value"`
	Goal     string  `json:"goal"`
	Met      bool    `json:"met"`
}

// Check holds each result to the goal for its scenario, ratio and size
// (the goal with the largest AtLeast the size reaches).
func Check(results []Result) []Verdict {
	var out []Verdict
	for _, r := range results {
		chosen := map[string]Goal{}
		for _, g := range Goals {
			if g.Scenario != r.Scenario || r.Members < g.AtLeast {
				continue
			}
			if have, ok := chosen[g.Ratio]; !ok || g.AtLeast > have.AtLeast {
				chosen[g.Ratio] = g
			}
		}
		keys := slices.Collect(maps.Keys(chosen))
		sort.Strings(keys)
		for _, k := range keys {
			g := chosen[k]
			v, ok := r.Ratios[k]
			vd := Verdict{Scenario: r.Scenario, Members: r.Members, Ratio: k, Value: v}
			switch {
			case g.Min > 0:
				vd.Goal = fmt.Sprintf("≥ %.2f", g.Min)
				vd.Met = ok && v >= g.Min
			default:
				vd.Goal = fmt.Sprintf("≤ %.2f", g.Max)
				vd.Met = ok && v > 0 && v <= g.Max
			}
			out = append(out, vd)
		}
	}
	return out
}

// WriteVerdicts prints one line per verdict and returns how many missed.
func WriteVerdicts(w io.Writer, vs []Verdict) (missed int) {
	for _, v := range vs {
		mark := "met   "
		if !v.Met {
			mark = "MISSED"
			missed++
		}
		fmt.Fprintf(w, "%s %s %d: %s ours/raw %.2f, goal %s\n", mark, v.Scenario, v.Members, v.Ratio, v.Value, v.Goal)
	}
	return missed
}
