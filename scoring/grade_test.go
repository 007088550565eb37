package scoring_test

import (
	"math"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/perfloop/perfloop/scoring"
)

func nan() float64 { return math.NaN() }

var grades = []scoring.Grade{
	{Key: "S", Min: 90, Max: 100},
	{Key: "A", Min: 80, Max: 90},
	{Key: "B", Min: 70, Max: 80},
	{Key: "C", Min: 60, Max: 70},
	{Key: "D", Min: 0, Max: 60},
}

var gradeKeys = []string{"S", "A", "B", "C", "D"}

func TestGradeBoundsIncludeMinExcludeMaxExceptAPerfect100(t *testing.T) {
	for score, want := range map[float64]string{100: "S", 90: "S", 89.999: "A", 80: "A", 60: "C", 59.99: "D", 0: "D"} {
		got, err := scoring.GradeOf(score, grades)
		require.NoError(t, err, "score %v", score)
		require.Equal(t, want, got, "score %v", score)
	}
	_, err := scoring.GradeOf(100.5, grades)
	require.ErrorIs(t, err, scoring.ErrNoGrade)
	_, err = scoring.GradeOf(nan(), grades)
	require.ErrorIs(t, err, scoring.ErrNotFinite)
}

func TestCheckBandsAcceptsAContiguousScale(t *testing.T) {
	require.Empty(t, scoring.CheckBands(grades))
}

func TestCheckBandsNamesOverlapsAndGaps(t *testing.T) {
	errs := scoring.CheckBands([]scoring.Grade{
		{Key: "S", Min: 90, Max: 100},
		{Key: "A", Min: 80, Max: 90},
		{Key: "B", Min: 70, Max: 85},
		{Key: "C", Min: 10, Max: 60},
		{Key: "X", Min: 50, Max: 50},
	})
	var msgs []string
	for _, err := range errs {
		msgs = append(msgs, err.Error())
	}
	require.Equal(t, []string{
		"grade X: min 50 must be below max 50: invalid grade",
		"grade B [70,85) overlaps A [80,90): grades overlap",
		"no grade covers scores from 0 to 10 (C starts at 10): grades leave a gap",
		"gap between C (max 60) and B (min 70): grades leave a gap",
	}, msgs)
	require.ErrorIs(t, errs[1], scoring.ErrGradeOverlap)
	require.ErrorIs(t, errs[3], scoring.ErrGradeGap)
}

func TestCheckBandsReportsTheSpecExamples(t *testing.T) {
	errs := scoring.CheckBands([]scoring.Grade{
		{Key: "A", Min: 85, Max: 100},
		{Key: "B", Min: 65, Max: 85},
		{Key: "C", Min: 0, Max: 60},
	})
	require.Len(t, errs, 1)
	require.EqualError(t, errs[0], "gap between C (max 60) and B (min 65): grades leave a gap")

	errs = scoring.CheckBands([]scoring.Grade{{Key: "A", Min: 0, Max: 95}, {Key: "B", Min: 10, Max: 20}, {Key: "A", Min: 0, Max: 1}})
	require.Len(t, errs, 3)
	require.ErrorIs(t, errs[0], scoring.ErrGradeInvalid, "duplicate key")
	require.EqualError(t, errs[1], "grade A [0,95] overlaps B [10,20): grades overlap")
	require.EqualError(t, errs[2], "no grade covers scores from 95 to 100 (A ends at 95): grades leave a gap")
}
