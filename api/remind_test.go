package api_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/perfloop/perfloop/engine"
	"github.com/perfloop/perfloop/store"
	"github.com/perfloop/perfloop/store/storetest"
	"github.com/perfloop/perfloop/templates"
)

// boardCycle is a cycle of the cs-ops-monthly template over the demo's cs
// team, written straight to the store (no engine), with stage channels
// changed by edit before it is frozen.
func boardCycle(t *testing.T, e *env, edit func(tpl map[string]any)) (*store.Cycle, []store.Member) {
	t.Helper()
	ctx := context.Background()
	org := mustOrg(t, e)
	teams, _, err := e.store.ListTeams(ctx, org, store.TeamFilter{}, store.Page{Limit: store.MaxLimit})
	require.NoError(t, err)
	var team store.Team
	for _, tm := range teams {
		if tm.Key == "cs" {
			team = tm
		}
	}
	require.NotEmpty(t, team.ID, "the demo has a cs team")
	ms, _, err := e.store.ListMembers(ctx, org, store.MemberFilter{TeamIDs: []string{team.ID}}, store.Page{Limit: store.MaxLimit})
	require.NoError(t, err)
	files, err := templates.BuiltinFiles()
	require.NoError(t, err)
	var tpl map[string]any
	for _, f := range files {
		var probe map[string]any
		require.NoError(t, json.Unmarshal(f.Data, &probe))
		if probe["key"] == "cs-ops-monthly" {
			tpl = probe
		}
	}
	require.NotNil(t, tpl)
	if edit != nil {
		edit(tpl)
	}
	body, err := json.Marshal(tpl)
	require.NoError(t, err)
	_, errs := templates.Parse(body)
	require.Empty(t, errs)
	var cms []store.CycleMember
	for _, m := range ms {
		cms = append(cms, store.CycleMember{MemberID: m.ID, TeamID: m.TeamID, Level: m.Level})
	}
	start := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	c := &store.Cycle{OrgID: org, TemplateKey: "cs-ops-monthly", TemplateVersion: 1, TemplateBody: string(body), ScopeTeamID: team.ID, Period: "2026-10",
		PeriodStart: start, PeriodEnd: start.AddDate(0, 1, 0), Timezone: "Asia/Shanghai", Title: "十月", WorkflowID: "wf-" + t.Name(), LaunchedBy: "admin", State: "running"}
	cy, _, err := e.store.CreateCycle(ctx, c, cms)
	require.NoError(t, err)
	return cy, ms
}

func stageOf(tpl map[string]any, key string) map[string]any {
	for _, s := range tpl["stages"].([]any) {
		if st := s.(map[string]any); st["key"] == key {
			return st
		}
	}
	return nil
}

func deliveriesOf(t *testing.T, s *store.Store, recipient string) []store.Delivery {
	t.Helper()
	var out []store.Delivery
	require.NoError(t, s.DB.Where("recipient_id = ? AND channel <> ?", recipient, store.ChannelInApp).Order("dedupe_key").Find(&out).Error)
	return out
}

func TestRemindNowOwesAnEmailOnTheStagesChannelsOutsideQuietHours(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t))
	ctx := context.Background()
	cy, ms := boardCycle(t, e, func(tpl map[string]any) {
		stageOf(tpl, "evaluate")["channels"] = map[string]any{"reminder": []string{"email"}}
	})
	org := cy.OrgID
	for _, ch := range []store.ChannelConfig{{OrgID: org, Channel: store.ChannelEmail}, {OrgID: org, Channel: "wecom", URL: "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k"}} {
		require.NoError(t, e.store.SaveChannelConfig(ctx, &ch))
	}
	// Today and tomorrow are closed, so the next opening is the morning of
	// the day after tomorrow in the recipients' time zone; reminders the
	// template does not route go in-app only.
	loc, err := time.LoadLocation("Asia/Shanghai")
	require.NoError(t, err)
	today := time.Now().In(loc)
	iso := func(d time.Time) int { return (int(d.Weekday())+6)%7 + 1 }
	var days []int
	for d := 1; d <= 7; d++ {
		if d != iso(today) && d != iso(today.AddDate(0, 0, 1)) {
			days = append(days, d)
		}
	}
	r := e.do("PUT", "/api/v1/notifications/policy", "admin", map[string]any{"window": map[string]any{"start": "09:00", "end": "18:00", "days": days}, "digestMinutes": 0, "events": map[string]any{"reminder": []string{"inapp"}}})
	require.Equal(t, 200, r.status, r.raw)

	evaluate, execute := ms[0], ms[1]
	past := time.Now().Add(-2 * time.Hour).UTC().Truncate(time.Second)
	for _, tk := range []store.Task{
		{OrgID: org, CycleID: cy.ID, WorkflowID: "wf", StageKey: "evaluate", Kind: engine.TaskSelfEval, AssigneeID: evaluate.ID, Title: "完成自评", TitleEn: "Complete your self-evaluation", DueAt: past, DedupeKey: "t-eval"},
		{OrgID: org, CycleID: cy.ID, WorkflowID: "wf", StageKey: "execute", Kind: engine.TaskPlan, AssigneeID: execute.ID, Title: "提交工作计划", TitleEn: "Submit your plan", DueAt: past, DedupeKey: "t-plan"},
	} {
		_, err := e.store.EnsureTask(ctx, &tk)
		require.NoError(t, err)
	}

	r = e.do("POST", "/api/v1/cycles/"+cy.ID+"/remind", "admin", nil)
	require.Equal(t, 200, r.status, r.raw)
	require.EqualValues(t, 2, r.body["overdue"])
	require.EqualValues(t, 2, r.body["reminded"])
	require.EqualValues(t, 1, r.body["deliveries"], "one e-mail: the evaluate stage routes reminders to email; execute falls back to the policy (in-app)")

	ds := deliveriesOf(t, e.store, evaluate.ID)
	require.Len(t, ds, 1, "email only, not the configured wecom the stage does not route to")
	d := ds[0]
	require.Equal(t, store.ChannelEmail, d.Channel)
	require.Equal(t, store.NotificationPending, d.State)
	require.Equal(t, "reminder", d.Kind)
	require.True(t, strings.HasPrefix(d.DedupeKey, "remind-now:") && strings.HasSuffix(d.DedupeKey, "|email"), d.DedupeKey)
	require.NotNil(t, d.NotBefore)
	open := time.Date(today.Year(), today.Month(), today.Day()+2, 9, 0, 0, 0, loc)
	require.True(t, open.Equal(*d.NotBefore), "not before %s (the next opening), got %s", open, d.NotBefore.In(loc))
	require.NotNil(t, d.Payload)
	require.Contains(t, *d.Payload, `"overdue":true`)
	require.Contains(t, *d.Payload, "Complete your self-evaluation")
	require.Empty(t, deliveriesOf(t, e.store, execute.ID))

	r = e.do("POST", "/api/v1/cycles/"+cy.ID+"/remind", "admin", nil)
	require.Equal(t, 200, r.status, r.raw)
	require.EqualValues(t, 0, r.body["reminded"], "once a day")
	require.EqualValues(t, 0, r.body["deliveries"])
	require.Len(t, deliveriesOf(t, e.store, evaluate.ID), 1)
}
