package web

import (
	"io/fs"
	"net/http"
	"net/http/httptest"
	"path"
	"regexp"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"
	"github.com/stretchr/testify/require"
)

func TestAChangedModuleChangesTheURLOfEveryModuleThatImportsItAndNoOther(t *testing.T) {
	raw := map[string][]byte{
		"app.js":          []byte("import { a } from './a.js';\nconst lazy = () => import('./screens/s.js');\n"),
		"a.js":            []byte("export const a = 1;\n"),
		"screens/s.js":    []byte("import { a } from '../a.js';\nimport { c } from \"./c.js\";\nexport const s = a + c;\n"),
		"screens/c.js":    []byte("export const c = 2;\n"),
		"screens/lone.js": []byte("export const lone = 3;\n"),
		"app.css":         []byte("body{}"),
	}
	before, err := stampModules(raw)
	require.NoError(t, err)
	aTag := strings.Trim(before["a.js"].etag, `"`)
	require.Contains(t, string(before["app.js"].body), "from './a.js?v="+aTag+"'")
	require.Contains(t, string(before["screens/s.js"].body), "from '../a.js?v="+aTag+"'", "every importer names the same URL")
	require.Contains(t, string(before["app.js"].body), "import('./screens/s.js?v="+strings.Trim(before["screens/s.js"].etag, `"`)+"')")

	raw["screens/c.js"] = []byte("export const c = 20;\n")
	after, err := stampModules(raw)
	require.NoError(t, err)
	for _, changed := range []string{"screens/c.js", "screens/s.js", "app.js"} {
		require.NotEqual(t, before[changed].etag, after[changed].etag, changed)
	}
	for _, same := range []string{"a.js", "screens/lone.js", "app.css"} {
		require.Equal(t, before[same].etag, after[same].etag, same)
	}
}

func TestAModuleImportCycleOrAMissingModuleIsRefused(t *testing.T) {
	_, err := stampModules(map[string][]byte{
		"a.js": []byte("import './b.js';"),
		"b.js": []byte("export const b = () => import('./a.js');"),
	})
	require.ErrorContains(t, err, "a.js -> b.js -> a.js")
	_, err = stampModules(map[string][]byte{"a.js": []byte("import { x } from './gone.js';")})
	require.ErrorContains(t, err, "a.js imports gone.js")
}

func TestThePagePreloadsWhatItsModulesImportStaticallyButNotTheScreensLoadedOnDemand(t *testing.T) {
	raw := map[string][]byte{
		"app.js":       []byte("import './router.js';"),
		"router.js":    []byte("import { h } from './dom.js'; const s = () => import('./screens/s.js');"),
		"dom.js":       []byte("export const h = 1;"),
		"screens/s.js": []byte("import { h } from '../dom.js';"),
	}
	page := string(preloadModules([]byte(`<head><script type="module" src="/ui/app.js"></script></head>`), raw))
	require.Contains(t, page, `<link rel="modulepreload" href="/ui/router.js">`)
	require.Contains(t, page, `<link rel="modulepreload" href="/ui/dom.js">`)
	require.NotContains(t, page, "screens/s.js")
	require.Equal(t, 1, strings.Count(page, "dom.js"))
}

// TestNoUIScriptIsOver500Lines keeps the modules small enough to read in one go.
func TestNoUIScriptIsOver500Lines(t *testing.T) {
	sub, err := fs.Sub(assets, "assets")
	require.NoError(t, err)
	n := 0
	require.NoError(t, fs.WalkDir(sub, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(name, ".js") {
			return err
		}
		data, err := fs.ReadFile(sub, name)
		require.NoError(t, err)
		n++
		require.LessOrEqual(t, strings.Count(string(data), "\n"), 500, name)
		return nil
	}))
	require.Greater(t, n, 10, "one module per screen plus the shell")
}

// TestEveryEmbeddedModuleIsReachableFromThePage walks the served page and
// modules: each specifier carries its target's current hash, and nothing
// embedded is left unreachable.
func TestEveryEmbeddedModuleIsReachableFromThePage(t *testing.T) {
	files := load()
	seen := map[string]bool{}
	pageURL := regexp.MustCompile(`/ui/([^"?]+\.js)\?v=([0-9a-f]{16})"`)
	moduleURL := regexp.MustCompile(`['"](\.\.?/[^'"?]+\.js)\?v=([0-9a-f]{16})['"]`)
	var walk func(name string, body []byte)
	walk = func(name string, body []byte) {
		re := moduleURL
		if name == "index.html" {
			re = pageURL
		}
		for _, m := range re.FindAllSubmatch(body, -1) {
			target := path.Join(path.Dir(name), string(m[1]))
			a, ok := files[target]
			require.True(t, ok, "%s names %s", name, target)
			require.Equal(t, `"`+string(m[2])+`"`, a.etag, "%s names %s by its current hash", name, target)
			if !seen[target] {
				seen[target] = true
				walk(target, a.body)
			}
		}
	}
	walk("index.html", files["index.html"].body)
	for name := range files {
		if strings.HasSuffix(name, ".js") {
			require.True(t, seen[name], "%s is embedded but nothing imports it", name)
		}
	}
}

func TestAnOldModuleURLIsRevalidatedNotCachedForGood(t *testing.T) {
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	Register(r)
	get := func(url string) *httptest.ResponseRecorder {
		w := httptest.NewRecorder()
		r.ServeHTTP(w, httptest.NewRequest(http.MethodGet, url, nil))
		return w
	}
	current := strings.Trim(load()["dom.js"].etag, `"`)
	require.Contains(t, get("/ui/dom.js?v="+current).Header().Get("Cache-Control"), "immutable")
	old := get("/ui/dom.js?v=0123456789abcdef")
	require.Equal(t, http.StatusOK, old.Code)
	require.Equal(t, "no-cache", old.Header().Get("Cache-Control"), "a hash from an earlier build must not pin today's bytes")
}
