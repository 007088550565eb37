package scoring_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/perfloop/perfloop/scoring"
)

// The cs-ops formula, 0.6 × quantitative + 0.25 × manager + 0.15 × customer,
// for a new joiner whose customer survey has not arrived.
func newJoiner(p scoring.Policy) []scoring.Part {
	return []scoring.Part{
		{Key: "quantitative", Weight: 0.6, Score: 80, Present: true},
		{Key: "manager", Weight: 0.25, Score: 75, Present: true},
		{Key: "customer", Weight: 0.15, Policy: p},
	}
}

func TestMissingCustomerSurveyIsSpreadOverTheOtherPartsByDefault(t *testing.T) {
	got, err := scoring.Sum(newJoiner(""), 0)
	require.NoError(t, err)
	// 0.15 is spread over 0.85 in proportion: ×(1/0.85).
	require.InDelta(t, (0.6*80+0.25*75)/0.85, got.Score, 1e-9)
	require.Equal(t, []scoring.Missing{{Key: "customer", Policy: scoring.Renormalise}}, got.Missing)
	require.Empty(t, got.Blocked)
	require.InDelta(t, 0.6/0.85, got.Shares[0].Weight, 1e-12)
	require.InDelta(t, 0.25/0.85, got.Shares[1].Weight, 1e-12)
	require.Zero(t, got.Shares[2].Weight, "a renormalised part carries no weight")
	sum := 0.0
	for _, s := range got.Shares {
		sum += s.Weight * s.Score
	}
	require.InDelta(t, got.Score, sum, 1e-9, "the shares recompute the score")
}

func TestMissingPartUnderZeroPolicyCountsAsZeroWithItsWeight(t *testing.T) {
	got, err := scoring.Sum(newJoiner(scoring.Zero), 0)
	require.NoError(t, err)
	require.InDelta(t, 0.6*80+0.25*75, got.Score, 1e-9)
	require.Equal(t, []scoring.Missing{{Key: "customer", Policy: scoring.Zero}}, got.Missing)
	require.InDelta(t, 0.15, got.Shares[2].Weight, 1e-12)
}

func TestMissingPartUnderBlockPolicyWithholdsTheScore(t *testing.T) {
	got, err := scoring.Sum(newJoiner(scoring.Block), 0)
	require.NoError(t, err)
	require.Equal(t, []string{"customer"}, got.Blocked)
	require.Equal(t, []scoring.Missing{{Key: "customer", Policy: scoring.Block}}, got.Missing)
	require.Zero(t, got.Score)
}

func TestNothingMissingLeavesTheWeightsAsWritten(t *testing.T) {
	parts := newJoiner("")
	parts[2].Score, parts[2].Present = 90, true
	got, err := scoring.Sum(parts, 2)
	require.NoError(t, err)
	require.InDelta(t, 2+0.6*80+0.25*75+0.15*90, got.Score, 1e-9)
	require.Empty(t, got.Missing)
	require.Equal(t, 0.15, got.Shares[2].Weight)
}

func TestPenaltyWeightsAreNeverScaled(t *testing.T) {
	got, err := scoring.Sum([]scoring.Part{
		{Key: "total", Weight: 0.8, Score: 70, Present: true},
		{Key: "customer", Weight: 0.2},
		{Key: "metric.complaints", Weight: -0.5, Score: 4, Present: true},
	}, 0)
	require.NoError(t, err)
	require.InDelta(t, 70-2, got.Score, 1e-9)
	require.Equal(t, -0.5, got.Shares[2].Weight)
}

func TestMeanSpreadsAMissingRaterOverTheRatersPresent(t *testing.T) {
	got, err := scoring.Mean([]scoring.Part{
		{Key: "self", Weight: 0, Present: false},
		{Key: "manager", Weight: 40, Score: 75, Present: true},
		{Key: "crossDept", Weight: 30, Score: 50, Present: true},
		{Key: "customer", Weight: 30},
	})
	require.NoError(t, err)
	require.InDelta(t, (40*75+30*50)/70.0, got.Score, 1e-9)
	require.Equal(t, []scoring.Missing{{Key: "customer", Policy: scoring.Renormalise}}, got.Missing, "a zero weight is not missing")
	require.Len(t, got.Shares, 3)
	require.InDelta(t, 400.0/7, got.Shares[0].Weight, 1e-9, "percent of the mean")
	sum := 0.0
	for _, s := range got.Shares {
		sum += s.Weight * s.Score / 100
	}
	require.InDelta(t, got.Score, sum, 1e-9)
}

func TestMeanCountsAZeroPolicyPartAsZero(t *testing.T) {
	got, err := scoring.Mean([]scoring.Part{
		{Key: "manager", Weight: 60, Score: 80, Present: true},
		{Key: "customer", Weight: 40, Policy: scoring.Zero},
	})
	require.NoError(t, err)
	require.InDelta(t, 48, got.Score, 1e-9)
	require.InDelta(t, 40, got.Shares[1].Weight, 1e-9)
}

func TestMeanWithNoDataAtAllIsAnError(t *testing.T) {
	_, err := scoring.Mean([]scoring.Part{{Key: "manager", Weight: 60}, {Key: "customer", Weight: 40}})
	require.ErrorIs(t, err, scoring.ErrNoData)
	_, err = scoring.Sum([]scoring.Part{{Key: "manager", Weight: 0.5}}, 0)
	require.ErrorIs(t, err, scoring.ErrNoData)
}

func TestUnknownPolicyAndBadWeightsAreRefused(t *testing.T) {
	_, err := scoring.Mean([]scoring.Part{{Key: "manager", Weight: 60, Policy: "ignore"}})
	require.ErrorIs(t, err, scoring.ErrBadRule)
	_, err = scoring.Mean([]scoring.Part{{Key: "manager", Weight: -1, Score: 1, Present: true}})
	require.ErrorIs(t, err, scoring.ErrWeightsTotal)
	_, err = scoring.Sum([]scoring.Part{{Key: "manager", Weight: nan(), Present: true}}, 0)
	require.ErrorIs(t, err, scoring.ErrNotFinite)
	require.True(t, scoring.Policy("").Valid())
	require.False(t, scoring.Policy("skip").Valid())
}
