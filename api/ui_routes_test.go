package api_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/perfloop/perfloop/api"
	"github.com/perfloop/perfloop/store"
	"github.com/perfloop/perfloop/store/storetest"
)

func teamIDByKey(t *testing.T, e *env, key string) string {
	t.Helper()
	r := e.do("GET", "/api/v1/teams?q="+key, "admin", nil)
	require.Equal(t, 200, r.status, r.raw)
	for _, it := range r.body["items"].([]any) {
		if m := it.(map[string]any); m["key"] == key {
			return m["id"].(string)
		}
	}
	t.Fatalf("no team %s", key)
	return ""
}

func TestLaunchPreviewLaysOutStagesDeadlinesAndRemindersWithoutLaunching(t *testing.T) {
	e := newTemplateEnv(t)
	cs := teamIDByKey(t, e, "cs")
	before := time.Now().UTC().Add(-time.Second)
	r := e.do("POST", "/api/v1/cycles/preview", "chen.jing", map[string]any{"templateKey": "cs-ops-monthly", "teamId": cs, "period": "2026-10"})
	require.Equal(t, 200, r.status, r.raw)
	require.EqualValues(t, 1, r.body["templateVersion"])
	require.Greater(t, r.body["members"].(float64), 1.0)
	stages := r.body["stages"].([]any)
	require.Len(t, stages, 5)
	// evaluate: three days from when execute is due, reminders a day and two hours before, two overdue nudges a day apart.
	execute, evaluate := stages[0].(map[string]any), stages[1].(map[string]any)
	require.Equal(t, "evaluate", evaluate["key"])
	require.Equal(t, execute["dueAt"], evaluate["opensAt"], "a stage opens when the one before is due")
	opens, _ := time.Parse(time.RFC3339, evaluate["opensAt"].(string))
	due, _ := time.Parse(time.RFC3339, evaluate["dueAt"].(string))
	require.False(t, opens.Before(before))
	require.Equal(t, 72*time.Hour, due.Sub(opens))
	var offsets []time.Duration
	for _, rm := range evaluate["reminders"].([]any) {
		at, _ := time.Parse(time.RFC3339, rm.(map[string]any)["at"].(string))
		offsets = append(offsets, at.Sub(due))
	}
	require.Equal(t, []time.Duration{-24 * time.Hour, -2 * time.Hour, 24 * time.Hour, 48 * time.Hour}, offsets)
	esc, _ := time.Parse(time.RFC3339, evaluate["escalateAt"].(string))
	require.Equal(t, 24*time.Hour, esc.Sub(due))
	require.Equal(t, "manager", evaluate["escalateTo"])

	// Compression scales every duration, as the engine does.
	fast := e.do("POST", "/api/v1/cycles/preview", "chen.jing", map[string]any{"templateKey": "cs-ops-monthly", "teamId": cs, "period": "2026-10", "compress": 8640})
	require.Equal(t, 200, fast.status, fast.raw)
	ev := fast.body["stages"].([]any)[1].(map[string]any)
	o, _ := time.Parse(time.RFC3339, ev["opensAt"].(string))
	d, _ := time.Parse(time.RFC3339, ev["dueAt"].(string))
	require.Equal(t, 30*time.Second, d.Sub(o))

	org, err := e.store.FirstOrganization(context.Background())
	require.NoError(t, err)
	_, n, err := e.store.ListCycles(context.Background(), org.ID, store.CycleFilter{}, store.Page{})
	require.NoError(t, err)
	require.Zero(t, n, "a preview launches nothing")
}

func TestLaunchPreviewNamesTheBadFieldAndKeepsManagersToTheirTeams(t *testing.T) {
	e := newTemplateEnv(t)
	cs := teamIDByKey(t, e, "cs")
	r := e.do("POST", "/api/v1/cycles/preview", "chen.jing", map[string]any{"templateKey": "cs-ops-monthly", "teamId": cs, "period": "2026-Q4"})
	require.Equal(t, 400, r.status, r.raw)
	require.Contains(t, r.raw, `"/period"`)
	require.Contains(t, r.raw, "YYYY-MM")
	r = e.do("POST", "/api/v1/cycles/preview", "liu.yang", map[string]any{"templateKey": "cs-ops-monthly", "teamId": cs, "period": "2026-10"})
	require.Equal(t, 403, r.status, r.raw)
	r = e.do("POST", "/api/v1/cycles/preview", "chen.jing", map[string]any{"templateKey": "nope", "teamId": cs, "period": "2026-10"})
	require.Equal(t, 400, r.status, r.raw)
	require.Contains(t, r.raw, `"/templateKey"`)
}

func TestUIConfigIsPublicAndSaysWhetherSSOIsOn(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t))
	r := e.do("GET", "/api/v1/ui/config", "", nil)
	require.Equal(t, 200, r.status, r.raw)
	require.Equal(t, false, r.body["sso"])
	require.Equal(t, false, r.body["demo"], "a server is not the demo unless told")
}

