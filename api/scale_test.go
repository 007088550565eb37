package api_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"

	"github.com/perfloop/perfloop/api"
	"github.com/perfloop/perfloop/catalog"
	"github.com/perfloop/perfloop/store"
	"github.com/perfloop/perfloop/store/storetest"
)

// scaleEnv is the API over an organisation far past one list page: 1,203
// employees in the team cs, led by the manager "lead", beside 510 other
// teams whose names sort before cs. Both the team and the member watched
// here (m1100, the 1,100th employee by e-mail and by name) lie past the
// 500th row of any list. cs has a cycle whose one result is m1100's.
type scaleEnv struct {
	*env
	org   *store.Organization
	lead  *store.Member
	m1100 *store.Member
	cycle *store.Cycle
}

func newScaleEnv(t *testing.T) *scaleEnv {
	ctx := context.Background()
	st := storetest.SQLite(t)
	_, err := catalog.SeedBuiltins(ctx, st)
	require.NoError(t, err)
	org := &store.Organization{Name: "星河私域运营", Timezone: "Asia/Shanghai", Locale: "zh"}
	require.NoError(t, st.CreateOrganization(ctx, org))
	in := store.OrgImport{
		Teams: []store.ImportTeam{{Key: "cs", Name: "运营中心", Manager: "lead@scale.test"}},
		Members: []store.ImportMember{
			{Name: "管理员", Email: "admin@scale.test", Role: store.RoleAdmin},
			{Name: "刘洋", Email: "lead@scale.test", Role: store.RoleManager, Team: "cs"},
		},
	}
	for i := 1; i <= 510; i++ {
		in.Teams = append(in.Teams, store.ImportTeam{Key: fmt.Sprintf("a%03d", i), Name: fmt.Sprintf("A组%03d", i)})
	}
	for i := 1; i <= 1203; i++ {
		in.Members = append(in.Members, store.ImportMember{Name: fmt.Sprintf("成员%04d", i), Email: fmt.Sprintf("m%04d@scale.test", i), Role: store.RoleEmployee, Team: "cs"})
	}
	_, err = st.ImportOrg(ctx, org.ID, "test", in, false)
	require.NoError(t, err)

	e := &scaleEnv{env: &env{t: t, store: st, token: map[string]string{}}, org: org}
	for _, who := range []string{"admin", "lead"} {
		m, err := st.MemberByEmail(ctx, who+"@scale.test")
		require.NoError(t, err)
		plain, _, err := st.IssueToken(ctx, m.ID, "test", time.Hour)
		require.NoError(t, err)
		e.token[who] = plain
		if who == "lead" {
			e.lead = m
		}
	}
	e.m1100, err = st.MemberByEmail(ctx, "m1100@scale.test")
	require.NoError(t, err)

	cs := *e.m1100.TeamID
	start := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	e.cycle, _, err = st.CreateCycle(ctx, &store.Cycle{OrgID: org.ID, TemplateKey: "cs-ops-monthly", TemplateVersion: 1, TemplateBody: "{}", ScopeTeamID: cs,
		Period: "2026-10", PeriodStart: start, PeriodEnd: start.AddDate(0, 1, 0), Timezone: "Asia/Shanghai", Title: "十月", WorkflowID: "wf-scale", LaunchedBy: "test"}, nil)
	require.NoError(t, err)
	require.NoError(t, st.SaveResults(ctx, e.cycle.ID, []store.Result{{MemberID: e.m1100.ID, IndicatorScores: "{}", Parts: "{}", Adjustments: "[]",
		FinalScore: 91.5, ProposedGrade: "A", Grade: "A", Rank: 1, Percentile: 1, BonusCurrency: "CNY"}}))

	e.srv = httptest.NewServer(api.New(api.Deps{Store: st}))
	t.Cleanup(e.srv.Close)
	return e
}

// exportedRow downloads the cycle's results workbook as who and returns its
// first result row.
func (e *scaleEnv) exportedRow(who string) []string {
	e.t.Helper()
	status, data := e.raw("GET", "/api/v1/cycles/"+e.cycle.ID+"/export.xlsx", who, "", nil)
	require.Equal(e.t, 200, status, string(data))
	f, err := excelize.OpenReader(bytes.NewReader(data))
	require.NoError(e.t, err)
	rows, err := f.GetRows("结果 Results")
	require.NoError(e.t, err)
	require.Len(e.t, rows, 2, "a header and the one result")
	return rows[1]
}

func TestMetricsForAMemberPastTheFiveHundredthAreAccepted(t *testing.T) {
	e := newScaleEnv(t)
	r := e.do("POST", "/api/v1/metrics", "lead", map[string]any{"period": "2026-10", "source": "crm", "values": []map[string]any{
		{"email": "m1100@scale.test", "indicator": "retention", "value": 44},
		{"memberId": e.m1100.ID, "indicator": "satisfaction", "value": 96},
	}})
	require.Equal(t, 200, r.status, r.raw)
	require.EqualValues(t, 2, r.body["inserted"])
}

func TestTheResultsExportNamesAMemberPastTheFiveHundredth(t *testing.T) {
	e := newScaleEnv(t)
	row := e.exportedRow("admin")
	require.Equal(t, []string{"1", "成员1100", "m1100@scale.test"}, row[:3])
}

func TestAManagerOfATeamPastTheFiveHundredthExportsItsCycle(t *testing.T) {
	e := newScaleEnv(t)
	row := e.exportedRow("lead")
	require.Equal(t, "成员1100", row[1])
}

func TestAManagerSeesTheDevelopmentPlanOfAMemberPastTheFiveHundredth(t *testing.T) {
	e := newScaleEnv(t)
	_, _, err := e.store.CreateIDP(context.Background(), &store.IDP{OrgID: e.org.ID, MemberID: e.m1100.ID, CycleID: e.cycle.ID, TriggerPeriods: "[]", Items: "[]",
		MentorID: e.lead.ID, DueAt: time.Now().AddDate(0, 3, 0), CheckinEveryDays: 14, DedupeKey: "idp-scale"})
	require.NoError(t, err)
	r := e.do("GET", "/api/v1/idps", "lead", nil)
	require.Equal(t, 200, r.status, r.raw)
	items := r.body["items"].([]any)
	require.Len(t, items, 1, r.raw)
	require.Equal(t, e.m1100.ID, items[0].(map[string]any)["memberId"])
}
