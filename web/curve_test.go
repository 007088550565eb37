package web_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/stretchr/testify/require"
)

// TestTheCalibrationBoardDrawsTheTargetCurveOverTheGradesAndSaysItInWords:
// the board shows members per grade as bars under the curve the forced
// distribution aims at (S at most 10 %, C at least 10 %, the grades
// between sharing the rest), the curve's words are there for screen
// readers in both languages, and a move redraws the bars. At both sizes
// and in both languages axe-core finds nothing serious and nothing is
// wider than the window.
func TestTheCalibrationBoardDrawsTheTargetCurveOverTheGradesAndSaysItInWords(t *testing.T) {
	u := startUI(t)
	admin := u.user("admin", "")
	manager := u.user("manager", "cs")
	u.publishManagerCalibratedTemplate(admin, "cs-ops-curve")
	status, out := u.apiPost(manager.Token, "/cycles", map[string]any{"templateKey": "cs-ops-curve", "teamId": u.teamID(manager, "cs"), "period": "2026-10", "compress": 8640})
	require.Equal(t, 201, status, out)
	u.rateEveryone(manager, 4)
	var calTask string
	require.Eventually(t, func() bool {
		for _, task := range u.openTasks(manager.Token) {
			if task.Kind == "calibration" {
				calTask = task.ID
			}
		}
		return calTask != ""
	}, step, 200*time.Millisecond)

	problems := u.tour([]tourStop{{"calibration-curve", manager, "#/task/" + calTask, "#cal-curve svg"}})
	require.Empty(t, problems, "\n"+strings.Join(problems, "\n"))

	u.useLang("en")
	u.do(visible("#cal-curve svg"))
	// Nine members: S at most 1, C at least 1, A and B share the other seven.
	targets := u.eval(`[...document.querySelectorAll('#cal-curve g[data-grade]')].map((g) => g.dataset.grade + '=' + g.dataset.target).join(' ')`)
	require.Equal(t, "S=1 A=3.5 B=3.5 C=1", targets)
	require.Equal(t, "4", u.eval(`String(document.querySelectorAll('#cal-curve circle').length)`), "a point per grade on the curve")
	require.Equal(t, "img", u.eval(`document.querySelector('#cal-curve svg').getAttribute('role')`))
	label := u.eval(`document.querySelector('#cal-curve svg').getAttribute('aria-label')`)
	require.Contains(t, label, "9 members")
	require.Contains(t, label, "S 0 now, target at most 1")
	require.Contains(t, label, "A ")
	require.Contains(t, label, "about 3.5 (the rest shared evenly)")
	require.Contains(t, label, "target at least 1")
	require.Contains(t, u.text("#cal-curve .legend"), "Curve: what the forced distribution aims at")

	// A move redraws the bars against the same curve.
	member := u.eval(`document.querySelector('.col[data-grade="B"] .mcard').dataset.member`)
	u.do(chromedp.SendKeys(chromedp.CSS(fmt.Sprintf(`[data-member=%q] .who`, member)), kb.ArrowLeft))
	u.waitJS(`document.querySelector('#cal-curve svg').getAttribute('aria-label').includes('A 1 now')`)
	require.Equal(t, "1", u.eval(`document.querySelector('#cal-curve g[data-grade="A"] text').textContent`))

	// In Chinese, the same in Chinese words.
	u.useLang("zh")
	u.do(visible("#cal-curve svg"))
	zh := u.eval(`document.querySelector('#cal-curve svg').getAttribute('aria-label')`)
	require.Contains(t, zh, "共 9 人")
	require.Contains(t, zh, "S 实际 0 人，目标至多 1 人")
	require.Contains(t, zh, "A 实际 1 人，目标约 3.5 人（其余等级平分）")
	require.Contains(t, zh, "约 3.5 人（其余等级平分）")
	require.Contains(t, u.text("#cal-curve .legend"), "曲线：强制分布的目标")
	u.keepShot("i16-calibration-curve-zh-desktop")
	u.useViewport(viewports[1])
	u.do(chromedp.Reload(), visible("#cal-curve svg"))
	require.Equal(t, "true", u.eval(`String(document.scrollingElement.scrollWidth <= 390 && document.querySelector('#cal-curve svg').getBoundingClientRect().width <= 390)`))
	u.keepShot("i16-calibration-curve-zh-phone")
	u.useViewport(viewports[0])
}
