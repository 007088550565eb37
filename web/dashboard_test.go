package web_test

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/perfloop/perfloop/demo"
	"github.com/perfloop/perfloop/store"
)

// teamID finds a team's id by its key, as who sees it.
func (u *browserUI) teamID(who demo.User, key string) string {
	u.t.Helper()
	var teams struct {
		Items []struct {
			ID  string `json:"id"`
			Key string `json:"key"`
		} `json:"items"`
	}
	u.apiGet(who.Token, "/teams", &teams)
	for _, tm := range teams.Items {
		if tm.Key == key {
			return tm.ID
		}
	}
	u.t.Fatalf("%s sees no team %q", who.Name, key)
	return ""
}

// csCycle launches cs-ops-monthly for the cs team over the API (a template
// day lasting a minute) and returns its id once every cs employee has a
// self-evaluation open.
func (u *browserUI) csCycle(manager demo.User) string {
	u.t.Helper()
	status, out := u.apiPost(manager.Token, "/cycles", map[string]any{"templateKey": "cs-ops-monthly", "teamId": u.teamID(manager, "cs"), "period": "2026-10", "compress": 1440})
	require.Equal(u.t, http.StatusCreated, status, out)
	for _, d := range u.stack.Users {
		if d.Team == "cs" && d.Role == "employee" {
			require.Eventually(u.t, func() bool {
				for _, task := range u.openTasks(d.Token) {
					if task.Kind == "self_eval" {
						return true
					}
				}
				return false
			}, step, 200*time.Millisecond, "%s has no self-evaluation", d.Name)
		}
	}
	return out["id"].(string)
}

// TestManagerRemindsOverduePeopleAndUploadsMetricsFromTheDashboard: the
// dashboard lists who is overdue and "Remind now" reaches them (each gets
// an in-app reminder); a metrics file with an unknown e-mail is refused
// row by row with nothing imported, and the corrected file imports with
// progress shown.
func TestManagerRemindsOverduePeopleAndUploadsMetricsFromTheDashboard(t *testing.T) {
	u := startUI(t)
	manager := u.user("manager", "cs")
	id := u.csCycle(manager)
	var staff []demo.User
	for _, d := range u.stack.Users {
		if d.Team == "cs" && d.Role == "employee" {
			staff = append(staff, d)
		}
	}
	require.GreaterOrEqual(t, len(staff), 2)
	late := staff[:2]
	// Two self-evaluations fall overdue (the deadline moved into the past).
	for _, d := range late {
		for _, task := range u.openTasks(d.Token) {
			if task.Kind == "self_eval" {
				require.NoError(t, u.stack.Store.DB.Model(&store.Task{}).Where("id = ?", task.ID).Update("due_at", time.Now().Add(-2*time.Hour).UTC()).Error)
			}
		}
	}

	u.signIn(manager)
	u.do(chromedp.Navigate(u.base+"/#/cycles/"+id), visible("#overdue"))
	u.waitJS(`document.querySelectorAll('#overdue-people li').length === 2`)
	for _, d := range late {
		require.Contains(t, u.text("#overdue-people"), d.Name)
	}
	u.screenshot("dashboard-overdue")
	u.do(chromedp.Click(chromedp.CSS("#remind-now")))
	u.waitJS(`document.querySelector('#remind-result').textContent.includes('Reminded 2')`)
	for _, d := range late {
		var notes struct {
			Items []struct {
				Kind string `json:"kind"`
			} `json:"items"`
		}
		u.apiGet(d.Token, "/notifications", &notes)
		kinds := map[string]int{}
		for _, n := range notes.Items {
			kinds[n.Kind]++
		}
		require.Equal(t, 1, kinds["reminder"], "%s is reminded once: %v", d.Name, kinds)
	}

	// Metrics: a file naming nobody is refused row by row, and nothing is imported.
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.csv")
	good := filepath.Join(dir, "good.csv")
	var rows strings.Builder
	rows.WriteString("email,name,satisfaction,responseTime\n")
	for i, d := range staff {
		fmt.Fprintf(&rows, "%s,%s,%d,%.1f\n", d.Email, d.Name, 90+i, 4.0+float64(i)/10)
	}
	require.NoError(t, os.WriteFile(good, []byte(rows.String()), 0o644))
	require.NoError(t, os.WriteFile(bad, []byte(rows.String()+"nobody@example.com,Nobody,88,5\n"), 0o644))
	u.do(chromedp.SetUploadFiles(chromedp.CSS("#metrics-file"), []string{bad}), chromedp.Click(chromedp.CSS("#metrics-upload")))
	u.waitJS(`document.querySelector('#metrics-general .alert.bad') && document.querySelector('#metrics-general').textContent.includes('no member has this email')`)
	require.Contains(t, u.text("#metrics-general"), "nobody@example.com")
	var values []store.MetricValue
	require.NoError(t, u.stack.Store.DB.Where("period = ?", "2026-10").Find(&values).Error)
	before := len(values)

	u.do(chromedp.SetUploadFiles(chromedp.CSS("#metrics-file"), []string{good}), chromedp.Click(chromedp.CSS("#metrics-upload")))
	u.waitJS(`document.querySelector('#metrics-general .alert.ok')`)
	require.Contains(t, u.text("#metrics-general"), "Imported:")
	u.screenshot("dashboard-metrics-imported")
	require.NoError(t, u.stack.Store.DB.Where("period = ?", "2026-10").Find(&values).Error)
	require.Len(t, values, before+2*len(staff), "two metrics per member, none from the refused file")
}

