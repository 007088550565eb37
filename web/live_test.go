package web_test

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/perfloop/perfloop/demo"
	"github.com/perfloop/perfloop/store"
)

// TestManagerWatchesTargetsAgainstPaceNudgesPendingPeopleAndCancelsOnlyAfterConfirming:
// while the team executes, the manager's dashboard shows the stage stepper,
// words that fit the stage and every member's targets against pace; in an
// evaluation, everyone pending is listed with a nudge that reaches them;
// cancelling asks first, and "keep" keeps the cycle running.
func TestManagerWatchesTargetsAgainstPaceNudgesPendingPeopleAndCancelsOnlyAfterConfirming(t *testing.T) {
	u := startUI(t)
	manager := u.user("manager", "cs")
	var staff []demo.User
	for _, d := range u.stack.Users {
		if d.Team == "cs" && d.Role == "employee" {
			staff = append(staff, d)
		}
	}
	// This month's cycle in real time stays in execute for the test's life.
	status, out := u.apiPost(manager.Token, "/cycles", map[string]any{"templateKey": "cs-ops-monthly", "teamId": u.teamID(manager, "cs"), "period": time.Now().Format("2006-01")})
	require.Equal(t, http.StatusCreated, status, out)
	executing := out["id"].(string)
	var cy struct {
		Progress *struct {
			StageType string `json:"stageType"`
		} `json:"progress"`
	}
	require.Eventually(t, func() bool {
		u.apiGet(manager.Token, "/cycles/"+executing, &cy)
		return cy.Progress != nil && cy.Progress.StageType == "execute"
	}, step, 200*time.Millisecond)
	// Two members' targets, one behind pace (nothing done yet) and one ahead.
	var rows []store.Target
	for i, d := range staff[:2] {
		var me struct {
			ID string `json:"id"`
		}
		u.apiGet(d.Token, "/me", &me)
		id := me.ID
		rows = append(rows, store.Target{MemberID: &id, MemberKey: id, IndicatorKey: "satisfaction", Period: time.Now().Format("2006-01"), Value: float64(90 + i), Unit: "%", Method: "fixed", Source: "test"})
	}
	require.NoError(t, u.stack.Store.UpsertTargets(t.Context(), executing, rows))

	u.signIn(manager)
	u.do(chromedp.Navigate(u.base+"/#/cycles/"+executing), visible("#stepper"))
	require.Equal(t, "execute", u.eval(`document.querySelector('#stepper li[aria-current="step"]').dataset.stage`))
	require.Equal(t, "5", u.eval(`String(document.querySelectorAll('#stepper li').length)`))
	require.Contains(t, u.text("#done"), "working to their targets")
	u.waitJS(`document.querySelectorAll('#team-targets tbody tr').length === 2`)
	for _, d := range staff[:2] {
		require.Contains(t, u.text("#team-targets"), d.Name)
	}
	require.Equal(t, "2", u.eval(`String(document.querySelectorAll('#team-targets .progress.pace').length)`))
	u.screenshot("dashboard-live-execute")

	// An evaluation of another month: everyone with an open task is pending, late or not.
	evaluating := u.csCycle(manager)
	u.do(chromedp.Navigate(u.base+"/#/cycles/"+evaluating), visible("#pending-people"))
	require.Equal(t, "evaluate", u.eval(`document.querySelector('#stepper li[aria-current="step"]').dataset.stage`))
	require.Equal(t, "true", u.eval(`String([...document.querySelectorAll('#stepper li')].slice(0, 1).every(li => li.classList.contains('done')))`), "execute is behind it")
	u.waitJS(fmt.Sprintf(`document.querySelectorAll('#pending-people li').length === %d`, len(staff)+1))
	target := staff[0]
	var me struct {
		ID string `json:"id"`
	}
	u.apiGet(target.Token, "/me", &me)
	nudge := fmt.Sprintf(`#pending-people button.nudge[data-member=%q]`, me.ID)
	u.do(chromedp.Click(chromedp.CSS(nudge)))
	u.waitJS(fmt.Sprintf(`document.querySelector('%s').textContent.includes('Nudged')`, nudge))
	var notes struct {
		Items []struct {
			Kind    string `json:"kind"`
			Subject string `json:"subject"`
		} `json:"items"`
	}
	u.apiGet(target.Token, "/notifications", &notes)
	reminders := 0
	for _, n := range notes.Items {
		if n.Kind == "reminder" {
			reminders++
			require.Contains(t, n.Subject, "Please complete")
		}
	}
	require.Equal(t, 1, reminders, "the nudge reached them once")
	u.screenshot("dashboard-live-pending")

	// Cancel asks first; keeping the cycle changes nothing.
	u.do(chromedp.Click(chromedp.CSS("#cancel")), visible("#cancel-dialog #f-reason"))
	require.Contains(t, u.text("#cancel-dialog"), "nothing is deleted")
	u.screenshot("dashboard-cancel-confirm")
	u.do(chromedp.Click(chromedp.CSS("#cancel-submit")))
	u.waitJS(`document.querySelector('#cancel-dialog .summary a')`)
	u.do(chromedp.Click(chromedp.CSS("#cancel-keep")))
	require.Equal(t, "false", u.eval(`String(document.querySelector('#cancel-dialog').open)`))
	var state struct {
		State string `json:"state"`
	}
	u.apiGet(manager.Token, "/cycles/"+evaluating, &state)
	require.Equal(t, "running", state.State)
	u.do(chromedp.Click(chromedp.CSS("#cancel")), visible("#cancel-dialog #f-reason"), chromedp.SendKeys(chromedp.CSS("#f-reason"), "Launched for the wrong month"), chromedp.Click(chromedp.CSS("#cancel-submit")))
	require.Eventually(t, func() bool {
		u.apiGet(manager.Token, "/cycles/"+evaluating, &state)
		return state.State == "cancelled"
	}, step, 200*time.Millisecond)
}
