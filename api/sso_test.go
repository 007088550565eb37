package api_test

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/oauth2-proxy/mockoidc"
	"github.com/stretchr/testify/require"

	"github.com/perfloop/perfloop/api"
	"github.com/perfloop/perfloop/demo"
	"github.com/perfloop/perfloop/store"
	"github.com/perfloop/perfloop/store/storetest"
)

// ssoEnv is the API with SSO sign-in against a real OpenID Connect
// provider (mockoidc: discovery, JWKS, authorization code with PKCE) and a
// browser-like client that keeps cookies.
type ssoEnv struct {
	*env
	idp *mockoidc.MockOIDC
	sso *api.SSO
}

func newSSOEnv(t *testing.T, st *store.Store, configure func(*api.SSO)) *ssoEnv {
	t.Helper()
	users, _, err := demo.Seed(context.Background(), st, "")
	require.NoError(t, err)
	idp, err := mockoidc.Run()
	require.NoError(t, err)
	t.Cleanup(func() { _ = idp.Shutdown() })
	srv := httptest.NewUnstartedServer(nil)
	cfg := idp.Config()
	sso := &api.SSO{Issuer: cfg.Issuer, ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret, RedirectURL: "http://" + srv.Listener.Addr().String() + "/auth/callback"}
	if configure != nil {
		configure(sso)
	}
	require.NoError(t, sso.Check())
	srv.Config.Handler = api.New(api.Deps{Store: st, SSO: sso})
	srv.Start()
	t.Cleanup(srv.Close)
	e := &env{t: t, srv: srv, store: st, token: map[string]string{}}
	for _, u := range users {
		e.token[strings.Split(u.Email, "@")[0]] = u.Token
	}
	return &ssoEnv{env: e, idp: idp, sso: sso}
}

// browser keeps cookies like a browser and follows redirects until the UI
// page, which this server (the API alone) does not serve.
type browser struct {
	t      *testing.T
	e      *ssoEnv
	client *http.Client
}

func (e *ssoEnv) browser() *browser {
	jar, err := cookiejar.New(nil)
	require.NoError(e.t, err)
	return &browser{t: e.t, e: e, client: &http.Client{Jar: jar, CheckRedirect: func(req *http.Request, _ []*http.Request) error {
		if req.URL.Path == "/" {
			return http.ErrUseLastResponse
		}
		return nil
	}}}
}

type page struct {
	status   int
	location string
	body     string
	cookies  []*http.Cookie
}

// signIn clicks "Sign in with SSO" as the person the provider knows by email.
func (b *browser) signIn(email string, verified bool) page {
	b.t.Helper()
	b.e.idp.QueueUser(&mockoidc.MockUser{Subject: "sub-" + email, Email: email, EmailVerified: verified})
	return b.get("/auth/login")
}

func (b *browser) get(path string) page {
	b.t.Helper()
	res, err := b.client.Get(b.e.srv.URL + path)
	require.NoError(b.t, err)
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	return page{status: res.StatusCode, location: res.Header.Get("Location"), body: string(raw), cookies: res.Cookies()}
}

// send makes an API request carrying the browser's cookies; csrf adds the
// header the UI sends (the perfloop_csrf cookie's value).
func (b *browser) send(method, path, body string, csrf bool) (int, string) {
	b.t.Helper()
	req, err := http.NewRequest(method, b.e.srv.URL+path, strings.NewReader(body))
	require.NoError(b.t, err)
	req.Header.Set("Content-Type", "application/json")
	if csrf {
		req.Header.Set(api.CSRFHeader, b.cookie("perfloop_csrf"))
	}
	res, err := b.client.Do(req)
	require.NoError(b.t, err)
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(raw)
}

func (b *browser) cookie(name string) string {
	u, _ := url.Parse(b.e.srv.URL)
	for _, c := range b.client.Jar.Cookies(u) {
		if c.Name == name {
			return c.Value
		}
	}
	return ""
}

