package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/gin-gonic/gin"
	"github.com/stretchr/testify/require"

	"github.com/perfloop/perfloop/demo"
	"github.com/perfloop/perfloop/devstack"
	"github.com/perfloop/perfloop/web"
)

// step bounds every browser wait: nothing in these tests may hang a CI run.
const step = 60 * time.Second

// browserUI is the real product (dev stack) behind the UI, driven by headless Chromium.
type browserUI struct {
	t      *testing.T
	stack  *devstack.Stack
	base   string
	tab    context.Context
	mu     sync.Mutex
	errors []string
}

func chromiumPath(t *testing.T) string {
	if p := os.Getenv("PERFLOOP_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Skip("Chromium not found: install it (apt-get install -y chromium) or set PERFLOOP_CHROMIUM to its path; CI installs it")
	return ""
}

// startUI starts the dev stack and serves the UI from its own gin engine,
// proxying /api/ to the stack, so the test does not depend on the server
// wiring web.Register itself.
func startUI(t *testing.T) *browserUI {
	t.Helper()
	chromium := chromiumPath(t)
	ctx, cancel := context.WithTimeout(context.Background(), step)
	defer cancel()
	log := slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	stack, err := devstack.Start(ctx, devstack.Options{HTTPAddr: "127.0.0.1:0", Ephemeral: true, TaskQueue: "web-" + t.Name(), Log: log})
	require.NoError(t, err)
	t.Cleanup(func() {
		stopCtx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		stack.Stop(stopCtx)
	})

	target, err := url.Parse(stack.URL)
	require.NoError(t, err)
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	web.Register(r)
	r.Any("/api/*path", gin.WrapH(httputil.NewSingleHostReverseProxy(target)))
	srv := httptest.NewServer(r)
	t.Cleanup(srv.Close)

	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(chromium),
		chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("lang", "en-US"),
		chromedp.WindowSize(1280, 900),
	)
	t.Cleanup(cancelAlloc)
	tab, cancelTab := chromedp.NewContext(alloc)
	t.Cleanup(cancelTab)
	u := &browserUI{t: t, stack: stack, base: srv.URL, tab: tab}
	// The first run starts the browser, so it must not carry a timeout of its own.
	require.NoError(t, chromedp.Do(tab, chromedp.Navigate("about:blank")))
	messages := chromedp.Console(tab)
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			if m.Type == chromedp.ConsoleException || (m.Type == chromedp.ConsoleError && !strings.Contains(m.Text, "status of 4")) {
				u.mu.Lock()
				u.errors = append(u.errors, string(m.Type)+": "+m.Text)
				u.mu.Unlock()
			}
		}
	}()
	t.Cleanup(func() {
		if t.Failed() {
			u.screenshot("FAILED-" + t.Name())
		}
		// Leave the page first, so no poll is in flight when the stack stops.
		ctx, cancel := context.WithTimeout(u.tab, 5*time.Second)
		defer cancel()
		_ = chromedp.Do(ctx, chromedp.Navigate("about:blank"))
		u.mu.Lock()
		defer u.mu.Unlock()
		require.Empty(t, u.errors, "the page logged errors")
	})
	return u
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

// do runs browser steps with a bounded wait.
func (u *browserUI) do(steps ...chromedp.Action[chromedp.Void]) {
	u.t.Helper()
	ctx, cancel := context.WithTimeout(u.tab, step)
	defer cancel()
	require.NoError(u.t, chromedp.Do(ctx, steps...))
}

func (u *browserUI) eval(js string) string {
	u.t.Helper()
	ctx, cancel := context.WithTimeout(u.tab, step)
	defer cancel()
	out, err := chromedp.Run(ctx, chromedp.Evaluate[string](js))
	require.NoError(u.t, err, js)
	return out
}

func (u *browserUI) text(sel string) string {
	u.t.Helper()
	ctx, cancel := context.WithTimeout(u.tab, step)
	defer cancel()
	out, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel), chromedp.NodeVisible))
	require.NoError(u.t, err, sel)
	return out
}

// waitJS waits until a page expression is truthy.
func (u *browserUI) waitJS(js string) {
	u.t.Helper()
	u.do(chromedp.Poll[chromedp.Void](js, chromedp.WithPollingInterval(100*time.Millisecond), chromedp.WithPollingTimeout(step)))
}

func visible(sel string) chromedp.Action[chromedp.Void] {
	return chromedp.WaitVisible(chromedp.CSS(sel))
}

