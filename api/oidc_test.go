package api_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v4"
	"github.com/stretchr/testify/require"

	"github.com/perfloop/perfloop/api"
	"github.com/perfloop/perfloop/demo"
	"github.com/perfloop/perfloop/store/storetest"
)

// TestSSOTokensAreVerifiedAgainstTheJWKS: a token signed by the company's
// key for the right issuer and audience signs its member in; a wrong
// audience, an expired token, another key, or an unknown person is 401.
// Perfloop's own tokens keep working alongside.
func TestSSOTokensAreVerifiedAgainstTheJWKS(t *testing.T) {
	s := storetest.SQLite(t)
	users, _, err := demo.Seed(context.Background(), s, "")
	require.NoError(t, err)
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	other, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	jwks, _ := json.Marshal(map[string]any{"keys": []map[string]string{{
		"kty": "RSA", "kid": "k1", "alg": "RS256", "use": "sig",
		"n": base64.RawURLEncoding.EncodeToString(key.N.Bytes()),
		"e": base64.RawURLEncoding.EncodeToString(big.NewInt(int64(key.E)).Bytes()),
	}}})
	file := filepath.Join(t.TempDir(), "jwks.json")
	require.NoError(t, os.WriteFile(file, jwks, 0o600))
	srv := httptest.NewServer(api.New(api.Deps{Store: s, OIDC: &api.OIDC{JWKS: file, Issuer: "https://sso.example.com", Audience: "perfloop"}}))
	t.Cleanup(srv.Close)
	e := &env{t: t, srv: srv, store: s, token: map[string]string{}}

	sign := func(k *rsa.PrivateKey, claims jwt.MapClaims) string {
		tok := jwt.NewWithClaims(jwt.SigningMethodRS256, claims)
		tok.Header["kid"] = "k1"
		raw, err := tok.SignedString(k)
		require.NoError(t, err)
		return raw
	}
	base := func() jwt.MapClaims {
		return jwt.MapClaims{"iss": "https://sso.example.com", "aud": "perfloop", "email": "Chen.Jing@demo.perfloop.dev", "exp": time.Now().Add(time.Hour).Unix()}
	}
	e.token["sso"] = sign(key, base())
	r := e.do("GET", "/api/v1/me", "sso", nil)
	require.Equal(t, 200, r.status, r.raw)
	require.Equal(t, "chen.jing@demo.perfloop.dev", r.body["email"])

	cases := map[string]jwt.MapClaims{}
	c := base()
	c["aud"] = "another-app"
	cases["wrong audience"] = c
	c = base()
	c["exp"] = time.Now().Add(-time.Minute).Unix()
	cases["expired"] = c
	c = base()
	c["email"] = "stranger@example.com"
	cases["unknown person"] = c
	c = base()
	c["iss"] = "https://evil.example.com"
	cases["wrong issuer"] = c
	c = base()
	delete(c, "exp")
	cases["no expiry, so good forever"] = c
	c = base()
	c["email_verified"] = false
	cases["email not verified"] = c
	c = base()
	c["email_verified"] = "false"
	cases["email not verified, as a string"] = c
	c = base()
	c["nbf"] = time.Now().Add(time.Hour).Unix()
	cases["not valid yet"] = c
	for name, claims := range cases {
		e.token[name] = sign(key, claims)
		require.Equal(t, 401, e.do("GET", "/api/v1/me", name, nil).status, name)
	}
	c = base()
	c["email_verified"] = true
	c["exp"] = time.Now().Add(-10 * time.Second).Unix()
	e.token["verified, clocks a little apart"] = sign(key, c)
	require.Equal(t, 200, e.do("GET", "/api/v1/me", "verified, clocks a little apart", nil).status)
	e.token["forged"] = sign(other, base())
	require.Equal(t, 401, e.do("GET", "/api/v1/me", "forged", nil).status)

	for _, u := range users {
		if u.Role == "admin" {
			e.token["pfl"] = u.Token
		}
	}
	require.Equal(t, 200, e.do("GET", "/api/v1/me", "pfl", nil).status, "Perfloop tokens still work")
}

