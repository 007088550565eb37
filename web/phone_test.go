package web_test

import (
	"fmt"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"
)

// TestOnAPhoneTheHeaderFoldsBehindAMenuButton: at 390 px the header is one
// short bar; the Menu button opens the navigation (44 px links) and says
// so to screen readers, and axe finds nothing serious with it open.
func TestOnAPhoneTheHeaderFoldsBehindAMenuButton(t *testing.T) {
	u := startUI(t)
	axe := axeSource(t)
	admin := u.user("admin", "")
	u.signIn(admin)
	u.useViewport(viewports[1])
	u.do(chromedp.Reload(), visible("#menu-toggle"))
	require.Equal(t, "true", u.eval(`String(document.querySelector('#top').getBoundingClientRect().height <= 64)`), "header is %s px high", u.eval(`String(document.querySelector('#top').getBoundingClientRect().height)`))
	require.Equal(t, "false", u.eval(`String(!!document.querySelector('[data-nav="org"]').getClientRects().length)`), "the menu starts folded")
	u.do(chromedp.Click(chromedp.CSS("#menu-toggle")), visible(`[data-nav="org"]`))
	require.Equal(t, "true", u.eval(`document.querySelector('#menu-toggle').getAttribute('aria-expanded')`))
	require.Equal(t, "true", u.eval(`String([...document.querySelectorAll('#top nav a')].every((a) => a.getBoundingClientRect().height >= 44))`))
	c := u.checkScreen(axe, "menu-open-en-phone", true)
	require.Empty(t, c.Violations, fmt.Sprint(c.Violations))
	require.Empty(t, c.Small)
	require.LessOrEqual(t, c.ScrollWidth, 390)
	u.do(chromedp.Click(chromedp.CSS(`[data-nav="org"]`)), visible("#org-text"))
	require.Equal(t, "false", u.eval(`document.querySelector('#menu-toggle').getAttribute('aria-expanded')`), "choosing a page folds the menu again")
	u.useViewport(viewports[0])
}
