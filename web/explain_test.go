package web_test

import (
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/perfloop/perfloop/demo"
)

// rateEveryone has the manager and every cs employee submit each open
// rating through the API, so a cycle moves on to calibration; it returns
// the raters, the manager first. Ratings cycle from 1 to top.
func (u *browserUI) rateEveryone(manager demo.User, top int) []demo.User {
	u.t.Helper()
	raters := []demo.User{manager}
	for _, d := range u.stack.Users {
		if d.Team == "cs" && d.Role == "employee" {
			raters = append(raters, d)
		}
	}
	require.Eventually(u.t, func() bool { return len(u.openTasks(manager.Token)) == len(raters)-1 }, step, 200*time.Millisecond)
	for _, r := range raters {
		require.Eventually(u.t, func() bool { return len(u.openTasks(r.Token)) > 0 }, step, 200*time.Millisecond)
		for i, task := range u.openTasks(r.Token) {
			score := 1 + i%top
			status, body := u.apiPost(r.Token, "/tasks/"+task.ID+"/submit", map[string]any{"scores": map[string]int{"collaboration": score, "serviceAttitude": score}})
			require.Equal(u.t, http.StatusOK, status, body)
		}
	}
	return raters
}

// num is a score as the UI prints it: at most two decimals, no trailing zeros.
func num(v float64) string {
	return strconv.FormatFloat(math.Round(v*100)/100, 'f', -1, 64)
}

type explainedResult struct {
	MemberID    string  `json:"memberId"`
	FinalScore  float64 `json:"finalScore"`
	Rank        int     `json:"rank"`
	Explanation struct {
		Final      float64                `json:"final"`
		Parts      []struct{ Key string } `json:"parts"`
		Indicators []struct {
			Key     string  `json:"key"`
			Score   float64 `json:"score"`
			Missing bool    `json:"missing"`
		} `json:"indicators"`
		Raters []struct {
			Key    string  `json:"key"`
			Weight float64 `json:"weight"`
		} `json:"raters"`
		Missing []struct{ Key string } `json:"missing"`
	} `json:"explanation"`
}

