package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/perfloop/perfloop/store"
	"github.com/perfloop/perfloop/templates"
)

// pick chooses a value in a select the way a person does: one change event.
func pick(sel, value string) chromedp.Action[chromedp.Void] {
	return setText(sel, value)
}

// builderDraft is the template JSON the builder's JSON view holds.
func (u *browserUI) builderDraft() map[string]any {
	u.t.Helper()
	u.do(chromedp.Click(chromedp.CSS("#b-tab-json")), visible("#b-json"))
	var m map[string]any
	require.NoError(u.t, json.Unmarshal([]byte(u.eval(`document.querySelector('#b-json').value`)), &m))
	u.do(chromedp.Click(chromedp.CSS("#b-tab-build")), visible("#b-form"))
	return m
}

// openBlankBuilder starts the builder from the templates list with a blank template.
func (u *browserUI) openBlankBuilder() {
	u.t.Helper()
	u.do(chromedp.Click(chromedp.CSS(`[data-nav="templates"]`)), visible("#tpl-build"),
		chromedp.Click(chromedp.CSS("#tpl-build")), visible("#b-blank"),
		chromedp.Click(chromedp.CSS("#b-blank")), visible("#b-form #f-key"))
}

func (u *browserUI) addFromCatalogue(key string) {
	u.t.Helper()
	u.do(pick("#b-cat", key))
	u.waitJS(`document.querySelector('#b-cat-about').textContent.length > 0 && document.querySelector('#b-cat').value === '` + key + `'`)
	u.do(chromedp.Click(chromedp.CSS("#b-cat-add")))
}

func (u *browserUI) addStage(typ string) {
	u.t.Helper()
	n := u.eval(`String(document.querySelectorAll('#b-stages fieldset.stage').length)`)
	u.do(pick("#b-stage-type", typ), chromedp.Click(chromedp.CSS("#b-stage-add")))
	u.waitJS(`String(document.querySelectorAll('#b-stages fieldset.stage').length) !== '` + n + `'`)
}

