package api_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/perfloop/perfloop/store/storetest"
)

// TestNamesWithControlOrBidiCharactersOrTooLongAreRefusedNamingTheField:
// CR/LF broke .ics files, NUL and bidi overrides were stored, and a name
// could be 100,000 characters long; every name and title is one checked line.
func TestNamesWithControlOrBidiCharactersOrTooLongAreRefusedNamingTheField(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t))
	me := e.do("GET", "/api/v1/me", "zhang.wei", nil).body["id"].(string)
	team := e.do("GET", "/api/v1/teams?limit=1", "admin", nil).body["items"].([]any)[0].(map[string]any)["id"].(string)
	bad := []string{"王芳\r\nX-INJECTED:1", "Eve\x00", "\u202Egnp.exe", "a\u2066b", strings.Repeat("长", 100_000)}
	detail := func(r resp) map[string]any {
		t.Helper()
		require.Equal(t, 400, r.status, r.raw[:min(len(r.raw), 300)])
		return r.body["error"].(map[string]any)["details"].([]any)[0].(map[string]any)
	}
	for _, name := range bad {
		d := detail(e.do("PATCH", "/api/v1/members/"+me, "admin", map[string]any{"name": name}))
		require.Equal(t, "/name", d["path"])
		require.LessOrEqual(t, len([]rune(d["value"].(string))), 81, "a refused value is echoed short")
		require.Equal(t, "/position", detail(e.do("PATCH", "/api/v1/members/"+me, "admin", map[string]any{"position": name}))["path"])
		require.Equal(t, "/name", detail(e.do("POST", "/api/v1/members", "admin", map[string]any{"name": name, "email": "new@example.com", "role": "employee"}))["path"])
		require.Equal(t, "/nameEn", detail(e.do("PATCH", "/api/v1/teams/"+team, "admin", map[string]any{"nameEn": name}))["path"])
		require.Equal(t, "/name", detail(e.do("POST", "/api/v1/teams", "admin", map[string]any{"key": "new-team", "name": name}))["path"])
		require.Equal(t, "/name", detail(e.do("POST", "/api/v1/members/"+me+"/tokens", "admin", map[string]any{"name": name}))["path"])
		require.Equal(t, "/members/0/name", detail(e.do("POST", "/api/v1/org/import", "admin",
			map[string]any{"members": []map[string]any{{"name": name, "email": "x@example.com", "role": "employee"}}}))["path"])
	}
	r := e.do("PATCH", "/api/v1/members/"+me, "admin", map[string]any{"name": "Zoë Ångström-李 (QA)"})
	require.Equal(t, 200, r.status, r.raw)
}
