package faults_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/perfloop/perfloop/devserver"
	"github.com/perfloop/perfloop/devserver/devservertest"
	"github.com/perfloop/perfloop/store"
)

// proc is a child process whose output goes to a log file, printed (the
// tail of it) when the test fails.
type proc struct {
	t    *testing.T
	name string
	cmd  *exec.Cmd
	log  string
	done chan struct{}
}

var procSeq int

// startProc runs path with args. The child's environment has no PERFLOOP_*
// variables, so only the flags the test passes configure it.
func startProc(t *testing.T, name, path string, args ...string) *proc {
	t.Helper()
	procSeq++
	logPath := filepath.Join(t.TempDir(), fmt.Sprintf("%02d-%s.log", procSeq, name))
	logFile, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(path, args...)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.SysProcAttr = childAttrs()
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "PERFLOOP_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	if err := cmd.Start(); err != nil {
		logFile.Close()
		t.Fatalf("start %s: %v", name, err)
	}
	p := &proc{t: t, name: name, cmd: cmd, log: logPath, done: make(chan struct{})}
	go func() {
		_ = cmd.Wait()
		logFile.Close()
		close(p.done)
	}()
	t.Cleanup(func() {
		p.kill()
		if t.Failed() {
			p.dumpLog(80)
			p.keepLog()
		}
	})
	return p
}

// kill sends SIGKILL, as a crash or the OOM killer would, and reaps the process.
func (p *proc) kill() {
	select {
	case <-p.done:
		return
	default:
	}
	_ = syscall.Kill(p.cmd.Process.Pid, syscall.SIGKILL)
	<-p.done
}

// exited reports whether the process has ended.
func (p *proc) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

func (p *proc) dumpLog(lines int) {
	body, err := os.ReadFile(p.log)
	if err != nil {
		return
	}
	all := bytes.Split(bytes.TrimRight(body, "\n"), []byte("\n"))
	if len(all) > lines {
		all = all[len(all)-lines:]
	}
	p.t.Logf("last %d lines of %s (%s):\n%s", len(all), p.name, p.log, bytes.Join(all, []byte("\n")))
}

// keepLog copies the whole log to the artefacts directory
// ($PERFLOOP_ARTEFACTS, default /tmp/perfloop-artefacts), as the test's
// temporary directory goes with it.
func (p *proc) keepLog() {
	dir := os.Getenv("PERFLOOP_ARTEFACTS")
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "perfloop-artefacts")
	}
	dir = filepath.Join(dir, "faults", strings.ReplaceAll(p.t.Name(), "/", "_"))
	body, err := os.ReadFile(p.log)
	if err != nil || os.MkdirAll(dir, 0o755) != nil {
		return
	}
	dst := filepath.Join(dir, filepath.Base(p.log))
	if os.WriteFile(dst, body, 0o644) == nil {
		p.t.Logf("the whole %s log is kept at %s", p.name, dst)
	}
}

// logContains reports whether the process has written s.
func (p *proc) logContains(s string) bool {
	body, _ := os.ReadFile(p.log)
	return bytes.Contains(body, []byte(s))
}

// freePort asks the kernel for a loopback port nobody listens on.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// waitListening waits until something accepts connections on addr, failing
// at once if p exits first.
func waitListening(t *testing.T, p *proc, addr string, within time.Duration) {
	t.Helper()
	require.Eventually(t, func() bool {
		if p.exited() {
			return true
		}
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
		}
		return err == nil
	}, within, 100*time.Millisecond, "nothing listens on %s", addr)
	require.False(t, p.exited(), "%s exited before listening on %s", p.name, addr)
}

// migrate applies the binary's migrations to dsn, as an operator would
// before starting the product, and opens the database for the test.
func migrate(t *testing.T, dsn string) *store.Store {
	t.Helper()
	out, err := exec.Command(binary, "migrate", "--db", dsn, "--log-level", "warn").CombinedOutput()
	require.NoError(t, err, "perfloop migrate: %s", out)
	st, err := store.Open(context.Background(), dsn, nil)
	require.NoError(t, err)
	t.Cleanup(func() { st.Close() })
	return st
}

// startTemporal starts an in-memory Temporal server in the test process.
// A killed worker makes it warn about every slow call, so its log goes to
// a file, printed only when the test fails.
func startTemporal(t *testing.T) *devserver.Server {
	t.Helper()
	path := filepath.Join(t.TempDir(), "temporal.log")
	f, err := os.Create(path)
	require.NoError(t, err)
	srv := devservertest.StartWith(t, devserver.Options{Logger: slog.New(slog.NewTextHandler(f, &slog.HandlerOptions{Level: slog.LevelWarn}))})
	t.Cleanup(func() {
		f.Close()
		if t.Failed() {
			(&proc{t: t, name: "temporal", log: path}).dumpLog(40)
		}
	})
	return srv
}
