package api_test

import (
	"context"
	"database/sql"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/perfloop/perfloop/api"
	"github.com/perfloop/perfloop/demo"
	"github.com/perfloop/perfloop/store"
	"github.com/perfloop/perfloop/store/storetest"
)

// TestAWriteWhileTheDatabaseIsLockedAnswers503WithRetryAfter: another
// writer holds SQLite's lock past busy_timeout (an org import did for a
// minute); the write is told to retry, as the README promises, not 500.
func TestAWriteWhileTheDatabaseIsLockedAnswers503WithRetryAfter(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "perfloop.db")
	s, err := store.Open(ctx, "sqlite:"+path, nil)
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	_, err = s.Migrate(ctx, nil)
	require.NoError(t, err)
	users, _, err := demo.Seed(ctx, s, "")
	require.NoError(t, err)
	e := &env{t: t, store: s, token: map[string]string{}}
	for _, u := range users {
		e.token[strings.Split(u.Email, "@")[0]] = u.Token
	}
	e.srv = httptest.NewServer(api.New(api.Deps{Store: s}))
	t.Cleanup(e.srv.Close)
	id := e.do("GET", "/api/v1/me", "zhang.wei", nil).body["id"].(string)

	other, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(0)")
	require.NoError(t, err)
	t.Cleanup(func() { other.Close() })
	conn, err := other.Conn(ctx)
	require.NoError(t, err)
	_, err = conn.ExecContext(ctx, "BEGIN IMMEDIATE")
	require.NoError(t, err)

	r := e.do("PATCH", "/api/v1/members/"+id, "admin", map[string]any{"position": "Analyst"})
	require.Equal(t, 503, r.status, r.raw)
	require.NotEmpty(t, r.header.Get("Retry-After"))
	require.Contains(t, r.raw, "busy")

	_, err = conn.ExecContext(ctx, "ROLLBACK")
	require.NoError(t, err)
	require.NoError(t, conn.Close())
	r = e.do("PATCH", "/api/v1/members/"+id, "admin", map[string]any{"position": "Analyst"})
	require.Equal(t, 200, r.status, r.raw)
}

// TestAFileWithThousandsOfBadRowsGetsTheFirstHundredAndACount.
func TestAFileWithThousandsOfBadRowsGetsTheFirstHundredAndACount(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t))
	var csv strings.Builder
	csv.WriteString("name,email,role\n")
	for range 5000 {
		csv.WriteString("Someone,not-an-email,boss\n")
	}
	r := e.do("POST", "/api/v1/org/import", "admin", csv.String(), "Content-Type", "text/csv")
	require.Equal(t, 400, r.status, r.raw[:min(len(r.raw), 300)])
	require.Len(t, r.body["error"].(map[string]any)["details"], api.MaxDetails)
	require.Contains(t, r.body["error"].(map[string]any)["message"], "10000 problems; the first 100 are listed")
}
