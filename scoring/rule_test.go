package scoring_test

import (
	"math"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/perfloop/perfloop/scoring"
)

func ptr[T any](v T) *T { return &v }

// Figures from the operations-assistant KPI table and service targets.
var (
	retention = scoring.Rule{Kind: scoring.KindLinear, Baseline: 35, Stretch: 50, Floor: 60, Cap: 100}
	response  = scoring.Rule{Kind: scoring.KindLinear, Baseline: 5, Stretch: 3, Floor: 60, Cap: 100}
	// Satisfaction bands on a ten-point sub-scale, as the seed articles write them.
	satisfaction = scoring.Rule{Kind: scoring.KindBands, Bands: []scoring.Band{
		{Min: 0, Max: 80, Points: 0},
		{Min: 80, Max: 90, Points: 8},
		{Min: 90, Max: 100, MaxInclusive: true, Points: 10},
	}}
	satisfiedShare = scoring.Rule{Kind: scoring.KindThreshold, Threshold: 80, Pass: 100, Fail: 0}
	responseLimit  = scoring.Rule{Kind: scoring.KindThreshold, Threshold: 5, Pass: 100, Fail: 20}
	signUps        = scoring.Rule{Kind: scoring.KindRatio, Target: 100, Cap: 100}
	responseRatio  = scoring.Rule{Kind: scoring.KindRatio, Target: 5, Cap: 100}
)

func TestEachRuleKindScoresAsDocumented(t *testing.T) {
	tests := []struct {
		name  string
		rule  scoring.Rule
		dir   scoring.Direction
		value float64
		want  float64
	}{
		{"retention short of the 35% baseline earns BelowBaseline", retention, scoring.Higher, 34.9, 0},
		{"retention at exactly the baseline earns Floor", retention, scoring.Higher, 35, 60},
		{"retention halfway to the stretch earns halfway to Cap", retention, scoring.Higher, 42.5, 80},
		{"retention at the stretch earns Cap", retention, scoring.Higher, 50, 100},
		{"retention beyond the stretch stays at Cap", retention, scoring.Higher, 70, 100},
		{"empty direction means higher is better", retention, "", 42.5, 80},
		{"response of 4 minutes between baseline 5 and stretch 3 earns the midpoint", response, scoring.Lower, 4, 80},
		{"response at the 5 minute baseline earns Floor", response, scoring.Lower, 5, 60},
		{"response slower than the baseline earns BelowBaseline", response, scoring.Lower, 6, 0},
		{"response at the 3 minute stretch earns Cap", response, scoring.Lower, 3, 100},
		{"response faster than the stretch stays at Cap", response, scoring.Lower, 1, 100},
		{"satisfaction 85 falls in the 80–90 band for 8 points", satisfaction, scoring.Higher, 85, 8},
		{"satisfaction 80 is the inclusive bottom of its band", satisfaction, scoring.Higher, 80, 8},
		{"satisfaction 90 starts the next band", satisfaction, scoring.Higher, 90, 10},
		{"satisfaction 100 is inside the inclusive top band", satisfaction, scoring.Higher, 100, 10},
		{"80% satisfied customers passes the threshold", satisfiedShare, scoring.Higher, 80, 100},
		{"79% satisfied customers fails the threshold", satisfiedShare, scoring.Higher, 79, 0},
		{"5 minute response meets a lower-is-better threshold", responseLimit, scoring.Lower, 5, 100},
		{"5.5 minute response misses a lower-is-better threshold", responseLimit, scoring.Lower, 5.5, 20},
		{"80 sign-ups of a 100 target scores 80", signUps, scoring.Higher, 80, 80},
		{"150 sign-ups is capped at 100", signUps, scoring.Higher, 150, 100},
		{"negative values score no ratio points", signUps, scoring.Higher, -5, 0},
		{"10 minute response against a 5 minute target scores 50", responseRatio, scoring.Lower, 10, 50},
		{"4 minute response against a 5 minute target is capped at 100", responseRatio, scoring.Lower, 4, 100},
		{"instant response earns Cap", responseRatio, scoring.Lower, 0, 100},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.rule.Score(tt.value, tt.dir)
			require.NoError(t, err)
			require.InDelta(t, tt.want, got, 1e-9)
		})
	}
}

func TestValueOutsideEveryBandIsReportedNotScoredZero(t *testing.T) {
	_, err := satisfaction.Score(101, scoring.Higher)
	require.ErrorIs(t, err, scoring.ErrNoBand)
	require.ErrorContains(t, err, "101")
}

