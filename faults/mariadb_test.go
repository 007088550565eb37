package faults_test

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	_ "github.com/go-sql-driver/mysql"
	"github.com/stretchr/testify/require"

	"github.com/perfloop/perfloop/store"
)

// mariadbMembers is the team size of the MariaDB outage test, which spends
// 20 s of it with the database down.
const mariadbMembers = 100

// outage is how long MariaDB stays down.
const outage = 20 * time.Second

// mariadb is a private MariaDB server for one test, on its own data
// directory and port, so stopping it disturbs nobody else's database.
type mariadb struct {
	t       *testing.T
	bin     string
	datadir string
	port    int
	proc    *proc
}

func startMariaDB(t *testing.T) *mariadb {
	t.Helper()
	bin, err := exec.LookPath("mariadbd")
	if err != nil {
		bin = "/usr/sbin/mariadbd"
	}
	install, ierr := exec.LookPath("mariadb-install-db")
	if _, serr := os.Stat(bin); serr != nil || ierr != nil {
		t.Skip("mariadbd and mariadb-install-db are not installed (apt-get install mariadb-server)")
	}
	dir := t.TempDir()
	m := &mariadb{t: t, bin: bin, datadir: filepath.Join(dir, "db"), port: freePort(t)}
	out, err := exec.Command(install, "--no-defaults", "--datadir="+m.datadir, "--auth-root-authentication-method=normal", "--skip-test-db", "--user="+currentUser()).CombinedOutput()
	require.NoError(t, err, "mariadb-install-db: %s", out)
	m.start()
	db, err := sql.Open("mysql", fmt.Sprintf("root@tcp(127.0.0.1:%d)/", m.port))
	require.NoError(t, err)
	defer db.Close()
	_, err = db.Exec("CREATE DATABASE perfloop CHARACTER SET utf8mb4 COLLATE utf8mb4_bin")
	require.NoError(t, err)
	return m
}

func currentUser() string {
	if u := os.Getenv("USER"); u != "" {
		return u
	}
	return "root"
}

// start runs mariadbd on the data directory and waits for it to listen.
// Grant tables are skipped: the server listens on the loopback only and
// lives as long as the test.
func (m *mariadb) start() {
	m.t.Helper()
	m.proc = startProc(m.t, "mariadbd", m.bin, "--no-defaults", "--datadir="+m.datadir, fmt.Sprintf("--port=%d", m.port),
		"--socket="+filepath.Join(m.datadir, "mysqld.sock"), "--bind-address=127.0.0.1", "--skip-grant-tables", "--skip-name-resolve",
		"--user="+currentUser(), "--innodb-buffer-pool-size=64M", "--max-connections=400")
	waitListening(m.t, m.proc, fmt.Sprintf("127.0.0.1:%d", m.port), time.Minute)
}

func (m *mariadb) dsn() string {
	return fmt.Sprintf("mysql://root@tcp(127.0.0.1:%d)/perfloop", m.port)
}

// TestACycleRidesOutTwentySecondsWithoutMariaDB runs a cycle on `perfloop
// api` and `perfloop worker` processes against a private MariaDB, which is
// killed with evaluations in flight and restarted 20 s later on the same
// files. Meanwhile the API answers 503 with Retry-After and both processes
// keep running; afterwards activities resume, and the cycle completes with
// everything the API accepted kept, and nothing twice.
func TestACycleRidesOutTwentySecondsWithoutMariaDB(t *testing.T) {
	requireFaults(t)
	began := time.Now()
	n := mariadbMembers
	db := startMariaDB(t)
	t.Logf("mariadb ready %s after start", since(began))
	st := migrate(t, db.dsn())
	tm := seedTeam(t, st, n)

	srv := startTemporal(t)
	const queue = "faults-mariadb"
	addr := fmt.Sprintf("127.0.0.1:%d", freePort(t))
	common := []string{"--db", db.dsn(), "--temporal", srv.HostPort(), "--namespace", srv.Namespace(), "--task-queue", queue}
	apiProc := startProc(t, "api", binary, append([]string{"api", "--http", addr}, common...)...)
	waitListening(t, apiProc, addr, 30*time.Second)
	workerProc := startProc(t, "worker", binary, append([]string{"worker"}, common...)...)
	require.Eventually(t, func() bool { return workerProc.logContains("worker running") || workerProc.exited() }, 30*time.Second, 50*time.Millisecond)
	require.False(t, workerProc.exited(), "the worker exited at start")

	var up bool
	r := &cycleRun{t: t, api: newAPIClient("http://" + addr), tm: tm, st: func() *store.Store {
		require.True(t, up, "the database is down")
		return st
	}}
	up = true
	r.launch(20 * time.Second)
	probe := newAPIClient("http://" + addr)
	r.evaluate(began, func() {
		up = false
		db.proc.kill()
		down := time.Now()
		t.Logf("mariadb killed (SIGKILL) %s after start", since(began))
		// While it is down, every API request that needs the database is
		// answered 503 with Retry-After: a client can tell "try again"
		// from "broken".
		emp := tm.tokens[tm.Employees[0].ID]
		probes := 0
		for time.Since(down) < outage {
			status, hdr, body, err := probe.do(context.Background(), http.MethodGet, "/api/v1/inbox", emp, nil, 10*time.Second)
			require.NoError(t, err)
			// The first request may still ride a pooled connection the
			// kill has not yet broken on the client side; after a second
			// every answer must be a 503.
			if time.Since(down) > time.Second {
				require.Equal(t, http.StatusServiceUnavailable, status, "GET /api/v1/inbox with the database down: %s", body)
				require.NotEmpty(t, hdr.Get("Retry-After"))
				probes++
			}
			status, hdr, _, err = probe.do(context.Background(), http.MethodGet, "/readyz", "", nil, 10*time.Second)
			require.NoError(t, err)
			require.Equal(t, http.StatusServiceUnavailable, status)
			require.NotEmpty(t, hdr.Get("Retry-After"))
			require.NoError(t, pause(context.Background(), 500*time.Millisecond))
		}
		require.Positive(t, probes)
		require.False(t, apiProc.exited(), "the API exited while the database was down")
		require.False(t, workerProc.exited(), "the worker exited while the database was down")
		db.start()
		up = true
		t.Logf("mariadb restarted after %s (%d probes answered 503 with Retry-After) %s after start", since(down), probes, since(began))
	})
	r.finish(3 * time.Minute)
	t.Logf("cycle completed %s after start", since(began))
	require.Zero(t, r.api.noRetryAfter, "every 503 carries Retry-After")
	r.verify()
}
