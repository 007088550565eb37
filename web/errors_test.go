package web_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"
)

// TestServerErrorsAreSaidInTheReadersLanguageFromTheirCodeAndDetails: the
// server words its errors in English and says as data why and what each
// field expected; the Chinese UI says all of it in Chinese — a field's
// range at the field, a duplicate cycle, what was not found, a refusal —
// and the English UI keeps the server's words. At both sizes, in both
// languages, the form with its errors passes axe.
func TestServerErrorsAreSaidInTheReadersLanguageFromTheirCodeAndDetails(t *testing.T) {
	u := startUI(t)
	axe := axeSource(t)
	manager := u.user("manager", "cs")
	employee := u.user("employee", "cs")
	teamID := u.teamID(manager, "cs")
	status, out := u.apiPost(manager.Token, "/cycles", map[string]any{"templateKey": "cs-ops-monthly", "teamId": teamID, "period": "2026-10", "compress": 1440})
	require.Equal(t, http.StatusCreated, status, out)
	cycleID := out["id"].(string)

	u.signIn(manager)
	want := map[string]struct{ field, summary, duplicate, notFound string }{
		"zh": {"值 3000-01 不在 1970–2999 之间", "周期 *: 值 3000-01 不在 1970–2999 之间", "这个团队在该期间已有同一模板的考核", "加载失败：找不到任务。"},
		"en": {"the year must be between 1970 and 2999", "Period *: period does not match", "already exists", "Could not load: get task no-such-task: not found"},
	}
	var problems []string
	for _, lang := range []string{"zh", "en"} {
		w := want[lang]
		for _, v := range viewports {
			u.useViewport(v)
			u.do(chromedp.Navigate(u.base + "/#/cycles"))
			u.useLang(lang)
			u.do(visible("#launch #f-period"),
				chromedp.SetValue(chromedp.CSS("#f-templateKey"), "cs-ops-monthly@1"),
				chromedp.SetValue(chromedp.CSS("#f-teamId"), teamID),
				setText("#f-period", "3000-01"),
				chromedp.Click(chromedp.CSS("#launch-submit")))
			// A field's problem, at the field and in the summary that links to it.
			u.waitJS(`document.querySelector('#f-period-err').textContent !== ''`)
			require.Contains(t, u.text("#f-period-err"), w.field, lang)
			require.Contains(t, u.text("#launch .alert.bad"), w.summary, lang)
			require.Equal(t, "true", u.eval(`document.querySelector('#f-period').getAttribute('aria-invalid')`))
			if lang == "zh" {
				require.NotContains(t, u.text("#launch .alert.bad"), "between", "no English in the Chinese UI")
			}
			c := u.checkScreen(axe, fmt.Sprintf("launch-errors-%s-%s", lang, v.name), v.mobile)
			for _, x := range c.Violations {
				problems = append(problems, fmt.Sprintf("%s %s: axe %s (%s) %s: %s", lang, v.name, x.ID, x.Impact, x.Help, strings.Join(x.Nodes, " | ")))
			}
			if c.ScrollWidth > c.InnerWidth || int64(c.ScrollWidth) > v.width {
				problems = append(problems, fmt.Sprintf("%s %s: page is %d px wide", lang, v.name, c.ScrollWidth))
			}
			if v.name == "desktop" && lang == "zh" {
				u.keepShot("i16-error-field-zh-desktop")
			}

			// A duplicate cycle, refused on confirming: its reason, not the server's English.
			u.do(setText("#f-period", "2026-10"), chromedp.Click(chromedp.CSS("#launch-submit")), visible("#launch-confirm"), chromedp.Click(chromedp.CSS("#launch-confirm")))
			u.waitJS(`[...document.querySelectorAll('#launch .alert.bad')].some((a) => a.textContent.includes(` + jsString(w.duplicate) + `))`)
			if lang == "zh" {
				require.NotContains(t, u.text("#launch .alert.bad"), "conflict")
			}

			// What was not found.
			u.do(chromedp.Navigate(u.base + "/#/task/no-such-task"))
			u.waitJS(`location.hash === '#/task/no-such-task' && !document.querySelector('#launch') && !!document.querySelector('#main .alert.bad')`)
			require.Contains(t, u.text("#main .alert.bad"), w.notFound)
		}
	}
	require.Empty(t, problems, "\n"+strings.Join(problems, "\n"))
	u.useViewport(viewports[0])

	// A refusal: an employee asking for someone else's targets.
	var boss struct {
		ID string `json:"id"`
	}
	u.apiGet(manager.Token, "/me", &boss)
	u.signIn(employee)
	apiJS := `import(performance.getEntriesByType('resource').map((e) => e.name).find((n) => n.includes('/ui/api.js')))`
	forbidden := fmt.Sprintf(`%s.then((m) => m.get('/cycles/%s/targets/progress?memberId=%s')).then(() => 'no error', (e) => e.status + ' ' + e.message)`, apiJS, cycleID, boss.ID)
	require.Contains(t, u.evalAsync(forbidden), "403 members of a cycle see their own targets")
	u.useLang("zh")
	u.do(visible("#inbox-box"))
	require.Equal(t, "403 没有权限：你的角色不能执行此操作。", u.evalAsync(forbidden))
	// A closed task, refused: its reason in Chinese.
	var self string
	for _, task := range u.openTasks(employee.Token) {
		if task.Kind == "self_eval" {
			self = task.ID
		}
	}
	require.NotEmpty(t, self)
	body := map[string]any{"scores": map[string]int{"collaboration": 4, "serviceAttitude": 4}}
	status, out = u.apiPost(employee.Token, "/tasks/"+self+"/submit", body)
	require.Equal(t, http.StatusOK, status, out)
	closed := fmt.Sprintf(`%s.then((m) => m.api('POST', '/tasks/%s/submit', {scores: {collaboration: 4, serviceAttitude: 4}})).then(() => 'no error', (e) => e.status + ' ' + e.message)`, apiJS, self)
	require.Equal(t, "409 此任务已关闭（已提交、过期或已取消），不能再提交。", u.evalAsync(closed))
}