// TestAdminBuildsATemplateFromScratchPublishesItAndLaunchesACycleFromIt
// builds a template in the builder only, as an HR partner would: three
// indicators from the catalogue (one scored in bands, one rated), weights
// to 100, a manager rating, the standard grades, four stages and an IDP
// rule; the server finds it valid, it is published and a cycle launches
// from it, and the JSON view holds exactly the template stored.
func TestAdminBuildsATemplateFromScratchPublishesItAndLaunchesACycleFromIt(t *testing.T) {
	u := startUI(t)
	admin := u.user("admin", "")
	manager := u.user("manager", "cs")
	u.signIn(admin)
	u.openBlankBuilder()

	u.do(setText("#f-key", "hr-built"), setText("#f-name-zh", "客服月度（搭建）"), setText("#f-name-en", "CS monthly (built)"))
	u.addFromCatalogue("retention")
	u.addFromCatalogue("satisfaction")
	u.addFromCatalogue("collaboration")
	u.waitJS(`document.querySelectorAll('#b-indicators fieldset.item').length === 3`)
	// The catalogue's satisfaction is scored in bands, shown as a table and a curve.
	require.Equal(t, "bands", u.eval(`document.querySelector('#f-indicators-1-scoring-method').value`))
	require.Equal(t, "5", u.eval(`String(document.querySelectorAll('#bands-1 tbody tr').length)`))
	u.do(visible("#curve-0 svg path.line"), visible("#curve-1 svg path.line"))
	// 20 + 20 + 10: the live total asks for 50 more.
	require.Contains(t, u.text("#b-total"), "50 / 100")
	u.do(setText("#f-indicators-0-weight", "50"), setText("#f-indicators-1-weight", "30"), setText("#f-indicators-2-weight", "20"))
	u.waitJS(`document.querySelector('#b-total').classList.contains('ok')`)

	u.do(chromedp.Click(chromedp.CSS("#b-add-rater .add-manager")), visible("#f-raters-0-weight"), setText("#f-raters-0-weight", "100"))
	// The manager decides all of the behavioural 20: the server says so.
	u.waitJS(`document.querySelector('#eff-0').textContent.includes('20%')`)

	u.do(chromedp.Click(chromedp.CSS("#b-grades .std-grades")), visible("#f-grades-3-key"))
	for _, typ := range []string{"execute", "evaluate", "calibrate", "feedback"} {
		u.addStage(typ)
	}
	u.do(visible("#b-timeline svg"))
	require.Contains(t, u.eval(`document.querySelector('#b-timeline svg').getAttribute('aria-label')`), "escalates")
	u.do(chromedp.Click(chromedp.CSS("#b-outcomes .add-idp")), visible("#b-idp"), setText("#f-outcomes-idp-consecutive", "3"))
	u.waitJS(`document.querySelector('#b-idp-says').textContent.includes('3 periods')`)
	u.waitJS(`document.querySelector('#b-valid')`)
	u.screenshot("i17-builder-en")

	u.do(chromedp.Click(chromedp.CSS("#b-save")), visible("#b-saved"))
	require.Contains(t, u.text("#b-saved"), "hr-built v1")
	u.do(chromedp.Click(chromedp.CSS("#b-publish")), visible("#b-published"))

	status, out := u.apiPost(manager.Token, "/cycles", map[string]any{"templateKey": "hr-built", "teamId": u.teamID(manager, "cs"), "period": "2026-11", "compress": 8640})
	require.Equal(t, http.StatusCreated, status, out)

	var stored struct {
		Body map[string]any `json:"body"`
	}
	u.apiGet(admin.Token, "/templates/hr-built/versions/1", &stored)
	draft := u.builderDraft()
	delete(stored.Body, "version")
	delete(draft, "version")
	require.Equal(t, stored.Body, draft, "the JSON view holds the template as stored")
	inds := draft["indicators"].([]any)
	require.Len(t, inds, 3)
	require.Len(t, draft["stages"].([]any), 4)
	idp := draft["outcomes"].(map[string]any)["idp"].(map[string]any)
	require.EqualValues(t, 3, idp["consecutive"])
	require.EqualValues(t, 2, idp["bottomCount"])
}

