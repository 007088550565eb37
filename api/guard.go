package api

import (
	"crypto/sha256"
	"encoding/base64"
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
)

// securityHeaders: API answers are personal data, so no cache keeps them
// (no-store) and no browser guesses their type (nosniff); nothing of ours
// is meant to be framed.
func securityHeaders(c *gin.Context) {
	h := c.Writer.Header()
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	if strings.HasPrefix(c.Request.URL.Path, "/api/") || c.Request.URL.Path == "/healthz" || c.Request.URL.Path == "/readyz" {
		h.Set("Cache-Control", "no-store")
	}
	c.Next()
}

// docsCSP lets the API docs page run only its own inline script and style
// (by hash), fetch only from this origin and be framed by nobody.
var docsCSP = "default-src 'none'; script-src '" + inlineHash(openapiHTML, "<script>", "</script>") +
	"'; style-src '" + inlineHash(openapiHTML, "<style>", "</style>") + "'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

func inlineHash(page, open, close string) string {
	_, rest, _ := strings.Cut(page, open)
	body, _, _ := strings.Cut(rest, close)
	sum := sha256.Sum256([]byte(body))
	return "sha256-" + base64.StdEncoding.EncodeToString(sum[:])
}

// Bad-token throttling: after authFailures failed sign-ins within
// authWindow, a client is answered 429 until the window ends. Tokens carry
// 256 bits, so this is not about guessing them: it keeps a misconfigured
// or hostile client from turning every request into a database lookup.
const (
	authFailures = 20
	authWindow   = time.Minute
	// authClients bounds the table; expired entries are swept beyond it.
	authClients = 10_000
)

type authLimiter struct {
	mu      sync.Mutex
	clients map[string]*failures
	now     func() time.Time
}

type failures struct {
	count int
	since time.Time
}

func newAuthLimiter() *authLimiter {
	return &authLimiter{clients: map[string]*failures{}, now: time.Now}
}

// wait is how long a client must wait before its token is checked again;
// zero when it may go ahead.
func (l *authLimiter) wait(client string) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	f := l.clients[client]
	if f == nil || f.count < authFailures {
		return 0
	}
	left := authWindow - l.now().Sub(f.since)
	if left <= 0 {
		delete(l.clients, client)
		return 0
	}
	return left
}

func (l *authLimiter) fail(client string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	f := l.clients[client]
	if f == nil || now.Sub(f.since) >= authWindow {
		if len(l.clients) >= authClients {
			for k, v := range l.clients {
				if now.Sub(v.since) >= authWindow {
					delete(l.clients, k)
				}
			}
		}
		f = &failures{since: now}
		l.clients[client] = f
	}
	f.count++
}

// throttled answers 429 when the client has failed too often.
func (s *Server) throttled(c *gin.Context) bool {
	wait := s.auth.wait(c.ClientIP())
	if wait == 0 {
		return false
	}
	c.Header("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
	writeError(c, &Error{Status: http.StatusTooManyRequests, Code: "too_many_requests",
		Message: "too many requests with bad tokens from this address; wait and retry with a valid token"})
	return true
}

// trustedProxies are the addresses whose X-Forwarded-For names the client:
// a reverse proxy on the same machine or network. Anyone else could set
// the header to dodge the bad-token limit.
var trustedProxies = []string{"127.0.0.0/8", "::1/128", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7"}
