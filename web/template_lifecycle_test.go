package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"
)

// uploadText hands a file input a file, as choosing one in the dialog does.
func uploadText(sel, name, text string) chromedp.Action[chromedp.Void] {
	s, _ := json.Marshal(sel)
	n, _ := json.Marshal(name)
	v, _ := json.Marshal(text)
	return chromedp.Evaluate[chromedp.Void](`(() => { const el = document.querySelector(` + string(s) + `); const dt = new DataTransfer();
		dt.items.add(new File([` + string(v) + `], ` + string(n) + `, { type: 'application/json' })); el.files = dt.files;
		el.dispatchEvent(new Event('change', { bubbles: true })); })()`)
}

// TestAdminDuplicatesComparesExportsImportsAndRetiresATemplate walks a
// template's life in the UI: duplicate a published one into a new draft,
// save it twice, compare the versions with the changes said in words (en
// and zh), export a version and import the file back as another template,
// refuse a broken file with its problems at their paths, publish and
// retire; at 1440 and 390 px, with axe finding nothing serious.
func TestAdminDuplicatesComparesExportsImportsAndRetiresATemplate(t *testing.T) {
	u := startUI(t)
	axe := axeSource(t)
	admin := u.user("admin", "")
	raw, err := os.ReadFile(filepath.Join("..", "templates", "builtin", "cs-ops-monthly.json"))
	require.NoError(t, err)
	src := strings.Replace(string(raw), `"key": "cs-ops-monthly"`, `"key": "lc-src"`, 1)
	status, out := u.apiPost(admin.Token, "/templates", json.RawMessage(src))
	require.Equal(t, http.StatusCreated, status, out)
	status, out = u.apiPost(admin.Token, "/templates/lc-src/versions/1/publish", nil)
	require.Equal(t, http.StatusOK, status, out)
	check := func(name string, phone bool) {
		t.Helper()
		c := u.checkScreen(axe, name, phone)
		require.Empty(t, c.Violations, name)
		require.LessOrEqual(t, c.ScrollWidth, c.InnerWidth, name+": no horizontal scroll")
	}

	// Duplicate: a new draft under a new key, names marked as a copy; nothing is stored until it is saved.
	u.signIn(admin)
	u.do(chromedp.Navigate(u.base+"/#/templates/lc-src/1"), visible("#tpl-duplicate"), chromedp.Click(chromedp.CSS("#tpl-duplicate")))
	u.waitJS(`location.hash === '#/templates/new' && document.querySelector('#tpl-text') && document.querySelector('#tpl-text').value.includes('"lc-src-copy"')`)
	var draft map[string]any
	require.NoError(t, json.Unmarshal([]byte(u.eval(`document.querySelector('#tpl-text').value`)), &draft))
	require.Equal(t, "lc-src-copy", draft["key"])
	require.Nil(t, draft["version"], "the server numbers the copy")
	require.True(t, strings.HasSuffix(draft["name"].(map[string]any)["en"].(string), " (copy)"), draft["name"])
	var list struct {
		Items []struct {
			Version int    `json:"version"`
			Status  string `json:"status"`
		} `json:"items"`
	}
	u.apiGet(admin.Token, "/templates?key=lc-src-copy", &list)
	require.Empty(t, list.Items)
	u.do(chromedp.Click(chromedp.CSS("#tpl-save")), visible("#tpl-saved"))
	require.Contains(t, u.text("#tpl-saved"), "lc-src-copy v1")

	// Published, v1 is frozen; a second version: a longer evaluation stage.
	u.do(chromedp.Click(chromedp.CSS("#tpl-publish")), visible("#tpl-published"))
	next := strings.Replace(u.eval(`document.querySelector('#tpl-text').value`), `"duration": "P3D"`, `"duration": "P4D"`, 1)
	require.Contains(t, next, `"duration": "P4D"`)
	u.do(setText("#tpl-text", next))
	u.waitJS(`document.querySelector('#tpl-errors .alert.ok')`)
	u.do(chromedp.Click(chromedp.CSS("#tpl-save")))
	u.waitJS(`document.querySelector('#tpl-saved') && document.querySelector('#tpl-saved').textContent.includes('lc-src-copy v2')`)

	// Compare: from v2's editor, once saved, against v1, with the change said in words.
	u.do(visible("#tpl-compare-to"), chromedp.Click(chromedp.CSS("#tpl-compare-go")), visible("#diff-changes"))
	require.Equal(t, "#/templates/lc-src-copy/diff/1/2", u.eval(`location.hash`))
	changed := `#diff-changes tr[data-path="/stages/1/duration"]`
	require.Contains(t, u.text(changed), "P4D")
	require.Contains(t, u.text(changed+" td.where"), `Stage “Self and manager evaluation” › duration`)
	u.screenshot("i17-lifecycle-compare-en-desktop")
	check("i17-lifecycle-compare-en-desktop", false)
	u.useLang("zh")
	u.do(visible("#diff-changes"))
	require.Contains(t, u.text(changed+" td.where"), "阶段「自评与上级评价」 › 时长")
	require.Contains(t, u.text(changed), "修改")
	u.screenshot("i17-lifecycle-compare-zh-desktop")
	check("i17-lifecycle-compare-zh-desktop", false)
	u.useViewport(viewports[1])
	u.do(chromedp.Reload(), visible("#diff-changes"))
	check("i17-lifecycle-compare-zh-phone", true)
	u.useViewport(viewports[0])
	u.useLang("en")

	// Export v2: the file is the stored body.
	u.do(chromedp.Navigate(u.base+"/#/templates/lc-src-copy/2"), visible("#tpl-export"),
		chromedp.Evaluate[chromedp.Void](`(() => { const make = URL.createObjectURL; URL.createObjectURL = (b) => { b.text().then((x) => { window.__export = x; }); return make(b); };
			const click = HTMLAnchorElement.prototype.click; HTMLAnchorElement.prototype.click = function () { window.__exportName = this.download; if (!this.download) click.call(this); }; })()`),
		chromedp.Click(chromedp.CSS("#tpl-export")))
	u.waitJS(`window.__export`)
	require.Equal(t, "lc-src-copy-v2.json", u.eval(`window.__exportName`))
	exported := u.eval(`window.__export`)
	var stored struct {
		Body map[string]any `json:"body"`
	}
	u.apiGet(admin.Token, "/templates/lc-src-copy/versions/2", &stored)
	var file map[string]any
	require.NoError(t, json.Unmarshal([]byte(exported), &file))
	require.Equal(t, stored.Body, file)

	// Import: a broken file is refused with each problem at its path, and nothing opens.
	broken := strings.Replace(exported, `"duration": "P4D"`, `"duration": "4 days"`, 1)
	require.NotEqual(t, exported, broken)
	u.do(chromedp.Navigate(u.base+"/#/templates"), visible("#tpl-import"), chromedp.Click(chromedp.CSS("#tpl-import summary")),
		uploadText("#tpl-import-file", "broken.json", broken))
	u.waitJS(`document.querySelector('#import-errors li[data-path="/stages/1/duration"]')`)
	require.Contains(t, u.text(`#import-errors li[data-path="/stages/1/duration"]`), "ISO 8601 duration")
	require.Contains(t, u.text(`#import-errors li[data-path="/stages/1/duration"]`), "Stage “Self and manager evaluation” › duration")
	require.Contains(t, u.text("#import-result"), "nothing was imported")
	require.Equal(t, "#/templates", u.eval(`location.hash`))
	u.screenshot("i17-lifecycle-import-error-en-desktop")
	check("i17-lifecycle-import-error-en-desktop", false)
	u.useViewport(viewports[1])
	u.do(chromedp.Reload(), visible("#tpl-import"), chromedp.Click(chromedp.CSS("#tpl-import summary")), uploadText("#tpl-import-file", "broken.json", broken))
	u.waitJS(`document.querySelector('#import-errors li[data-path="/stages/1/duration"]')`)
	u.screenshot("i17-lifecycle-import-error-en-phone")
	check("i17-lifecycle-import-error-en-phone", true)
	u.useViewport(viewports[0])
	u.do(uploadText("#tpl-import-file", "not.json", "{ nope"))
	u.waitJS(`document.querySelector('#import-result').textContent.includes('not valid JSON')`)

	// The exported file, under another key, imports as a new draft and saves: the round trip loses nothing.
	file["key"] = "lc-imported"
	delete(file, "version")
	again, err := json.Marshal(file)
	require.NoError(t, err)
	u.do(uploadText("#tpl-import-file", "lc-imported.json", string(again)))
	u.waitJS(`location.hash === '#/templates/new' && document.querySelector('#tpl-text') && document.querySelector('#tpl-text').value.includes('"lc-imported"')`)
	u.do(chromedp.Click(chromedp.CSS("#tpl-save")), visible("#tpl-saved"))
	require.Contains(t, u.text("#tpl-saved"), "lc-imported v1")
	var imported struct {
		Body map[string]any `json:"body"`
	}
	u.apiGet(admin.Token, "/templates/lc-imported/versions/1", &imported)
	for _, k := range []string{"key", "version"} {
		delete(imported.Body, k)
		delete(stored.Body, k)
	}
	require.Equal(t, stored.Body, imported.Body)

	// Publish and retire the copy's v2 from the list.
	own := `#templates tr[data-key="lc-src-copy"][data-version="2"]`
	u.do(chromedp.Navigate(u.base+"/#/templates"), visible(own+" button.publish"), chromedp.Click(chromedp.CSS(own+" button.publish")), visible(own+" button.retire"))
	u.do(chromedp.Click(chromedp.CSS(own + " button.retire")))
	u.waitJS(`document.querySelector('` + own + `') && document.querySelector('` + own + `').textContent.includes('Retired')`)
	u.apiGet(admin.Token, "/templates?key=lc-src-copy", &list)
	states := map[int]string{}
	for _, x := range list.Items {
		states[x.Version] = x.Status
	}
	require.Equal(t, "retired", states[2])
	u.useLang("zh")
	u.do(visible(own))
	require.Contains(t, u.text(own), "已停用")
	require.Contains(t, u.text("#tpl-import summary"), "导入模板文件")
	u.screenshot("i17-lifecycle-templates-zh-desktop")
	check("i17-lifecycle-templates-zh-desktop", false)

	// Every label these screens name is in the dictionary, in both languages.
	var keys []string
	label := regexp.MustCompile(`\bt\('([a-zA-Z0-9_.]+)'|'((?:lc|bt)\.[a-zA-Z0-9_.]+)'`)
	for _, f := range []string{"backtest-panel.js", "lifecycle.js", "editor.js", "templates.js"} {
		src, err := os.ReadFile(filepath.Join("assets", "screens", f))
		require.NoError(t, err)
		for _, m := range label.FindAllStringSubmatch(string(src), -1) {
			if k := m[1] + m[2]; !slices.Contains(keys, k) && !strings.HasSuffix(k, ".") {
				keys = append(keys, k)
			}
		}
	}
	require.Greater(t, len(keys), 60)
	wanted, _ := json.Marshal(keys)
	u.do(chromedp.Navigate(u.base+"/#/templates/lc-src/1"), visible("#bt-panel"))
	ctx, cancel := context.WithTimeout(u.tab, step)
	defer cancel()
	missing, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(async () => { const url = performance.getEntriesByType('resource').map((e) => e.name).find((n) => n.includes('/i18n.js'));
		const { D } = await import(url);
		return `+string(wanted)+`.filter((k) => !(D[k] && D[k].length === 2 && D[k][0] && D[k][1])).join(', '); })()`, chromedp.EvalAwaitPromise))
	require.NoError(t, err)
	require.Empty(t, missing, "labels missing a language")
}