// TestARevokedTokenStopsWorkingAtOnce: an admin lists a member's tokens
// (no secrets) and revokes one; the next request with it is 401.
func TestARevokedTokenStopsWorkingAtOnce(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t))
	me := e.do("GET", "/api/v1/me", "zhang.wei", nil)
	require.Equal(t, 200, me.status)
	id := me.body["id"].(string)
	require.Equal(t, 403, e.do("GET", "/api/v1/members/"+id+"/tokens", "zhang.wei", nil).status)
	r := e.do("GET", "/api/v1/members/"+id+"/tokens", "admin", nil)
	require.Equal(t, 200, r.status, r.raw)
	require.NotContains(t, r.raw, e.token["zhang.wei"], "a token's secret is never returned")
	tok := r.body["items"].([]any)[0].(map[string]any)["id"].(string)
	require.Equal(t, 204, e.do("DELETE", "/api/v1/members/"+id+"/tokens/"+tok, "admin", nil).status)
	require.Equal(t, 401, e.do("GET", "/api/v1/me", "zhang.wei", nil).status)
	require.Equal(t, 404, e.do("DELETE", "/api/v1/members/"+id+"/tokens/"+tok, "admin", nil).status)
}

// TestAnSSOOutageDoesNotMakeEveryRequestFetchTheKeySet: while the JWKS
// endpoint fails, requests answer 503 with Retry-After and the key set is
// fetched again only after a backoff, not once per request; tokens naming
// made-up key ids do not make it refetch either.
func TestAnSSOOutageDoesNotMakeEveryRequestFetchTheKeySet(t *testing.T) {
	s := storetest.SQLite(t)
	_, _, err := demo.Seed(context.Background(), s, "")
	require.NoError(t, err)
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	jwks, _ := json.Marshal(map[string]any{"keys": []map[string]string{{
		"kty": "RSA", "kid": "k1", "alg": "RS256", "use": "sig",
		"n": base64.RawURLEncoding.EncodeToString(key.N.Bytes()),
		"e": base64.RawURLEncoding.EncodeToString(big.NewInt(int64(key.E)).Bytes()),
	}}})
	var fetches atomic.Int32
	var down atomic.Bool
	down.Store(true)
	sso := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fetches.Add(1)
		if down.Load() {
			http.Error(w, "maintenance", http.StatusBadGateway)
			return
		}
		w.Write(jwks)
	}))
	t.Cleanup(sso.Close)
	srv := httptest.NewServer(api.New(api.Deps{Store: s, OIDC: &api.OIDC{JWKS: sso.URL, Issuer: "https://sso.example.com", Audience: "perfloop"}}))
	t.Cleanup(srv.Close)
	e := &env{t: t, srv: srv, store: s, token: map[string]string{}}
	sign := func(kid string) string {
		tok := jwt.NewWithClaims(jwt.SigningMethodRS256, jwt.MapClaims{"iss": "https://sso.example.com", "aud": "perfloop",
			"email": "chen.jing@demo.perfloop.dev", "exp": time.Now().Add(time.Hour).Unix()})
		tok.Header["kid"] = kid
		raw, err := tok.SignedString(key)
		require.NoError(t, err)
		return raw
	}
	e.token["sso"] = sign("k1")
	for range 20 {
		r := e.do("GET", "/api/v1/me", "sso", nil)
		require.Equal(t, 503, r.status, r.raw)
		require.NotEmpty(t, r.header.Get("Retry-After"))
	}
	require.EqualValues(t, 1, fetches.Load(), "one fetch, then backoff")

	down.Store(false)
	require.Eventually(t, func() bool { return e.do("GET", "/api/v1/me", "sso", nil).status == 200 }, 10*time.Second, 250*time.Millisecond)
	n := fetches.Load()
	for i := range 20 {
		e.token["made-up"] = sign(fmt.Sprintf("kid-%d", i))
		require.Equal(t, 401, e.do("GET", "/api/v1/me", "made-up", nil).status)
	}
	require.LessOrEqual(t, fetches.Load()-n, int32(1), "unknown key ids refetch at most once per interval")
}