// setText replaces a field's text the way a paste does: one input event.
func setText(sel, value string) chromedp.Action[chromedp.Void] {
	s, _ := json.Marshal(sel)
	v, _ := json.Marshal(value)
	return chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`(() => { const el = document.querySelector(%s); el.value = %s; el.dispatchEvent(new Event('input', {bubbles: true})); el.dispatchEvent(new Event('change', {bubbles: true})); })()`, s, v))
}

func (u *browserUI) screenshot(name string) {
	u.t.Helper()
	dir := filepath.Join("testdata", "screenshots")
	require.NoError(u.t, os.MkdirAll(dir, 0o755))
	ctx, cancel := context.WithTimeout(u.tab, step)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	require.NoError(u.t, err)
	require.NoError(u.t, os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644))
}

func (u *browserUI) user(role, team string) demo.User {
	u.t.Helper()
	for _, d := range u.stack.Users {
		if d.Role == role && (team == "" || d.Team == team) {
			return d
		}
	}
	u.t.Fatalf("no demo user with role %s in team %q", role, team)
	return demo.User{}
}

// signIn opens the UI fresh (English, no stored token) and signs in with a token.
func (u *browserUI) signIn(who demo.User) {
	u.t.Helper()
	u.do(
		chromedp.Navigate(u.base+"/#/signin"),
		chromedp.Evaluate[chromedp.Void](`localStorage.clear(); localStorage.setItem('pl.lang', 'en')`),
		chromedp.Navigate(u.base+"/#/signin"),
		chromedp.Reload(),
		visible("#token"),
		setText("#token", who.Token),
		chromedp.Click(chromedp.CSS("#signin-submit")),
		visible("#me"),
	)
	require.Contains(u.t, u.text("#me"), who.Name)
}

func (u *browserUI) signOut() {
	u.t.Helper()
	u.do(chromedp.Click(chromedp.CSS("#signout")), visible("#token"))
}

func (u *browserUI) apiGet(token, path string, into any) {
	u.t.Helper()
	req, err := http.NewRequest(http.MethodGet, u.stack.URL+"/api/v1"+path, nil)
	require.NoError(u.t, err)
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	require.NoError(u.t, err)
	defer res.Body.Close()
	require.Equal(u.t, http.StatusOK, res.StatusCode, path)
	require.NoError(u.t, json.NewDecoder(res.Body).Decode(into))
}

// apiPost calls the stack directly, for the steps a test sets up rather than shows.
func (u *browserUI) apiPost(token, path string, body any) (int, map[string]any) {
	u.t.Helper()
	data, err := json.Marshal(body)
	require.NoError(u.t, err)
	req, err := http.NewRequest(http.MethodPost, u.stack.URL+"/api/v1"+path, strings.NewReader(string(data)))
	require.NoError(u.t, err)
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	require.NoError(u.t, err)
	defer res.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(res.Body).Decode(&out)
	return res.StatusCode, out
}

type taskRow struct {
	ID    string `json:"id"`
	Kind  string `json:"kind"`
	State string `json:"state"`
}

func (u *browserUI) openTasks(token string) []taskRow {
	var inbox struct {
		Items []taskRow `json:"items"`
	}
	u.apiGet(token, "/inbox?state=open&limit=200", &inbox)
	return inbox.Items
}

func TestEmployeeSignsInWithTokenAndSeesInbox(t *testing.T) {
	u := startUI(t)
	employee := u.user("employee", "cs")

	u.do(chromedp.Navigate(u.base+"/"), chromedp.Evaluate[chromedp.Void](`localStorage.setItem('pl.lang', 'en')`), chromedp.Reload(), visible("#token"))
	require.Contains(t, u.text("#token-hint"), "perfloop dev")
	u.screenshot("signin")

	// A wrong token is refused next to the field, and nothing is stored.
	u.do(setText("#token", "pfl_not-a-token"), chromedp.Click(chromedp.CSS("#signin-submit")))
	u.waitJS(`document.querySelector('#token-err').textContent.includes('not valid')`)
	require.Equal(t, "true", u.eval(`document.querySelector('#token').getAttribute('aria-invalid')`))
	require.Empty(t, u.eval(`localStorage.getItem('pl.token') || ''`))

	u.signIn(employee)
	u.do(visible("#inbox-empty"))
	require.Contains(t, u.text("h1"), "Inbox")
	require.Equal(t, employee.Token, u.eval(`localStorage.getItem('pl.token')`))
	require.Equal(t, "page", u.eval(`document.querySelector('[data-nav="inbox"]').getAttribute('aria-current')`))
	require.Equal(t, "0", u.eval(`String(document.querySelectorAll('[data-nav="cycles"], [data-nav="templates"]').length)`), "an employee sees no lead or admin pages")
	u.screenshot("inbox-empty")

	// The language switch relabels the page and is remembered.
	u.do(chromedp.SetValue(chromedp.CSS("#lang"), "zh"), chromedp.Evaluate[chromedp.Void](`document.querySelector('#lang').dispatchEvent(new Event('change'))`))
	u.waitJS(`document.querySelector('h1').textContent === '我的待办'`)
	u.do(chromedp.Reload(), visible("#inbox-empty"))
	require.Equal(t, "我的待办", u.text("h1"))
	require.Equal(t, "zh-CN", u.eval(`document.documentElement.lang`))
}