func cookieNamed(cs []*http.Cookie, name string) *http.Cookie {
	for _, c := range cs {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// TestAMemberSignsInWithTheCompanySSOIntoAnHttpOnlySessionThatExpires: the
// sign-in ends on the inbox with an HttpOnly, SameSite=Lax session cookie
// (not Secure on loopback) that acts for the member whose verified e-mail
// the provider vouched for, backed by a server-side session that ends
// after the configured time; an expired session is 401.
func TestAMemberSignsInWithTheCompanySSOIntoAnHttpOnlySessionThatExpires(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newSSOEnv(t, st, func(s *api.SSO) { s.SessionTTL = 3 * time.Hour })
		r := e.do("GET", "/api/v1/ui/config", "", nil)
		require.Equal(t, "/auth/login", r.body["login"], "the sign-in page learns where SSO starts")

		b := e.browser()
		p := b.signIn("Chen.Jing@demo.perfloop.dev", true)
		require.Equal(t, http.StatusSeeOther, p.status, p.body)
		require.Equal(t, "/#/inbox", p.location)
		session := cookieNamed(p.cookies, "perfloop_session")
		require.NotNil(t, session)
		require.True(t, session.HttpOnly)
		require.Equal(t, http.SameSiteLaxMode, session.SameSite)
		require.False(t, session.Secure, "loopback over http: a Secure cookie would never come back")
		require.InDelta(t, (3 * time.Hour).Seconds(), session.MaxAge, 1)
		csrf := cookieNamed(p.cookies, "perfloop_csrf")
		require.NotNil(t, csrf)
		require.False(t, csrf.HttpOnly, "the UI's script reads it to send the header")

		status, body := b.send("GET", "/api/v1/me", "", false)
		require.Equal(t, 200, status, body)
		require.Contains(t, body, `"email":"chen.jing@demo.perfloop.dev"`)
		status, body = b.send("GET", "/api/v1/inbox", "", false)
		require.Equal(t, 200, status, body)

		m, err := st.MemberByEmail(context.Background(), "chen.jing@demo.perfloop.dev")
		require.NoError(t, err)
		tokens, err := st.ListTokens(context.Background(), m.ID)
		require.NoError(t, err)
		var row *store.APIToken
		for i := range tokens {
			if tokens[i].Name == api.SessionTokenName {
				row = &tokens[i]
			}
		}
		require.NotNil(t, row, "the session is a server-side row an admin can see and revoke")
		require.WithinDuration(t, time.Now().Add(3*time.Hour), *row.ExpiresAt, time.Minute)

		require.NoError(t, st.DB.Model(&store.APIToken{}).Where("id = ?", row.ID).Update("expires_at", time.Now().UTC().Add(-time.Second)).Error)
		status, body = b.send("GET", "/api/v1/me", "", false)
		require.Equal(t, 401, status, body)
		require.Contains(t, body, "the session has ended")
	})
}

// TestCookieWritesNeedTheCSRFHeaderButBearerWritesDoNot: a change sent
// with the session cookie alone (what a forged cross-site form sends) is
// 403 and changes nothing; with the header it goes through; a script's
// bearer token needs no header.
func TestCookieWritesNeedTheCSRFHeaderButBearerWritesDoNot(t *testing.T) {
	e := newSSOEnv(t, storetest.SQLite(t), nil)
	b := e.browser()
	require.Equal(t, http.StatusSeeOther, b.signIn("admin@demo.perfloop.dev", true).status)

	status, body := b.send("POST", "/api/v1/teams", `{"key":"forged","name":"Forged"}`, false)
	require.Equal(t, 403, status, body)
	require.Contains(t, body, `"code":"csrf"`)
	req, _ := http.NewRequest("POST", e.srv.URL+"/api/v1/teams", strings.NewReader(`{"key":"forged2","name":"Forged"}`))
	req.Header.Set(api.CSRFHeader, "a-guess")
	res, err := b.client.Do(req)
	require.NoError(t, err)
	res.Body.Close()
	require.Equal(t, 403, res.StatusCode, "a wrong token is no token")
	teams := e.do("GET", "/api/v1/teams?q=forged", "admin", nil)
	require.EqualValues(t, 0, teams.body["total"], "a refused write wrote nothing")

	status, body = b.send("POST", "/api/v1/teams", `{"key":"by-cookie","name":"By cookie"}`, true)
	require.Equal(t, 201, status, body)
	require.Equal(t, 201, e.do("POST", "/api/v1/teams", "admin", map[string]any{"key": "by-token", "name": "By token"}).status, "bearer writes need no CSRF header")
	status, _ = b.send("GET", "/api/v1/teams", "", false)
	require.Equal(t, 200, status, "reads need no header")
}

