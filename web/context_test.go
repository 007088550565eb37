package web_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/perfloop/perfloop/engine"
	"github.com/perfloop/perfloop/store"
)

// TestAManagerRatesWithTheSelfEvaluationAndTargetsBesideAndMovesToTheNextPerson:
// the rating form shows what the member wrote about themselves and their
// targets against pace; once submitted, "Next person" opens the next
// rating of the cycle.
func TestAManagerRatesWithTheSelfEvaluationAndTargetsBesideAndMovesToTheNextPerson(t *testing.T) {
	u := startUI(t)
	manager := u.user("manager", "cs")
	id := u.csCycle(manager)
	employee := u.user("employee", "cs")
	var me struct {
		ID string `json:"id"`
	}
	u.apiGet(employee.Token, "/me", &me)
	for _, task := range u.openTasks(employee.Token) {
		if task.Kind == "self_eval" {
			status, out := u.apiPost(employee.Token, "/tasks/"+task.ID+"/submit", map[string]any{"scores": map[string]int{"collaboration": 4, "serviceAttitude": 5}, "comment": "Covered the night shift twice"})
			require.Equal(t, http.StatusOK, status, out)
		}
	}
	mid := me.ID
	require.NoError(t, u.stack.Store.UpsertTargets(t.Context(), id, []store.Target{{MemberID: &mid, MemberKey: mid, IndicatorKey: "satisfaction", Period: "2026-10", Value: 92, Unit: "%", Method: "fixed", Source: "test"}}))
	var inbox struct {
		Items []struct {
			ID        string `json:"id"`
			Kind      string `json:"kind"`
			SubjectID string `json:"subjectId"`
		} `json:"items"`
	}
	u.apiGet(manager.Token, "/inbox?state=open&limit=200", &inbox)
	rating := ""
	for _, x := range inbox.Items {
		if x.Kind == "manager_eval" && x.SubjectID == me.ID {
			rating = x.ID
		}
	}
	require.NotEmpty(t, rating)

	u.signIn(manager)
	u.do(chromedp.Navigate(u.base+"/#/task/"+rating), visible("#rating-context #self-eval"))
	ctx := u.text("#rating-context")
	require.Contains(t, ctx, employee.Name)
	require.Contains(t, ctx, "Covered the night shift twice")
	require.Contains(t, u.text("#subject-targets"), "0 of 92")
	require.Equal(t, "1", u.eval(`String(document.querySelectorAll('#subject-targets .progress.pace').length)`))
	u.screenshot("task-rating-context")

	u.do(chromedp.SendKeys(chromedp.CSS("#f-scores-collaboration"), "4"), chromedp.SendKeys(chromedp.CSS("#f-scores-serviceAttitude"), "4"), chromedp.Click(chromedp.CSS("#task-submit")), visible("#task-next"))
	require.Contains(t, u.text("#task-next"), "Next person")
	u.do(chromedp.Click(chromedp.CSS("#task-next")))
	u.waitJS(fmt.Sprintf(`location.hash.startsWith('#/task/') && !location.hash.endsWith(%q) && !!document.querySelector('#task-form')`, rating))
	var next struct {
		Kind      string `json:"kind"`
		CycleID   string `json:"cycleId"`
		SubjectID string `json:"subjectId"`
	}
	u.apiGet(manager.Token, "/tasks/"+u.eval(`location.hash.split('/')[2]`), &next)
	require.Equal(t, "manager_eval", next.Kind)
	require.Equal(t, id, next.CycleID)
	require.NotEqual(t, me.ID, next.SubjectID, "the next person is someone else")
	u.do(visible("#rating-context"))
	require.NotContains(t, u.text("#rating-context h2"), employee.Name)
}

// TestAMentorReviewsADevelopmentPlanSeeingWhyItExistsItsItemsAndCheckIns:
// the IDP review task shows the plan it decides on, not a blind form.
func TestAMentorReviewsADevelopmentPlanSeeingWhyItExistsItsItemsAndCheckIns(t *testing.T) {
	u := startUI(t)
	employee := u.user("employee", "cs")
	manager := u.user("manager", "cs")
	p := u.seedIDP(employee, manager, time.Now().AddDate(0, 0, 1),
		`[{"period":"2026-08","rank":9,"teamSize":9,"score":55},{"period":"2026-09","rank":8,"teamSize":9,"score":58}]`, "web-review-idp")
	status, out := u.apiPost(employee.Token, "/idps/"+p.ID+"/checkins", map[string]any{"note": "Shadowed a senior agent for a week"})
	require.Equal(t, http.StatusCreated, status, out)
	review, err := u.stack.Store.EnsureTask(context.Background(), &store.Task{OrgID: p.OrgID, CycleID: "c-seeded", WorkflowID: "idp-" + p.ID, StageKey: "idp:" + p.ID, Kind: engine.TaskIDPReview, AssigneeID: p.MentorID, SubjectID: &p.MemberID,
		Title: "评估个人发展计划", TitleEn: "Review the development plan", DueAt: time.Now().Add(24 * time.Hour), DedupeKey: "web-review-task"})
	require.NoError(t, err)

	u.signIn(manager)
	u.do(chromedp.Navigate(u.base+"/#/task/"+review.ID), visible("#idp-under-review"))
	require.Contains(t, u.text("#idp-why"), "2026-08")
	require.Contains(t, u.text("#idp-review-items"), "Complaint handling course")
	require.Contains(t, u.text("#idp-review-checkins"), "Shadowed a senior agent")
	u.do(visible("#f-outcome-0"))
	u.screenshot("task-idp-review")
}
