package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/testsuite"

	"github.com/perfloop/perfloop/activities"
	"github.com/perfloop/perfloop/store"
)

// panelHistory is what seedPanelHistory recorded: the cs team's id and its
// first three employees, whose grades the moved weight changes.
type panelHistory struct {
	teamID string
	body   string
	down   string // conversion 100, retention 30: B as run (79), C under the draft (65)
	up     string // conversion 30, retention 100: C as run (65), B under the draft (79)
	top    string // conversion 70, retention 100: A as run (85), S under the draft (91)
}

var panelPeriods = []string{"2026-06", "2026-07", "2026-08", "2026-09"}

// seedPanelHistory publishes the backtest's test template (bt-ops: conversion
// 50, retention 30, teamwork 20, linear 0–100) and records four finished
// months of the cs team on it, scored and given outcomes by the live
// activities, as the backtest package's own tests record theirs. Every
// member is rated 5 for teamwork; the first three have values a swap of
// the two quantitative weights moves across a grade, everyone else 80 and
// 80, which no swap moves.
func (u *browserUI) seedPanelHistory() panelHistory {
	u.t.Helper()
	ctx := context.Background()
	admin := u.user("admin", "")
	raw, err := os.ReadFile(filepath.Join("..", "backtest", "testdata", "ops.json"))
	require.NoError(u.t, err)
	status, out := u.apiPost(admin.Token, "/templates", json.RawMessage(raw))
	require.Equal(u.t, http.StatusCreated, status, out)
	status, out = u.apiPost(admin.Token, "/templates/bt-ops/versions/1/publish", nil)
	require.Equal(u.t, http.StatusOK, status, out)
	var tv struct {
		Body json.RawMessage `json:"body"`
	}
	u.apiGet(admin.Token, "/templates/bt-ops/versions/1", &tv)

	st := u.stack.Store
	org, err := st.FirstOrganization(ctx)
	require.NoError(u.t, err)
	h := panelHistory{teamID: u.teamID(admin, "cs"), body: string(tv.Body)}
	all, err := st.AllMembers(ctx, org.ID, store.MemberFilter{TeamIDs: []string{h.teamID}})
	require.NoError(u.t, err)
	var ms []store.Member
	for _, m := range all {
		if m.Role == store.RoleEmployee {
			ms = append(ms, m)
		}
	}
	require.GreaterOrEqual(u.t, len(ms), 4)
	h.down, h.up, h.top = ms[0].ID, ms[1].ID, ms[2].ID
	values := func(i int) (float64, float64) {
		switch i {
		case 0:
			return 100, 30
		case 1:
			return 30, 100
		case 2:
			return 70, 100
		}
		return 80, 80
	}
	a := &activities.Activities{Store: st}
	var suite testsuite.WorkflowTestSuite
	env := suite.NewTestActivityEnvironment()
	env.RegisterActivity(a)
	for _, period := range panelPeriods {
		start, err := time.Parse("2006-01", period)
		require.NoError(u.t, err)
		members := make([]store.CycleMember, len(ms))
		for i, m := range ms {
			members[i] = store.CycleMember{MemberID: m.ID, TeamID: &h.teamID, Level: m.Level}
		}
		cy := &store.Cycle{OrgID: org.ID, TemplateKey: "bt-ops", TemplateVersion: 1, TemplateBody: string(raw), ScopeTeamID: h.teamID,
			Period: period, PeriodStart: start, PeriodEnd: start.AddDate(0, 1, 0), Timezone: "Asia/Shanghai", Title: "试算运营 " + period, State: store.CycleCompleted}
		cy.ID = store.NewID()
		cy.WorkflowID = "seeded-" + cy.ID
		c, _, err := st.CreateCycle(ctx, cy, members)
		require.NoError(u.t, err)
		var rows []store.MetricValue
		for i, m := range ms {
			conv, ret := values(i)
			rows = append(rows, store.MetricValue{MemberID: m.ID, IndicatorKey: "conversion", Period: period, Value: conv, Source: "import"},
				store.MetricValue{MemberID: m.ID, IndicatorKey: "retention", Period: period, Value: ret, Source: "import"})
			require.NoError(u.t, st.RecordEvaluation(ctx, &store.Evaluation{CycleID: c.ID, TaskID: store.NewID(), RaterRole: "manager", RaterKey: "manager",
				RateeID: m.ID, Scores: `{"teamwork": 5}`}))
		}
		_, err = st.UpsertMetricValues(ctx, &store.MetricBatch{OrgID: org.ID, Checksum: "panel-" + period, FileName: period + ".csv", CreatedBy: "test"}, rows)
		require.NoError(u.t, err)
		_, err = env.ExecuteActivity(a.ComputeScores, c.ID)
		require.NoError(u.t, err)
		_, err = env.ExecuteActivity(a.ApplyOutcomes, c.ID)
		require.NoError(u.t, err)
	}
	return h
}