// TestLogoutEndsTheSessionOnTheServer: logout needs the CSRF header (a
// forged one is refused and signs nobody out); then the old cookie,
// replayed, is 401 and the session row is revoked.
func TestLogoutEndsTheSessionOnTheServer(t *testing.T) {
	e := newSSOEnv(t, storetest.SQLite(t), nil)
	b := e.browser()
	require.Equal(t, http.StatusSeeOther, b.signIn("liu.yang@demo.perfloop.dev", true).status)
	old := b.cookie("perfloop_session")
	require.NotEmpty(t, old)

	status, body := b.send("POST", "/auth/logout", "", false)
	require.Equal(t, 403, status, body)
	status, _ = b.send("GET", "/api/v1/me", "", false)
	require.Equal(t, 200, status, "a forged logout ends nothing")

	status, body = b.send("POST", "/auth/logout", "", true)
	require.Equal(t, 204, status, body)
	require.Empty(t, b.cookie("perfloop_session"), "the browser forgets the cookie")

	req, _ := http.NewRequest("GET", e.srv.URL+"/api/v1/me", nil)
	req.AddCookie(&http.Cookie{Name: "perfloop_session", Value: old})
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	res.Body.Close()
	require.Equal(t, 401, res.StatusCode, "the old cookie, replayed, no longer signs anyone in")
	status, _ = b.send("POST", "/auth/logout", "", false)
	require.Equal(t, 204, status, "logging out again is harmless")
}

// TestUnverifiedAndUnknownEmailsAreRefusedWithAPageSayingWhy: the
// provider not vouching for the e-mail, or an e-mail no member has, gets
// a page saying so and no session.
func TestUnverifiedAndUnknownEmailsAreRefusedWithAPageSayingWhy(t *testing.T) {
	e := newSSOEnv(t, storetest.SQLite(t), nil)
	b := e.browser()
	p := b.signIn("chen.jing@demo.perfloop.dev", false)
	require.Equal(t, 403, p.status, p.body)
	require.Contains(t, p.body, "does not say the email chen.jing@demo.perfloop.dev is verified")
	require.Empty(t, b.cookie("perfloop_session"))

	b = e.browser()
	p = b.signIn("stranger@example.com", true)
	require.Equal(t, 403, p.status, p.body)
	require.Contains(t, p.body, "no active member with the e-mail stranger@example.com")
	require.Empty(t, b.cookie("perfloop_session"))
	_, err := e.store.MemberByEmail(context.Background(), "stranger@example.com")
	require.ErrorIs(t, err, store.ErrNotFound, "just-in-time creation is off by default")
}

// TestJustInTimeMembersOnlyFromTheAllowedDomain: with --oidc-jit-domain, a
// verified e-mail of that domain no member has becomes an employee of the
// organisation and is signed in; another domain is refused; a deactivated
// member is not brought back by signing in.
func TestJustInTimeMembersOnlyFromTheAllowedDomain(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newSSOEnv(t, st, func(s *api.SSO) { s.JITDomain = "newhire.example.com" })
		ctx := context.Background()
		b := e.browser()
		p := b.signIn("Wang.Fang@newhire.example.com", true)
		require.Equal(t, http.StatusSeeOther, p.status, p.body)
		status, body := b.send("GET", "/api/v1/me", "", false)
		require.Equal(t, 200, status, body)
		require.Contains(t, body, `"email":"wang.fang@newhire.example.com"`)
		require.Contains(t, body, `"role":"employee"`)
		require.Equal(t, http.StatusSeeOther, e.browser().signIn("wang.fang@newhire.example.com", true).status, "the second sign-in finds the member")
		members := e.do("GET", "/api/v1/members?q=newhire.example.com", "admin", nil)
		require.EqualValues(t, 1, members.body["total"], "one member, not one per sign-in")

		p = e.browser().signIn("someone@elsewhere.example.com", true)
		require.Equal(t, 403, p.status, p.body)
		_, err := st.MemberByEmail(ctx, "someone@elsewhere.example.com")
		require.ErrorIs(t, err, store.ErrNotFound)

		p = e.browser().signIn("unverified@newhire.example.com", false)
		require.Equal(t, 403, p.status, "an unverified e-mail creates no one")

		m, err := st.MemberByEmail(ctx, "wang.fang@newhire.example.com")
		require.NoError(t, err)
		require.Equal(t, 200, e.do("DELETE", "/api/v1/members/"+m.ID, "admin", nil).status)
		status, _ = b.send("GET", "/api/v1/me", "", false)
		require.Equal(t, 401, status, "deactivating a member ends their session")
		p = e.browser().signIn("wang.fang@newhire.example.com", true)
		require.Equal(t, 403, p.status, p.body)
		require.Contains(t, p.body, "deactivated")
		_, err = st.MemberByEmail(ctx, "wang.fang@newhire.example.com")
		require.ErrorIs(t, err, store.ErrNotFound, "signing in does not undo a deactivation")
	})
}

