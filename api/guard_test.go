package api_test

import (
	"crypto/sha256"
	"encoding/base64"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/perfloop/perfloop/store/storetest"
)

// TestTheAPIDocsPageCarriesACSPThatAllowsOnlyItsOwnScriptAndNoFraming,
// and API answers are neither cached nor type-sniffed.
func TestTheAPIDocsPageCarriesACSPThatAllowsOnlyItsOwnScriptAndNoFraming(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t))
	res, err := http.Get(e.srv.URL + "/api/docs")
	require.NoError(t, err)
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	csp := res.Header.Get("Content-Security-Policy")
	require.Contains(t, csp, "frame-ancestors 'none'")
	require.Contains(t, csp, "default-src 'none'")
	require.Equal(t, "DENY", res.Header.Get("X-Frame-Options"))
	_, script, _ := strings.Cut(string(body), "<script>")
	script, _, _ = strings.Cut(script, "</script>")
	sum := sha256.Sum256([]byte(script))
	require.Contains(t, csp, "'sha256-"+base64.StdEncoding.EncodeToString(sum[:])+"'", "the page's own script may run")

	for _, r := range []resp{e.do("GET", "/api/v1/me", "zhang.wei", nil), e.do("GET", "/api/v1/me", "", nil), e.do("GET", "/api/v1/openapi.json", "", nil)} {
		require.Equal(t, "nosniff", r.header.Get("X-Content-Type-Options"))
		require.Equal(t, "no-store", r.header.Get("Cache-Control"))
	}
}

// TestRepeatedBadTokensFromOneClientAreThrottled: 300 requests with bad
// tokens were all answered; now a client gets 429 with Retry-After after
// twenty failures in a minute, while other clients carry on.
func TestRepeatedBadTokensFromOneClientAreThrottled(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t))
	e.token["forged"] = "pfl_forged-token-that-matches-nothing"
	for i := range 20 {
		require.Equal(t, 401, e.do("GET", "/api/v1/me", "forged", nil).status, i)
	}
	r := e.do("GET", "/api/v1/me", "forged", nil)
	require.Equal(t, 429, r.status, r.raw)
	after, err := strconv.Atoi(r.header.Get("Retry-After"))
	require.NoError(t, err)
	require.True(t, after > 0 && after <= 60, after)
	require.Equal(t, 429, e.do("GET", "/api/v1/me", "zhang.wei", nil).status, "the client waits, whatever token it tries next")

	// Another client behind the same (trusted, loopback) proxy is not held up.
	require.Equal(t, 200, e.do("GET", "/api/v1/me", "zhang.wei", nil, "X-Forwarded-For", "203.0.113.7").status)
}
