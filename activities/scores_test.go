package activities_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"gorm.io/gorm"

	"github.com/perfloop/perfloop/activities"
	"github.com/perfloop/perfloop/store"
	"github.com/perfloop/perfloop/store/storetest"
	"github.com/perfloop/perfloop/templates"
)

// scoringCycle is a cs-ops-monthly cycle over one member whose
// satisfaction (banded 0–100) is recorded as satisfaction.
func scoringCycle(t *testing.T, st *store.Store, satisfaction float64) (*store.Cycle, people) {
	t.Helper()
	p := seed(t, st)
	files, err := templates.BuiltinFiles()
	require.NoError(t, err)
	var body []byte
	for _, f := range files {
		if tpl, errs := templates.Parse(f.Data); len(errs) == 0 && tpl.Key == "cs-ops-monthly" {
			body = f.Data
		}
	}
	require.NotNil(t, body)
	start := time.Date(2026, 9, 30, 16, 0, 0, 0, time.UTC)
	c, _, err := st.CreateCycle(ctx, &store.Cycle{OrgID: p.org.ID, TemplateKey: "cs-ops-monthly", TemplateVersion: 1, TemplateBody: string(body), ScopeTeamID: *p.wang.TeamID,
		Period: "2026-10", PeriodStart: start, PeriodEnd: start.AddDate(0, 1, 0), Timezone: "Asia/Shanghai", Title: "十月", WorkflowID: "wf", LaunchedBy: p.li.ID},
		[]store.CycleMember{{MemberID: p.wang.ID, TeamID: p.wang.TeamID, Level: p.wang.Level}})
	require.NoError(t, err)
	var rows []store.MetricValue
	for k, v := range map[string]float64{"satisfaction": satisfaction, "responseTime": 3, "retention": 45, "oneOnOneRating": 95, "complaintRate": 1} {
		rows = append(rows, store.MetricValue{MemberID: p.wang.ID, IndicatorKey: k, Period: "2026-10", Value: v, Source: "test"})
	}
	_, err = st.UpsertMetricValues(ctx, &store.MetricBatch{OrgID: p.org.ID, Checksum: fmt.Sprintf("%064d", time.Now().UnixNano()), FileName: "test", CreatedBy: p.li.ID}, rows)
	require.NoError(t, err)
	return c, p
}

func computeScores(a *activities.Activities, cycleID string) (heartbeats int, err error) {
	var suite testsuite.WorkflowTestSuite
	env := suite.NewTestActivityEnvironment()
	env.RegisterActivity(a)
	env.SetOnActivityHeartbeatListener(func(*activity.Info, converter.EncodedValues) { heartbeats++ })
	_, err = env.ExecuteActivity(a.ComputeScores, cycleID)
	return heartbeats, err
}

// TestScoringRetriesADatabaseFailureButNotAValueOutsideEveryBand: a failed
// read is the database's and is retried as before; a value outside every
// band fails the same way on every retry, so the failure says so and names
// what to correct. The attempt heartbeats, so a cancel reaches it.
func TestScoringRetriesADatabaseFailureButNotAValueOutsideEveryBand(t *testing.T) {
	st := storetest.SQLite(t)
	c, p := scoringCycle(t, st, 150)
	a := &activities.Activities{Store: st}

	require.NoError(t, st.DB.Callback().Query().Before("gorm:query").Register("test:drop", func(db *gorm.DB) {
		_ = db.AddError(errors.New("invalid connection"))
	}))
	_, err := computeScores(a, c.ID)
	var app *temporal.ApplicationError
	require.ErrorAs(t, err, &app)
	require.False(t, app.NonRetryable(), "a database failure must be retried: %v", err)
	require.NotEqual(t, activities.ErrTypeScoringData, app.Type())
	require.NoError(t, st.DB.Callback().Query().Remove("test:drop"))

	beats, err := computeScores(a, c.ID)
	require.ErrorAs(t, err, &app)
	require.True(t, app.NonRetryable(), "a data error is not retried: %v", err)
	require.Equal(t, activities.ErrTypeScoringData, app.Type())
	require.Equal(t, "member "+p.wang.ID+", indicator satisfaction: value 150: no band contains the value", app.Message())
	require.Positive(t, beats)

	// Corrected in place, as an import replacing the value would.
	require.NoError(t, st.DB.Model(&store.MetricValue{}).Where("member_id = ? AND indicator_key = ?", p.wang.ID, "satisfaction").Update("value", 91).Error)
	_, err = computeScores(a, c.ID)
	require.NoError(t, err)
	res, err := st.AllResults(ctx, c.ID)
	require.NoError(t, err)
	require.Len(t, res, 1)
}