// TestBuilderAndJSONEditsKeepFieldsTheBuilderDoesNotKnow: a field the
// builder has no form for survives builder edits, and JSON edits show in
// the builder at once.
func TestBuilderAndJSONEditsKeepFieldsTheBuilderDoesNotKnow(t *testing.T) {
	u := startUI(t)
	admin := u.user("admin", "")
	u.signIn(admin)
	u.do(chromedp.Navigate(u.base+"/#/builder/from/cs-ops-monthly/1"), visible("#f-indicators-0-weight"))
	u.do(chromedp.Click(chromedp.CSS("#b-tab-json")), visible("#b-json"))
	src := u.eval(`document.querySelector('#b-json').value`)
	var m map[string]any
	require.NoError(t, json.Unmarshal([]byte(src), &m))
	m["x-owner"] = map[string]any{"team": "HR", "reviewed": true}
	m["indicators"].([]any)[0].(map[string]any)["x-note"] = "keep me"
	m["adjustments"].([]any)[0].(map[string]any)["when"] = "metric.complaintRate > 6"
	edited, err := json.MarshalIndent(m, "", "  ")
	require.NoError(t, err)
	u.do(setText("#b-json", string(edited)), chromedp.Click(chromedp.CSS("#b-tab-build")), visible("#f-indicators-0-weight"))
	// The server names the unknown fields at their paths; the builder keeps them.
	u.waitJS(`document.querySelector('#b-errors li[data-path="/x-owner"]')`)
	u.do(setText("#f-indicators-0-weight", "25"), setText("#f-indicators-1-weight", "25"), setText("#f-name-en", "Customer ops (edited)"))
	u.waitJS(`document.querySelector('#b-total').classList.contains('ok')`)
	got := u.builderDraft()
	require.Equal(t, map[string]any{"team": "HR", "reviewed": true}, got["x-owner"])
	ind0 := got["indicators"].([]any)[0].(map[string]any)
	require.Equal(t, "keep me", ind0["x-note"])
	require.EqualValues(t, 25, ind0["weight"])
	require.Equal(t, "metric.complaintRate > 6", got["adjustments"].([]any)[0].(map[string]any)["when"], "a block the builder has no form for is kept")
	require.Equal(t, "Customer ops (edited)", got["name"].(map[string]any)["en"])
	// Everything else is as written: only the three edited values differ.
	m["indicators"].([]any)[0].(map[string]any)["weight"] = 25.0
	m["indicators"].([]any)[1].(map[string]any)["weight"] = 25.0
	m["name"].(map[string]any)["en"] = "Customer ops (edited)"
	want, _ := json.Marshal(m)
	have, _ := json.Marshal(got)
	require.JSONEq(t, string(want), string(have))

	// JSON edits reach the form.
	u.do(chromedp.Click(chromedp.CSS("#b-tab-json")), visible("#b-json"),
		setText("#b-json", strings.Replace(string(have), `"Customer ops (edited)"`, `"From JSON"`, 1)),
		chromedp.Click(chromedp.CSS("#b-tab-build")), visible("#f-name-en"))
	require.Equal(t, "From JSON", u.eval(`document.querySelector('#f-name-en').value`))

	// A part written in a shape the builder does not edit is said so and left alone.
	var again map[string]any
	require.NoError(t, json.Unmarshal(have, &again))
	again["stages"] = "execute, evaluate"
	odd, err := json.Marshal(again)
	require.NoError(t, err)
	u.do(chromedp.Click(chromedp.CSS("#b-tab-json")), visible("#b-json"), setText("#b-json", string(odd)),
		chromedp.Click(chromedp.CSS("#b-tab-build")), visible("#b-stages .alert.warn"))
	require.Contains(t, u.text("#b-stages .alert.warn"), "/stages")
	u.do(setText("#f-indicators-2-weight", "21"))
	u.waitJS(`document.querySelector('#b-total').textContent.includes('101')`)
	after := u.builderDraft()
	require.Equal(t, "execute, evaluate", after["stages"])
	require.EqualValues(t, 21, after["indicators"].([]any)[2].(map[string]any)["weight"])

	// JSON that does not parse is never mistaken for the draft: saving says so and saves nothing.
	u.do(chromedp.Click(chromedp.CSS("#b-tab-json")), visible("#b-json"), setText("#b-json", `{"key": "cs-ops-monthly-copy",`))
	u.waitJS(`document.querySelector('#b-json-err').textContent.includes('JSON')`)
	u.do(chromedp.Click(chromedp.CSS("#b-save")))
	u.waitJS(`document.querySelector('#b-general').textContent.includes('does not parse')`)
	var drafts struct {
		Total int `json:"total"`
	}
	u.apiGet(admin.Token, "/templates?key=cs-ops-monthly-copy", &drafts)
	require.Zero(t, drafts.Total)
}

