package scoring_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/perfloop/perfloop/scoring"
)

func TestWeightedTotalOfAnOperationsAssistantScorecard(t *testing.T) {
	weights := map[string]float64{"retention": 30, "tagCompleteness": 20, "openRate": 20, "nps": 30}
	scores := map[string]float64{"retention": 80, "tagCompleteness": 60, "openRate": 100, "nps": 70}
	got, err := scoring.Weighted(scores, weights)
	require.NoError(t, err)
	require.InDelta(t, 24+12+20+21, got, 1e-9)
}

func TestWeightedTotalIsBitForBitRepeatable(t *testing.T) {
	weights := map[string]float64{}
	scores := map[string]float64{}
	for i, k := range []string{"a", "b", "c", "d", "e", "f", "g"} {
		weights[k] = 100.0 / 7
		scores[k] = 61.3 + float64(i)*3.7
	}
	first, err := scoring.Weighted(scores, weights)
	require.NoError(t, err)
	for range 200 {
		again, err := scoring.Weighted(scores, weights)
		require.NoError(t, err)
		require.Equal(t, first, again)
	}
}

func TestWeightsTypedAsThirdsGiveAPerfectScoreExactly100(t *testing.T) {
	weights := map[string]float64{"a": 33.333, "b": 33.333, "c": 33.333}
	got, err := scoring.Weighted(map[string]float64{"a": 100, "b": 100, "c": 100}, weights)
	require.NoError(t, err)
	require.Equal(t, 100.0, got)
}

func TestWeightedRejectsBrokenScorecards(t *testing.T) {
	ok := map[string]float64{"a": 60, "b": 40}
	tests := []struct {
		name    string
		scores  map[string]float64
		weights map[string]float64
		want    error
	}{
		{"weights total 99", map[string]float64{"a": 1, "b": 1}, map[string]float64{"a": 60, "b": 39}, scoring.ErrWeightsTotal},
		{"negative weight", map[string]float64{"a": 1, "b": 1}, map[string]float64{"a": 110, "b": -10}, scoring.ErrWeightsTotal},
		{"weighted indicator without score", map[string]float64{"a": 1}, ok, scoring.ErrMissingScore},
		{"score without weight", map[string]float64{"a": 1, "b": 1, "c": 1}, ok, scoring.ErrUnweighted},
		{"NaN score", map[string]float64{"a": 1, "b": nan()}, ok, scoring.ErrNotFinite},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := scoring.Weighted(tt.scores, tt.weights)
			require.ErrorIs(t, err, tt.want)
		})
	}
	_, err := scoring.Weighted(map[string]float64{"a": 1, "b": 1}, map[string]float64{"a": 60.0005, "b": 40})
	require.NoError(t, err, "weights within 0.001 of 100 are accepted")
}

func TestFanGrowthFromLowQualityTrafficIsHalved(t *testing.T) {
	scores := map[string]float64{"fanGrowth": 90, "conversions": 70}
	got, applied := scoring.Apply(scores, []scoring.Adjustment{
		{Indicator: "fanGrowth", Multiply: ptr(0.5), Reason: "group exit rate above 30%: low-quality traffic"},
	})
	require.Equal(t, map[string]float64{"fanGrowth": 45, "conversions": 70}, got)
	require.Equal(t, []scoring.Applied{{Index: 0, Indicator: "fanGrowth", Reason: "group exit rate above 30%: low-quality traffic", Before: 90, After: 45}}, applied)
	require.Equal(t, 90.0, scores["fanGrowth"], "the caller's scores are not modified")
}

func TestAdjustmentsApplyInOrderAndStayOnTheScale(t *testing.T) {
	scores := map[string]float64{"experiment": 40, "nps": 90}
	got, applied := scoring.Apply(scores, []scoring.Adjustment{
		{Indicator: "experiment", Multiply: ptr(2.0), Reason: "successful experiment earns double"},
		{Indicator: "nps", Add: ptr(20.0), Reason: "bonus"},
		{Indicator: "experiment", Set: ptr(10.0), Add: ptr(5.0), Reason: "set then add"},
		{Indicator: "missing", Set: ptr(0.0), Reason: "typo"},
		{Indicator: "nps", Multiply: ptr(nan()), Reason: "broken"},
	})
	require.Equal(t, map[string]float64{"experiment": 15, "nps": 100}, got)
	require.Len(t, applied, 5)
	require.Equal(t, 80.0, applied[0].After)
	require.True(t, applied[1].Clamped)
	require.Equal(t, 15.0, applied[2].After)
	require.Contains(t, applied[3].Skipped, `"missing" has no score`)
	require.Equal(t, "effect is not a finite number", applied[4].Skipped)
	require.Equal(t, 100.0, applied[4].After)
}

func TestCommunityRaterMixOfManagerCrossDepartmentAndCustomer(t *testing.T) {
	weights := map[string]float64{"manager": 40, "crossDepartment": 30, "customer": 30}
	got, err := scoring.Mix(map[string]float64{"manager": 80, "crossDepartment": 90, "customer": 70}, weights)
	require.NoError(t, err)
	require.InDelta(t, 32+27+21, got.Score, 1e-9)
	require.Empty(t, got.Missing)
}

func TestThreeWayCalibrationMixOfQuantitativeManagerAndCustomer(t *testing.T) {
	weights := map[string]float64{"quantitative": 60, "manager": 25, "customer": 15}
	got, err := scoring.Mix(map[string]float64{"quantitative": 85, "manager": 90, "customer": 70}, weights)
	require.NoError(t, err)
	require.InDelta(t, 51+22.5+10.5, got.Score, 1e-9)
}

func TestMemberWithoutCrossDepartmentRatingsIsNotScoredZero(t *testing.T) {
	weights := map[string]float64{"manager": 40, "crossDepartment": 30, "customer": 30}
	got, err := scoring.Mix(map[string]float64{"manager": 80, "customer": 70}, weights)
	require.NoError(t, err)
	require.InDelta(t, (80*40+70*30)/70.0, got.Score, 1e-9)
	require.Equal(t, []string{"crossDepartment"}, got.Missing)
	require.InDelta(t, 400.0/7, got.Weights["manager"], 1e-9)
	require.InDelta(t, 300.0/7, got.Weights["customer"], 1e-9)
}

func TestMixNeedsAtLeastOneWeightedPartAndWeightsTotalling100(t *testing.T) {
	_, err := scoring.Mix(map[string]float64{}, map[string]float64{"manager": 100})
	require.ErrorIs(t, err, scoring.ErrNoRatings)
	_, err = scoring.Mix(map[string]float64{"manager": 80}, map[string]float64{"manager": 90})
	require.ErrorIs(t, err, scoring.ErrWeightsTotal)
	_, err = scoring.Mix(map[string]float64{"manager": 80, "peer": 70}, map[string]float64{"manager": 100})
	require.ErrorIs(t, err, scoring.ErrUnweighted)
}

func TestBonusTierFollowsTheGrade(t *testing.T) {
	tiers := []scoring.Tier{
		{Grades: []string{"S", "A"}, Amount: 1200, Currency: "CNY"},
		{Grades: []string{"B"}, Amount: 1000, Currency: "CNY"},
	}
	tier, ok := scoring.BonusFor("A", tiers)
	require.True(t, ok)
	require.Equal(t, 1200.0, tier.Amount)
	tier, ok = scoring.BonusFor("B", tiers)
	require.True(t, ok)
	require.Equal(t, 1000.0, tier.Amount)
	_, ok = scoring.BonusFor("C", tiers)
	require.False(t, ok)
}