func TestManagerLaunchesCycleAndEmployeeCompletesSelfEvaluation(t *testing.T) {
	u := startUI(t)
	manager := u.user("manager", "cs")
	employee := u.user("employee", "cs")

	u.signIn(manager)
	u.do(chromedp.Click(chromedp.CSS(`[data-nav="cycles"]`)), visible("#launch"))
	teamID := u.eval(`[...document.querySelectorAll('#f-teamId option')].find(o => o.textContent.endsWith('(cs)')).value`)
	require.NotEmpty(t, teamID)

	// The form checks required fields before it asks the server.
	u.do(chromedp.Click(chromedp.CSS("#launch-submit")))
	u.waitJS(`document.querySelector('#f-templateKey-err').textContent !== ''`)

	u.do(
		chromedp.SetValue(chromedp.CSS("#f-templateKey"), "cs-ops-monthly@1"),
		chromedp.SetValue(chromedp.CSS("#f-teamId"), teamID),
		setText("#f-period", "2026-10"),
		setText("#f-compress", "8640"),
	)
	u.screenshot("launch-form")
	u.do(chromedp.Click(chromedp.CSS("#launch-submit")), visible("#dashboard #progress"))
	require.Contains(t, u.text("#dashboard h1"), "2026-10")
	// The dashboard refreshes itself while the cycle runs: the evaluation stage and its tasks appear.
	u.waitJS(`document.querySelector('#stage') && document.querySelector('#stage').textContent.includes('evaluation')`)
	u.waitJS(`document.querySelector('#task-counts') && document.querySelector('#task-counts').textContent.includes('Self-evaluation')`)
	require.Contains(t, u.text("#done"), "members done")
	u.do(visible("#cancel"))
	u.screenshot("cycle-dashboard")

	u.signOut()
	u.signIn(employee)
	u.waitJS(`document.querySelector('#inbox tr[data-kind="self_eval"] a')`)
	u.screenshot("inbox")
	u.do(chromedp.Click(chromedp.CSS(`#inbox tr[data-kind="self_eval"] a`)), visible("#task-form"))

	// Client-side validation mirrors the server: every indicator needs a score on the scale.
	u.do(setText("#f-scores-collaboration", "9"), chromedp.Click(chromedp.CSS("#task-submit")))
	u.waitJS(`document.querySelector('#f-scores-collaboration-err').textContent.includes('at most 5')`)
	require.Contains(t, u.text("#f-scores-serviceAttitude-err"), "required")
	require.Equal(t, "true", u.eval(`document.querySelector('#f-scores-serviceAttitude').getAttribute('aria-invalid')`))

	// A draft survives a reload.
	u.do(
		setText("#f-scores-collaboration", ""),
		chromedp.SendKeys(chromedp.CSS("#f-scores-collaboration"), "4"),
		chromedp.SendKeys(chromedp.CSS("#f-scores-serviceAttitude"), "5"),
		chromedp.SendKeys(chromedp.CSS("#f-comment"), "Handled the October peak well"),
	)
	u.waitJS(`(localStorage.getItem('pl.draft.' + location.hash.split('/')[2]) || '').includes('peak')`)
	u.do(chromedp.Reload(), visible("#task-draft"))
	require.Equal(t, "4", u.eval(`document.querySelector('#f-scores-collaboration').value`))
	require.Equal(t, "5", u.eval(`document.querySelector('#f-scores-serviceAttitude').value`))
	u.screenshot("task-self-evaluation")

	u.do(chromedp.Click(chromedp.CSS("#task-submit")), visible("#task-done"))
	taskID := u.eval(`location.hash.split('/')[2]`)
	require.Empty(t, u.eval(`localStorage.getItem('pl.draft.' + location.hash.split('/')[2]) || ''`), "a submitted task keeps no draft")
	u.screenshot("task-submitted")

	var task struct {
		State string `json:"state"`
	}
	u.apiGet(employee.Token, "/tasks/"+taskID, &task)
	require.Equal(t, "submitted", task.State)
}

