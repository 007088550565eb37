package web_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"
)

// TestAnEmployeeFilesAWeeklyReportAndTheManagerReadsItOnTheDashboard: a
// cycle for next month (a template day lasting two seconds) reaches its
// execute stage; the employee opens the weekly report from the inbox and
// files it; the manager's dashboard names the round, counts the reports
// in and opens one to what was written, labelled as the form says.
func TestAnEmployeeFilesAWeeklyReportAndTheManagerReadsItOnTheDashboard(t *testing.T) {
	u := startUI(t)
	manager := u.user("manager", "cs")
	employee := u.user("employee", "cs")
	now := time.Now().In(time.FixedZone("CST", 8*3600))
	next := time.Date(now.Year(), now.Month()+1, 1, 0, 0, 0, 0, now.Location()).Format("2006-01")
	status, out := u.apiPost(manager.Token, "/cycles", map[string]any{"templateKey": "ops-assistant-monthly", "teamId": u.teamID(manager, "cs"), "period": next, "compress": 43200})
	require.Equal(t, http.StatusCreated, status, out)
	id := out["id"].(string)
	var confirm string
	require.Eventually(t, func() bool {
		for _, task := range u.openTasks(manager.Token) {
			if task.Kind == "confirm_targets" {
				confirm = task.ID
			}
		}
		return confirm != ""
	}, step, 200*time.Millisecond)
	status, out = u.apiPost(manager.Token, "/tasks/"+confirm+"/submit", map[string]any{"confirmed": true})
	require.Equal(t, http.StatusOK, status, out)

	u.signIn(employee)
	u.waitJS(`document.querySelector('#inbox tr[data-kind="report"] a')`)
	require.Contains(t, u.text(`#inbox tr[data-kind="report"]`), "Weekly report 1")
	u.do(chromedp.Click(chromedp.CSS(`#inbox tr[data-kind="report"] a`)), visible("#task-form"))
	require.Contains(t, u.text("#task-form"), "Key actions and results this week")
	u.do(chromedp.Click(chromedp.CSS("#task-submit")))
	u.waitJS(`document.querySelector('#f-done-err').textContent !== ''`)
	u.do(chromedp.SendKeys(chromedp.CSS("#f-done"), "Two community events, 260 sign-ups"), chromedp.SendKeys(chromedp.CSS("#f-next"), "WeCom campaign"))
	u.screenshot("report-form")
	u.do(chromedp.Click(chromedp.CSS("#task-submit")), visible("#task-done"))

	u.signOut()
	u.signIn(manager)
	u.do(chromedp.Navigate(u.base+"/#/cycles/"+id), visible("#reports"))
	round := `#reports .round[data-stage="execute#report-1"]`
	u.waitJS(`document.querySelector('` + round + `') && document.querySelector('` + round + ` details')`)
	head := u.text(round + " h3")
	require.Contains(t, head, "Weekly report · Round 1")
	require.True(t, strings.Contains(head, "1 of "), head)
	u.do(chromedp.Click(chromedp.CSS(round + " details summary")))
	u.waitJS(`document.querySelector('` + round + ` details[open] dl')`)
	text := u.text(round + " details")
	require.Contains(t, text, "Key actions and results this week")
	require.Contains(t, text, "Two community events, 260 sign-ups")
	require.Contains(t, u.text("#stage-completion"), "Weekly report · Round 1")
	u.screenshot("dashboard-reports")
}
