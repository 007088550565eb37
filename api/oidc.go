package api

import (
	"context"
	"crypto"
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

	"github.com/coreos/go-oidc/v3/oidc"
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
	keys     map[string]crypto.PublicKey
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
func (o *OIDC) keysFor(kid string) (map[string]crypto.PublicKey, error) {
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
func (o *OIDC) read() (map[string]crypto.PublicKey, error) {
	var data []byte
	var err error
	if strings.HasPrefix(o.JWKS, "https://") || strings.HasPrefix(o.JWKS, "http://") {
		client := http.Client{Timeout: 10 * time.Second}
		res, herr := client.Get(o.JWKS)
		if herr != nil {
			return nil, fmt.Errorf("fetch JWKS %s: %w", o.JWKS, herr)
		}
		defer res.Body.Close()
		if res.StatusCode != http.StatusOK {
			return nil, fmt.Errorf("fetch JWKS %s: HTTP %d", o.JWKS, res.StatusCode)
		}
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
	keys := map[string]crypto.PublicKey{}
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

// Email verifies a token and returns the email it names. The signature,
// algorithm (RS256, ES256), issuer, audience, exp (required: a token
// without one would be good forever; clockLeeway allowed) and nbf are
// checked by go-oidc's verifier; the key comes from our rate-limited key
// set. An SSO that says the email is not verified does not get to name a
// member by it.
func (o *OIDC) Email(raw string) (string, error) {
	_, claims, err := o.verify(raw, o.Audience)
	if err != nil {
		return "", err
	}
	return o.emailOf(claims, false)
}

// verify checks a token as Email describes, for audience ("" accepts
// any), and returns it with its claims. The sign-in flow verifies ID
// tokens here too, with its client id as the audience.
func (o *OIDC) verify(raw, audience string) (*oidc.IDToken, map[string]any, error) {
	kid, err := keyID(raw)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %v", ErrOIDC, err)
	}
	keys, err := o.keysFor(kid)
	if err != nil {
		return nil, nil, err
	}
	key, ok := keys[kid]
	if !ok {
		return nil, nil, fmt.Errorf("%w: unknown key id %q", ErrOIDC, kid)
	}
	verifier := oidc.NewVerifier(o.Issuer, &oidc.StaticKeySet{PublicKeys: []crypto.PublicKey{key}}, &oidc.Config{
		ClientID: audience, SkipClientIDCheck: audience == "", SkipIssuerCheck: o.Issuer == "",
		SupportedSigningAlgs: []string{oidc.RS256, oidc.ES256},
		Now:                  func() time.Time { return time.Now().Add(-clockLeeway) },
	})
	tok, err := verifier.Verify(context.Background(), raw)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %v", ErrOIDC, err)
	}
	claims := map[string]any{}
	if err := tok.Claims(&claims); err != nil {
		return nil, nil, fmt.Errorf("%w: %v", ErrOIDC, err)
	}
	return tok, claims, nil
}

// emailOf is the one rule for which email a verified token names: the
// configured claim, never one the SSO says is unverified. mustBeVerified
// (the browser sign-in, where an ID token establishes who someone is)
// also refuses a token that does not say email_verified at all; bearer
// tokens, often access tokens without the claim, are let through then.
func (o *OIDC) emailOf(claims map[string]any, mustBeVerified bool) (string, error) {
	claim := o.Claim
	if claim == "" {
		claim = "email"
	}
	email, _ := claims[claim].(string)
	if email == "" {
		return "", fmt.Errorf("%w: no %s claim", ErrOIDC, claim)
	}
	switch v := claims["email_verified"].(type) {
	case nil:
		// Microsoft Entra ID never sends email_verified for work accounts;
		// its optional xms_edov claim says the e-mail's domain is verified
		// by the tenant that owns it, which is what naming staff needs.
		if mustBeVerified && !claimTrue(claims["xms_edov"]) {
			return "", fmt.Errorf("%w: the SSO does not say the email %s is verified (no email_verified claim, nor Entra ID's xms_edov)", ErrOIDC, email)
		}
	case bool:
		if !v {
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

// claimTrue reads a boolean claim some providers send as a string.
func claimTrue(v any) bool {
	switch v := v.(type) {
	case bool:
		return v
	case string:
		return v == "true" || v == "1"
	}
	return false
}

// keyID reads the key id from a JWT's header, to pick the key before the
// verifier checks the signature with it.
func keyID(raw string) (string, error) {
	head, _, ok := strings.Cut(raw, ".")
	if !ok {
		return "", errors.New("not a JWT")
	}
	data, err := base64.RawURLEncoding.DecodeString(head)
	if err != nil {
		return "", fmt.Errorf("JWT header: %w", err)
	}
	var h struct {
		Kid string `json:"kid"`
	}
	if err := json.Unmarshal(data, &h); err != nil {
		return "", fmt.Errorf("JWT header: %w", err)
	}
	return h.Kid, nil
}