// TestBuilderShowsTheServersErrorsAtTheFieldInChinese: the API's error
// paths put each message beside its field, in the reader's language.
func TestBuilderShowsTheServersErrorsAtTheFieldInChinese(t *testing.T) {
	u := startUI(t)
	admin := u.user("admin", "")
	u.signIn(admin)
	u.do(chromedp.Navigate(u.base + "/#/builder/new"))
	u.useLang("zh")
	u.do(visible("#f-key"))
	u.addFromCatalogue("retention")
	u.do(visible("#f-indicators-0-stretch"), setText("#f-indicators-0-stretch", "30"))
	u.waitJS(`document.querySelector('#f-indicators-0-stretch-err').textContent !== ''`)
	require.Contains(t, u.text("#f-indicators-0-stretch-err"), "挑战目标必须高于基线 35")
	require.Equal(t, "true", u.eval(`document.querySelector('#f-indicators-0-stretch').getAttribute('aria-invalid')`))
	require.Contains(t, u.text(`[data-path="/indicators"] > .err`), "指标权重合计 20，必须为 100（还差 80）")
	require.Contains(t, u.text("#b-total"), "还差 80")
	// The summary names the same path as the API and takes the reader to the field.
	u.do(chromedp.Click(chromedp.CSS(`#b-errors li[data-path="/indicators/0/stretch"] button`)))
	require.Equal(t, "f-indicators-0-stretch", u.eval(`document.activeElement.id`))
	u.screenshot("i17-builder-zh-errors")
	u.do(setText("#f-indicators-0-stretch", "50"))
	u.waitJS(`document.querySelector('#f-indicators-0-stretch-err').textContent === ''`)

	// An expression offers the names it may read and says what is wrong with it where it is typed.
	u.do(pick("#f-indicators-0-scoring-method", "expression"), visible("#f-indicators-0-scoring-expr"))
	require.Contains(t, u.eval(`[...document.querySelectorAll('#names-scoring option')].map(o => o.value).join(' ')`), "metric.retention")
	require.Equal(t, "names-scoring", u.eval(`document.querySelector('#f-indicators-0-scoring-expr').getAttribute('list')`))
	u.do(setText("#f-indicators-0-scoring-expr", "metric.nope > 1 ? 100 : 0"))
	u.waitJS(`document.querySelector('#f-indicators-0-scoring-expr-err').textContent !== ''`)
	require.Contains(t, u.text("#f-indicators-0-scoring-expr-err"), "不认识的名称 metric.nope")
}

// TestBuilderPassesAxeAndFitsAPhoneInBothLanguages tours the builder with
// a full template (every section filled) and a blank one.
func TestBuilderPassesAxeAndFitsAPhoneInBothLanguages(t *testing.T) {
	u := startUI(t)
	axeSource(t)
	admin := u.user("admin", "")
	problems := u.tour([]tourStop{
		{"builder-start", admin, "#/builder", "#b-starts"},
		{"builder", admin, "#/builder/from/cs-ops-monthly/1", "#b-timeline"},
		{"builder-ops", admin, "#/builder/from/ops-assistant-monthly/1", "#b-levels fieldset"},
	})
	require.Empty(t, problems, "\n"+strings.Join(problems, "\n"))
	u.useLang("zh")
	u.do(chromedp.Navigate(u.base+"/#/builder/from/cs-ops-monthly/1"), visible("#b-valid"))
	u.screenshot("i17-builder-zh")
}

