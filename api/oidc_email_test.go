package api

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// TestTheSignInTrustsOnlyEmailsTheProviderVouchesFor: the browser sign-in
// needs email_verified true (or, from Entra ID, which never sends it for
// work accounts, xms_edov true); a bearer token without the claim passes,
// one that says false never does.
func TestTheSignInTrustsOnlyEmailsTheProviderVouchesFor(t *testing.T) {
	o := &OIDC{}
	for _, c := range []struct {
		name           string
		claims         map[string]any
		signIn, bearer bool
	}{
		{"verified", map[string]any{"email": "Li.Na@x.cn", "email_verified": true}, true, true},
		{"verified as a string", map[string]any{"email": "li.na@x.cn", "email_verified": "true"}, true, true},
		{"not verified", map[string]any{"email": "li.na@x.cn", "email_verified": false}, false, false},
		{"silent", map[string]any{"email": "li.na@x.cn"}, false, true},
		{"Entra ID, domain verified", map[string]any{"email": "li.na@x.cn", "xms_edov": true}, true, true},
		{"Entra ID, domain not verified", map[string]any{"email": "li.na@x.cn", "xms_edov": false}, false, true},
		{"email_verified false outranks xms_edov", map[string]any{"email": "li.na@x.cn", "email_verified": false, "xms_edov": true}, false, false},
		{"no email", map[string]any{"email_verified": true}, false, false},
	} {
		email, err := o.emailOf(c.claims, true)
		require.Equal(t, c.signIn, err == nil, "%s (sign-in): %v", c.name, err)
		if err == nil {
			require.Equal(t, "li.na@x.cn", email)
		}
		_, err = o.emailOf(c.claims, false)
		require.Equal(t, c.bearer, err == nil, "%s (bearer): %v", c.name, err)
	}
}
