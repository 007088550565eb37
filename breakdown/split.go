package breakdown

import (
	"fmt"
	"math"
	"time"
)

// Method says how a team target is divided among members.
type Method string

// Breakdown methods.
const (
	MethodEqual    Method = "equal"    // everyone carries the same share
	MethodWeighted Method = "weighted" // shares proportional to Member.Weight (level or capacity)
	MethodHistory  Method = "history"  // shares proportional to last period's actual
	MethodManual   Method = "manual"   // the manager types every member's figure
)

// MaxDecimals is the finest target precision Split supports.
const MaxDecimals = 6

// Member is one person who receives part of the team target.
type Member struct {
	ID      string
	Weight  float64  // weighted: level or capacity weight, >= 0
	History float64  // history: last period's actual, >= 0
	Manual  *float64 // manual: the manager's figure
	// ActiveFrom and ActiveTo bound the time the member works in the period,
	// with the same convention as the period: ActiveFrom inclusive, ActiveTo
	// exclusive (the instant they stopped). nil means the period's edge.
	ActiveFrom, ActiveTo *time.Time
}

// Input is one team target and the members it is split across.
type Input struct {
	Total    float64
	Decimals int // precision of member targets: 0 for counts, 2 for amounts
	Method   Method
	Members  []Member
	// PeriodStart is inclusive and PeriodEnd exclusive, so a calendar month
	// is [the 1st 00:00, the 1st of next month 00:00). They may be left zero
	// when no member has active dates.
	PeriodStart, PeriodEnd time.Time
	// Indivisible marks targets that are copied to every member instead of
	// split: rates and percentages (30-day retention ≥35%) and lower-is-better
	// limits (response time ≤5 min). The zero value splits, because counts and
	// amounts (fans, conversions, sales, posts) are the common case.
	Indivisible bool
}

// Part is one member's target.
type Part struct {
	MemberID string
	Value    float64 // Units / 10^Decimals, for display
	// Units is the target in integer units of 10^-Decimals. Units of all
	// parts sum exactly to the rounded team total; store these rather than
	// Value when exact sums matter.
	Units int64
	// Share is the member's fraction of the team target before rounding
	// (0..1). Copied targets have Share 1: each member carries all of it.
	Share float64
	// ProRata is the fraction of the period the member is active (0..1).
	ProRata float64
}

// Result is the outcome of a split.
type Result struct {
	Parts []Part // in the order of Input.Members
	// Method is the method actually applied. It differs from Input.Method
	// only when Fallback explains why.
	Method   Method
	Fallback string
	// Floored lists the members who had no history while others did and
	// were therefore given the team's average (history method only).
	Floored []string
}

// Split divides in.Total among in.Members by in.Method.
//
// Each member's raw share comes from the method, is multiplied by the
// fraction of the period the member is active, and is then normalised.
// Member targets are rounded to in.Decimals by largest-remainder (Hamilton)
// rounding, so they always sum exactly to the total rounded to in.Decimals.
// Equal remainders (compared to 1e-9 of a unit) go to the member listed
// first; member IDs are unique, so input order is already a total order and
// the ID never has to break a tie. Rearrange Members to change who gets the
// odd unit.
//
// History: shares follow last period's actual. A member with zero history
// while others have some is given the average history of the members who do
// have some, because zero usually means "new here" rather than "sells
// nothing", and a zero target would exempt them. If nobody has history the
// split falls back to equal and Result.Fallback says so.
//
// Manual: every member needs a figure and the figures must add up to the
// team target at in.Decimals. Pro rata is not applied to manual figures: the
// manager already decided them.
//
// Indivisible targets are copied, see Copy.
func Split(in Input) (Result, error) {
	if in.Indivisible {
		parts, err := Copy(in)
		if err != nil {
			return Result{}, err
		}
		return Result{Parts: parts, Method: in.Method}, nil
	}
	switch in.Method {
	case MethodEqual, MethodWeighted, MethodHistory, MethodManual:
	default:
		return Result{}, fmt.Errorf("/method: %q: %w", in.Method, ErrUnknownMethod)
	}
	if err := validateCommon(in); err != nil {
		return Result{}, err
	}
	if in.Total < 0 {
		return Result{}, fmt.Errorf("/total: %v: a team target to split %w; copy it instead if it is a limit", in.Total, ErrNegative)
	}
	total, err := toUnits(in.Total, in.Decimals)
	if err != nil {
		return Result{}, err
	}
	proRata, err := proRatas(in)
	if err != nil {
		return Result{}, err
	}

	res := Result{Method: in.Method}
	raw := make([]float64, len(in.Members))
	switch in.Method {
	case MethodEqual:
		for i := range raw {
			raw[i] = 1
		}
	case MethodWeighted:
		for i, m := range in.Members {
			if err := checkAmount(i, "weight", m.Weight); err != nil {
				return Result{}, err
			}
			raw[i] = m.Weight
		}
	case MethodHistory:
		if err := historyShares(in.Members, raw, &res); err != nil {
			return Result{}, err
		}
	case MethodManual:
		if err := manualShares(in, total, raw); err != nil {
			return Result{}, err
		}
	}
	if res.Method != MethodManual {
		for i := range raw {
			raw[i] *= proRata[i]
		}
	}

	shares, ok := normalise(raw)
	if !ok {
		if res.Method == MethodManual && total == 0 {
			// Every figure is zero and so is the target: nothing to share.
			shares = make([]float64, len(raw))
		} else {
			return Result{}, fmt.Errorf("/members: %s split: %w", res.Method, ErrZeroWeights)
		}
	}
	units := apportion(total, shares)
	scale := pow10(in.Decimals)
	res.Parts = make([]Part, len(in.Members))
	for i, m := range in.Members {
		res.Parts[i] = Part{
			MemberID: m.ID,
			Value:    float64(units[i]) / scale,
			Units:    units[i],
			Share:    shares[i],
			ProRata:  proRata[i],
		}
	}
	return res, nil
}

