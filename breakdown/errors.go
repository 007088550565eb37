package breakdown

import "errors"

// Sentinel errors; Split wraps them with the JSON pointer of the offending
// field so a manager sees which member to fix, and callers test them with
// errors.Is.
var (
	ErrNoMembers         = errors.New("no members to split the target across")
	ErrUnknownMethod     = errors.New("unknown breakdown method; use equal, weighted, history or manual")
	ErrDecimals          = errors.New("decimals must be between 0 and 6")
	ErrNegative          = errors.New("must not be negative")
	ErrNotFinite         = errors.New("must be a finite number")
	ErrTooLarge          = errors.New("is too large to split exactly at this precision")
	ErrMissingID         = errors.New("member id is empty")
	ErrDuplicateMember   = errors.New("member appears more than once")
	ErrPeriod            = errors.New("invalid period or active dates")
	ErrZeroWeights       = errors.New("every member's share is zero, so nobody can carry the target")
	ErrManualMissing     = errors.New("manual split needs a figure for every member")
	ErrManualSumMismatch = errors.New("manual figures do not add up to the team target")
)
