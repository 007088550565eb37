package api

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"strings"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/gin-gonic/gin"
	"golang.org/x/oauth2"

	"github.com/perfloop/perfloop/store"
)

// The browser's SSO sign-in: /auth/login sends the browser to the
// provider, /auth/callback signs it in, /auth/logout ends the session.
// They live outside /api/v1 because the browser navigates to them; they
// answer 404 when sign-in is not configured.

func ssoRoutes() []route {
	return []route{
		{"GET", "/auth/login", public, (*Server).ssoLogin, Doc{Tag: "sso", Summary: "Start the SSO sign-in: redirects (302) to the provider with state, nonce and a PKCE challenge (404 when --oidc-client-id is unset; 503 while the provider cannot be discovered)", Responses: map[int]any{302: nil, 404: nil, 503: nil}}},
		{"GET", "/auth/callback", public, (*Server).ssoCallback, Doc{Tag: "sso", Summary: "The provider's redirect back: exchanges the code, verifies the ID token, signs in the member with that verified e-mail (session and CSRF cookies) and redirects (303) to the UI; a page saying why otherwise", Query: []string{"code", "state", "error", "error_description"}, Responses: map[int]any{303: nil, 400: nil, 403: nil, 404: nil, 502: nil, 503: nil}}},
		{"POST", "/auth/logout", public, (*Server).ssoLogout, Doc{Tag: "sso", Summary: "End the browser's session server-side and clear its cookies; needs the X-CSRF-Token header while the session is live", Responses: map[int]any{204: nil, 403: nil, 404: nil}}},
	}
}

// ssoOn answers 404 when sign-in is not configured.
func (s *Server) ssoOn(c *gin.Context) bool {
	if s.sso == nil {
		writeError(c, &Error{Status: http.StatusNotFound, Code: "not_found", Message: "SSO sign-in is not configured on this server (--oidc-client-id)"})
		return false
	}
	return true
}

func (s *Server) setCookie(c *gin.Context, name, value, path string, maxAge int, httpOnly bool) {
	http.SetCookie(c.Writer, &http.Cookie{Name: name, Value: value, Path: path, MaxAge: maxAge,
		HttpOnly: httpOnly, Secure: s.sso.secure(), SameSite: http.SameSiteLaxMode})
}

func (s *Server) ssoLogin(c *gin.Context) {
	if !s.ssoOn(c) {
		return
	}
	p, _, err := s.sso.discover(c.Request.Context())
	if err != nil {
		logger(c).Warn("sso discovery", "err", err)
		c.Header("Retry-After", "10")
		s.ssoPage(c, http.StatusServiceUnavailable, "The company sign-in service cannot be reached right now. Try again in a minute; if it keeps failing, tell your administrator.", "暂时无法连接企业登录服务，请稍后重试；如持续失败，请联系管理员。")
		return
	}
	st := loginState{State: randomString(), Nonce: randomString(), Verifier: oauth2.GenerateVerifier(), Expires: time.Now().Add(stateTTL).Unix()}
	sealed, err := s.sso.seal(st)
	if err != nil {
		writeError(c, fmt.Errorf("seal sign-in state: %w", err))
		return
	}
	s.setCookie(c, stateCookie, sealed, "/auth/", int(stateTTL/time.Second), true)
	c.Header("Cache-Control", "no-store")
	c.Redirect(http.StatusFound, s.sso.oauth(p).AuthCodeURL(st.State, oidc.Nonce(st.Nonce), oauth2.S256ChallengeOption(st.Verifier)))
}