func TestAdminFixesBrokenTemplateInEditorThenSavesAndPublishes(t *testing.T) {
	u := startUI(t)
	admin := u.user("admin", "")

	raw, err := os.ReadFile(filepath.Join("..", "templates", "builtin", "cs-ops-monthly.json"))
	require.NoError(t, err)
	good := strings.Replace(string(raw), `"key": "cs-ops-monthly"`, `"key": "ui-editor-test"`, 1)
	require.NotEqual(t, string(raw), good)
	broken := strings.Replace(good, `"duration": "P3D"`, `"duration": "3 days"`, 1)
	require.NotEqual(t, good, broken)
	wantLine := strings.Count(broken[:strings.Index(broken, `"duration": "3 days"`)], "\n") + 1

	u.signIn(admin)
	u.do(chromedp.Click(chromedp.CSS(`[data-nav="templates"]`)), visible("#templates"))
	require.Contains(t, u.text("#templates"), "cs-ops-monthly")
	u.screenshot("templates")
	u.do(chromedp.Click(chromedp.CSS("#tpl-new")), visible("#tpl-text"))

	// Broken JSON is caught in the browser with its line.
	u.do(setText("#tpl-text", "{\n  \"key\": \"ui-editor-test\",\n}"))
	u.waitJS(`document.querySelector('#tpl-errors').textContent.includes('JSON syntax error') && document.querySelector('#tpl-errors').textContent.includes('line 3')`)

	// A template the server rejects names the field, its line, and the fix.
	u.do(setText("#tpl-text", broken))
	u.waitJS(`document.querySelector('#tpl-errors li[data-path="/stages/1/duration"]')`)
	errText := u.text(`#tpl-errors li[data-path="/stages/1/duration"]`)
	require.Contains(t, errText, "ISO 8601 duration")
	require.Contains(t, errText, fmt.Sprintf("line %d", wantLine))
	u.do(chromedp.Click(chromedp.CSS(`#tpl-errors li[data-path="/stages/1/duration"] button`)))
	require.Contains(t, u.eval(`(() => { const a = document.querySelector('#tpl-text'); return a.value.slice(a.selectionStart, a.selectionEnd); })()`), `"duration": "3 days"`, "choosing the error selects its line")
	u.screenshot("template-editor-error")

	u.do(setText("#tpl-text", good))
	u.waitJS(`document.querySelector('#tpl-errors .alert.ok')`)
	u.do(chromedp.Click(chromedp.CSS("#tpl-save")), visible("#tpl-saved"))
	require.Contains(t, u.text("#tpl-saved"), "ui-editor-test v1")
	require.Contains(t, u.eval(`location.hash`), "#/templates/ui-editor-test/1")
	u.do(chromedp.Click(chromedp.CSS("#tpl-publish")), visible("#tpl-published"))
	u.screenshot("template-published")

	u.do(chromedp.Click(chromedp.CSS(`[data-nav="templates"]`)), visible(`#templates tr[data-key="ui-editor-test"]`))
	require.Contains(t, u.text(`#templates tr[data-key="ui-editor-test"]`), "Published")

	var list struct {
		Items []struct {
			Version int    `json:"version"`
			Status  string `json:"status"`
		} `json:"items"`
	}
	u.apiGet(admin.Token, "/templates?key=ui-editor-test", &list)
	require.Len(t, list.Items, 1)
	require.Equal(t, "published", list.Items[0].Status)
}

