package api

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v4"
)

// OIDC verifies ID or access tokens from a company's SSO against its JWKS
// (a file path or an https URL), its issuer and audience, and maps the
// token's email claim to a member. Perfloop tokens (pfl_…) keep working.
type OIDC struct {
	JWKS     string // file path or URL
	Issuer   string
	Audience string
	Claim    string // the claim naming the member by email; default "email"

	mu       sync.Mutex
	keys     map[string]any
	fetched  time.Time     // last successful read
	next     time.Time     // no read before this: rate limit and backoff
	failures int           // reads failed in a row
	inflight chan struct{} // closed when the read under way ends
	lastErr  error
}

// How often the key set is read: kept for jwksTTL; re-read sooner for an
// unknown key id (a rotation) at most every jwksMinInterval; after a
// failed read, not again for jwksBackoff doubling up to jwksMaxBackoff.
// Without these, tokens naming made-up key ids, or an SSO outage, would
// have every unauthenticated request fetch the key set.
const (
	jwksTTL         = 5 * time.Minute
	jwksMinInterval = 30 * time.Second
	jwksBackoff     = 2 * time.Second
	jwksMaxBackoff  = 5 * time.Minute
	// clockLeeway forgives clock drift between the SSO server and ours.
	clockLeeway = 30 * time.Second
)

// ErrOIDC is a token the SSO configuration does not accept.
var ErrOIDC = errors.New("the SSO token is not valid")

// ErrSSOUnavailable is a key set that cannot be read now; the API answers
// 503 with Retry-After, since the token may well be good.
var ErrSSOUnavailable = errors.New("the SSO key set is unavailable")

type jwk struct {
	Kty string `json:"kty"`
	Kid string `json:"kid"`
	N   string `json:"n"`
	E   string `json:"e"`
	Crv string `json:"crv"`
	X   string `json:"x"`
	Y   string `json:"y"`
}

// keysFor returns the key set holding kid, reading it again when it is
// stale or lacks kid, as often as the rate limit allows. One read runs at
// a time, outside the lock; others use the keys at hand or wait for it.
func (o *OIDC) keysFor(kid string) (map[string]any, error) {
	for {
		o.mu.Lock()
		keys := o.keys
		_, known := keys[kid]
		fresh := keys != nil && time.Since(o.fetched) < jwksTTL
		switch {
		case fresh && known:
			o.mu.Unlock()
			return keys, nil
		case time.Now().Before(o.next) || (o.inflight != nil && keys != nil):
			// Not now: answer from what we have rather than fetch again.
			err := o.lastErr
			o.mu.Unlock()
			if keys == nil {
				return nil, fmt.Errorf("%w (%v); try again shortly", ErrSSOUnavailable, err)
			}
			return keys, nil
		case o.inflight != nil:
			wait := o.inflight
			o.mu.Unlock()
			<-wait
			continue
		}
		done := make(chan struct{})
		o.inflight = done
		o.mu.Unlock()

		read, err := o.read()
		o.mu.Lock()
		now := time.Now()
		if err != nil {
			o.failures++
			o.lastErr = err
			o.next = now.Add(min(jwksBackoff<<min(o.failures-1, 16), jwksMaxBackoff))
		} else {
			o.keys, o.fetched, o.failures, o.lastErr = read, now, 0, nil
			o.next = now.Add(jwksMinInterval)
		}
		o.inflight = nil
		close(done)
		keys = o.keys
		o.mu.Unlock()
		if keys == nil {
			return nil, fmt.Errorf("%w: %v", ErrSSOUnavailable, err)
		}
		return keys, nil
	}
}

