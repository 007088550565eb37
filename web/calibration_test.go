package web_test

import (
	"fmt"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"
)

// dragTo drops a member's card on a grade's column the way a mouse drag
// does: dragstart on the card, drop on the column, one DataTransfer.
func (u *browserUI) dragTo(member, grade string) {
	u.t.Helper()
	u.do(chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`(() => {
		const dt = new DataTransfer();
		document.querySelector('.mcard[data-member=%q]').dispatchEvent(new DragEvent('dragstart', { dataTransfer: dt, bubbles: true }));
		const col = document.querySelector('.col[data-grade=%q]');
		col.dispatchEvent(new DragEvent('dragover', { dataTransfer: dt, bubbles: true, cancelable: true }));
		col.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
	})()`, member, grade)))
	u.waitJS(fmt.Sprintf(`!!document.querySelector('.col[data-grade=%q] .mcard[data-member=%q]')`, grade, member))
}

// TestCalibrationCardsDragBetweenGradesWithRangesShownAndOneMessageWhenTheDistributionBreaks:
// each grade shows its score range and its share of the forced
// distribution; a card opens on the person's explained result; cards move
// by drag and drop as by keyboard; a broken
// distribution is said once, not in a warning and an error at the same
// time; on a phone the grades stack in one column.
func TestCalibrationCardsDragBetweenGradesWithRangesShownAndOneMessageWhenTheDistributionBreaks(t *testing.T) {
	u := startUI(t)
	admin := u.user("admin", "")
	manager := u.user("manager", "cs")
	u.publishManagerCalibratedTemplate(admin, "cs-ops-drag")
	status, out := u.apiPost(manager.Token, "/cycles", map[string]any{"templateKey": "cs-ops-drag", "teamId": u.teamID(manager, "cs"), "period": "2026-10", "compress": 8640})
	require.Equal(t, 201, status, out)
	u.rateEveryone(manager, 4)

	u.signIn(manager)
	u.waitJS(`document.querySelector('#inbox tr[data-kind="calibration"] a')`)
	u.do(chromedp.Click(chromedp.CSS(`#inbox tr[data-kind="calibration"] a`)), visible("#calibration .mcard"))
	require.Contains(t, u.text(`.col[data-grade="S"] .spec`), "scores 90–100")
	require.Contains(t, u.text(`.col[data-grade="S"] .spec`), "at most 10%")
	require.Contains(t, u.text(`.col[data-grade="C"] .spec`), "at least 10%")

	first := u.eval(`document.querySelector('.col[data-grade="C"] .mcard').dataset.member`)
	// A card opens on the person's result, explained.
	u.do(chromedp.Click(chromedp.CSS(fmt.Sprintf(`.mcard[data-member=%q] details.why summary`, first))))
	u.waitJS(fmt.Sprintf(`!!document.querySelector('.mcard[data-member=%q] details.why .final-score')`, first))
	u.dragTo(first, "S")
	second := u.eval(`document.querySelector('.col[data-grade="C"] .mcard').dataset.member`)
	u.dragTo(second, "S")
	require.Contains(t, u.text("#cal-submit"), "2 changes")
	u.do(chromedp.SendKeys(chromedp.CSS("#reason-"+first), "Led the October peak"), chromedp.SendKeys(chromedp.CSS("#reason-"+second), "Top customer rating"),
		chromedp.Click(chromedp.CSS("#cal-submit")), visible("#cal-error"))
	require.Equal(t, "1", u.eval(`String(document.querySelectorAll('#calibration .alert').length)`), "one message, not a warning and an error")
	require.Contains(t, u.text("#cal-error"), "at most 1 allowed")
	u.screenshot("calibration-one-message")

	u.dragTo(second, "A")
	require.Equal(t, "0", u.eval(`String(document.querySelectorAll('#cal-error').length)`), "a move answers the refusal")
	require.Contains(t, u.text("#cal-limits"), "S: 1 of 9 members")

	u.useViewport(viewports[1])
	u.waitJS(`(() => { const xs = [...document.querySelectorAll('.col')].map((c) => Math.round(c.getBoundingClientRect().left)); return xs.length > 1 && xs.every((x) => x === xs[0]); })()`)
	require.Equal(t, "true", u.eval(`String(document.scrollingElement.scrollWidth <= 390)`))
	u.screenshot("calibration-phone")
	u.useViewport(viewports[0])
}
