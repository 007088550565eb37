package web_test

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/gin-gonic/gin"
	"github.com/stretchr/testify/require"

	"github.com/perfloop/perfloop/api"
	"github.com/perfloop/perfloop/app"
	"github.com/perfloop/perfloop/web"
)

// productionBase serves the UI in front of the API as `perfloop api`
// composes it (cmd/perfloop/prod.go): the same database and engine as the
// dev stack, but not the demo. It answers the UI's base URL.
func (u *browserUI) productionBase() string {
	u.t.Helper()
	parts := app.Parts{Client: u.stack.Client, Store: u.stack.Store, TaskQueue: "web-" + u.t.Name(), Log: slog.New(slog.DiscardHandler)}
	apiSrv := httptest.NewServer(api.New(api.Deps{Store: u.stack.Store, Extra: app.Routes(parts), Cycles: app.Cycles(parts)}))
	u.t.Cleanup(apiSrv.Close)
	target, err := url.Parse(apiSrv.URL)
	require.NoError(u.t, err)
	r := gin.New()
	web.Register(r)
	r.Any("/api/*path", gin.WrapH(httputil.NewSingleHostReverseProxy(target)))
	ui := httptest.NewServer(r)
	u.t.Cleanup(ui.Close)
	return ui.URL
}

// TestTheLaunchFormOffersTimeCompressionOnlyInTheDemo: perfloop dev runs
// the demo, and its launch form offers time compression; a server that is
// not the demo (perfloop api) says so in /ui/config, and its launch form
// leaves the field out. Both in 中文 and English, at both sizes, with axe.
func TestTheLaunchFormOffersTimeCompressionOnlyInTheDemo(t *testing.T) {
	u := startUI(t)
	manager := u.user("manager", "cs")
	// The dev stack is the demo.
	problems := u.tour([]tourStop{{"cycles-demo", manager, "#/cycles", "#launch"}})
	require.Empty(t, problems, "\n"+strings.Join(problems, "\n"))
	for _, lang := range []string{"zh", "en"} {
		for _, v := range viewports {
			u.useViewport(v)
			u.useLang(lang)
			u.do(visible("#launch #f-period"))
			require.Equal(t, "1", u.eval(`String(document.querySelectorAll('#launch #f-compress').length)`), "%s %s: the demo offers compression", lang, v.name)
		}
	}
	require.Equal(t, "true", u.evalAsync(`fetch('/api/v1/ui/config').then((r) => r.json()).then((c) => String(c.demo))`), "the demo says it is")

	// The same product as perfloop api serves it: not the demo.
	devBase := u.base
	u.base = u.productionBase()
	problems = u.tour([]tourStop{{"cycles-production", manager, "#/cycles", "#launch"}})
	require.Empty(t, problems, "\n"+strings.Join(problems, "\n"))
	for _, lang := range []string{"zh", "en"} {
		for _, v := range viewports {
			u.useViewport(v)
			u.useLang(lang)
			u.do(visible("#launch #f-period"))
			require.Equal(t, "0", u.eval(`String(document.querySelectorAll('#launch #f-compress, label[for="f-compress"]').length)`), "%s %s: no compression outside the demo", lang, v.name)
		}
	}
	require.Equal(t, "false", u.evalAsync(`fetch('/api/v1/ui/config').then((r) => r.json()).then((c) => String(c.demo))`))
	u.useViewport(viewports[0])
	// A launch from it still works, at real speed.
	teamID := u.teamID(manager, "cs")
	u.do(
		chromedp.SetValue(chromedp.CSS("#f-templateKey"), "cs-ops-monthly@1"),
		chromedp.SetValue(chromedp.CSS("#f-teamId"), teamID),
		setText("#f-period", "2026-10"),
		chromedp.Click(chromedp.CSS("#launch-submit")), visible("#timeline"))
	u.do(chromedp.Navigate("about:blank"))
	u.base = devBase
}

// evalAsync evaluates an expression that answers a promise and waits for it.
func (u *browserUI) evalAsync(js string) string {
	u.t.Helper()
	ctx, cancel := context.WithTimeout(u.tab, step)
	defer cancel()
	out, err := chromedp.Run(ctx, chromedp.Evaluate[string](js, chromedp.EvalAwaitPromise))
	require.NoError(u.t, err, js)
	return out
}
