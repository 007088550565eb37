package web_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/stretchr/testify/require"

	"github.com/perfloop/perfloop/demo"
	"github.com/perfloop/perfloop/store"
)

// keepShot saves a screenshot in the artefacts and, when PERFLOOP_SHOTS
// names a directory, there too, for notes and reviews.
func (u *browserUI) keepShot(name string) {
	u.t.Helper()
	u.screenshot(name)
	if dir := os.Getenv("PERFLOOP_SHOTS"); dir != "" {
		png, err := os.ReadFile(filepath.Join(artefactDir(u.t, "screens"), name+".png"))
		require.NoError(u.t, err)
		require.NoError(u.t, os.MkdirAll(dir, 0o755))
		require.NoError(u.t, os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644))
	}
}

// managerRatings waits until the manager has a rating open for every cs
// employee and returns them by subject.
func (u *browserUI) managerRatings(manager demo.User) map[string]string {
	u.t.Helper()
	want := 0
	for _, d := range u.stack.Users {
		if d.Team == "cs" && d.Role == "employee" {
			want++
		}
	}
	out := map[string]string{}
	require.Eventually(u.t, func() bool {
		var inbox struct {
			Items []struct {
				ID, Kind, SubjectID string
			} `json:"items"`
		}
		u.apiGet(manager.Token, "/inbox?state=open&limit=200", &inbox)
		for _, x := range inbox.Items {
			if x.Kind == "manager_eval" {
				out[x.SubjectID] = x.ID
			}
		}
		return len(out) >= want
	}, step, 200*time.Millisecond)
	return out
}

