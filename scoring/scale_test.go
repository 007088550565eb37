package scoring_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/perfloop/perfloop/scoring"
)

func TestLinearScaleCountsFromItsMinimumSoAThreeOfFiveIsFifty(t *testing.T) {
	s := scoring.RatingScale{Min: 1, Max: 5}
	require.Equal(t, 0.0, s.Score(1))
	require.Equal(t, 50.0, s.Score(3))
	require.Equal(t, 100.0, s.Score(5))
	require.Equal(t, s.Score(3), scoring.RatingScale{Min: 1, Max: 5, Mapping: scoring.MapLinear}.Score(3))
}

func TestRatioScaleReadsAThreeOfFiveAsSixty(t *testing.T) {
	s := scoring.RatingScale{Min: 1, Max: 5, Mapping: scoring.MapRatio}
	require.InDelta(t, 20.0, s.Score(1), 1e-9)
	require.InDelta(t, 60.0, s.Score(3), 1e-9)
	require.InDelta(t, 100.0, s.Score(5), 1e-9)
}

func TestPointsScaleScoresListedAnswersAsWrittenAndInterpolatesBetweenThem(t *testing.T) {
	s := scoring.RatingScale{Min: 1, Max: 5, Mapping: scoring.MapPoints, Points: []scoring.ScalePoint{
		{Rating: 1, Points: 20}, {Rating: 3, Points: 60}, {Rating: 4, Points: 85}, {Rating: 5, Points: 100},
	}}
	require.Equal(t, 20.0, s.Score(1))
	require.Equal(t, 60.0, s.Score(3))
	require.Equal(t, 85.0, s.Score(4))
	require.InDelta(t, 40.0, s.Score(2), 1e-9, "halfway from 1 (20) to 3 (60)")
	require.InDelta(t, 72.5, s.Score(3.5), 1e-9)
	// Points are not linear: a 3 and a 5 average the points, not the answers.
	avg, ok := s.Average([]float64{3, 5})
	require.True(t, ok)
	require.InDelta(t, 80.0, avg, 1e-9, "(60 + 100) / 2, where mapping the mean answer 4 would give 85")
}

func TestAScaleAveragesNothingWhenNobodyAnswered(t *testing.T) {
	_, ok := scoring.RatingScale{Min: 1, Max: 5}.Average(nil)
	require.False(t, ok)
}

func TestTheZeroScaleIsZeroToHundredAsWrittenAndClamped(t *testing.T) {
	var s scoring.RatingScale
	require.Equal(t, 73.0, s.Score(73))
	require.Equal(t, 100.0, s.Score(130))
	require.Nil(t, s.Steps())
}

func TestScaleStepsListWhatEachWholeAnswerScores(t *testing.T) {
	require.Equal(t, []scoring.ScalePoint{{Rating: 1, Points: 0}, {Rating: 2, Points: 25}, {Rating: 3, Points: 50}, {Rating: 4, Points: 75}, {Rating: 5, Points: 100}}, scoring.RatingScale{Min: 1, Max: 5}.Steps())
	steps := scoring.RatingScale{Min: 1, Max: 5, Mapping: scoring.MapRatio}.Steps()
	require.Len(t, steps, 5)
	require.InDelta(t, 60.0, steps[2].Points, 1e-9)
	require.Nil(t, scoring.RatingScale{Min: 0, Max: 100}.Steps(), "101 steps would not help a preview")
}