// TestUIConfigSaysWhetherTheServerRunsTheDemo: only the demo (perfloop dev,
// with its demo organisation) tells the UI to offer time compression.
func TestUIConfigSaysWhetherTheServerRunsTheDemo(t *testing.T) {
	for _, demo := range []bool{false, true} {
		srv := httptest.NewServer(api.New(api.Deps{Store: storetest.SQLite(t), Demo: demo}))
		res, err := http.Get(srv.URL + "/api/v1/ui/config")
		require.NoError(t, err)
		var body map[string]any
		require.NoError(t, json.NewDecoder(res.Body).Decode(&body))
		res.Body.Close()
		srv.Close()
		require.Equal(t, 200, res.StatusCode)
		require.Equal(t, demo, body["demo"])
	}
}

func TestTargetsProgressComparesMetricsSoFarWithThePaceAndKeepsEmployeesToTheirOwn(t *testing.T) {
	e := newTemplateEnv(t)
	ctx := context.Background()
	cs := teamIDByKey(t, e, "cs")
	org, err := e.store.FirstOrganization(ctx)
	require.NoError(t, err)
	r := e.do("GET", "/api/v1/members?role=employee&teamId="+cs, "admin", nil)
	require.Equal(t, 200, r.status, r.raw)
	var ids, names []string
	for _, it := range r.body["items"].([]any)[:2] {
		m := it.(map[string]any)
		ids = append(ids, m["id"].(string))
		names = append(names, strings.Split(m["email"].(string), "@")[0])
	}
	// A period half over: a target of 100 needs 50 by now.
	now := time.Now().UTC()
	start := now.Add(-15 * 24 * time.Hour)
	cy := &store.Cycle{OrgID: org.ID, TemplateKey: "cs-ops-monthly", TemplateVersion: 1, TemplateBody: "{}", ScopeTeamID: cs, Period: "2026-10",
		PeriodStart: start, PeriodEnd: now.Add(15 * 24 * time.Hour), Timezone: "Asia/Shanghai", Title: "pace", State: "running"}
	cy.ID = store.NewID()
	cy.WorkflowID = "wf-" + cy.ID
	_, _, err = e.store.CreateCycle(ctx, cy, []store.CycleMember{{MemberID: ids[0], TeamID: &cs}, {MemberID: ids[1], TeamID: &cs}})
	require.NoError(t, err)
	require.NoError(t, e.store.UpsertTargets(ctx, cy.ID, []store.Target{
		{MemberID: &ids[0], MemberKey: ids[0], IndicatorKey: "tickets", Period: "2026-10", Value: 100},
		{MemberID: &ids[1], MemberKey: ids[1], IndicatorKey: "tickets", Period: "2026-10", Value: 100},
	}))
	_, err = e.store.UpsertMetricValues(ctx, &store.MetricBatch{OrgID: org.ID, Checksum: "c1"}, []store.MetricValue{
		{OrgID: org.ID, MemberID: ids[0], IndicatorKey: "tickets", Period: "2026-10", Value: 30, Source: "crm"},
		{OrgID: org.ID, MemberID: ids[1], IndicatorKey: "tickets", Period: "2026-10", Value: 70, Source: "crm"},
	})
	require.NoError(t, err)

	mine := e.do("GET", "/api/v1/cycles/"+cy.ID+"/targets/progress", names[0], nil)
	require.Equal(t, 200, mine.status, mine.raw)
	items := mine.body["items"].([]any)
	require.Len(t, items, 1)
	p := items[0].(map[string]any)
	require.EqualValues(t, 30, p["actual"])
	require.InDelta(t, 50, p["expected"], 1)
	require.Equal(t, true, p["behind"])

	other := e.do("GET", "/api/v1/cycles/"+cy.ID+"/targets/progress?memberId="+ids[1], names[0], nil)
	require.Equal(t, 403, other.status, other.raw)
	lead := e.do("GET", "/api/v1/cycles/"+cy.ID+"/targets/progress?memberId="+ids[1], "chen.jing", nil)
	require.Equal(t, 200, lead.status, lead.raw)
	require.Equal(t, false, lead.body["items"].([]any)[0].(map[string]any)["behind"])
}

// TestLaunchPreviewShowsWhatEachRaterGroupsAnswersCountFor: on
// community-monthly the manager's 40 % is effectively 63 % of the behaviour
// part (15.71 of the final score), and a 3 on the 1–5 scale scores 50.
func TestLaunchPreviewShowsWhatEachRaterGroupsAnswersCountFor(t *testing.T) {
	e := newTemplateEnv(t)
	r := e.do("POST", "/api/v1/cycles/preview", "chen.jing", map[string]any{"templateKey": "community-monthly", "teamId": teamIDByKey(t, e, "cs"), "period": "2026-10"})
	require.Equal(t, 200, r.status, r.raw)
	raters := map[string]map[string]any{}
	for _, x := range r.body["raters"].([]any) {
		raters[x.(map[string]any)["key"].(string)] = x.(map[string]any)
	}
	manager := raters["manager"]
	require.EqualValues(t, 40, manager["weight"])
	require.EqualValues(t, 62.86, manager["behaviourShare"])
	require.EqualValues(t, 15.71, manager["effectiveWeight"])
	require.EqualValues(t, 17.14, raters["crossDept"]["behaviourShare"])
	require.EqualValues(t, 20, raters["customer"]["behaviourShare"])
	require.Equal(t, "linear", manager["mapping"])
	steps := manager["steps"].([]any)
	require.Len(t, steps, 5)
	require.Equal(t, map[string]any{"rating": 3.0, "points": 50.0}, steps[2])
	require.EqualValues(t, 100, raters["customer"]["max"], "a group without a scale answers 0–100")
}
