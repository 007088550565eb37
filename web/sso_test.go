package web_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/oauth2-proxy/mockoidc"
	"github.com/stretchr/testify/require"

	"github.com/perfloop/perfloop/api"
	"github.com/perfloop/perfloop/devstack"
	"github.com/perfloop/perfloop/store"
)

// startSSOUI is the product with SSO sign-in against a real OpenID Connect
// provider (mockoidc: discovery, JWKS, authorization code with PKCE),
// which signs in whoever the test queues next.
func startSSOUI(t *testing.T, jitDomain string) (*browserUI, *mockoidc.MockOIDC) {
	t.Helper()
	idp, err := mockoidc.Run()
	require.NoError(t, err)
	t.Cleanup(func() { _ = idp.Shutdown() })
	cfg := idp.Config()
	u := startUIWith(t, func(o *devstack.Options, base string) {
		o.SSO = &api.SSO{Issuer: cfg.Issuer, ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret, RedirectURL: base + "/auth/callback", JITDomain: jitDomain}
	})
	return u, idp
}

// openSignIn opens the sign-in screen fresh, in English.
func (u *browserUI) openSignIn() {
	u.t.Helper()
	u.do(
		chromedp.Navigate(u.base+"/#/signin"),
		chromedp.Evaluate[chromedp.Void](`localStorage.clear(); localStorage.setItem('pl.lang', 'en')`),
		chromedp.Reload(),
		visible("#sso-login"),
	)
}

// ssoSignIn clicks "Sign in with SSO" as the person the provider knows by email.
func (u *browserUI) ssoSignIn(idp *mockoidc.MockOIDC, email string, verified bool) {
	u.t.Helper()
	u.openSignIn()
	idp.QueueUser(&mockoidc.MockUser{Subject: "sub-" + email, Email: email, EmailVerified: verified})
	u.do(chromedp.Click(chromedp.CSS("#sso-login")))
}

