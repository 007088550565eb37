package web_test

import (
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"
)

// TestOrgImportCountsBadRowsOffersASampleAndReadsZhCN: a row with two
// problems counts as one bad row; the sample file the page offers checks
// clean, zh-CN and en-GB included.
func TestOrgImportCountsBadRowsOffersASampleAndReadsZhCN(t *testing.T) {
	u := startUI(t)
	admin := u.user("admin", "")
	u.signIn(admin)
	u.do(chromedp.Click(chromedp.CSS(`[data-nav="org"]`)), visible("#org-text"), visible("#org-sample"))
	bad := "name,email,role,team,team_name\n新人乙,not-an-email,boss,cs,\n"
	u.do(setText("#org-text", bad), chromedp.Click(chromedp.CSS("#org-check")), visible("#org-bad"))
	require.Contains(t, u.text("#org-bad"), "1 bad rows (2 problems)")

	// The sample, as the link would download it, checks clean.
	u.do(chromedp.Evaluate[chromedp.Void](`(() => { const make = URL.createObjectURL; URL.createObjectURL = (b) => { b.text().then((s) => { window.__sample = s.replace(/^\ufeff/, ''); }); return make(b); }; })()`),
		chromedp.Click(chromedp.CSS("#org-sample")))
	u.waitJS(`typeof window.__sample === 'string'`)
	require.Contains(t, u.eval(`window.__sample`), "zh-CN")
	u.do(chromedp.Evaluate[chromedp.Void](`(() => { const el = document.querySelector('#org-text'); el.value = window.__sample; el.dispatchEvent(new Event('input', {bubbles: true})); })()`),
		chromedp.Click(chromedp.CSS("#org-check")), visible("#org-ok"))
	require.Contains(t, u.text("#org-ok"), "3 members created")
}