// TestACallbackNotStartedInThisBrowserSignsNobodyIn: a callback without
// the browser's sealed state, with another state, or replayed, is refused.
func TestACallbackNotStartedInThisBrowserSignsNobodyIn(t *testing.T) {
	e := newSSOEnv(t, storetest.SQLite(t), nil)
	b := e.browser()
	// Stop at the callback to replay it.
	b.client.CheckRedirect = func(req *http.Request, _ []*http.Request) error {
		if req.URL.Path == "/auth/callback" {
			return http.ErrUseLastResponse
		}
		return nil
	}
	e.idp.QueueUser(&mockoidc.MockUser{Subject: "s", Email: "admin@demo.perfloop.dev", EmailVerified: true})
	p := b.get("/auth/login")
	require.Equal(t, http.StatusFound, p.status)
	cb, err := url.Parse(p.location)
	require.NoError(t, err)
	require.Equal(t, "/auth/callback", cb.Path)

	other := e.browser()
	p = other.get(cb.RequestURI())
	require.Equal(t, 400, p.status, "another browser (no sealed state) cannot finish it")
	require.Contains(t, p.body, "not started in this browser")

	q := cb.Query()
	q.Set("state", "forged")
	p = b.get("/auth/callback?" + q.Encode())
	require.Equal(t, 400, p.status, "a different state is refused")
	require.Empty(t, b.cookie("perfloop_session"))
	p = b.get(cb.RequestURI())
	require.Equal(t, 400, p.status, "the state was spent by the refused try")
}

// TestSSOSignInRoutesAre404WhenNotConfigured: without --oidc-client-id
// there is nothing to sign in to, and the UI is told so.
func TestSSOSignInRoutesAre404WhenNotConfigured(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t))
	require.Equal(t, 404, e.do("GET", "/auth/login", "", nil).status)
	require.Equal(t, 404, e.do("POST", "/auth/logout", "", nil).status)
	r := e.do("GET", "/api/v1/ui/config", "", nil)
	require.Nil(t, r.body["login"])
}

// TestSSOSettingsThatCannotWorkAreNamed: each missing or unsafe setting is
// reported with its flag.
func TestSSOSettingsThatCannotWorkAreNamed(t *testing.T) {
	good := func() *api.SSO {
		return &api.SSO{Issuer: "https://sso.example.com", ClientID: "perfloop", ClientSecret: "s", RedirectURL: "https://perf.example.com/auth/callback"}
	}
	require.NoError(t, good().Check())
	for flag, mutate := range map[string]func(*api.SSO){
		"--oidc-issuer":                   func(s *api.SSO) { s.Issuer = "" },
		"--oidc-client-secret-file":       func(s *api.SSO) { s.ClientSecret = "" },
		"--oidc-redirect-url is required": func(s *api.SSO) { s.RedirectURL = "" },
		"https is required":               func(s *api.SSO) { s.RedirectURL = "http://perf.example.com/auth/callback" },
		"ending in /auth/callback":        func(s *api.SSO) { s.RedirectURL = "https://perf.example.com/callback" },
		"--oidc-jit-domain":               func(s *api.SSO) { s.JITDomain = "@example.com" },
	} {
		s := good()
		mutate(s)
		err := s.Check()
		require.Error(t, err, flag)
		require.ErrorIs(t, err, api.ErrSSOConfig)
		require.Contains(t, err.Error(), flag)
	}
	loop := good()
	loop.RedirectURL = "http://127.0.0.1:8080/auth/callback"
	require.NoError(t, loop.Check(), "http is fine on loopback")
}
