package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/testsuite"

	"github.com/perfloop/perfloop/activities"
	"github.com/perfloop/perfloop/backtest"
	"github.com/perfloop/perfloop/store"
)

// recordSeptember scores one month of three members on the backtest's test
// template with the live ComputeScores, in a SQLite file the CLI opens.
func recordSeptember(t *testing.T, body []byte) string {
	ctx := context.Background()
	dsn := "sqlite:" + filepath.Join(t.TempDir(), "perfloop.db")
	st := openStore(t, dsn)
	_, err := st.Migrate(ctx, nil)
	require.NoError(t, err)
	org := &store.Organization{Name: "星河科技", Timezone: "Asia/Shanghai", Locale: "zh"}
	require.NoError(t, st.CreateOrganization(ctx, org))
	team := &store.Team{OrgID: org.ID, Key: "ops", Name: "运营组"}
	require.NoError(t, st.CreateTeam(ctx, team))
	values := [][3]float64{{95, 60, 5}, {60, 95, 5}, {50, 90, 3}}
	start := time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC)
	var members []store.CycleMember
	var ids []string
	for i := range values {
		m := &store.Member{OrgID: org.ID, TeamID: &team.ID, Name: fmt.Sprintf("成员%d", i+1), Email: fmt.Sprintf("m%d@example.com", i+1), Role: store.RoleEmployee, Level: "junior", Active: true}
		require.NoError(t, st.CreateMember(ctx, m))
		members = append(members, store.CycleMember{MemberID: m.ID, TeamID: &team.ID, Level: m.Level})
		ids = append(ids, m.ID)
	}
	c, _, err := st.CreateCycle(ctx, &store.Cycle{OrgID: org.ID, TemplateKey: "bt-ops", TemplateVersion: 1, TemplateBody: string(body), ScopeTeamID: team.ID,
		Period: "2026-09", PeriodStart: start, PeriodEnd: start.AddDate(0, 1, 0), Timezone: "Asia/Shanghai", Title: "9 月", State: store.CycleRunning}, members)
	require.NoError(t, err)
	var rows []store.MetricValue
	for i, v := range values {
		rows = append(rows, store.MetricValue{MemberID: ids[i], IndicatorKey: "conversion", Period: "2026-09", Value: v[0], Source: "import"},
			store.MetricValue{MemberID: ids[i], IndicatorKey: "retention", Period: "2026-09", Value: v[1], Source: "import"})
		require.NoError(t, st.RecordEvaluation(ctx, &store.Evaluation{CycleID: c.ID, TaskID: store.NewID(), RaterRole: "manager", RaterKey: "manager", RateeID: ids[i], Scores: fmt.Sprintf(`{"teamwork": %g}`, v[2])}))
	}
	_, err = st.UpsertMetricValues(ctx, &store.MetricBatch{OrgID: org.ID, Checksum: "sep", FileName: "sep.csv", CreatedBy: "test"}, rows)
	require.NoError(t, err)
	a := &activities.Activities{Store: st}
	var suite testsuite.WorkflowTestSuite
	env := suite.NewTestActivityEnvironment()
	env.RegisterActivity(a)
	_, err = env.ExecuteActivity(a.ComputeScores, c.ID)
	require.NoError(t, err)
	_, err = env.ExecuteActivity(a.ApplyOutcomes, c.ID)
	require.NoError(t, err)
	return dsn
}

// TestTemplateBacktestPrintsWhatMovingAWeightDoes: the hand-worked month of
// the backtest package's tests, 50/30/20 → 30/50/20, printed as a table.
func TestTemplateBacktestPrintsWhatMovingAWeightDoes(t *testing.T) {
	body, err := os.ReadFile("../../backtest/testdata/ops.json")
	require.NoError(t, err)
	dsn := recordSeptember(t, body)
	draft := bytes.Replace(body, []byte(`"unit": "%", "weight": 50,`), []byte(`"unit": "%", "weight": 30,`), 1)
	draft = bytes.Replace(draft, []byte(`"Retention"}, "category": "business", "kind": "quantitative", "unit": "%", "weight": 30,`), []byte(`"Retention"}, "category": "business", "kind": "quantitative", "unit": "%", "weight": 50,`), 1)
	file := filepath.Join(t.TempDir(), "draft.json")
	require.NoError(t, os.WriteFile(file, draft, 0o644))

	stdout, stderr, code := run(t, "template", "backtest", file, "--team", "ops", "--periods", "2026-07..2026-10", "--db", dsn, "--log-level", "warn")
	require.Equal(t, 0, code, stderr)
	require.Contains(t, stdout, "backtest of bt-ops v1 on team ops, 2026-07..2026-10")
	require.Regexp(t, regexp.MustCompile(`(?m)^成员1 +85\.50 +A +1 +78\.50 +B +2 +A→B +2000→1000$`), stdout)
	require.Regexp(t, regexp.MustCompile(`(?m)^成员2 +78\.50 +B +2 +85\.50 +A +1 +B→A +1000→2000$`), stdout)
	require.Contains(t, stdout, "bonus CNY: as run 3000, draft 4000 (+1000); set after calibration 3000")
	require.Contains(t, stdout, "IDPs under the draft: none")

	stdout, stderr, code = run(t, "template", "backtest", file, "--team", "ops", "--periods", "2026-09", "--db", dsn, "--json", "--log-level", "warn")
	require.Equal(t, 0, code, stderr)
	var rep backtest.Report
	require.NoError(t, json.Unmarshal([]byte(stdout), &rep))
	require.Len(t, rep.Periods, 1)
	require.Len(t, rep.Periods[0].GradeChanges, 3)

	_, stderr, code = run(t, "template", "backtest", file, "--team", "nope", "--periods", "2026-09", "--db", dsn, "--log-level", "warn")
	require.Equal(t, 1, code)
	require.Contains(t, stderr, `no team has the key "nope"`)
	_, stderr, code = run(t, "template", "backtest", file, "--team", "ops", "--periods", "2026-10..2026-07", "--db", dsn)
	require.Equal(t, 2, code)
	require.Contains(t, stderr, "--periods: bad period range: 2026-10 comes after 2026-07")
}