// TestAManagerRatesTheWholeTeamOnOneGridSavingEachRowThroughItsTask: with
// several people to rate in one cycle, the inbox and the live view offer
// the team grid; each row shows the person's self-evaluation and targets
// beside a cell per field; a row saves on Enter through the task's own
// submit route, and focus moves on to the next person; a problem found in
// the browser or by the server is said at its cell in the reader's
// language; on a phone the rows are cards. In 中文 and English, at
// 1440×900 and 390×844, axe-core finds nothing serious.
func TestAManagerRatesTheWholeTeamOnOneGridSavingEachRowThroughItsTask(t *testing.T) {
	u := startUI(t)
	manager := u.user("manager", "cs")
	employee := u.user("employee", "cs")
	id := u.csCycle(manager)
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
	ratings := u.managerRatings(manager)
	grid := "#/rate/" + id + "/manager_eval"

	problems := u.tour([]tourStop{{"team-grid", manager, grid, "#team-grid tbody tr"}})
	require.Empty(t, problems, "\n"+strings.Join(problems, "\n"))

	// The inbox offers the grid, and so does the live view of the cycle.
	u.useLang("en")
	u.do(chromedp.Navigate(u.base+"/#/inbox"), visible("#grid-links a"))
	require.Contains(t, u.text("#grid-links a"), fmt.Sprintf("Rate all %d on one screen", len(ratings)))
	u.do(chromedp.Navigate(u.base+"/#/cycles/"+id), visible("#rate-team"))
	require.Contains(t, u.text("#rate-team"), fmt.Sprintf("%d to rate", len(ratings)))
	u.do(chromedp.Click(chromedp.CSS("#rate-team")), visible("#team-grid tbody tr"))
	require.Equal(t, grid, u.eval(`location.hash`))
	require.Equal(t, fmt.Sprint(len(ratings)), u.eval(`String(document.querySelectorAll('#team-grid tbody tr').length)`))

	// A row shows what the person said of themselves and their targets.
	row := fmt.Sprintf(`#team-grid tr[data-member=%q]`, me.ID)
	ctx := u.text(row + " td.ctx")
	require.Contains(t, ctx, "Covered the night shift twice")
	require.Contains(t, ctx, "self 5")
	require.Contains(t, ctx, "0 of 92")
	require.Equal(t, "1", u.eval(`String(document.querySelectorAll('`+row+` td.ctx .progress.pace').length)`))
	// A cell is named by its column and its person.
	cell := fmt.Sprintf("#g-%s-scores-collaboration", ratings[me.ID])
	label := u.eval(`(() => { const el = document.querySelector('` + cell + `'); return el.getAttribute('aria-labelledby').split(' ').map((i) => document.getElementById(i).textContent).join(' | '); })()`)
	require.Equal(t, "Teamwork | "+employee.Name, label)

	// The browser's check, at the cell, in English then in Chinese.
	u.do(chromedp.SendKeys(chromedp.CSS(cell), "9"), chromedp.KeyEvent(kb.Enter))
	u.waitJS(`document.querySelector('` + cell + `-err').textContent.includes('at most 5')`)
	require.Equal(t, "true", u.eval(`document.querySelector('`+cell+`').getAttribute('aria-invalid')`))
	require.Contains(t, u.text(fmt.Sprintf("#g-%s-scores-serviceAttitude-err", ratings[me.ID])), "required")
	u.useLang("zh")
	u.do(visible(cell))
	require.Equal(t, "9", u.eval(`document.querySelector('`+cell+`').value`), "a row's draft survives a reload")
	u.do(chromedp.Focus(chromedp.CSS(cell)), chromedp.KeyEvent(kb.Enter))
	u.waitJS(`document.querySelector('` + cell + `-err').textContent.includes('不能大于 5')`)

	// The server's check, at the cell, in Chinese: the task's scale changed after the page was drawn.
	var task store.Task
	require.NoError(t, u.stack.Store.DB.Where("id = ?", ratings[me.ID]).Take(&task).Error)
	var payload map[string]any
	require.NoError(t, json.Unmarshal([]byte(task.Payload), &payload))
	payload["scale"] = map[string]any{"min": 1, "max": 3}
	raw, err := json.Marshal(payload)
	require.NoError(t, err)
	require.NoError(t, u.stack.Store.DB.Model(&store.Task{}).Where("id = ?", task.ID).Update("payload", string(raw)).Error)
	u.do(setText(cell, "4"), setText(fmt.Sprintf("#g-%s-scores-serviceAttitude", ratings[me.ID]), "2"), chromedp.Focus(chromedp.CSS(cell)), chromedp.KeyEvent(kb.Enter))
	u.waitJS(`document.querySelector('` + cell + `-err').textContent.includes('值 4 不在 1–3 之间')`)
	require.NotContains(t, u.text(cell+"-err"), "must be", "no English in the Chinese UI")
	require.Equal(t, "open", u.taskState(manager, task.ID))

	// A good row saves on Enter through the task's route; focus goes on to the next person.
	other := ""
	for subject, tid := range ratings {
		if subject != me.ID {
			other = tid
			break
		}
	}
	u.do(setText("#g-"+other+"-scores-collaboration", "4"), setText("#g-"+other+"-scores-serviceAttitude", "3"), setText("#g-"+other+"-comment", "Steady month"),
		chromedp.Focus(chromedp.CSS("#g-"+other+"-scores-collaboration")), chromedp.KeyEvent(kb.Enter))
	u.waitJS(`document.querySelector('#g-` + other + `').classList.contains('saved')`)
	require.Contains(t, u.text("#grid-status"), fmt.Sprintf("还有 %d 人待评", len(ratings)-1))
	require.Equal(t, "true", u.eval(`String(!!document.activeElement.closest('#team-grid tbody tr:not(.saved)') && document.activeElement.tagName === 'INPUT')`), "focus moves on to someone still to rate")
	var saved struct {
		State string `json:"state"`
	}
	u.apiGet(manager.Token, "/tasks/"+other, &saved)
	require.Equal(t, "submitted", saved.State)
	u.keepShot("i16-team-grid-zh-desktop")

	// Someone else closing a row's task meanwhile is said in Chinese on the row.
	third := ""
	for subject, tid := range ratings {
		if subject != me.ID && tid != other {
			third = tid
			break
		}
	}
	status, out := u.apiPost(manager.Token, "/tasks/"+third+"/submit", map[string]any{"scores": map[string]int{"collaboration": 3, "serviceAttitude": 3}})
	require.Equal(t, http.StatusOK, status, out)
	u.do(setText("#g-"+third+"-scores-collaboration", "2"), setText("#g-"+third+"-scores-serviceAttitude", "2"), chromedp.Click(chromedp.CSS("#g-"+third+" button.save")))
	u.waitJS(`document.querySelector('#g-` + third + `-err').textContent.includes('此任务已关闭')`)

	// On a phone the rows are cards: nothing wider than the screen.
	u.useViewport(viewports[1])
	u.do(chromedp.Reload(), visible("#team-grid tbody tr"))
	require.Equal(t, "block", u.eval(`getComputedStyle(document.querySelector('#team-grid tbody tr')).display`))
	require.Equal(t, "true", u.eval(`String(document.scrollingElement.scrollWidth <= 390)`))
	u.keepShot("i16-team-grid-zh-phone")
	u.useViewport(viewports[0])
	u.do(chromedp.Navigate("about:blank"))
}

// taskState reads a task's state as its assignee sees it.
func (u *browserUI) taskState(who demo.User, id string) string {
	u.t.Helper()
	var task struct {
		State string `json:"state"`
	}
	u.apiGet(who.Token, "/tasks/"+id, &task)
	return task.State
}