func TestBadInputsAndRulesAreErrorsNotPanics(t *testing.T) {
	tests := []struct {
		name  string
		rule  scoring.Rule
		dir   scoring.Direction
		value float64
		want  error
	}{
		{"NaN value", retention, scoring.Higher, math.NaN(), scoring.ErrNotFinite},
		{"infinite value", response, scoring.Lower, math.Inf(1), scoring.ErrNotFinite},
		{"unknown kind", scoring.Rule{Kind: "vibes"}, scoring.Higher, 1, scoring.ErrBadRule},
		{"unknown direction", retention, "sideways", 1, scoring.ErrBadRule},
		{"stretch below baseline when higher is better", scoring.Rule{Kind: scoring.KindLinear, Baseline: 50, Stretch: 35, Cap: 100}, scoring.Higher, 40, scoring.ErrBadRule},
		{"stretch above baseline when lower is better", scoring.Rule{Kind: scoring.KindLinear, Baseline: 3, Stretch: 5, Cap: 100}, scoring.Lower, 4, scoring.ErrBadRule},
		{"floor above cap", scoring.Rule{Kind: scoring.KindLinear, Baseline: 1, Stretch: 2, Floor: 90, Cap: 80}, scoring.Higher, 1, scoring.ErrBadRule},
		{"cap above 100 points", scoring.Rule{Kind: scoring.KindLinear, Baseline: 1, Stretch: 2, Cap: 120}, scoring.Higher, 1, scoring.ErrBadRule},
		{"NaN baseline", scoring.Rule{Kind: scoring.KindLinear, Baseline: math.NaN(), Stretch: 2, Cap: 100}, scoring.Higher, 1, scoring.ErrNotFinite},
		{"no bands", scoring.Rule{Kind: scoring.KindBands}, scoring.Higher, 1, scoring.ErrBadRule},
		{"band min above max", scoring.Rule{Kind: scoring.KindBands, Bands: []scoring.Band{{Min: 9, Max: 8}}}, scoring.Higher, 1, scoring.ErrBadRule},
		{"band points negative", scoring.Rule{Kind: scoring.KindBands, Bands: []scoring.Band{{Min: 0, Max: 8, Points: -1}}}, scoring.Higher, 1, scoring.ErrBadRule},
		{"threshold NaN", scoring.Rule{Kind: scoring.KindThreshold, Threshold: math.NaN(), Pass: 100}, scoring.Higher, 1, scoring.ErrNotFinite},
		{"ratio without target", scoring.Rule{Kind: scoring.KindRatio, Cap: 100}, scoring.Higher, 1, scoring.ErrBadRule},
		{"ratio without cap", scoring.Rule{Kind: scoring.KindRatio, Target: 10}, scoring.Higher, 1, scoring.ErrBadRule},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.rule.Score(tt.value, tt.dir)
			require.ErrorIs(t, err, tt.want)
		})
	}
}

func FuzzRuleScore(f *testing.F) {
	f.Add(uint8(0), false, 42.5, 35.0, 50.0, 60.0, 100.0, 80.0, 100.0)
	f.Add(uint8(0), true, 4.0, 5.0, 3.0, 60.0, 100.0, 5.0, 5.0)
	f.Add(uint8(1), false, 85.0, 80.0, 90.0, 0.0, 10.0, 0.0, 1.0)
	f.Add(uint8(2), true, 5.0, 0.0, 0.0, 20.0, 100.0, 5.0, 1.0)
	f.Add(uint8(3), false, 150.0, 0.0, 0.0, 0.0, 120.0, 0.0, 100.0)
	f.Fuzz(func(t *testing.T, kind uint8, lower bool, value, baseline, stretch, floor, capPoints, threshold, target float64) {
		kinds := []string{scoring.KindLinear, scoring.KindBands, scoring.KindThreshold, scoring.KindRatio, "other"}
		r := scoring.Rule{
			Kind: kinds[int(kind)%len(kinds)], Baseline: baseline, Stretch: stretch, Floor: floor, Cap: capPoints,
			BelowBaseline: floor / 2, Threshold: threshold, Pass: capPoints, Fail: floor, Target: target,
			Bands: []scoring.Band{{Min: baseline, Max: stretch, Points: floor}, {Min: stretch, Max: threshold, MaxInclusive: true, Points: capPoints}},
		}
		dir := scoring.Higher
		if lower {
			dir = scoring.Lower
		}
		got, err := r.Score(value, dir)
		if err != nil {
			return
		}
		require.False(t, math.IsNaN(got) || math.IsInf(got, 0), "score %v", got)
		require.GreaterOrEqual(t, got, 0.0)
		require.LessOrEqual(t, got, 100.0)
	})
}

func TestBasisNamesTheBandOrThresholdAValueMet(t *testing.T) {
	bands := scoring.Rule{Kind: scoring.KindBands, Bands: []scoring.Band{{Min: 0, Max: 90, Points: 60}, {Min: 90, Max: 100, Points: 90, MaxInclusive: true}}}
	b := bands.BasisOf(92, scoring.Higher)
	require.NotNil(t, b.Band)
	require.Equal(t, 90.0, b.Band.Points)
	require.Nil(t, bands.BasisOf(101, scoring.Higher).Band, "no band contains 101")
	threshold := scoring.Rule{Kind: scoring.KindThreshold, Threshold: 5, Pass: 100}
	require.True(t, *threshold.BasisOf(4, scoring.Lower).Met, "4 min meets a 5 min ceiling")
	require.False(t, *threshold.BasisOf(4, scoring.Higher).Met)
	require.Equal(t, scoring.Basis{}, scoring.Rule{Kind: scoring.KindLinear}.BasisOf(4, scoring.Higher))
}
