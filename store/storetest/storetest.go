// Package storetest gives tests a fresh, migrated database on every backend
// this machine can run: SQLite always, MySQL/MariaDB when
// PERFLOOP_TEST_MYSQL_DSN names a server (each test gets its own database,
// dropped afterwards). The same test code runs against both.
package storetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"

	mysqldriver "github.com/go-sql-driver/mysql"
	"github.com/stretchr/testify/require"

	"github.com/perfloop/perfloop/store"
)

// MySQLEnv names the environment variable with the test server's DSN.
const MySQLEnv = "PERFLOOP_TEST_MYSQL_DSN"

// Backend opens a fresh store of one kind.
type Backend struct {
	Name string
	Open func(t testing.TB) *store.Store
}

// Backends lists SQLite, and MySQL when configured.
func Backends() []Backend {
	out := []Backend{{Name: "sqlite", Open: SQLite}}
	if os.Getenv(MySQLEnv) != "" {
		out = append(out, Backend{Name: "mysql", Open: MySQL})
	}
	return out
}

// Each runs fn once per backend as a subtest.
func Each(t *testing.T, fn func(t *testing.T, s *store.Store)) {
	for _, b := range Backends() {
		t.Run(b.Name, func(t *testing.T) {
			fn(t, b.Open(t))
		})
	}
}

// SQLite opens a migrated in-memory SQLite store.
func SQLite(t testing.TB) *store.Store {
	t.Helper()
	s, err := store.Open(context.Background(), "sqlite::memory:", nil)
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	_, err = s.Migrate(context.Background(), nil)
	require.NoError(t, err)
	return s
}

// SQLiteFile opens a migrated SQLite store on a file, in WAL mode with a
// pool of connections as perfloop dev runs it (an in-memory store has one).
func SQLiteFile(t testing.TB) *store.Store {
	t.Helper()
	s, err := store.Open(context.Background(), "sqlite:"+filepath.Join(t.TempDir(), "perfloop.db"), nil)
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	_, err = s.Migrate(context.Background(), nil)
	require.NoError(t, err)
	return s
}

// MySQL creates a uniquely named database on the configured server, migrates
// it, and drops it when the test ends. It skips when no server is configured.
func MySQL(t testing.TB) *store.Store {
	t.Helper()
	s, err := store.Open(context.Background(), emptyMySQL(t), nil)
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	_, err = s.Migrate(context.Background(), nil)
	require.NoError(t, err)
	return s
}

// emptyMySQL creates a uniquely named, empty database on the configured
// server, drops it when the test ends, and returns its DSN.
func emptyMySQL(t testing.TB) string {
	t.Helper()
	raw := os.Getenv(MySQLEnv)
	if raw == "" {
		t.Skip(MySQLEnv + " not set")
	}
	cfg, err := mysqldriver.ParseDSN(strings.TrimPrefix(raw, "mysql://"))
	require.NoError(t, err)
	admin, err := store.Open(context.Background(), "mysql://"+cfg.FormatDSN(), nil)
	require.NoError(t, err)
	buf := make([]byte, 6)
	_, _ = rand.Read(buf)
	name := "perfloop_t_" + hex.EncodeToString(buf)
	require.NoError(t, admin.DB.Exec("CREATE DATABASE "+name+" CHARACTER SET utf8mb4 COLLATE utf8mb4_bin").Error)
	t.Cleanup(func() {
		admin.DB.Exec("DROP DATABASE IF EXISTS " + name)
		admin.Close()
	})
	cfg.DBName = name
	return "mysql://" + cfg.FormatDSN()
}

// Database is an empty, unmigrated database that a test may open several
// times, as separate processes would.
type Database struct {
	Name, DSN string
}

// EmptyDatabases gives a fresh SQLite file and, when configured, a fresh
// MySQL database; both are removed when the test ends.
func EmptyDatabases(t testing.TB) []Database {
	t.Helper()
	out := []Database{{Name: "sqlite", DSN: "sqlite:" + filepath.Join(t.TempDir(), "perfloop.db")}}
	if os.Getenv(MySQLEnv) != "" {
		out = append(out, Database{Name: "mysql", DSN: emptyMySQL(t)})
	}
	return out
}
