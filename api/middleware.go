package api

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"slices"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/perfloop/perfloop/store"
)

const (
	requestIDKey = "requestID"
	memberKey    = "member"
	loggerKey    = "logger"
)

// requestContext gives every request an id (kept from X-Request-Id when a
// proxy set one), echoes it, and logs the request once it is done.
func (s *Server) requestContext(c *gin.Context) {
	id := c.GetHeader("X-Request-Id")
	if id == "" || len(id) > 64 {
		b := make([]byte, 8)
		_, _ = rand.Read(b)
		id = hex.EncodeToString(b)
	}
	c.Set(requestIDKey, id)
	c.Header("X-Request-Id", id)
	log := s.log.With("request_id", id)
	c.Set(loggerKey, log)
	start := time.Now()
	c.Next()
	if c.Request.URL.Path == "/healthz" || c.Request.URL.Path == "/readyz" {
		return
	}
	log.Info("http", "method", c.Request.Method, "path", c.Request.URL.Path, "status", c.Writer.Status(), "ms", time.Since(start).Milliseconds())
}

func logger(c *gin.Context) *slog.Logger {
	if l, ok := c.Get(loggerKey); ok {
		return l.(*slog.Logger)
	}
	return slog.Default()
}

// recoverPanics turns a handler panic into a logged 500 in the usual shape;
// the process keeps serving.
func (s *Server) recoverPanics(c *gin.Context) {
	defer func() {
		if r := recover(); r != nil {
			logger(c).Error("panic", "value", r, "stack", string(debug.Stack()))
			writeError(c, &Error{Status: http.StatusInternalServerError, Code: "internal", Message: "internal error; the request id identifies it in the server log"})
		}
	}()
	c.Next()
}

// authenticate resolves the bearer token (or, without an Authorization
// header, the browser's session cookie) to a member or answers 401.
func (s *Server) authenticate(c *gin.Context) {
	h := c.GetHeader("Authorization")
	if session, _ := c.Cookie(sessionCookie); h == "" && session != "" && s.sso != nil {
		s.authenticateSession(c, session)
		return
	}
	token, ok := strings.CutPrefix(h, "Bearer ")
	if !ok || strings.TrimSpace(token) == "" {
		c.Header("WWW-Authenticate", `Bearer realm="perfloop"`)
		writeError(c, &Error{Status: http.StatusUnauthorized, Code: "unauthenticated", Message: "an Authorization: Bearer <token> header is required"})
		return
	}
	token = strings.TrimSpace(token)
	if s.throttled(c) {
		return
	}
	var m *store.Member
	var err error
	if s.oidc != nil && !strings.HasPrefix(token, store.TokenPrefix) {
		m, err = s.ssoMember(c, token)
	} else {
		m, _, err = s.store.Authenticate(c.Request.Context(), token)
	}
	if errors.Is(err, store.ErrTokenInvalid) || errors.Is(err, ErrOIDC) {
		s.auth.fail(c.ClientIP())
		c.Header("WWW-Authenticate", `Bearer realm="perfloop", error="invalid_token"`)
		writeError(c, &Error{Status: http.StatusUnauthorized, Code: "unauthenticated", Message: err.Error()})
		return
	}
	if err != nil {
		writeError(c, err)
		return
	}
	signedIn(c, m)
}

// authenticateSession signs in by the session cookie. A browser sends the
// cookie on requests other sites make it send, so a change must also carry
// the CSRF header, which only this origin's script can read and set.
func (s *Server) authenticateSession(c *gin.Context, session string) {
	if s.throttled(c) {
		return
	}
	m, _, err := s.store.Authenticate(c.Request.Context(), session)
	if errors.Is(err, store.ErrTokenInvalid) {
		s.auth.fail(c.ClientIP())
		writeError(c, &Error{Status: http.StatusUnauthorized, Code: "unauthenticated", Message: "the session has ended (expired or signed out); sign in again"})
		return
	}
	if err != nil {
		writeError(c, err)
		return
	}
	switch c.Request.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
	default:
		if !csrfMatches(session, c.GetHeader(CSRFHeader)) {
			writeError(c, csrfRefusal())
			return
		}
	}
	signedIn(c, m)
}

func signedIn(c *gin.Context, m *store.Member) {
	c.Set(memberKey, m)
	c.Set(loggerKey, logger(c).With("member", m.ID))
	c.Request = c.Request.WithContext(store.AsActor(c.Request.Context(), m.ID))
	c.Next()
}

// caller is the authenticated member; only valid behind authenticate.
func caller(c *gin.Context) *store.Member {
	return c.MustGet(memberKey).(*store.Member)
}

// requireRole lets through members holding one of roles.
func (s *Server) requireRole(roles ...string) gin.HandlerFunc {
	return func(c *gin.Context) {
		if !slices.Contains(roles, caller(c).Role) {
			writeError(c, forbidden("this needs the role "+strings.Join(roles, " or ")))
			return
		}
		c.Next()
	}
}

// Caller exposes the authenticated member to routes registered through Deps.Extra.
func Caller(c *gin.Context) *store.Member { return caller(c) }

// WriteError exposes the one error writer to routes registered through Deps.Extra.
func WriteError(c *gin.Context, err error) { writeError(c, err) }

// DecodeJSON exposes strict decoding to routes registered through Deps.Extra.
func DecodeJSON(c *gin.Context, into any) error { return decodeJSON(c, into) }

// ssoMember maps a verified SSO token to the active member with its email.
func (s *Server) ssoMember(c *gin.Context, token string) (*store.Member, error) {
	email, err := s.oidc.Email(token)
	if err != nil {
		return nil, err
	}
	m, err := s.store.MemberByEmail(c.Request.Context(), email)
	if errors.Is(err, store.ErrNotFound) {
		return nil, fmt.Errorf("%w: no active member has the email %s", ErrOIDC, email)
	}
	return m, err
}
