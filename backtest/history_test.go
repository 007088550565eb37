package backtest_test

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/testsuite"

	"github.com/perfloop/perfloop/activities"
	"github.com/perfloop/perfloop/backtest"
	"github.com/perfloop/perfloop/store"
	"github.com/perfloop/perfloop/templates"
)

var ctx = context.Background()

// month is one period of a team's history: each member's conversion and
// retention values and the manager's teamwork rating (1–5; 0: none).
type month struct {
	period string
	values [][3]float64
}

// team is a recorded history: an organisation, a team of members and one
// cycle a month, each scored and given its outcomes by the live
// activities (ComputeScores, ApplyOutcomes) on the template body.
type team struct {
	st      *store.Store
	org     *store.Organization
	team    *store.Team
	members []*store.Member
	cycles  []*store.Cycle
}

func opsBody(t testing.TB) []byte {
	body, err := os.ReadFile("testdata/ops.json")
	require.NoError(t, err)
	return body
}

func parse(t testing.TB, body []byte) *templates.Template {
	tpl, errs := templates.Parse(body)
	require.Empty(t, errs)
	return tpl
}

func record(t *testing.T, st *store.Store, body []byte, months []month) *team {
	h := &team{st: st, org: &store.Organization{Name: "Demo", Timezone: "Asia/Shanghai", Locale: "zh"}}
	require.NoError(t, st.CreateOrganization(ctx, h.org))
	h.team = &store.Team{OrgID: h.org.ID, Key: "ops", Name: "运营组"}
	require.NoError(t, st.CreateTeam(ctx, h.team))
	for i := range months[0].values {
		m := &store.Member{OrgID: h.org.ID, TeamID: &h.team.ID, Name: fmt.Sprintf("成员%d", i+1), Email: fmt.Sprintf("m%d@example.com", i+1),
			Role: store.RoleEmployee, Level: "junior", Timezone: "Asia/Shanghai", Locale: "zh-CN", Active: true}
		require.NoError(t, st.CreateMember(ctx, m))
		h.members = append(h.members, m)
	}
	a := &activities.Activities{Store: st}
	var suite testsuite.WorkflowTestSuite
	env := suite.NewTestActivityEnvironment()
	env.RegisterActivity(a)
	tpl := parse(t, body)
	for _, mo := range months {
		start, err := time.Parse("2006-01", mo.period)
		require.NoError(t, err)
		members := make([]store.CycleMember, len(h.members))
		for i, m := range h.members {
			members[i] = store.CycleMember{MemberID: m.ID, TeamID: &h.team.ID, Level: m.Level}
		}
		c, _, err := st.CreateCycle(ctx, &store.Cycle{OrgID: h.org.ID, TemplateKey: tpl.Key, TemplateVersion: tpl.Version, TemplateBody: string(body),
			ScopeTeamID: h.team.ID, Period: mo.period, PeriodStart: start, PeriodEnd: start.AddDate(0, 1, 0),
			Timezone: "Asia/Shanghai", Title: "运营月度 " + mo.period, State: store.CycleRunning}, members)
		require.NoError(t, err)
		h.cycles = append(h.cycles, c)
		var rows []store.MetricValue
		for i, v := range mo.values {
			for j, key := range []string{"conversion", "retention"} {
				rows = append(rows, store.MetricValue{MemberID: h.members[i].ID, IndicatorKey: key, Period: mo.period, Value: v[j], Source: "import"})
			}
			if v[2] > 0 {
				require.NoError(t, st.RecordEvaluation(ctx, &store.Evaluation{CycleID: c.ID, TaskID: store.NewID(), RaterRole: "manager", RaterKey: "manager",
					RateeID: h.members[i].ID, Scores: fmt.Sprintf(`{"teamwork": %g}`, v[2])}))
			}
		}
		_, err = st.UpsertMetricValues(ctx, &store.MetricBatch{OrgID: h.org.ID, Checksum: "batch-" + mo.period, FileName: mo.period + ".csv", CreatedBy: "test"}, rows)
		require.NoError(t, err)
		_, err = env.ExecuteActivity(a.ComputeScores, c.ID)
		require.NoError(t, err)
		_, err = env.ExecuteActivity(a.ApplyOutcomes, c.ID)
		require.NoError(t, err)
	}
	return h
}

// backtest runs a draft over the recorded months.
func (h *team) backtest(t *testing.T, draft []byte, from, to string) *backtest.Report {
	in, _, err := backtest.Load(ctx, h.st, h.org.ID, h.team.ID, from, to, parse(t, draft))
	require.NoError(t, err)
	rep, err := backtest.Run(in)
	require.NoError(t, err)
	return rep
}

func (h *team) id(i int) string { return h.members[i].ID }

// row is the member's row of a period.
func row(t *testing.T, p backtest.PeriodReport, memberID string) backtest.MemberRow {
	for _, r := range p.Members {
		if r.MemberID == memberID {
			return r
		}
	}
	t.Fatalf("member %s is not in period %s", memberID, p.Period)
	return backtest.MemberRow{}
}
