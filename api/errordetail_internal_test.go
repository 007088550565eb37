package api

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/perfloop/perfloop/cycles"
	"github.com/perfloop/perfloop/store"
)

// TestExpectedReadsTheShapesTheAPIWordsFieldErrorsIn holds expectedOf to
// the messages the API's handlers and the cycle service write, so a
// reworded message that the UI could no longer say in Chinese fails here.
func TestExpectedReadsTheShapesTheAPIWordsFieldErrorsIn(t *testing.T) {
	f := func(v float64) *float64 { return &v }
	_, periodErr := cycles.ParsePeriod("monthly", "3000-01", "Asia/Shanghai")
	_, formatErr := cycles.ParsePeriod("monthly", "2026-13", "Asia/Shanghai")
	for msg, want := range map[string]*Expected{
		periodErr.Error():                                  {Rule: "range", Min: f(1970), Max: f(2999)},
		formatErr.Error():                                  {Rule: "format", Example: "YYYY-MM"},
		"must be a number from 1 to 5":                     {Rule: "range", Min: f(1), Max: f(5)},
		"is required: a rating from 0 to 100":              {Rule: "required", Min: f(0), Max: f(100)},
		"is required: the team whose members are reviewed": {Rule: "required"},
		"a team name is required":                          {Rule: "required"},
		"must be between 1 and 1000000 (times faster than real time), or left out": {Rule: "range", Min: f(1), Max: f(1000000)},
		"expected text of at most 4000 characters":                                 {Rule: "maxLength", Max: f(4000)},
		"allows at most 200 characters":                                            {Rule: "maxLength", Max: f(200)},
		"must be at least 2":                                                       {Rule: "min", Min: f(2)},
		"must be zero or more":                                                     {Rule: "min", Min: f(0)},
		"must be at most 9":                                                        {Rule: "max", Max: f(9)},
		"must be one of: acknowledge, appeal":                                      {Rule: "oneOf", Options: []string{"acknowledge", "appeal"}},
		"expected a number, got string":                                            {Rule: "type", Type: "number"},
		"expected true or false":                                                   {Rule: "type", Type: "boolean"},
		"this field is not part of the request; check its spelling":                {Rule: "unknown"},
		"is not part of this form; expected: scores, comment":                      {Rule: "unknown"},
		"no team has this id":                                                      {Rule: "notFound", Type: "team"},
		"no published template has this key and version":                           {Rule: "notFound", Type: "template"},
		"must be in the future (it is 2026-12-02T10:00:00Z now)":                   {Rule: "future"},
		"a date YYYY-MM-DD is expected":                                            {Rule: "format", Example: "YYYY-MM-DD"},
		"an IANA time zone is expected, e.g. Asia/Shanghai":                        {Rule: "format", Example: "Asia/Shanghai"},
		"the team has no active members to review":                                 nil,
	} {
		require.Equal(t, want, expectedOf(msg), msg)
	}
}

// TestReasonsComeFromTheErrorsThemselves: a duplicate cycle, a closed task,
// a refusal and a stale write each say why.
func TestReasonsComeFromTheErrorsThemselves(t *testing.T) {
	require.Equal(t, ReasonCycleExists, reasonOf(fmt.Errorf("create cycle: %w: %w (cycle x)", store.ErrConflict, store.ErrCycleExists)))
	require.Equal(t, ReasonTaskClosed, reasonOf(fmt.Errorf("submit task x: %w: %w (it is submitted)", store.ErrConflict, store.ErrTaskClosed)))
	require.Equal(t, "own_review", reasonOf(&Error{Code: "forbidden", cause: &cycles.Refused{Kind: "OwnReview"}}))
	require.Equal(t, "distribution_broken", reasonOf(&Error{Code: "distributionbroken", cause: &cycles.Refused{Kind: "DistributionBroken"}}), "the calibration board words it from this reason")
	require.Equal(t, ReasonStale, reasonOf(fmt.Errorf("update team x: %w: version is 3, you sent 2", store.ErrConflict)))
	require.Empty(t, reasonOf(fmt.Errorf("something else")))
}