// Copy gives every member the whole target, rounded to in.Decimals. Rates,
// percentages and lower-is-better limits mean the same for one person as for
// the team, so dividing them would be wrong; a mid-period joiner keeps the
// full rate too, and ProRata is reported for information only.
func Copy(in Input) ([]Part, error) {
	if err := validateCommon(in); err != nil {
		return nil, err
	}
	units, err := toUnits(in.Total, in.Decimals)
	if err != nil {
		return nil, err
	}
	proRata, err := proRatas(in)
	if err != nil {
		return nil, err
	}
	value := float64(units) / pow10(in.Decimals)
	parts := make([]Part, len(in.Members))
	for i, m := range in.Members {
		parts[i] = Part{MemberID: m.ID, Value: value, Units: units, Share: 1, ProRata: proRata[i]}
	}
	return parts, nil
}

func validateCommon(in Input) error {
	if in.Decimals < 0 || in.Decimals > MaxDecimals {
		return fmt.Errorf("/decimals: %d: %w", in.Decimals, ErrDecimals)
	}
	if math.IsNaN(in.Total) || math.IsInf(in.Total, 0) {
		return fmt.Errorf("/total: %v: %w", in.Total, ErrNotFinite)
	}
	if len(in.Members) == 0 {
		return fmt.Errorf("/members: %w", ErrNoMembers)
	}
	seen := make(map[string]int, len(in.Members))
	for i, m := range in.Members {
		if m.ID == "" {
			return fmt.Errorf("/members/%d/id: %w", i, ErrMissingID)
		}
		if first, dup := seen[m.ID]; dup {
			return fmt.Errorf("/members/%d/id: %q, also at /members/%d: %w", i, m.ID, first, ErrDuplicateMember)
		}
		seen[m.ID] = i
	}
	return nil
}

// checkAmount builds the field's path only on failure, since Split runs
// over whole departments.
func checkAmount(member int, field string, v float64) error {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return fmt.Errorf("/members/%d/%s: %v: %w", member, field, v, ErrNotFinite)
	}
	if v < 0 {
		return fmt.Errorf("/members/%d/%s: %v: %w", member, field, v, ErrNegative)
	}
	return nil
}

func historyShares(members []Member, raw []float64, res *Result) error {
	var withHistory int
	for i, m := range members {
		if err := checkAmount(i, "history", m.History); err != nil {
			return err
		}
		if m.History > 0 {
			withHistory++
		}
	}
	if withHistory == 0 {
		res.Method = MethodEqual
		res.Fallback = "no member has history for the last period, so the target was split equally"
		for i := range raw {
			raw[i] = 1
		}
		return nil
	}
	// Dividing before adding keeps the average finite for huge histories.
	var average float64
	for _, m := range members {
		average += m.History / float64(withHistory)
	}
	for i, m := range members {
		raw[i] = m.History
		if m.History == 0 {
			raw[i] = average
			res.Floored = append(res.Floored, m.ID)
		}
	}
	return nil
}

func manualShares(in Input, total int64, raw []float64) error {
	var sum float64
	for i, m := range in.Members {
		if m.Manual == nil {
			return fmt.Errorf("/members/%d/manual: member %q has no figure: %w", i, m.ID, ErrManualMissing)
		}
		if err := checkAmount(i, "manual", *m.Manual); err != nil {
			return err
		}
		raw[i] = *m.Manual
		sum += *m.Manual
	}
	got, err := toUnits(sum, in.Decimals)
	if err != nil {
		return fmt.Errorf("/members: manual figures sum to %v: %w", sum, err)
	}
	if got != total {
		scale := pow10(in.Decimals)
		diff := float64(got-total) / scale
		word := "over"
		if diff < 0 {
			word, diff = "short", -diff
		}
		return fmt.Errorf("/members: manual figures sum to %.*f but the team target is %.*f (%.*f %s); change a member's figure: %w",
			in.Decimals, float64(got)/scale, in.Decimals, float64(total)/scale, in.Decimals, diff, word, ErrManualSumMismatch)
	}
	return nil
}

// normalise turns raw shares into fractions summing to 1. It divides by the
// largest share first so that huge weights cannot overflow the sum.
func normalise(raw []float64) ([]float64, bool) {
	var largest float64
	for _, w := range raw {
		largest = max(largest, w)
	}
	if largest <= 0 {
		return nil, false
	}
	out := make([]float64, len(raw))
	var sum float64
	for i, w := range raw {
		out[i] = w / largest
		sum += out[i]
	}
	for i := range out {
		out[i] /= sum
	}
	return out, true
}

// toUnits converts v to integer units of 10^-decimals. Beyond 2^53 a float64
// no longer holds every integer, so the sum could not be guaranteed.
func toUnits(v float64, decimals int) (int64, error) {
	scaled := math.Round(v * pow10(decimals))
	if math.Abs(scaled) > 1<<53 {
		return 0, fmt.Errorf("/total: %v at %d decimals %w", v, decimals, ErrTooLarge)
	}
	return int64(scaled), nil
}

func pow10(decimals int) float64 {
	return math.Pow10(decimals)
}
