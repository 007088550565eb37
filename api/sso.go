package api

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

// SSO is the browser's sign-in through the company's OpenID Connect
// provider: the authorization code flow with PKCE, its endpoints found by
// discovery from Issuer. A signed-in browser holds a session cookie naming
// a server-side session (an API token row named SessionTokenName, so it
// expires, is revoked at logout, and ends when the member is deactivated).
type SSO struct {
	Issuer       string
	ClientID     string
	ClientSecret string
	RedirectURL  string // this server's /auth/callback as the provider knows it
	// SessionTTL is how long a sign-in lasts; DefaultSessionTTL when 0.
	SessionTTL time.Duration
	// JITDomain, when set, makes a verified e-mail of this domain that no
	// member has a new employee of the first organisation on first sign-in.
	JITDomain string
	// Scopes asked for besides openid; "email profile" when empty.
	Scopes []string

	mu       sync.Mutex
	provider *oidc.Provider
	ids      *OIDC // verifies ID tokens against the discovered key set
	retry    time.Time
	lastErr  error
}

// DefaultSessionTTL is a working day and then some: staff sign in once a day.
const DefaultSessionTTL = 12 * time.Hour

// SessionTokenName names the token rows that back browser sessions, so an
// admin listing a member's tokens tells them from API tokens.
const SessionTokenName = "SSO session"

const (
	sessionCookie = "perfloop_session"
	csrfCookie    = "perfloop_csrf"
	// CSRFHeader carries the perfloop_csrf cookie's value on writes signed
	// in by the session cookie.
	CSRFHeader  = "X-CSRF-Token"
	stateCookie = "perfloop_sso"
	// stateTTL bounds how long the provider's login page may stay open.
	stateTTL = 10 * time.Minute
	// discoveryRetry is how soon discovery is tried again after it failed.
	discoveryRetry = 10 * time.Second
)

// ErrSSOConfig is a sign-in configuration that cannot work.
var ErrSSOConfig = errors.New("SSO sign-in is misconfigured")

// Check reports the first setting that cannot work, naming its flag.
func (s *SSO) Check() error {
	switch {
	case s.Issuer == "":
		return fmt.Errorf("%w: --oidc-issuer is required with --oidc-client-id: the provider's issuer URL, e.g. https://sso.example.com/realms/staff", ErrSSOConfig)
	case s.ClientSecret == "":
		return fmt.Errorf("%w: --oidc-client-secret-file is required with --oidc-client-id: a file holding the client secret the provider issued", ErrSSOConfig)
	case s.RedirectURL == "":
		return fmt.Errorf("%w: --oidc-redirect-url is required with --oidc-client-id: this server's callback as registered at the provider, e.g. https://perf.example.com/auth/callback", ErrSSOConfig)
	case s.SessionTTL < 0:
		return fmt.Errorf("%w: --session-ttl %s: expected a positive duration such as 12h", ErrSSOConfig, s.SessionTTL)
	}
	u, err := url.Parse(s.RedirectURL)
	if err != nil || u.Host == "" || !strings.HasSuffix(u.Path, "/auth/callback") {
		return fmt.Errorf("%w: --oidc-redirect-url %q: expected an absolute URL ending in /auth/callback", ErrSSOConfig, s.RedirectURL)
	}
	if u.Scheme != "https" && (u.Scheme != "http" || !loopbackHost(u.Hostname())) {
		return fmt.Errorf("%w: --oidc-redirect-url %q: https is required off loopback (the session cookie is Secure)", ErrSSOConfig, s.RedirectURL)
	}
	if strings.Contains(s.JITDomain, "@") {
		return fmt.Errorf("%w: --oidc-jit-domain %q: expected a domain such as example.com, without @", ErrSSOConfig, s.JITDomain)
	}
	return nil
}