// builderMistakes are the slips an author makes in the builder, each a
// change to the cs-ops built-in; the validator words what is wrong in
// English and the builder must say each in Chinese.
var builderMistakes = map[string]func(m map[string]any){
	"weights":         func(m map[string]any) { ind(m, 0)["weight"] = 50.0 },
	"rater weights":   func(m map[string]any) { at(m, "raters", 1)["weight"] = 10.0 },
	"stretch below":   func(m map[string]any) { ind(m, 2)["stretch"] = 30.0 },
	"stretch is base": func(m map[string]any) { ind(m, 2)["stretch"] = 35.0 },
	"no baseline":     func(m map[string]any) { delete(ind(m, 2), "baseline") },
	"band order": func(m map[string]any) {
		ind(m, 0)["scoring"].(map[string]any)["bands"].([]any)[1].(map[string]any)["max"] = 60.0
	},
	"band overlap": func(m map[string]any) {
		ind(m, 0)["scoring"].(map[string]any)["bands"].([]any)[2].(map[string]any)["min"] = 75.0
	},
	"grade gap":       func(m map[string]any) { at(m, "grades", 1)["min"] = 82.0 },
	"grade overlap":   func(m map[string]any) { at(m, "grades", 2)["max"] = 85.0 },
	"grades from 5":   func(m map[string]any) { at(m, "grades", 3)["min"] = 5.0 },
	"grades to 99":    func(m map[string]any) { at(m, "grades", 0)["max"] = 99.0 },
	"bad duration":    func(m map[string]any) { at(m, "stages", 1)["duration"] = "3 days" },
	"month duration":  func(m map[string]any) { at(m, "stages", 1)["duration"] = "P1M" },
	"zero duration":   func(m map[string]any) { at(m, "stages", 2)["duration"] = "P0D" },
	"early reminder":  func(m map[string]any) { at(m, "stages", 1)["reminders"].(map[string]any)["before"] = []any{"P5D"} },
	"no stage length": func(m map[string]any) { delete(at(m, "stages", 2), "duration") },
	"stage order":     func(m map[string]any) { s := m["stages"].([]any); s[1], s[2] = s[2], s[1] },
	"idp both":        func(m map[string]any) { idpOf(m)["bottomPercent"] = 10.0 },
	"idp neither":     func(m map[string]any) { delete(idpOf(m), "bottomCount") },
	"idp check-ins":   func(m map[string]any) { idpOf(m)["checkinEvery"] = "P90D" },
	"unknown name":    func(m map[string]any) { m["formula"] = "0.6*quantitative + 0.4*boss" },
	"unknown metric": func(m map[string]any) {
		ind(m, 1)["scoring"] = map[string]any{"method": "expression", "expr": "metric.nope > 1 ? 100 : 0"}
	},
	"duplicate key":    func(m map[string]any) { ind(m, 1)["key"] = "satisfaction" },
	"no grades":        func(m map[string]any) { m["grades"] = []any{} },
	"weight as text":   func(m map[string]any) { ind(m, 1)["weight"] = "20" },
	"unknown period":   func(m map[string]any) { m["period"] = "weekly" },
	"bad key":          func(m map[string]any) { m["key"] = "CS Ops" },
	"interview window": func(m map[string]any) { at(m, "stages", 3)["interview"].(map[string]any)["duration"] = "P3D" },
	"unknown grade":    func(m map[string]any) { m["distribution"].([]any)[0].(map[string]any)["grades"] = []any{"X"} },
	"no rater rates":   func(m map[string]any) { m["raters"] = m["raters"].([]any)[:2]; at(m, "raters", 1)["weight"] = 100.0 },
}

var han = regexp.MustCompile(`\p{Han}`)

func at(m map[string]any, list string, i int) map[string]any {
	return m[list].([]any)[i].(map[string]any)
}
func ind(m map[string]any, i int) map[string]any { return at(m, "indicators", i) }
func idpOf(m map[string]any) map[string]any {
	return m["outcomes"].(map[string]any)["idp"].(map[string]any)
}

// TestTheBuilderSaysEveryCommonTemplateMistakeInChinese runs each mistake
// through the real validator and the builder's wording: none may fall
// back to the English message.
func TestTheBuilderSaysEveryCommonTemplateMistakeInChinese(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("..", "templates", "builtin", "cs-ops-monthly.json"))
	require.NoError(t, err)
	var messages []string
	for name, mutate := range builderMistakes {
		var m map[string]any
		require.NoError(t, json.Unmarshal(raw, &m))
		mutate(m)
		body, err := json.Marshal(m)
		require.NoError(t, err)
		_, errs := templates.Parse(body)
		require.NotEmpty(t, errs, name)
		for _, e := range errs {
			messages = append(messages, e.Message)
		}
	}
	u := startUI(t)
	u.signIn(u.user("admin", ""))
	u.do(chromedp.Navigate(u.base + "/#/builder"))
	u.useLang("zh")
	u.do(visible("#b-starts"))
	list, err := json.Marshal(messages)
	require.NoError(t, err)
	var said []string
	ctx, cancel := context.WithTimeout(u.tab, step)
	defer cancel()
	out, err := chromedp.Run(ctx, chromedp.Evaluate[string](`import('/ui/screens/builder.i18n.js').then((m) => JSON.stringify(`+string(list)+`.map((x) => m.localiseError({ message: x }))))`, chromedp.EvalAwaitPromise))
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal([]byte(out), &said))
	require.Len(t, said, len(messages))
	var english []string
	for i, s := range said {
		if strings.Contains(s, "此项有误") || !han.MatchString(s) {
			english = append(english, messages[i])
		}
	}
	require.Empty(t, english, "no Chinese wording for these")
}

