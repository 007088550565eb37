package web_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/perfloop/perfloop/store"
)

// refreshes is how many timed refreshes the current screen has drawn, and
// paused how many it skipped because the reader was in a field.
func (u *browserUI) refreshes() (done, paused int) {
	u.t.Helper()
	_, err := fmt.Sscan(u.eval(`String(+(document.querySelector('#main').dataset.refreshes || 0)) + ' ' + String(+(document.querySelector('#main').dataset.paused || 0))`), &done, &paused)
	require.NoError(u.t, err)
	return done, paused
}

// keepsFocusAcrossRefreshes focuses what sel finds, lets the screen refresh
// twice, and requires focus to be on that very element still.
func (u *browserUI) keepsFocusAcrossRefreshes(sel string) {
	u.t.Helper()
	u.do(chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`(() => { const el = document.querySelector(%q); el.focus(); window.__focused = el; })()`, sel)))
	done, _ := u.refreshes()
	u.waitJS(fmt.Sprintf(`+(document.querySelector('#main').dataset.refreshes || 0) >= %d`, done+2))
	require.Equal(u.t, "true", u.eval(`String(document.activeElement === window.__focused && window.__focused.isConnected)`),
		"focus moved to %s", u.eval(`document.activeElement.tagName + '#' + document.activeElement.id`))
}

// TestRefreshesUpdateInPlaceKeepFocusAndWaitWhileTheReaderIsInAField: the
// inbox (every 5 s) and the dashboard (every 3 s) refresh without moving
// keyboard focus off the link or button the reader is on, and a refresh
// waits while focus is in a field, resuming when it leaves.
func TestRefreshesUpdateInPlaceKeepFocusAndWaitWhileTheReaderIsInAField(t *testing.T) {
	u := startUI(t)
	manager := u.user("manager", "cs")
	id := u.csCycle(manager)
	// One self-evaluation falls overdue, so the dashboard has a reminder button to stand on.
	for _, d := range u.stack.Users {
		if d.Team == "cs" && d.Role == "employee" {
			for _, task := range u.openTasks(d.Token) {
				if task.Kind == "self_eval" {
					require.NoError(t, u.stack.Store.DB.Model(&store.Task{}).Where("id = ?", task.ID).Update("due_at", time.Now().Add(-2*time.Hour).UTC()).Error)
				}
			}
			break
		}
	}

	u.signIn(manager)
	u.waitJS(`document.querySelector('#inbox tr[data-kind="manager_eval"] a')`)
	u.keepsFocusAcrossRefreshes(`#inbox tr[data-kind="manager_eval"] a`)

	u.do(chromedp.Navigate(u.base+"/#/cycles/"+id), visible("#dashboard #progress"))
	u.waitJS(`document.querySelector('#remind-now') && !document.querySelector('#remind-now').disabled`)
	u.keepsFocusAcrossRefreshes(`#remind-now`)

	// In a field, the dashboard holds still; out of it, it refreshes again.
	u.do(chromedp.Click(chromedp.CSS("#cancel")), visible("#f-reason"), chromedp.SendKeys(chromedp.CSS("#f-reason"), "Wrong team"))
	_, paused := u.refreshes()
	// Once one tick has been skipped, no refresh started before the focus is still running.
	u.waitJS(fmt.Sprintf(`+(document.querySelector('#main').dataset.paused || 0) > %d`, paused))
	done, paused := u.refreshes()
	u.waitJS(fmt.Sprintf(`+(document.querySelector('#main').dataset.paused || 0) >= %d`, paused+2))
	after, _ := u.refreshes()
	require.Equal(t, done, after, "no refresh while the reader types")
	require.Equal(t, "Wrong team", u.eval(`document.querySelector('#f-reason').value`))
	u.do(chromedp.Click(chromedp.CSS("#cancel-keep")))
	require.Equal(t, "false", u.eval(`String(document.querySelector('#cancel-dialog').open)`))
	u.waitJS(fmt.Sprintf(`+(document.querySelector('#main').dataset.refreshes || 0) > %d`, done))
}

// TestAnOfflineRefreshKeepsTheDataUnderAStaleBannerWithRetry: when the
// inbox cannot refresh (the network is gone), the rows stay and a banner
// says how old they are; once back, Retry refreshes and the banner goes.
func TestAnOfflineRefreshKeepsTheDataUnderAStaleBannerWithRetry(t *testing.T) {
	u := startUI(t)
	manager := u.user("manager", "cs")
	u.csCycle(manager)
	u.signIn(manager)
	u.waitJS(`document.querySelector('#inbox tr[data-kind="manager_eval"]')`)
	rows := u.eval(`String(document.querySelectorAll('#inbox tbody tr').length)`)
	// Offline, as the page sees it: every fetch fails the way a dropped network does.
	u.do(chromedp.Evaluate[chromedp.Void](`window.__fetch = window.fetch; window.fetch = () => Promise.reject(new TypeError('Failed to fetch'))`))
	u.do(visible("#stale"))
	require.Contains(t, u.text("#stale"), "Could not refresh")
	require.Equal(t, rows, u.eval(`String(document.querySelectorAll('#inbox tbody tr').length)`), "the last rows stay")
	u.screenshot("inbox-stale")
	u.do(chromedp.Evaluate[chromedp.Void](`window.fetch = window.__fetch`), chromedp.Click(chromedp.CSS("#stale-retry")))
	u.waitJS(`!document.querySelector('#stale')`)
}