func (s *Server) ssoCallback(c *gin.Context) {
	if !s.ssoOn(c) {
		return
	}
	c.Header("Cache-Control", "no-store")
	log := logger(c)
	if e := c.Query("error"); e != "" {
		log.Info("sso refused by the provider", "error", e, "description", c.Query("error_description"))
		s.ssoPage(c, http.StatusForbidden, "The sign-in service did not sign you in ("+e+": "+c.Query("error_description")+").", "企业登录服务未完成登录（"+e+"）。")
		return
	}
	sealed, _ := c.Cookie(stateCookie)
	// The state is good for one callback.
	s.setCookie(c, stateCookie, "", "/auth/", -1, true)
	st, err := s.sso.open(sealed)
	if err == nil && subtle.ConstantTimeCompare([]byte(st.State), []byte(c.Query("state"))) != 1 {
		err = errLoginState
	}
	if err == nil && c.Query("code") == "" {
		err = errors.New("the provider sent no authorization code")
	}
	if err != nil {
		s.ssoPage(c, http.StatusBadRequest, "This sign-in cannot be finished: "+err.Error()+". Start again from the sign-in page.", "无法完成本次登录：登录未在此浏览器发起、已使用过或超过 10 分钟。请从登录页重新开始。")
		return
	}
	p, ids, err := s.sso.discover(c.Request.Context())
	if err != nil {
		c.Header("Retry-After", "10")
		s.ssoPage(c, http.StatusServiceUnavailable, "The company sign-in service cannot be reached right now. Try again in a minute.", "暂时无法连接企业登录服务，请稍后重试。")
		return
	}
	ctx, cancel := context.WithTimeout(c.Request.Context(), 15*time.Second)
	defer cancel()
	tok, err := s.sso.oauth(p).Exchange(ctx, c.Query("code"), oauth2.VerifierOption(st.Verifier))
	if err != nil {
		log.Warn("sso code exchange", "err", err)
		s.ssoPage(c, http.StatusBadGateway, "The sign-in service did not accept this sign-in (the code exchange failed). Start again; if it keeps failing, tell your administrator.", "企业登录服务未接受本次登录（授权码交换失败）。请重新开始；如持续失败，请联系管理员。")
		return
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		s.ssoPage(c, http.StatusBadGateway, "The sign-in service sent no ID token; it must speak OpenID Connect.", "企业登录服务未返回 ID 令牌（需要 OpenID Connect）。")
		return
	}
	idt, claims, err := ids.verify(raw, s.sso.ClientID)
	if err == nil && subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(st.Nonce)) != 1 {
		err = fmt.Errorf("%w: the ID token's nonce is not this sign-in's", ErrOIDC)
	}
	var email string
	if err == nil {
		email, err = ids.emailOf(claims, true)
	}
	if errors.Is(err, ErrSSOUnavailable) {
		c.Header("Retry-After", "10")
		s.ssoPage(c, http.StatusServiceUnavailable, "The sign-in service's keys cannot be read right now. Try again in a minute.", "暂时无法读取企业登录服务的密钥，请稍后重试。")
		return
	}
	if err != nil {
		log.Info("sso refused", "err", err)
		s.ssoPage(c, http.StatusForbidden, "Perfloop cannot sign you in: "+err.Error()+".", "无法登录 Perfloop：企业账号的邮箱未经验证或令牌无效。")
		return
	}
	m, err := s.ssoMemberFor(c.Request.Context(), email, claims)
	if err != nil {
		var e *Error
		if errors.As(err, &e) {
			log.Info("sso refused", "email", email, "err", err)
			s.ssoPage(c, e.Status, e.Message, "无法登录 Perfloop："+email+" 不是本组织的成员（或已停用）。请联系管理员将你加入组织。")
			return
		}
		writeError(c, err)
		return
	}
	ttl := s.sso.sessionTTL()
	session, _, err := s.store.IssueToken(store.AsActor(c.Request.Context(), m.ID), m.ID, SessionTokenName, ttl)
	if err != nil {
		writeError(c, err)
		return
	}
	log.Info("sso sign-in", "member", m.ID)
	s.setCookie(c, sessionCookie, session, "/", int(ttl/time.Second), true)
	s.setCookie(c, csrfCookie, csrfFor(session), "/", int(ttl/time.Second), false)
	c.Redirect(http.StatusSeeOther, "/#/inbox")
}