// TestTheDistributionShowsTheLastCyclesScoresUnderTheDraftsGrades seeds a
// finished cycle of ten members and moves a grade band in the builder: the
// histogram and the forced-distribution check follow, live.
func TestTheDistributionShowsTheLastCyclesScoresUnderTheDraftsGrades(t *testing.T) {
	u := startUI(t)
	admin := u.user("admin", "")
	ctx := context.Background()
	st := u.stack.Store
	org, err := st.FirstOrganization(ctx)
	require.NoError(t, err)
	teamID, ms := importTeam(t, st, org.ID, store.ImportTeam{Key: "hist", Name: "历史客服组", NameEn: "History team"}, 10, "历史 %d", "h%d@hist.perfloop.dev")
	require.Len(t, ms, 10)
	body, err := os.ReadFile(filepath.Join("..", "templates", "builtin", "cs-ops-monthly.json"))
	require.NoError(t, err)
	start := time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC)
	cy := &store.Cycle{OrgID: org.ID, TemplateKey: "cs-ops-monthly", TemplateVersion: 1, TemplateBody: string(body), ScopeTeamID: teamID,
		Period: "2026-09", PeriodStart: start, PeriodEnd: start.AddDate(0, 1, 0), Timezone: "Asia/Shanghai", Title: "客户运营月度考核 · 历史客服组 · 2026-09", State: store.CycleCompleted}
	cy.ID = store.NewID()
	cy.WorkflowID = "seeded-" + cy.ID
	// Under the built-in's grades: S 95, 92; A 85, 81; B 79, 75, 71; C 60, 50, 40. S may hold at most 10%: one of ten.
	scores := []float64{95, 92, 85, 81, 79, 75, 71, 60, 50, 40}
	cms := make([]store.CycleMember, len(ms))
	rows := make([]store.Result, len(ms))
	for i, m := range ms {
		cms[i] = store.CycleMember{MemberID: m.ID, TeamID: &teamID}
		rows[i] = store.Result{MemberID: m.ID, FinalScore: scores[i], Rank: i + 1, State: store.ResultPublished, IndicatorScores: "{}", Parts: "{}", Adjustments: `{"applied":[],"missing":[]}`}
	}
	_, _, err = st.CreateCycle(ctx, cy, cms)
	require.NoError(t, err)
	require.NoError(t, st.SaveResults(ctx, cy.ID, rows))

	u.signIn(admin)
	u.do(chromedp.Navigate(u.base+"/#/builder/from/cs-ops-monthly/1"), visible("#b-hist"))
	require.Contains(t, u.text("#b-hist h3"), "2026-09")
	hist := func() string { return u.eval(`document.querySelector('#b-hist svg').getAttribute('aria-label')`) }
	require.Contains(t, hist(), "S 2, A 2, B 3, C 3")
	require.Equal(t, "broken", u.eval(`document.querySelector('#b-hist-limits li[data-grades="S"]').className`))
	// S from 93: the 92 becomes an A, and S keeps within its 10%.
	u.do(setText("#f-grades-0-min", "93"), setText("#f-grades-1-max", "93"))
	u.waitJS(`document.querySelector('#b-hist svg').getAttribute('aria-label').includes('S 1, A 3, B 3, C 3')`)
	require.Equal(t, "ok", u.eval(`document.querySelector('#b-hist-limits li[data-grades="S"]').className`))
	require.Contains(t, u.text(`#b-hist-limits li[data-grades="S"]`), "S: 1 of 10 members")

	// The 试算 panel is mounted in the builder and backtests the builder's
	// draft on the team's recorded month.
	u.do(visible("#bt-panel"))
	u.waitJS(`!document.querySelector('#bt-run').disabled`)
	require.Equal(t, teamID, u.eval(`document.querySelector('#bt-team').value`))
	u.do(chromedp.Click(chromedp.CSS("#bt-run")))
	u.waitJS(`document.querySelector('#bt-result').textContent.trim() !== '' || document.querySelector('#bt-error').textContent.trim() !== ''`)
	require.Empty(t, u.text("#bt-error"))
	require.Contains(t, u.text("#bt-result"), "2026-09")
}
