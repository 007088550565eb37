package web_test

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"
)

// shiftClock moves the page's clock so that "now" is at, then re-renders
// the inbox: relative due dates can be read at a known distance from the
// server's deadline.
func (u *browserUI) shiftClock(at time.Time) {
	u.t.Helper()
	u.do(chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`(() => {
		const Real = window.RealDate || Date; window.RealDate = Real;
		const shift = %d - Real.now();
		window.Date = class extends Real { constructor(...a) { super(...(a.length ? a : [Real.now() + shift])); } static now() { return Real.now() + shift; } };
		location.hash = '#/results';
	})()`, at.UnixMilli())))
	u.do(visible("#my-cycles"), chromedp.Evaluate[chromedp.Void](`location.hash = '#/inbox'`), visible("#inbox"))
}

// TestInboxRowsNameWhomEachTaskConcernsItsCycleAndStageAndWhenItIsDue: a
// manager's nine evaluations each name their member, the cycle and the
// template's stage (not its key), say in words when they are due or how
// late they are, in English and Chinese, and move to the Done tab once
// submitted.
func TestInboxRowsNameWhomEachTaskConcernsItsCycleAndStageAndWhenItIsDue(t *testing.T) {
	u := startUI(t)
	manager := u.user("manager", "cs")
	cycleID := u.csCycle(manager)
	var cycle struct {
		Title string `json:"title"`
	}
	u.apiGet(manager.Token, "/cycles/"+cycleID, &cycle)
	var want []string
	for _, d := range u.stack.Users {
		if d.Team == "cs" && d.Role == "employee" {
			want = append(want, d.Name)
		}
	}
	sort.Strings(want)
	require.Eventually(t, func() bool { return len(u.openTasks(manager.Token)) == len(want) }, step, 200*time.Millisecond)
	var task struct {
		ID    string    `json:"id"`
		DueAt time.Time `json:"dueAt"`
	}
	u.apiGet(manager.Token, "/tasks/"+u.openTasks(manager.Token)[0].ID, &task)

	u.signIn(manager)
	rows := `#inbox tr[data-kind="manager_eval"]`
	u.waitJS(fmt.Sprintf(`document.querySelectorAll('%s').length === %d`, rows, len(want)))
	var got []string
	require.NoError(t, json.Unmarshal([]byte(u.eval(fmt.Sprintf(`JSON.stringify([...document.querySelectorAll('%s td.subject')].map(td => td.textContent).sort())`, rows))), &got))
	require.Equal(t, want, got, "every row names the member it concerns")
	require.Equal(t, cycle.Title, u.text(rows+" td.cycle"))
	require.Equal(t, "Self and manager evaluation", u.text(rows+" td.stage"))
	require.Contains(t, u.text("#tab-todo"), fmt.Sprintf("To do (%d)", len(want)))

	u.shiftClock(task.DueAt.Add(-49 * time.Hour))
	due := fmt.Sprintf(`#inbox tr[data-task=%q] td.due .rel`, task.ID)
	require.Equal(t, "due in 2 days", u.text(due))
	u.screenshot("inbox-context-en")
	u.shiftClock(task.DueAt.Add(25 * time.Hour))
	require.Equal(t, "1 day overdue", u.text(due))

	u.do(chromedp.SetValue(chromedp.CSS("#lang"), "zh"), chromedp.Evaluate[chromedp.Void](`document.querySelector('#lang').dispatchEvent(new Event('change'))`))
	u.waitJS(fmt.Sprintf(`document.querySelector(%q) && document.querySelector(%q).textContent === '已逾期 1 天'`, due, due))
	require.Equal(t, "自评与上级评价", u.text(rows+" td.stage"))
	u.shiftClock(task.DueAt.Add(-49 * time.Hour))
	require.Equal(t, "2 天后截止", u.text(due))
	require.Contains(t, u.text("#tab-todo"), fmt.Sprintf("待办（%d）", len(want)))
	u.screenshot("inbox-context-zh")

	// A submitted task leaves 待办 for 已完成.
	status, body := u.apiPost(manager.Token, "/tasks/"+task.ID+"/submit", map[string]any{"scores": map[string]int{"collaboration": 4, "serviceAttitude": 4}})
	require.Equal(t, 200, status, body)
	u.waitJS(fmt.Sprintf(`document.querySelector('#tab-todo').textContent.includes('%d') && !document.querySelector('#inbox tr[data-task=%q]')`, len(want)-1, task.ID))
	u.do(chromedp.Click(chromedp.CSS("#tab-done")))
	u.waitJS(fmt.Sprintf(`document.querySelector('#inbox[data-tab="done"] tr[data-task=%q]')`, task.ID))
	require.Equal(t, "true", u.eval(`document.querySelector('#tab-done').getAttribute('aria-selected')`))
	require.False(t, strings.Contains(u.text("#inbox"), "evaluate"), "no raw stage keys")
}