// TestDueTimesFollowTheTimeZoneSwitch: the inbox shows a due time in the
// member's zone (Asia/Shanghai), and switching to UTC shows the same
// instant eight hours earlier on the clock, remembered across a reload.
func TestDueTimesFollowTheTimeZoneSwitch(t *testing.T) {
	u := startUI(t)
	manager := u.user("manager", "cs")
	employee := u.user("employee", "cs")
	u.csCycle(manager)
	var task struct {
		ID    string    `json:"id"`
		DueAt time.Time `json:"dueAt"`
	}
	for _, row := range u.openTasks(employee.Token) {
		if row.Kind == "self_eval" {
			u.apiGet(employee.Token, "/tasks/"+row.ID, &task)
		}
	}
	require.NotEmpty(t, task.ID)
	shanghai, err := time.LoadLocation("Asia/Shanghai")
	require.NoError(t, err)

	u.signIn(employee)
	due := fmt.Sprintf(`#inbox tr[data-task=%q] td.due`, task.ID)
	u.waitJS(fmt.Sprintf(`document.querySelector(%q)`, due))
	require.Equal(t, "Asia/Shanghai", u.eval(`document.querySelector('#tz').value`))
	require.Contains(t, u.text(due), task.DueAt.In(shanghai).Format("15:04"))

	u.do(chromedp.SetValue(chromedp.CSS("#tz"), "UTC"), chromedp.Evaluate[chromedp.Void](`document.querySelector('#tz').dispatchEvent(new Event('change'))`))
	u.waitJS(fmt.Sprintf(`document.querySelector(%q) && document.querySelector(%q).textContent.includes(%q)`, due, due, task.DueAt.UTC().Format("15:04")))
	// Reload returns on the new page's load event, which chromedp hears before
	// it has recorded the page's new JavaScript context; a poll started then
	// can run in the old one ("Cannot find context with specified id") and,
	// unlike a query, is not retried. Waiting for the row with a query first
	// lets the context catch up.
	u.do(chromedp.Reload(), visible(due))
	u.waitJS(fmt.Sprintf(`document.querySelector(%q) && document.querySelector(%q).textContent.includes(%q)`, due, due, task.DueAt.UTC().Format("15:04")))
	require.Equal(t, "UTC", u.eval(`document.querySelector('#tz').value`))
}