// ssoMemberFor is the active member with this verified e-mail or, when
// just-in-time creation allows it, a new employee of the first
// organisation made through the same checks and store call as an admin's
// POST /members. Anyone else is refused with a message saying why.
func (s *Server) ssoMemberFor(ctx context.Context, email string, claims map[string]any) (*store.Member, error) {
	m, err := s.store.MemberByEmail(ctx, email)
	if !errors.Is(err, store.ErrNotFound) {
		return m, err
	}
	if !s.sso.jitAllowed(email) {
		return nil, &Error{Status: http.StatusForbidden, Code: "forbidden", Message: "Perfloop has no active member with the e-mail " + email + ". Ask your administrator to add you (or to reactivate you)."}
	}
	org, err := s.store.FirstOrganization(ctx)
	if err != nil {
		return nil, err
	}
	name, _ := claims["name"].(string)
	if strings.TrimSpace(name) == "" {
		name, _, _ = strings.Cut(email, "@")
	}
	role := store.RoleEmployee
	in := memberInput{Name: &name, Email: &email, Role: &role}
	if err := in.check(true); err != nil {
		return nil, &Error{Status: http.StatusForbidden, Code: "forbidden", Message: "Perfloop cannot create a member for " + email + ": " + err.Error()}
	}
	m = &store.Member{ID: store.NewID(), OrgID: org.ID, Timezone: org.Timezone, Locale: org.Locale, Active: true}
	in.apply(m)
	err = s.store.CreateMember(store.AsActor(ctx, m.ID), m)
	if errors.Is(err, store.ErrConflict) {
		// A deactivated member keeps the e-mail: sign-in does not undo an
		// admin's decision. Or a second tab created them a moment ago.
		if again, err2 := s.store.MemberByEmail(ctx, email); err2 == nil {
			return again, nil
		}
		return nil, &Error{Status: http.StatusForbidden, Code: "forbidden", Message: "The member with the e-mail " + email + " is deactivated. Ask your administrator to reactivate you."}
	}
	return m, err
}

func (s *Server) ssoLogout(c *gin.Context) {
	if !s.ssoOn(c) {
		return
	}
	if session, _ := c.Cookie(sessionCookie); session != "" {
		m, tok, err := s.store.Authenticate(c.Request.Context(), session)
		switch {
		case errors.Is(err, store.ErrTokenInvalid):
			// Already over: only the cookies are left to clear.
		case err != nil:
			writeError(c, err)
			return
		case !csrfMatches(session, c.GetHeader(CSRFHeader)):
			writeError(c, csrfRefusal())
			return
		default:
			if err := s.store.RevokeToken(store.AsActor(c.Request.Context(), m.ID), m.ID, tok.ID); err != nil && !errors.Is(err, store.ErrNotFound) {
				writeError(c, err)
				return
			}
		}
	}
	s.setCookie(c, sessionCookie, "", "/", -1, true)
	s.setCookie(c, csrfCookie, "", "/", -1, false)
	c.Status(http.StatusNoContent)
}

func csrfRefusal() *Error {
	return &Error{Status: http.StatusForbidden, Code: "csrf", Message: "a change signed in by the session cookie needs the " + CSRFHeader + " header carrying the " + csrfCookie + " cookie's value (scripts: send Authorization: Bearer instead)"}
}

var ssoPageTemplate = template.Must(template.New("sso").Parse(`<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Perfloop · 登录 / Sign in</title><link rel="stylesheet" href="/ui/app.css"></head>
<body><main id="sso-refusal" class="card signin">
<h1>无法登录 / Cannot sign in</h1>
<p lang="zh-CN" id="sso-message-zh">{{.Zh}}</p>
<p lang="en" id="sso-message">{{.En}}</p>
<p><a href="/#/signin" id="sso-back">返回登录页 / Back to sign-in</a></p>
</main></body></html>`))

// ssoPage tells a person in the browser why they are not signed in, in
// both languages: the sign-in happens before the UI knows theirs.
func (s *Server) ssoPage(c *gin.Context, status int, en, zh string) {
	c.Header("Content-Security-Policy", "default-src 'none'; style-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
	c.Header("Content-Type", "text/html; charset=utf-8")
	c.Status(status)
	_ = ssoPageTemplate.Execute(c.Writer, struct{ En, Zh string }{en, zh})
	c.Abort()
}
