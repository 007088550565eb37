package store_test

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/perfloop/perfloop/store"
	"github.com/perfloop/perfloop/store/storetest"
)

// syncBuffer is a log sink the driver's goroutines and the test share.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) lines() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return strings.Split(strings.TrimRight(b.buf.String(), "\n"), "\n")
}

func TestMySQLDriverAndSlowStatementsLogJSONLinesOnly(t *testing.T) {
	dbs := storetest.EmptyDatabases(t)
	if len(dbs) < 2 {
		t.Skip(storetest.MySQLEnv + " not set: only the MySQL driver has a logger of its own")
	}
	dsn := dbs[1].DSN
	var out syncBuffer
	s, err := store.Open(ctx, dsn, slog.New(slog.NewJSONHandler(&out, nil)))
	require.NoError(t, err)
	defer s.Close()
	killer, err := store.Open(ctx, dsn, nil)
	require.NoError(t, err)
	defer killer.Close()

	// Kill the store's idle connection behind its back: the driver notices on
	// the next use and says so in its log.
	var id int64
	require.NoError(t, s.DB.Raw("SELECT CONNECTION_ID()").Scan(&id).Error)
	require.NoError(t, killer.DB.Exec("KILL ?", id).Error)
	require.Eventually(t, func() bool {
		var one int
		require.NoError(t, s.DB.Raw("SELECT 1").Scan(&one).Error)
		return strings.Contains(strings.Join(out.lines(), "\n"), "closing bad idle connection")
	}, 5*time.Second, 10*time.Millisecond)

	var slept int
	require.NoError(t, s.DB.Raw("SELECT SLEEP(1.1)").Scan(&slept).Error)

	var driver, slow bool
	for _, line := range out.lines() {
		var rec map[string]any
		require.NoError(t, json.Unmarshal([]byte(line), &rec), "every line is JSON: %s", line)
		msg, _ := rec["msg"].(string)
		driver = driver || (strings.HasPrefix(msg, "mysql driver: ") && strings.Contains(msg, "closing bad idle connection"))
		slow = slow || (msg == "SQL executed" && rec["level"] == "WARN" && strings.Contains(line, "SLEEP"))
	}
	require.True(t, driver, "the driver's complaint is a JSON line: %v", out.lines())
	require.True(t, slow, "GORM's slow-statement warning is a JSON line")
}