// browserCookie reads a cookie as the browser holds it, HttpOnly ones too.
func (u *browserUI) browserCookie(name string) *network.Cookie {
	u.t.Helper()
	ctx, cancel := context.WithTimeout(u.tab, step)
	defer cancel()
	res, err := chromedp.Run(ctx, chromedp.Action[network.GetCookiesResult](func(ctx context.Context, t *chromedp.Target) (network.GetCookiesResult, error) {
		return cdp.Call(ctx, t, network.GetCookies, network.GetCookiesParams{URLs: []string{u.base}})
	}))
	require.NoError(u.t, err)
	for _, c := range res.Cookies {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// pageFetchStatus makes a request from the page (its cookies, no CSRF
// header: what a forged cross-site form amounts to) and returns the status.
func (u *browserUI) pageFetchStatus(method, path, body string) string {
	u.t.Helper()
	u.eval(`window.__status = ''; fetch(` + jsString(path) + `, {method: ` + jsString(method) + `, headers: {'Content-Type': 'application/json'}, body: ` + jsString(body) + `}).then((r) => { window.__status = String(r.status); }); ''`)
	u.waitJS(`window.__status !== ''`)
	return u.eval(`window.__status`)
}

func jsString(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}

// TestStaffSignInWithTheSSOButtonAndTheSessionEndsAtLogoutOrExpiry: with
// SSO configured the sign-in screen's front door is "Sign in with SSO" and
// the token field is folded away under "API token"; a member signs in
// through the provider and lands on their inbox with an HttpOnly session;
// the UI's own writes carry the CSRF header while a bare cookie write is
// 403 and a script's bearer write is not; logout ends the session on the
// server (the old cookie is 401); an expired session sends the browser
// back to sign in.
func TestStaffSignInWithTheSSOButtonAndTheSessionEndsAtLogoutOrExpiry(t *testing.T) {
	u, idp := startSSOUI(t, "")
	admin := u.user("admin", "")

	u.openSignIn()
	require.Equal(t, "Sign in with SSO", u.text("#sso-login"))
	require.Equal(t, "false", u.eval(`String(document.querySelector('#api-token').open)`), "the token field is not the front door")
	require.Equal(t, "true", u.eval(`document.activeElement.id === 'sso-login' ? 'true' : 'false'`))
	u.screenshot("signin-sso")
	u.do(chromedp.Evaluate[chromedp.Void](`localStorage.setItem('pl.lang', 'zh')`), chromedp.Reload(), visible("#sso-login"))
	require.Equal(t, "使用企业账号登录", u.text("#sso-login"))
	require.Contains(t, u.text("#api-token summary"), "API 令牌")

	u.ssoSignIn(idp, admin.Email, true)
	u.do(visible("#me"))
	require.Contains(t, u.text("#me"), admin.Name)
	require.Equal(t, "#/inbox", u.eval(`location.hash`))
	require.Empty(t, u.eval(`localStorage.getItem('pl.token') || ''`), "no token is kept in the page")
	session := u.browserCookie("perfloop_session")
	require.NotNil(t, session)
	require.True(t, session.HTTPOnly)
	require.NotContains(t, u.eval(`document.cookie`), "perfloop_session", "the page's script cannot read the session")

	// The UI's own write (an org import check) goes through with the header
	// it adds; the same cookies without it are refused.
	u.do(chromedp.Click(chromedp.CSS(`[data-nav="org"]`)), visible("#org-text"))
	u.do(setText("#org-text", "name,email,role,team,team_name\n新人甲,new.a@demo.perfloop.dev,employee,cs,\n"), chromedp.Click(chromedp.CSS("#org-check")), visible("#org-ok"))
	require.Equal(t, "403", u.pageFetchStatus("POST", "/api/v1/teams", `{"key":"forged","name":"Forged"}`))
	status, _ := u.apiPost(admin.Token, "/teams", map[string]any{"key": "by-script", "name": "By script"})
	require.Equal(t, http.StatusCreated, status, "a script's bearer token needs no CSRF header")

	// Logout from the header ends the session on the server.
	u.do(chromedp.Click(chromedp.CSS("#signout")), visible("#sso-login"))
	req, err := http.NewRequest("GET", u.stack.URL+"/api/v1/me", nil)
	require.NoError(t, err)
	req.AddCookie(&http.Cookie{Name: "perfloop_session", Value: session.Value})
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	res.Body.Close()
	require.Equal(t, http.StatusUnauthorized, res.StatusCode, "the old cookie, replayed, signs nobody in")
	require.Nil(t, u.browserCookie("perfloop_session"))

	// A session past its time sends the browser back to sign in.
	u.ssoSignIn(idp, admin.Email, true)
	u.do(visible("#me"))
	m, err := u.stack.Store.MemberByEmail(context.Background(), admin.Email)
	require.NoError(t, err)
	require.NoError(t, u.stack.Store.DB.Model(&store.APIToken{}).
		Where("member_id = ? AND name = ? AND revoked_at IS NULL", m.ID, api.SessionTokenName).
		Update("expires_at", time.Now().UTC().Add(-time.Second)).Error)
	u.do(chromedp.Reload(), visible("#sso-login"))
	require.Contains(t, u.text("#signin-sso"), "session ended")
}

// TestTheSSORefusesUnknownAndUnverifiedEmailsAndCreatesMembersOnlyFromTheAllowedDomain:
// an e-mail no member has, outside the just-in-time domain, or one the
// provider does not vouch for gets a page saying why (and a way back); a
// verified e-mail of the allowed domain becomes an employee and sees
// their (empty) inbox.
func TestTheSSORefusesUnknownAndUnverifiedEmailsAndCreatesMembersOnlyFromTheAllowedDomain(t *testing.T) {
	u, idp := startSSOUI(t, "newhire.example.com")
	employee := u.user("employee", "cs")

	u.ssoSignIn(idp, "stranger@example.com", true)
	u.do(visible("#sso-refusal"))
	require.Contains(t, u.text("#sso-message"), "no active member with the e-mail stranger@example.com")
	u.screenshot("sso-refused")
	u.do(chromedp.Click(chromedp.CSS("#sso-back")), visible("#sso-login"))

	u.ssoSignIn(idp, employee.Email, false)
	u.do(visible("#sso-refusal"))
	require.Contains(t, u.text("#sso-message"), "is verified")
	require.Nil(t, u.browserCookie("perfloop_session"))

	u.ssoSignIn(idp, "li.lei@newhire.example.com", true)
	u.do(visible("#inbox-empty"))
	require.Contains(t, u.text("#me"), "li.lei")
	m, err := u.stack.Store.MemberByEmail(context.Background(), "li.lei@newhire.example.com")
	require.NoError(t, err)
	require.Equal(t, store.RoleEmployee, m.Role)
}
