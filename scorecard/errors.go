package scorecard

import (
	"fmt"
	"strings"
)

// ScoreError is one member's scoring that cannot compute: the indicator
// (empty when the fault is the formula, an adjustment or the grades) and
// the metric value at fault, when there is one.
type ScoreError struct {
	MemberID  string
	Indicator string
	Value     *float64
	Err       error
}

func (e *ScoreError) Error() string {
	var b strings.Builder
	b.WriteString("member " + e.MemberID)
	if e.Indicator != "" {
		b.WriteString(", indicator " + e.Indicator)
	}
	detail := e.Err.Error()
	// The scoring rules name the value they judged already; an expression's
	// error does not, and the reader needs it to find the row to correct.
	if e.Value != nil {
		if v := fmt.Sprintf("value %v", *e.Value); !strings.Contains(detail, v) {
			b.WriteString(", " + v)
		}
	}
	return b.String() + ": " + detail
}

func (e *ScoreError) Unwrap() error { return e.Err }