// TestAMembersResultShowsOneTotalExplainedIndicatorByIndicatorWithRankOutOfN
// runs a real cycle to published results and reads one member's result as
// the member (in English and Chinese) and as their manager: one total, equal
// to the API's final score and to the formula's; a row per indicator with
// its score; the parts, the rater groups, the gaps; the rank out of N; and
// no raw JSON anywhere.
func TestAMembersResultShowsOneTotalExplainedIndicatorByIndicatorWithRankOutOfN(t *testing.T) {
	u := startUI(t)
	admin := u.user("admin", "")
	manager := u.user("manager", "cs")
	u.publishManagerCalibratedTemplate(admin, "cs-ops-explained")
	status, out := u.apiPost(manager.Token, "/cycles", map[string]any{"templateKey": "cs-ops-explained", "teamId": u.teamID(manager, "cs"), "period": "2026-10", "compress": 8640})
	require.Equal(t, http.StatusCreated, status, out)
	cycleID := out["id"].(string)
	raters := u.rateEveryone(manager, 5)
	employee := raters[1]

	// The manager calibrates without moving anyone; results are then published.
	var calTask string
	require.Eventually(t, func() bool {
		for _, task := range u.openTasks(manager.Token) {
			if task.Kind == "calibration" {
				calTask = task.ID
			}
		}
		return calTask != ""
	}, step, 200*time.Millisecond)
	status, out = u.apiPost(manager.Token, "/tasks/"+calTask+"/submit", map[string]any{"changes": []any{}})
	require.Equal(t, http.StatusOK, status, out)
	var res struct {
		Items []explainedResult `json:"items"`
	}
	require.Eventually(t, func() bool {
		u.apiGet(employee.Token, "/cycles/"+cycleID+"/results", &res)
		return len(res.Items) == 1
	}, step, 200*time.Millisecond, "the result is published to the member")
	mine := res.Items[0]
	require.NotEmpty(t, mine.Explanation.Indicators)
	members := len(raters) - 1

	u.signIn(employee)
	u.do(chromedp.Navigate(u.base+"/#/results/"+cycleID), visible("#my-result .final-score"), visible("#result-indicators"))
	require.Equal(t, num(mine.FinalScore), u.text("#my-result .final-score"))
	require.Equal(t, "1", u.eval(`String([...document.querySelectorAll('#my-result dt')].filter(d => d.textContent === 'Final score').length)`), "one total")
	require.True(t, strings.HasSuffix(u.text("#result-formula"), "= "+num(mine.FinalScore)), "the formula in words adds up to the same total: %s", u.text("#result-formula"))
	require.Equal(t, fmt.Sprintf("%d of %d", mine.Rank, members), u.text("#my-result .rank"))

	var keys, scores []string
	for _, x := range mine.Explanation.Indicators {
		keys = append(keys, x.Key)
		if x.Missing {
			scores = append(scores, "—")
		} else {
			scores = append(scores, num(x.Score))
		}
	}
	require.Equal(t, strings.Join(keys, ","), u.eval(`[...document.querySelectorAll('#result-indicators tbody tr')].map(r => r.dataset.indicator).join()`))
	require.Equal(t, strings.Join(scores, ","), u.eval(`[...document.querySelectorAll('#result-indicators tbody tr')].map(r => r.lastElementChild.firstChild.textContent).join()`))
	require.Equal(t, "Indicator,Weight,Target,Actual,Score", u.eval(`[...document.querySelectorAll('#result-indicators thead th')].map(th => th.textContent).join()`))
	require.Contains(t, u.text("#result-indicators"), "Teamwork", "indicators are named from the template")
	require.Equal(t, strconv.Itoa(len(mine.Explanation.Parts)), u.eval(`String(document.querySelectorAll('#result-parts tbody tr').length)`))
	require.Contains(t, u.text("#result-raters"), "Manager")
	require.NotContains(t, u.text("#result-raters"), manager.Name, "rater groups, never who rated")
	if len(mine.Explanation.Missing) > 0 {
		require.Equal(t, strconv.Itoa(len(mine.Explanation.Missing)), u.eval(`String(document.querySelectorAll('#result-missing li').length)`))
		require.Contains(t, u.text("#result-missing"), "No data for")
	}
	require.NotContains(t, u.text("#my-result"), `{"`, "no raw JSON")
	u.screenshot("result-explained-en")

	u.do(chromedp.SetValue(chromedp.CSS("#lang"), "zh"), chromedp.Evaluate[chromedp.Void](`document.querySelector('#lang').dispatchEvent(new Event('change'))`))
	u.waitJS(`document.querySelector('#my-result .rank') && document.querySelector('#my-result .rank').textContent.includes('名')`)
	require.Equal(t, fmt.Sprintf("第 %d 名 / 共 %d 人", mine.Rank, members), u.text("#my-result .rank"))
	require.Equal(t, "1", u.eval(`String([...document.querySelectorAll('#my-result dt, #my-result th')].filter(d => d.textContent === '总分').length)`), "one 总分")
	require.Equal(t, "指标,权重,目标,实际,得分", u.eval(`[...document.querySelectorAll('#result-indicators thead th')].map(th => th.textContent).join()`))
	u.screenshot("result-explained-zh")

	// The manager opens the same member's result on the dashboard: the same total and rank.
	u.signIn(manager)
	u.do(chromedp.Navigate(u.base+"/#/cycles/"+cycleID), visible("#results"))
	sel := fmt.Sprintf(`#results details[data-member=%q]`, mine.MemberID)
	u.do(chromedp.Click(chromedp.CSS(sel+" summary")), visible(sel+" .final-score"))
	require.Equal(t, num(mine.FinalScore), u.text(sel+" .final-score"))
	require.Equal(t, fmt.Sprintf("%d of %d", mine.Rank, members), u.text(sel+" .rank"))
	u.screenshot("result-explained-manager")
}
