package web_test

import (
	"net/http"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"
)

// TestLaunchWarnsOfAnExistingCycleAtPreviewAndSaysServerErrorsInChinese: in
// the Chinese UI, previewing a cycle the team already has for the month
// says so with a link to it before anything is confirmed; confirming anyway
// is refused with the error's reason in Chinese; the period field
// offers months and quarters to pick from.
func TestLaunchWarnsOfAnExistingCycleAtPreviewAndSaysServerErrorsInChinese(t *testing.T) {
	u := startUI(t)
	manager := u.user("manager", "cs")
	teamID := u.teamID(manager, "cs")
	status, out := u.apiPost(manager.Token, "/cycles", map[string]any{"templateKey": "cs-ops-monthly", "teamId": teamID, "period": "2026-10"})
	require.Equal(t, http.StatusCreated, status, out)
	existing := out["id"].(string)

	u.signIn(manager)
	u.do(chromedp.Navigate(u.base+"/#/cycles"), visible("#launch"))
	u.useLang("zh")
	u.do(visible("#launch"))
	require.Equal(t, "23", u.eval(`String(document.querySelectorAll('#period-choices option').length)`), "15 months and 8 quarters")
	require.Equal(t, "period-choices", u.eval(`document.querySelector('#f-period').getAttribute('list')`))
	u.do(
		chromedp.SetValue(chromedp.CSS("#f-templateKey"), "cs-ops-monthly@1"),
		chromedp.SetValue(chromedp.CSS("#f-teamId"), teamID),
		setText("#f-period", "2026-10"),
		chromedp.Click(chromedp.CSS("#launch-submit")), visible("#pv-duplicate"))
	require.Contains(t, u.text("#pv-duplicate"), "已有考核")
	require.Equal(t, "#/cycles/"+existing, u.eval(`document.querySelector('#pv-duplicate a').getAttribute('href')`))
	u.screenshot("launch-duplicate-zh")

	u.do(chromedp.Click(chromedp.CSS("#launch-confirm")))
	// Said from the error's reason, in Chinese: no English after the lead-in.
	u.waitJS(`[...document.querySelectorAll('#launch .alert.bad')].some((a) => a.textContent.startsWith('这个团队在该期间已有同一模板的考核'))`)
	require.NotContains(t, u.text("#launch .alert.bad"), "exists")
}
