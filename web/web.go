// Package web owns the browser UI: one HTML page, its ES modules (app.js,
// the shell modules beside it and one module per screen under screens/)
// and one style sheet, embedded in the binary and served at / and /ui/. The UI talks to
// the product only through the public /api/v1 routes, so this package must
// never import api, store or the engine, nor register anything under /api,
// /healthz or /readyz.
package web

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"

	"github.com/gin-gonic/gin"
)

//go:embed assets
var assets embed.FS

// asset is one file ready to serve: its bytes, a gzipped copy when that is
// smaller, and an ETag naming its content.
type asset struct {
	body, gz    []byte
	contentType string
	etag        string
}

// Register serves the UI: the page at / and its files at /ui/<name>.
func Register(r *gin.Engine) {
	files := load()
	page := files["index.html"]
	serve := func(c *gin.Context, a *asset, cache string) {
		c.Header("Cache-Control", cache)
		c.Header("ETag", a.etag)
		c.Header("Vary", "Accept-Encoding")
		c.Header("X-Content-Type-Options", "nosniff")
		if match := c.GetHeader("If-None-Match"); match != "" && match == a.etag {
			c.Status(http.StatusNotModified)
			return
		}
		body := a.body
		if a.gz != nil && strings.Contains(c.GetHeader("Accept-Encoding"), "gzip") {
			c.Header("Content-Encoding", "gzip")
			body = a.gz
		}
		c.Data(http.StatusOK, a.contentType, body)
	}
	index := func(c *gin.Context) {
		// The page names its assets by content hash, so only the page itself must be revalidated.
		c.Header("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'")
		c.Header("Referrer-Policy", "no-referrer")
		serve(c, page, "no-cache")
	}
	r.GET("/", index)
	r.HEAD("/", index)
	file := func(c *gin.Context) {
		a, ok := files[strings.TrimPrefix(c.Param("file"), "/")]
		if !ok || a == page {
			c.String(http.StatusNotFound, "not found")
			return
		}
		cache := "no-cache"
		// Only the current content's URL may be cached for good: an old
		// hash asked after a deploy gets today's bytes, revalidated.
		if v := c.Query("v"); v != "" && `"`+v+`"` == a.etag {
			cache = "public, max-age=31536000, immutable"
		}
		serve(c, a, cache)
	}
	r.GET("/ui/*file", file)
	r.HEAD("/ui/*file", file)
}

// load reads the embedded files once and stamps every asset URL with its
// content hash, so a new build is never hidden by a cache: the page's links,
// and each module's imports (see modules.go), whose hashes cover the modules
// they import in turn.
func load() map[string]*asset {
	sub, err := fs.Sub(assets, "assets")
	if err != nil {
		panic(err) // the directory is embedded at build time
	}
	raw := map[string][]byte{}
	err = fs.WalkDir(sub, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasSuffix(name, ".md") {
			return err
		}
		data, err := fs.ReadFile(sub, name)
		raw[name] = data
		return err
	})
	if err != nil {
		panic(err)
	}
	pageRaw := raw["index.html"]
	delete(raw, "index.html")
	out, err := stampModules(raw)
	if err != nil {
		panic(err) // the embedded modules are checked by this package's tests
	}
	pageRaw = preloadModules(pageRaw, raw)
	for name, a := range out {
		pageRaw = bytes.ReplaceAll(pageRaw, []byte("/ui/"+name+"\""), []byte("/ui/"+name+"?v="+strings.Trim(a.etag, `"`)+"\""))
	}
	out["index.html"] = newAsset("index.html", pageRaw)
	return out
}

func newAsset(name string, data []byte) *asset {
	sum := sha256.Sum256(data)
	a := &asset{body: data, etag: `"` + hex.EncodeToString(sum[:8]) + `"`}
	a.contentType = mime.TypeByExtension(path.Ext(name))
	if a.contentType == "" {
		a.contentType = "application/octet-stream"
	}
	if strings.HasPrefix(a.contentType, "text/") && !strings.Contains(a.contentType, "charset") {
		a.contentType += "; charset=utf-8"
	}
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	_, _ = zw.Write(data) // into a bytes.Buffer, which does not fail
	zw.Close()
	if buf.Len() < len(data) {
		a.gz = buf.Bytes()
	}
	return a
}