// swapWeights is bt-ops with conversion at 30 and retention at 50.
func swapWeights(t *testing.T, body string) string {
	var tpl map[string]any
	require.NoError(t, json.Unmarshal([]byte(body), &tpl))
	for _, ind := range tpl["indicators"].([]any) {
		m := ind.(map[string]any)
		switch m["key"] {
		case "conversion":
			m["weight"] = 30
		case "retention":
			m["weight"] = 50
		}
	}
	out, err := json.MarshalIndent(tpl, "", "  ")
	require.NoError(t, err)
	return string(out)
}

// shot saves a picture of one element (the panel, say) beside the
// full-page screenshots, so a phone's long page stays legible.
func (u *browserUI) shot(sel, name string) {
	u.t.Helper()
	ctx, cancel := context.WithTimeout(u.tab, step)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.Screenshot(chromedp.CSS(sel), chromedp.NodeVisible))
	require.NoError(u.t, err)
	require.NoError(u.t, os.WriteFile(filepath.Join(artefactDir(u.t, "screens"), name+".png"), png, 0o644))
}

// newIndicator is bt-ops with fan growth (10) taken from retention, an
// indicator no month recorded.
func newIndicator(t *testing.T, body string) string {
	var tpl map[string]any
	require.NoError(t, json.Unmarshal([]byte(body), &tpl))
	inds := tpl["indicators"].([]any)
	for _, ind := range inds {
		if m := ind.(map[string]any); m["key"] == "retention" {
			m["weight"] = 20
		}
	}
	tpl["indicators"] = append(inds, map[string]any{"key": "fanGrowth", "name": map[string]string{"zh": "粉丝增长", "en": "Fan growth"}, "category": "business",
		"kind": "quantitative", "unit": "%", "weight": 10, "baseline": 0, "stretch": 100, "scoring": map[string]any{"method": "linear", "floor": 0, "cap": 100}})
	out, err := json.MarshalIndent(tpl, "", "  ")
	require.NoError(t, err)
	return string(out)
}

// runPanel presses 试算 and waits for its member table.
func (u *browserUI) runPanel() {
	u.t.Helper()
	u.do(visible("#bt-run"))
	u.waitJS(`!document.querySelector('#bt-run').disabled && document.querySelector('#bt-to').value !== ''`)
	u.do(chromedp.Click(chromedp.CSS("#bt-run")))
	u.waitJS(`document.querySelector('#bt-diff') && !document.querySelector('#bt-run').disabled`)
}

