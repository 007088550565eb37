package scoring

import "errors"

// Sentinel errors, wrapped with the field or indicator at fault and tested
// with errors.Is.
var (
	ErrNotFinite        = errors.New("must be a finite number")
	ErrBadRule          = errors.New("invalid scoring rule")
	ErrNoBand           = errors.New("no band contains the value")
	ErrWeightsTotal     = errors.New("weights must total 100")
	ErrMissingScore     = errors.New("weighted indicator has no score")
	ErrUnweighted       = errors.New("score has no weight")
	ErrNoRatings        = errors.New("no rater part with a positive weight is present")
	ErrNoGrade          = errors.New("no grade contains the score")
	ErrGradeInvalid     = errors.New("invalid grade")
	ErrGradeOverlap     = errors.New("grades overlap")
	ErrGradeGap         = errors.New("grades leave a gap")
	ErrInfeasible       = errors.New("distribution limits cannot be met")
	ErrLimitInvalid     = errors.New("invalid distribution limit")
	ErrUnknownGrade     = errors.New("unknown grade")
	ErrLimitNotAdjacent = errors.New("a distribution limit must name adjacent grades")
)
