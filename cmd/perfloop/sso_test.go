package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestSSOSignInSettingsThatCannotWorkStopTheAPIAtOnceNamingTheFlag: the
// api refuses to start with a half-configured SSO sign-in, before it
// opens the database or dials Temporal, and says which flag to set.
func TestSSOSignInSettingsThatCannotWorkStopTheAPIAtOnceNamingTheFlag(t *testing.T) {
	dir := t.TempDir()
	secret := filepath.Join(dir, "secret")
	require.NoError(t, os.WriteFile(secret, []byte("s3cret\n"), 0o600))
	empty := filepath.Join(dir, "empty")
	require.NoError(t, os.WriteFile(empty, nil, 0o600))
	full := []string{"--oidc-issuer", "https://sso.example.com", "--oidc-client-id", "perfloop", "--oidc-client-secret-file", secret, "--oidc-redirect-url", "https://perf.example.com/auth/callback"}
	for want, args := range map[string][]string{
		"--oidc-issuer is required":             {"--oidc-client-id", "perfloop"},
		"--oidc-client-secret-file is required": {"--oidc-issuer", "https://sso.example.com", "--oidc-client-id", "perfloop"},
		"is empty":                              append(append([]string{}, full...), "--oidc-client-secret-file", empty),
		"no such file":                          append(append([]string{}, full...), "--oidc-client-secret-file", filepath.Join(dir, "missing")),
		"https is required off loopback":        append(append([]string{}, full...), "--oidc-redirect-url", "http://perf.example.com/auth/callback"),
	} {
		for _, cmd := range []string{"api", "dev"} {
			_, stderr, code := run(t, append([]string{cmd, "--db", "mysql://nobody:x@tcp(127.0.0.1:1)/none"}, args...)...)
			require.NotZero(t, code, "%s %v", cmd, args)
			require.Contains(t, stderr, want, "%s %v", cmd, args)
		}
	}
}