func TestCalibrationBoardMovesMembersByKeyboardAndShowsBrokenDistribution(t *testing.T) {
	u := startUI(t)
	manager := u.user("manager", "cs")
	hrbp := u.user("hrbp", "")
	var teams struct {
		Items []struct {
			ID  string `json:"id"`
			Key string `json:"key"`
		} `json:"items"`
	}
	u.apiGet(manager.Token, "/teams", &teams)
	teamID := ""
	for _, tm := range teams.Items {
		if tm.Key == "cs" {
			teamID = tm.ID
		}
	}
	status, cy := u.apiPost(manager.Token, "/cycles", map[string]any{"templateKey": "cs-ops-monthly", "teamId": teamID, "period": "2026-10", "compress": 8640})
	require.Equal(t, http.StatusCreated, status, cy)

	// Everyone rates quickly through the API, so the cycle reaches calibration.
	raters := []demo.User{manager}
	for _, d := range u.stack.Users {
		if d.Team == "cs" && d.Role == "employee" {
			raters = append(raters, d)
		}
	}
	require.Eventually(t, func() bool { return len(u.openTasks(manager.Token)) == len(raters)-1 }, step, 200*time.Millisecond)
	for _, r := range raters {
		require.Eventually(t, func() bool { return len(u.openTasks(r.Token)) > 0 }, step, 200*time.Millisecond)
		for i, task := range u.openTasks(r.Token) {
			score := 1 + i%5
			status, body := u.apiPost(r.Token, "/tasks/"+task.ID+"/submit", map[string]any{"scores": map[string]int{"collaboration": score, "serviceAttitude": score}})
			require.Equal(t, http.StatusOK, status, body)
		}
	}

	u.signIn(hrbp)
	u.waitJS(`document.querySelector('#inbox tr[data-kind="calibration"] a')`)
	u.do(chromedp.Click(chromedp.CSS(`#inbox tr[data-kind="calibration"] a`)), visible("#calibration .mcard"))
	// Arrow keys move the focused card; focus follows it to its new column.
	toS := func() string {
		member := u.eval(`document.querySelector('.col[data-grade="C"] .mcard').dataset.member`)
		u.do(chromedp.SendKeys(chromedp.CSS(fmt.Sprintf(`[data-member=%q] .who`, member)), kb.ArrowLeft))
		u.waitJS(fmt.Sprintf(`document.querySelector('.col[data-grade="B"] [data-member=%q]')`, member))
		u.do(chromedp.KeyEvent(kb.ArrowLeft), chromedp.KeyEvent(kb.ArrowLeft))
		u.waitJS(fmt.Sprintf(`document.querySelector('.col[data-grade="S"] [data-member=%q]') && document.activeElement.closest('[data-member=%q]')`, member, member))
		return member
	}
	first := toS()
	require.Contains(t, u.text("#cal-limits"), "S: 1 of 9 members")
	second := toS()
	require.Contains(t, u.text("#cal-submit"), "2 changes")
	require.Contains(t, u.text("#cal-limits"), "S: 2 of 9 members (22.2%), at most 1 allowed (10%) — 1 over", "the board previews the server's rule")

	// A move without a reason is stopped in the browser, next to the card.
	u.do(chromedp.SendKeys(chromedp.CSS("#reason-"+first), "Led the October peak"), chromedp.Click(chromedp.CSS("#cal-submit")))
	u.waitJS(fmt.Sprintf(`document.querySelector('#reason-%s-err').textContent.includes('reason')`, second))
	require.Empty(t, u.eval(fmt.Sprintf(`document.querySelector('#reason-%s-err').textContent`, first)))

	// The server's verdict on the forced distribution is shown prominently.
	u.do(chromedp.SendKeys(chromedp.CSS("#reason-"+second), "Top customer rating"), chromedp.Click(chromedp.CSS("#cal-submit")), visible("#cal-error"))
	require.Contains(t, u.text("#cal-error"), "S: 2 of 9 members (22.2%), at most 1 allowed (10%) — 1 over")
	require.Equal(t, "alert", u.eval(`document.querySelector('#cal-error').getAttribute('role')`))
	u.screenshot("calibration-board")

	u.do(chromedp.Click(chromedp.CSS(fmt.Sprintf(`[data-member=%q] .moves button:last-child`, second))))
	u.waitJS(fmt.Sprintf(`document.querySelector('.col[data-grade="A"] [data-member=%q]')`, second))
	u.do(chromedp.Click(chromedp.CSS("#cal-submit")), visible("#task-done"))

	// Results are published: the employee sees their breakdown and acknowledges it.
	employee := raters[1]
	u.signIn(employee)
	u.waitJS(`document.querySelector('#inbox tr[data-kind="acknowledge"] a')`)
	u.do(chromedp.Click(chromedp.CSS(`#inbox tr[data-kind="acknowledge"] a`)), visible("#task-form"), visible(".breakdown .final-score"))
	u.do(chromedp.Click(chromedp.CSS("#f-decision-1")), chromedp.Click(chromedp.CSS("#task-submit")))
	u.waitJS(`document.querySelector('#f-comment-err').textContent.includes('appeal')`)
	u.screenshot("task-acknowledge")
	u.do(chromedp.Click(chromedp.CSS("#f-decision-0")), chromedp.Click(chromedp.CSS("#task-submit")), visible("#task-done"))

	u.do(chromedp.Click(chromedp.CSS(`[data-nav="results"]`)), visible("#my-cycles a"), chromedp.Click(chromedp.CSS("#my-cycles a")), visible("#my-result .final-score"))
	require.Contains(t, u.text("#my-result"), "Teamwork", "indicators are named from the template")
	u.screenshot("my-result")
}
