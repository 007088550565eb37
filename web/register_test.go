package web_test

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"
	"github.com/stretchr/testify/require"

	"github.com/perfloop/perfloop/web"
)

func uiEngine() *gin.Engine {
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	web.Register(r)
	return r
}

func serve(r http.Handler, path string, header ...string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodGet, path, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	w := httptest.NewRecorder()
	r.ServeHTTP(w, req)
	return w
}

func TestRegisterLeavesAPIAndProbeRoutesAlone(t *testing.T) {
	for _, rt := range uiEngine().Routes() {
		for _, reserved := range []string{"/api", "/healthz", "/readyz"} {
			require.False(t, strings.HasPrefix(rt.Path, reserved), "%s %s", rt.Method, rt.Path)
		}
	}
}

func TestPageLinksAssetsByContentHashAndTheyCacheForever(t *testing.T) {
	r := uiEngine()
	page := serve(r, "/")
	require.Equal(t, http.StatusOK, page.Code)
	require.Contains(t, page.Header().Get("Content-Type"), "text/html")
	require.Equal(t, "no-cache", page.Header().Get("Cache-Control"))
	require.NotEmpty(t, page.Header().Get("Content-Security-Policy"))
	links := regexp.MustCompile(`/ui/app\.(js|css)\?v=[0-9a-f]{16}`).FindAllString(page.Body.String(), -1)
	require.Len(t, links, 2, page.Body.String())

	for _, link := range links {
		res := serve(r, link, "Accept-Encoding", "gzip")
		require.Equal(t, http.StatusOK, res.Code, link)
		require.Equal(t, "gzip", res.Header().Get("Content-Encoding"))
		require.Contains(t, res.Header().Get("Cache-Control"), "immutable")
		zr, err := gzip.NewReader(bytes.NewReader(res.Body.Bytes()))
		require.NoError(t, err)
		plain, err := io.ReadAll(zr)
		require.NoError(t, err)
		require.NotEmpty(t, plain)
		require.Equal(t, http.StatusNotModified, serve(r, link, "If-None-Match", res.Header().Get("ETag")).Code)
	}
	require.Equal(t, http.StatusNotFound, serve(r, "/ui/nope.js").Code)
	require.Equal(t, http.StatusNotFound, serve(r, "/ui/index.html").Code)
}

func TestFirstScreenStaysFarUnderItsWeightBudget(t *testing.T) {
	r := uiEngine()
	page := serve(r, "/", "Accept-Encoding", "gzip")
	total := page.Body.Len()
	plain := serve(r, "/").Body.String()
	for _, link := range regexp.MustCompile(`/ui/[^"]+`).FindAllString(plain, -1) {
		total += serve(r, link, "Accept-Encoding", "gzip").Body.Len()
	}
	figure := fmt.Sprintf("first screen (index.html + app.js + app.css, gzip as served): %d bytes = %.1f KB\n", total, float64(total)/1024)
	t.Log(strings.TrimSpace(figure))
	require.NoError(t, os.WriteFile(filepath.Join(artefactDir(t, ""), "page-weight.txt"), []byte(figure), 0o644))
	require.Less(t, total, 500<<10, "the issue's budget")
	require.Less(t, total, 80<<10, "the UI aims far below the budget; a jump here is a dependency sneaking in")
}
