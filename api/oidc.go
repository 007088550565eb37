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

	mu      sync.Mutex
	keys    map[string]any
	fetched time.Time
}

// ErrOIDC is a token the SSO configuration does not accept.
var ErrOIDC = errors.New("the SSO token is not valid")

type jwk struct {
	Kty string `json:"kty"`
	Kid string `json:"kid"`
	N   string `json:"n"`
	E   string `json:"e"`
	Crv string `json:"crv"`
	X   string `json:"x"`
	Y   string `json:"y"`
}

// load reads the key set, at most every five minutes so a rotated key is
// picked up without a restart.
func (o *OIDC) load() (map[string]any, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.keys != nil && time.Since(o.fetched) < 5*time.Minute {
		return o.keys, nil
	}
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
	o.keys, o.fetched = keys, time.Now()
	return keys, nil
}

// Email verifies a token and returns the email it names.
func (o *OIDC) Email(raw string) (string, error) {
	keys, err := o.load()
	if err != nil {
		return "", err
	}
	claims := jwt.MapClaims{}
	_, err = jwt.NewParser(jwt.WithValidMethods([]string{"RS256", "ES256"})).ParseWithClaims(raw, claims, func(t *jwt.Token) (any, error) {
		kid, _ := t.Header["kid"].(string)
		if k, ok := keys[kid]; ok {
			return k, nil
		}
		return nil, fmt.Errorf("unknown key id %q", kid)
	})
	if err != nil {
		return "", fmt.Errorf("%w: %v", ErrOIDC, err)
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
	return strings.ToLower(email), nil
}