// read reads and parses the key set.
func (o *OIDC) read() (map[string]any, error) {
	var data []byte
	var err error
	if strings.HasPrefix(o.JWKS, "https://") || strings.HasPrefix(o.JWKS, "http://") {
		client := http.Client{Timeout: 10 * time.Second}
		res, herr := client.Get(o.JWKS)
		if herr != nil {
			return nil, fmt.Errorf("fetch JWKS %s: %w", o.JWKS, herr)
		}
		defer res.Body.Close()
		data, err = io.ReadAll(io.LimitReader(res.Body, 1<<20))
	} else {
		data, err = os.ReadFile(o.JWKS)
	}
	if err != nil {
		return nil, fmt.Errorf("read JWKS %s: %w", o.JWKS, err)
	}
	var set struct {
		Keys []jwk `json:"keys"`
	}
	if err := json.Unmarshal(data, &set); err != nil {
		return nil, fmt.Errorf("JWKS %s is not a key set: %w", o.JWKS, err)
	}
	keys := map[string]any{}
	for _, k := range set.Keys {
		switch k.Kty {
		case "RSA":
			n, err1 := base64.RawURLEncoding.DecodeString(k.N)
			e, err2 := base64.RawURLEncoding.DecodeString(k.E)
			if err1 != nil || err2 != nil {
				continue
			}
			keys[k.Kid] = &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(new(big.Int).SetBytes(e).Int64())}
		case "EC":
			x, err1 := base64.RawURLEncoding.DecodeString(k.X)
			y, err2 := base64.RawURLEncoding.DecodeString(k.Y)
			if err1 != nil || err2 != nil || k.Crv != "P-256" {
				continue
			}
			keys[k.Kid] = &ecdsa.PublicKey{Curve: elliptic.P256(), X: new(big.Int).SetBytes(x), Y: new(big.Int).SetBytes(y)}
		}
	}
	if len(keys) == 0 {
		return nil, fmt.Errorf("JWKS %s holds no usable RSA or P-256 key", o.JWKS)
	}
	return keys, nil
}

// Email verifies a token and returns the email it names. The token must
// carry exp (a token without one would be good forever), and an SSO that
// says the email is not verified does not get to name a member by it.
func (o *OIDC) Email(raw string) (string, error) {
	claims := jwt.MapClaims{}
	var keyErr error
	parser := jwt.NewParser(jwt.WithValidMethods([]string{"RS256", "ES256"}), jwt.WithoutClaimsValidation())
	_, err := parser.ParseWithClaims(raw, claims, func(t *jwt.Token) (any, error) {
		kid, _ := t.Header["kid"].(string)
		keys, err := o.keysFor(kid)
		if err != nil {
			keyErr = err
			return nil, err
		}
		if k, ok := keys[kid]; ok {
			return k, nil
		}
		return nil, fmt.Errorf("unknown key id %q", kid)
	})
	if keyErr != nil {
		return "", keyErr
	}
	if err != nil {
		return "", fmt.Errorf("%w: %v", ErrOIDC, err)
	}
	now := time.Now()
	exp, ok := numericClaim(claims, "exp")
	switch {
	case !ok:
		return "", fmt.Errorf("%w: no exp claim; tokens must expire", ErrOIDC)
	case now.After(exp.Add(clockLeeway)):
		return "", fmt.Errorf("%w: expired at %s", ErrOIDC, exp.UTC().Format(time.RFC3339))
	}
	if _, present := claims["nbf"]; present {
		nbf, ok := numericClaim(claims, "nbf")
		if !ok || now.Add(clockLeeway).Before(nbf) {
			return "", fmt.Errorf("%w: not valid yet (nbf)", ErrOIDC)
		}
	}
	if o.Issuer != "" && !claims.VerifyIssuer(o.Issuer, true) {
		return "", fmt.Errorf("%w: issuer is not %s", ErrOIDC, o.Issuer)
	}
	if o.Audience != "" && !claims.VerifyAudience(o.Audience, true) {
		return "", fmt.Errorf("%w: audience is not %s", ErrOIDC, o.Audience)
	}
	claim := o.Claim
	if claim == "" {
		claim = "email"
	}
	email, _ := claims[claim].(string)
	if email == "" {
		return "", fmt.Errorf("%w: no %s claim", ErrOIDC, claim)
	}
	switch v := claims["email_verified"].(type) {
	case nil, bool:
		if v == false {
			return "", fmt.Errorf("%w: the SSO says the email %s is not verified", ErrOIDC, email)
		}
	case string: // some providers send "true"/"false"
		if v != "true" {
			return "", fmt.Errorf("%w: the SSO says the email %s is not verified", ErrOIDC, email)
		}
	default:
		return "", fmt.Errorf("%w: email_verified is neither true nor false", ErrOIDC)
	}
	return strings.ToLower(email), nil
}

// numericClaim reads a NumericDate claim (seconds since the epoch).
func numericClaim(claims jwt.MapClaims, name string) (time.Time, bool) {
	switch v := claims[name].(type) {
	case float64:
		return time.Unix(int64(v), 0), true
	case json.Number:
		f, err := v.Float64()
		return time.Unix(int64(f), 0), err == nil
	}
	return time.Time{}, false
}
