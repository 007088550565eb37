package web_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"
)

// TestManagerSendsAPlanBackAndTheEmployeeRevisesIt: the approver reads the
// plan on the approval page, cannot send it back without saying what to
// change, and does so; the employee finds a revision task in the inbox with
// the comment and the form already holding the first plan, changes it and
// submits; the manager's next approval shows the revision.
func TestManagerSendsAPlanBackAndTheEmployeeRevisesIt(t *testing.T) {
	u := startUI(t)
	manager := u.user("manager", "cs")
	employee := u.user("employee", "cs")

	// A template day lasts a minute: the plan stage stays open while the browser works.
	status, out := u.apiPost(manager.Token, "/cycles", map[string]any{"templateKey": "ops-assistant-monthly", "teamId": u.teamID(manager, "cs"), "period": "2026-10", "compress": 1440})
	require.Equal(t, http.StatusCreated, status, out)
	taskOf := func(token, kind string) string {
		id := ""
		require.Eventually(t, func() bool {
			for _, task := range u.openTasks(token) {
				if task.Kind == kind {
					id = task.ID
					return true
				}
			}
			return false
		}, step, 200*time.Millisecond, "no open %s task", kind)
		return id
	}
	status, out = u.apiPost(manager.Token, "/tasks/"+taskOf(manager.Token, "confirm_targets")+"/submit", map[string]any{"confirmed": true})
	require.Equal(t, http.StatusOK, status, out)
	status, out = u.apiPost(employee.Token, "/tasks/"+taskOf(employee.Token, "plan")+"/submit", map[string]any{"actions": "Two community events a day", "risks": "Event budget"})
	require.Equal(t, http.StatusOK, status, out)

	// The manager reads the plan before deciding.
	u.signIn(manager)
	u.waitJS(`document.querySelector('#inbox tr[data-kind="plan_approval"] a')`)
	u.do(chromedp.Click(chromedp.CSS(`#inbox tr[data-kind="plan_approval"] a`)), visible("#plan-under-review"))
	plan := u.text("#plan-under-review")
	require.Contains(t, plan, "Key actions and resources")
	require.Contains(t, plan, "Two community events a day")
	u.screenshot("plan-approval")
	// Sending it back needs a comment.
	u.do(chromedp.Click(chromedp.CSS(`input[name="/approved"][value="false"]`)), chromedp.Click(chromedp.CSS("#task-submit")))
	u.waitJS(`document.querySelector('#f-comment-err').textContent.includes('what to change')`)
	u.do(chromedp.SendKeys(chromedp.CSS("#f-comment"), "Add the sign-up channels and a weekly target"), chromedp.Click(chromedp.CSS("#task-submit")), visible("#task-done"))

	// The employee revises from the first plan, with the comment in view.
	u.signOut()
	u.signIn(employee)
	u.waitJS(`[...document.querySelectorAll('#inbox tr[data-kind="plan"] a')].some(a => a.textContent.includes('revision 1'))`)
	u.do(chromedp.Click(chromedp.CSS(`#inbox tr[data-kind="plan"] a`)), visible("#plan-review-comment"))
	require.Equal(t, "Add the sign-up channels and a weekly target", u.text("#plan-review-comment"))
	require.Contains(t, u.text(".alert.warn"), manager.Name)
	require.Equal(t, "Two community events a day", u.eval(`document.querySelector('#f-actions').value`))
	u.do(visible("#plan-prefilled"))
	u.screenshot("plan-revise")
	u.do(chromedp.SendKeys(chromedp.CSS("#f-actions"), "; WeCom sign-ups, 250 a week"), chromedp.Click(chromedp.CSS("#task-submit")), visible("#task-done"))

	// The manager's next approval is the revision.
	approval := taskOf(manager.Token, "plan_approval")
	var task struct {
		TitleEn string `json:"titleEn"`
		Context struct {
			Plan struct {
				Revision int               `json:"revision"`
				Data     map[string]string `json:"data"`
			} `json:"plan"`
		} `json:"context"`
	}
	u.apiGet(manager.Token, "/tasks/"+approval, &task)
	require.Equal(t, 1, task.Context.Plan.Revision)
	require.True(t, strings.HasSuffix(task.Context.Plan.Data["actions"], "250 a week"), task.Context.Plan.Data["actions"])
	require.Contains(t, task.TitleEn, "revision 1")
}