// TestBacktestPanelShowsWhatAMovedWeightDoesToPastGrades opens a published
// template in the editor, moves weight from conversion to retention, runs
// the 试算 over four recorded months and reads the answer the way an HR
// partner would: the totals, the chart of grades before and after, and the
// members whose grade moves, in English and Chinese, on a desktop and on a
// 390 px phone, with axe finding nothing serious.
func TestBacktestPanelShowsWhatAMovedWeightDoesToPastGrades(t *testing.T) {
	u := startUI(t)
	axe := axeSource(t)
	admin := u.user("admin", "")
	h := u.seedPanelHistory()

	u.signIn(admin)
	u.do(chromedp.Navigate(u.base+"/#/templates/bt-ops/1"), visible("#tpl-text"), visible("#bt-panel"))
	// The admin leads no team: the panel picks the team whose cycle finished last, and its last periods with results.
	u.waitJS(`document.querySelector('#bt-to').value === '2026-09'`)
	require.Equal(t, h.teamID, u.eval(`document.querySelector('#bt-team').value`))
	require.Equal(t, "2026-06", u.eval(`document.querySelector('#bt-from').value`))

	// Unchanged, the draft reproduces the record: no grade moves. While the
	// server works (held back here for two seconds) the panel says so and
	// the button waits.
	u.eval(`(() => { const real = window.fetch; window.fetch = async (url, opts) => { const res = await real(url, opts);
		if (String(url).endsWith('/templates/backtest')) await new Promise((r) => setTimeout(r, 2000)); return res; }; return ''; })()`)
	u.do(chromedp.Click(chromedp.CSS("#bt-run")), visible("#bt-progress progress"))
	require.Contains(t, u.text("#bt-progress"), "Re-scoring Customer operations (cs), 2026-06 – 2026-09")
	require.Equal(t, "true", u.eval(`String(document.querySelector('#bt-run').disabled)`))
	u.waitJS(`document.querySelector('#bt-diff') && !document.querySelector('#bt-run').disabled`)
	require.Contains(t, u.text("#bt-done"), "Backtest done: 4 periods")
	require.Contains(t, u.text("#bt-result"), "reproduces the recorded results exactly")
	require.Contains(t, u.text("#bt-t-changed"), "0 (0 up, 0 down)")

	// Swap the weights: by hand, per month, B→C for one, C→B and A→S for two others; +¥1,000 a month.
	u.do(setText("#tpl-text", swapWeights(t, h.body)))
	u.runPanel()
	require.Contains(t, u.text("#bt-t-changed"), "12 (8 up, 4 down)")
	require.Equal(t, "+¥4,000", u.text("#bt-t-bonus-diff"))
	require.Contains(t, u.text("#bt-t-promotions"), "0 → 4", "S promotes: the A→S member, once a month")
	require.Equal(t, "2026-09", u.eval(`document.querySelector('#bt-diff').dataset.period`))
	row := func(id string) string { return fmt.Sprintf(`#bt-diff tr[data-member=%q]`, id) }
	require.Equal(t, "3", u.eval(`String(document.querySelectorAll('#bt-diff tr.changed').length)`))
	require.Contains(t, u.text(row(h.down)+" td.grade"), "B → C ↓ down")
	require.Contains(t, u.text(row(h.down)), "79 → 65")
	require.Contains(t, u.text(row(h.down)), "−¥1,000")
	require.Contains(t, u.text(row(h.up)+" td.grade"), "C → B ↑ up")
	require.Contains(t, u.text(row(h.top)+" td.grade"), "A → S ↑ up")
	require.Contains(t, u.text(row(h.top)), "draft only", "the draft promotes an S")
	// The chart: per grade, as run against the draft, in bars and in words.
	dist := map[string][2]string{"S": {"0", "4"}, "A": {"", ""}, "B": {"4", "4"}, "C": {"4", "4"}}
	for g, want := range dist {
		if want[0] == "" {
			continue
		}
		require.Equal(t, want[0], u.eval(fmt.Sprintf(`document.querySelector('#bt-chart g[data-grade=%q]').dataset.run`, g)), g)
		require.Equal(t, want[1], u.eval(fmt.Sprintf(`document.querySelector('#bt-chart g[data-grade=%q]').dataset.draft`, g)), g)
	}
	require.Contains(t, u.eval(`document.querySelector('#bt-chart').getAttribute('aria-label')`), "S 0 as run, 4 under the draft")
	require.Contains(t, u.text(`#bt-dist tr[data-grade="S"]`), "0")
	// Only the changed members, on demand.
	u.do(chromedp.Click(chromedp.CSS("#bt-only-changed")))
	u.waitJS(`document.querySelectorAll('#bt-diff tbody tr').length === 3`)
	u.screenshot("i17-panel-en-desktop")
	u.shot("#bt-panel", "i17-panel-en-desktop-panel")
	check := func(name string, phone bool) {
		c := u.checkScreen(axe, name, phone)
		require.Empty(t, c.Violations, name)
		require.LessOrEqual(t, c.ScrollWidth, c.InnerWidth, name+": no horizontal scroll")
	}
	check("i17-panel-axe-en-desktop", false)

	// A draft the server refuses names the field inside the template.
	bad := strings.Replace(swapWeights(t, h.body), `"weight": 30`, `"weight": 45`, 1)
	require.Contains(t, bad, `"weight": 45`)
	u.do(setText("#tpl-text", bad), chromedp.Click(chromedp.CSS("#bt-run")))
	u.waitJS(`document.querySelector('#bt-error-list li[data-path^="/indicators"]')`)
	require.Contains(t, u.text("#bt-error"), "in the draft")
	// And JSON that cannot be read never leaves the browser.
	u.do(setText("#tpl-text", "{ not json"), chromedp.Click(chromedp.CSS("#bt-run")))
	u.waitJS(`document.querySelector('#bt-error').textContent.includes('cannot be read')`)

	// A new indicator the history never recorded: the answer names the gap and the policy applied.
	u.do(setText("#tpl-text", newIndicator(t, h.body)))
	u.runPanel()
	u.do(visible("#bt-gaps"))
	require.Equal(t, "4", u.eval(`String(document.querySelectorAll('#bt-gaps li').length)`), "one gap a month")
	require.Contains(t, u.text("#bt-gaps"), "has no recorded")
	require.Contains(t, u.text("#bt-gaps-h"), "cannot answer")

	// 中文, desktop and phone: the same answer in the reader's language, as cards on a phone.
	for _, v := range viewports {
		u.useViewport(v)
		u.do(chromedp.Navigate(u.base + "/#/templates/bt-ops/1"))
		u.useLang("zh")
		u.do(visible("#tpl-text"))
		u.do(setText("#tpl-text", swapWeights(t, h.body)))
		u.waitJS(`document.querySelector('#bt-to').value === '2026-09'`)
		u.runPanel()
		require.Contains(t, u.text("#bt-t-changed"), "12 人次（升 8，降 4）")
		require.Contains(t, u.text(row(h.down)+" td.grade"), "B → C ↓ 降")
		require.Contains(t, u.text("#bt-h"), "试算")
		if !v.mobile {
			u.do(setText("#tpl-text", newIndicator(t, h.body)))
			u.runPanel()
			require.Contains(t, u.text("#bt-gaps"), "没有任何历史记录")
			require.Contains(t, u.text("#bt-gaps-h"), "历史数据无法回答")
			u.do(setText("#tpl-text", swapWeights(t, h.body)))
			u.runPanel()
		}
		u.eval(`document.querySelector('#bt-panel').scrollIntoView(); ''`)
		u.screenshot("i17-panel-zh-" + v.name)
		u.shot("#bt-panel", "i17-panel-zh-"+v.name+"-panel")
		check("i17-panel-axe-zh-"+v.name, v.mobile)
		if v.mobile {
			require.Equal(t, "block", u.eval(`getComputedStyle(document.querySelector('#bt-diff tbody tr')).display`), "a card a member on a phone")
		}
	}
	u.useLang("en")
	u.do(visible("#tpl-text"), setText("#tpl-text", swapWeights(t, h.body)))
	u.runPanel()
	u.eval(`document.querySelector('#bt-panel').scrollIntoView(); ''`)
	u.screenshot("i17-panel-en-phone")
	u.shot("#bt-panel", "i17-panel-en-phone-panel")
	check("i17-panel-axe-en-phone", true)
	u.useViewport(viewports[0])
}
