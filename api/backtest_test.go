package api_test

import (
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/testsuite"

	"github.com/perfloop/perfloop/activities"
	"github.com/perfloop/perfloop/store"
	"github.com/perfloop/perfloop/store/storetest"
)

// scoredMonth records one month of the demo's community team on the
// backtest's test template, scored by the live ComputeScores, and returns
// the team's id and the template body.
func scoredMonth(t *testing.T, e *env) (string, []byte) {
	ctx := context.Background()
	body, err := os.ReadFile("../backtest/testdata/ops.json")
	require.NoError(t, err)
	org := mustOrg(t, e)
	teams, err := e.store.TeamsByKey(ctx, "community")
	require.NoError(t, err)
	require.Len(t, teams, 1)
	team := teams[0]
	ms, err := e.store.AllMembers(ctx, org, store.MemberFilter{TeamIDs: []string{team.ID}})
	require.NoError(t, err)
	var members []store.CycleMember
	var rows []store.MetricValue
	for i, m := range ms {
		if m.Role != store.RoleEmployee {
			continue
		}
		members = append(members, store.CycleMember{MemberID: m.ID, TeamID: &team.ID, Level: m.Level})
		for _, key := range []string{"conversion", "retention"} {
			rows = append(rows, store.MetricValue{MemberID: m.ID, IndicatorKey: key, Period: "2026-09", Value: float64(50 + 7*i%50), Source: "import"})
		}
	}
	require.NotEmpty(t, members)
	start := time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC)
	c, _, err := e.store.CreateCycle(ctx, &store.Cycle{OrgID: org, TemplateKey: "bt-ops", TemplateVersion: 1, TemplateBody: string(body), ScopeTeamID: team.ID,
		Period: "2026-09", PeriodStart: start, PeriodEnd: start.AddDate(0, 1, 0), Timezone: "Asia/Shanghai", Title: "9 月", State: store.CycleRunning}, members)
	require.NoError(t, err)
	_, err = e.store.UpsertMetricValues(ctx, &store.MetricBatch{OrgID: org, Checksum: "sep", FileName: "sep.csv", CreatedBy: "test"}, rows)
	require.NoError(t, err)
	a := &activities.Activities{Store: e.store}
	var suite testsuite.WorkflowTestSuite
	act := suite.NewTestActivityEnvironment()
	act.RegisterActivity(a)
	_, err = act.ExecuteActivity(a.ComputeScores, c.ID)
	require.NoError(t, err)
	return team.ID, body
}

func TestBacktestOverHTTPReproducesTheRecordedMonthAndRefusesBadInputByField(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t))
	teamID, body := scoredMonth(t, e)

	r := e.do("POST", "/api/v1/templates/backtest", "liu.yang", map[string]any{"template": json.RawMessage(body), "teamId": teamID, "periods": "2026-07..2026-10"})
	require.Equal(t, 200, r.status, r.raw)
	periods := r.body["periods"].([]any)
	require.Len(t, periods, 1)
	p := periods[0].(map[string]any)
	require.Equal(t, true, p["sameTemplate"], r.raw)
	require.Nil(t, p["mismatches"], r.raw)
	require.NotEmpty(t, p["members"])

	// The same draft by from and to, as HRBP.
	r = e.do("POST", "/api/v1/templates/backtest", "sun.li", map[string]any{"template": json.RawMessage(body), "teamId": teamID, "from": "2026-09"})
	require.Equal(t, 200, r.status, r.raw)

	// An invalid draft answers with the template API's paths and messages.
	var broken map[string]any
	require.NoError(t, json.Unmarshal(body, &broken))
	broken["indicators"].([]any)[0].(map[string]any)["weight"] = 45
	v := e.do("POST", "/api/v1/templates/validate", "admin", broken)
	require.Equal(t, 200, v.status, v.raw)
	want := v.body["errors"].([]any)
	require.NotEmpty(t, want)
	r = e.do("POST", "/api/v1/templates/backtest", "admin", map[string]any{"template": broken, "teamId": teamID, "periods": "2026-09"})
	require.Equal(t, 400, r.status, r.raw)
	require.Equal(t, "template_invalid", errorOf(t, r)["code"])
	require.Equal(t, want, errorOf(t, r)["details"])

	for _, bad := range []struct {
		body map[string]any
		path string
	}{
		{map[string]any{"template": json.RawMessage(body), "periods": "2026-09"}, "/teamId"},
		{map[string]any{"template": json.RawMessage(body), "teamId": teamID}, "/periods"},
		{map[string]any{"template": json.RawMessage(body), "teamId": teamID, "periods": "2026-10..2026-07"}, "/periods"},
		{map[string]any{"template": json.RawMessage(body), "teamId": teamID, "periods": "July"}, "/periods"},
		{map[string]any{"teamId": teamID, "periods": "2026-09"}, "/template"},
		{map[string]any{"template": json.RawMessage(body), "templateKey": "bt-ops", "teamId": teamID, "periods": "2026-09"}, "/templateKey"},
		{map[string]any{"template": json.RawMessage(body), "teamId": teamID, "periods": "2026-09", "weights": 1}, "/weights"},
	} {
		r := e.do("POST", "/api/v1/templates/backtest", "admin", bad.body)
		require.Equal(t, 400, r.status, "%v: %s", bad.body, r.raw)
		require.Equal(t, bad.path, firstDetail(t, r)["path"], r.raw)
	}

	// An unknown template key is 404; so is a range with no cycle of the
	// team, naming the team.
	r = e.do("POST", "/api/v1/templates/backtest", "admin", map[string]any{"templateKey": "no-such-template", "teamId": teamID, "periods": "2026-09"})
	require.Equal(t, 404, r.status, r.raw)
	r = e.do("POST", "/api/v1/templates/backtest", "admin", map[string]any{"template": json.RawMessage(body), "teamId": teamID, "periods": "2025-01..2025-12"})
	require.Equal(t, 404, r.status, r.raw)
	require.Contains(t, errorOf(t, r)["message"], "community")

	// Employees and the managers of other teams may not.
	require.Equal(t, 403, e.do("POST", "/api/v1/templates/backtest", "chen.jing", map[string]any{"template": json.RawMessage(body), "teamId": teamID, "periods": "2026-09"}).status)
	employees, err := e.store.AllMembers(context.Background(), mustOrg(t, e), store.MemberFilter{Role: store.RoleEmployee})
	require.NoError(t, err)
	employee, _, _ := strings.Cut(employees[0].Email, "@")
	require.Equal(t, 403, e.do("POST", "/api/v1/templates/backtest", employee, map[string]any{"template": json.RawMessage(body), "teamId": teamID, "periods": "2026-09"}).status)
}
