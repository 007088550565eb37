package backtest_test

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/testsuite"

	"github.com/perfloop/perfloop/activities"
	"github.com/perfloop/perfloop/engine"
	"github.com/perfloop/perfloop/store"
	"github.com/perfloop/perfloop/store/storetest"
)

// TestBacktestCarriesACalibrationsWaiverOver: the manager's ratings block
// a score when missing; member 2 has none, so its result is withheld until
// the calibration waives it and it is scored on the data there is. The
// backtest of the same template scores member 2 under the same waiver and
// reproduces the released result.
func TestBacktestCarriesACalibrationsWaiverOver(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		body := bytes.Replace(opsBody(t), []byte(`"weight": 100, "indicators": ["teamwork"]`), []byte(`"weight": 100, "missing": "block", "indicators": ["teamwork"]`), 1)
		require.NotEqual(t, opsBody(t), body)
		h := record(t, st, body, []month{{period: "2026-10", values: [][3]float64{{80, 60, 5}, {90, 90, 0}, {50, 50, 2}}}})
		results, err := st.AllResults(ctx, h.cycles[0].ID)
		require.NoError(t, err)
		withheld := 0
		for _, r := range results {
			if r.Blocked != "" {
				withheld++
				require.Equal(t, h.id(1), r.MemberID)
			}
		}
		require.Equal(t, 1, withheld)

		a := &activities.Activities{Store: st}
		var suite testsuite.WorkflowTestSuite
		env := suite.NewTestActivityEnvironment()
		env.RegisterActivity(a)
		_, err = env.ExecuteActivity(a.ApplyCalibration, activities.CalibrationRequest{CycleID: h.cycles[0].ID, Submission: engine.CalibrationSubmission{
			SubmissionID: "sub-1", By: "hrbp", Waivers: []engine.Waiver{{MemberID: h.id(1), Reason: "经理休假，无法评分"}}}})
		require.NoError(t, err)

		rep := h.backtest(t, body, "2026-10", "2026-10")
		p := rep.Periods[0]
		require.True(t, p.SameTemplate)
		require.Empty(t, p.Mismatches)
		got := row(t, p, h.id(1))
		require.False(t, got.Draft.Withheld)
		require.Equal(t, 90.0, got.Draft.Score, "(50·90 + 30·90) / 80 on the data there is")
	})
}