func loopbackHost(h string) bool {
	if h == "localhost" {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

// secure says whether cookies carry Secure: always, except for a server
// reached over http on loopback (a developer's machine), where a Secure
// cookie would never come back.
func (s *SSO) secure() bool {
	u, err := url.Parse(s.RedirectURL)
	return err != nil || u.Scheme == "https" || !loopbackHost(u.Hostname())
}

func (s *SSO) sessionTTL() time.Duration {
	if s.SessionTTL > 0 {
		return s.SessionTTL
	}
	return DefaultSessionTTL
}

// discover reads the provider's discovery document once it answers; until
// then sign-in answers 503 and asks again at most every discoveryRetry, so
// an SSO outage neither stops the api from starting nor floods the provider.
func (s *SSO) discover(ctx context.Context) (*oidc.Provider, *OIDC, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.provider != nil {
		return s.provider, s.ids, nil
	}
	if time.Now().Before(s.retry) {
		return nil, nil, fmt.Errorf("%w (%v); try again shortly", ErrSSOUnavailable, s.lastErr)
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	p, err := oidc.NewProvider(ctx, s.Issuer)
	if err == nil {
		var doc struct {
			JWKS string `json:"jwks_uri"`
		}
		if err = p.Claims(&doc); err == nil && doc.JWKS == "" {
			err = errors.New("the discovery document names no jwks_uri")
		}
		if err == nil {
			s.provider, s.ids = p, &OIDC{JWKS: doc.JWKS, Issuer: s.Issuer, Audience: s.ClientID}
			return s.provider, s.ids, nil
		}
	}
	s.lastErr, s.retry = fmt.Errorf("discover %s: %w", s.Issuer, err), time.Now().Add(discoveryRetry)
	return nil, nil, fmt.Errorf("%w: %v", ErrSSOUnavailable, s.lastErr)
}

func (s *SSO) oauth(p *oidc.Provider) *oauth2.Config {
	scopes := s.Scopes
	if len(scopes) == 0 {
		scopes = []string{"email", "profile"}
	}
	return &oauth2.Config{ClientID: s.ClientID, ClientSecret: s.ClientSecret, RedirectURL: s.RedirectURL,
		Endpoint: p.Endpoint(), Scopes: append([]string{oidc.ScopeOpenID}, scopes...)}
}

// loginState is what the browser carries between /auth/login and
// /auth/callback, sealed so it can neither be read nor forged: the state
// that ties the callback to this browser, the nonce the ID token must
// repeat, and the PKCE verifier.
type loginState struct {
	State    string `json:"s"`
	Nonce    string `json:"n"`
	Verifier string `json:"v"`
	Expires  int64  `json:"e"`
}

// stateKey derives the sealing key from the client secret, which every
// api replica shares, so a login begun on one replica ends on another.
func (s *SSO) stateKey() cipher.AEAD {
	key := sha256.Sum256([]byte("perfloop sso login state\x00" + s.ClientSecret))
	block, err := aes.NewCipher(key[:])
	if err != nil {
		panic(err) // a 32-byte key is always valid
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		panic(err)
	}
	return aead
}

func (s *SSO) seal(st loginState) (string, error) {
	plain, err := json.Marshal(st)
	if err != nil {
		return "", err
	}
	aead := s.stateKey()
	nonce := make([]byte, aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(aead.Seal(nonce, nonce, plain, []byte(stateCookie))), nil
}

var errLoginState = errors.New("the sign-in was not started in this browser, was already used, or took longer than 10 minutes")

func (s *SSO) open(sealed string) (loginState, error) {
	var st loginState
	raw, err := base64.RawURLEncoding.DecodeString(sealed)
	aead := s.stateKey()
	if err != nil || len(raw) < aead.NonceSize() {
		return st, errLoginState
	}
	plain, err := aead.Open(nil, raw[:aead.NonceSize()], raw[aead.NonceSize():], []byte(stateCookie))
	if err != nil || json.Unmarshal(plain, &st) != nil || time.Now().Unix() > st.Expires {
		return st, errLoginState
	}
	return st, nil
}

func randomString() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// csrfFor is the CSRF token of a session: derived from the session's
// secret, so the server keeps nothing more, a cookie planted from a
// sibling domain cannot match it, and logging out changes it.
func csrfFor(session string) string {
	sum := sha256.Sum256([]byte("perfloop csrf\x00" + session))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

func csrfMatches(session, header string) bool {
	return header != "" && subtle.ConstantTimeCompare([]byte(csrfFor(session)), []byte(header)) == 1
}

// jitAllowed says whether an unknown e-mail may become a member.
func (s *SSO) jitAllowed(email string) bool {
	_, domain, ok := strings.Cut(email, "@")
	return s.JITDomain != "" && ok && strings.EqualFold(domain, strings.TrimPrefix(s.JITDomain, "."))
}
