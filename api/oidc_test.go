package api_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"net/http/httptest"
	"os"
	"path/filepath"
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
	for name, claims := range cases {
		e.token[name] = sign(key, claims)
		require.Equal(t, 401, e.do("GET", "/api/v1/me", name, nil).status, name)
	}
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
