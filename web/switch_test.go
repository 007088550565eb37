package web_test

import (
	"encoding/json"
	"net/url"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"
)

// TestALinkWithAnotherUsersTokenAsksBeforeSwitching: opening
// /#access_token=<someone else's token> while signed in used to switch the
// user silently; now the page names both people and waits for a choice.
func TestALinkWithAnotherUsersTokenAsksBeforeSwitching(t *testing.T) {
	u := startUI(t)
	employee := u.user("employee", "cs")
	manager := u.user("manager", "cs")
	u.signIn(employee)

	link := u.base + "/#access_token=" + url.QueryEscape(manager.Token)
	u.do(chromedp.Navigate("about:blank"), chromedp.Navigate(link), visible("#switch-user"))
	q := u.text("#switch-q")
	require.Contains(t, q, employee.Name)
	require.Contains(t, q, manager.Name)
	require.Equal(t, employee.Token, u.eval(`localStorage.getItem('pl.token')`), "nothing changes before the answer")

	u.do(chromedp.Click(chromedp.CSS("#switch-no")), visible("#me"))
	require.Contains(t, u.text("#me"), employee.Name)
	require.Equal(t, employee.Token, u.eval(`localStorage.getItem('pl.token')`))

	u.do(chromedp.Navigate("about:blank"), chromedp.Navigate(link), visible("#switch-user"), chromedp.Click(chromedp.CSS("#switch-yes")))
	name, _ := json.Marshal(manager.Name)
	u.waitJS(`!!document.querySelector('#me') && document.querySelector('#me').textContent.includes(` + string(name) + `)`)
	require.Equal(t, manager.Token, u.eval(`localStorage.getItem('pl.token')`))
}
