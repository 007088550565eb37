// Package devserver owns the embedded Temporal server that `perfloop dev`
// runs in-process and that tests of other packages start for end-to-end runs:
// go.temporal.io/server with SQLite (in memory, or one file in a data
// directory so state survives a restart), an optional Temporal Web UI, and
// the dynamic config a single-node dev cluster needs.
//
// Every port the server listens on besides the ones asked for is picked free
// on the loopback interface, so several servers (one per test package, run in
// parallel by `go test ./...`) never collide.
//
// devserver is infrastructure: it must never import Perfloop's domain
// packages (api, workflows, activities, worker, store).
package devserver

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/server/temporal"
)

// DefaultNamespace is registered when Options.Namespace is empty.
const DefaultNamespace = "default"

// DatabaseFile is the name of the SQLite file kept in Options.DataDir.
const DatabaseFile = "temporal.db"

// Options configures an embedded server. The zero value is a usable
// ephemeral server on free ports with the UI disabled.
type Options struct {
	// DataDir holds temporal.db so workflows survive a restart; "" keeps
	// everything in memory.
	DataDir string
	// Port is the frontend gRPC port; 0 picks a free loopback port.
	Port int
	// Namespace is registered at start (a no-op when it already exists).
	Namespace string
	// UIPort serves the Temporal Web UI; 0 disables it.
	UIPort int
	// Logger receives Temporal's warnings and errors; nil discards them.
	Logger *slog.Logger

	// SearchAttributes are registered on Namespace at start, including on a
	// data directory created before they were added.
	SearchAttributes map[string]enumspb.IndexedValueType
	// DynamicConfig overrides or extends the dev defaults (see dynamicConfig),
	// e.g. a test lowering a limit to exercise the code path that hits it.
	DynamicConfig map[string]any
}

// Server is a running embedded Temporal server.
type Server struct {
	temporal  temporal.Server
	ui        *uiServer
	hostPort  string
	namespace string
	stopping  *atomic.Bool // quiets the server's logs, see temporalLogger
	unlockDir func()

	stopOnce sync.Once
	stopErr  error
}

// ErrPortInUse is matched (errors.Is) by a PortInUseError.
var ErrPortInUse = errors.New("port is already in use")

// PortInUseError reports a port that was asked for explicitly but is taken.
// Its message names the flag that picks another, since a person reads it.
type PortInUseError struct {
	What string // "temporal frontend", "temporal UI"
	Port int
	Flag string // "--temporal-port"
	Err  error
}

func (e *PortInUseError) Error() string {
	return fmt.Sprintf("%s port %d is already in use (choose another with %s)", e.What, e.Port, e.Flag)
}

func (e *PortInUseError) Is(target error) bool { return target == ErrPortInUse }
func (e *PortInUseError) Unwrap() error        { return e.Err }

// startTimeout bounds how long Start waits for the frontend to serve the
// namespace when the caller's context has no deadline.
const startTimeout = 30 * time.Second

// Start runs a Temporal server and returns once its frontend answers for the
// namespace (and the UI, when enabled, accepts connections).
func Start(ctx context.Context, opts Options) (_ *Server, err error) {
	if opts.Namespace == "" {
		opts.Namespace = DefaultNamespace
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, startTimeout)
		defer cancel()
	}

	if err := checkPortRange(opts.Port, "temporal frontend port %d is out of range: use 1-65535 with --temporal-port, or 0 for a free port"); err != nil {
		return nil, err
	}
	if err := checkPortRange(opts.UIPort, "temporal UI port %d is out of range: use 1-65535 with --temporal-ui-port, or 0 to disable the UI"); err != nil {
		return nil, err
	}
	if opts.UIPort != 0 && opts.UIPort == opts.Port {
		return nil, fmt.Errorf("temporal UI port %d is also the frontend port: choose another with --temporal-ui-port", opts.UIPort)
	}
	// Explicit ports are checked before anything heavy starts (Temporal's own
	// listener treats a bind failure as fatal: the process dies), and held
	// while the other ports are picked so that none of those can be them.
	held, err := holdPorts(opts)
	if err != nil {
		return nil, err
	}
	ports, err := pickPorts(opts.Port)
	closeAll(held)
	if err != nil {
		return nil, err
	}

	dbFile, unlockDir, err := openDataDir(opts.DataDir)
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			unlockDir()
		}
	}()
	sqlCfg, err := prepareDatabase(dbFile, opts.Namespace, opts.SearchAttributes)
	if err != nil {
		return nil, err
	}

	stopping := new(atomic.Bool)
	srv, err := newTemporal(ports, sqlCfg, opts, newTemporalLogger(log, stopping))
	if err != nil {
		return nil, err
	}
	s := &Server{
		temporal:  srv,
		hostPort:  net.JoinHostPort(loopback, strconv.Itoa(ports.frontend)),
		namespace: opts.Namespace,
		stopping:  stopping,
		unlockDir: unlockDir,
	}
	if err := srv.Start(); err != nil {
		// fx has already rolled back whatever had started.
		return nil, fmt.Errorf("start temporal server: %w", err)
	}
	defer func() {
		if err != nil {
			_ = s.Stop()
		}
	}()

	if err := waitReady(ctx, s.hostPort, s.namespace, opts.SearchAttributes); err != nil {
		return nil, err
	}
	if opts.UIPort != 0 {
		s.ui, err = startUI(ctx, opts.UIPort, s.hostPort, s.namespace)
		if err != nil {
			return nil, err
		}
	}
	return s, nil
}

// openDataDir returns the database file in dir, locked for this process;
// dir == "" means in memory: no file and nothing to unlock.
func openDataDir(dir string) (file string, unlock func(), err error) {
	if dir == "" {
		return "", func() {}, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", nil, fmt.Errorf("create temporal data directory %s: %w", dir, err)
	}
	unlock, err = lockDataDir(dir)
	if err != nil {
		return "", nil, err
	}
	return filepath.Join(dir, DatabaseFile), unlock, nil
}

func checkPortRange(port int, format string) error {
	if port < 0 || port > 65535 {
		return fmt.Errorf(format, port)
	}
	return nil
}

// holdPorts listens on the explicitly requested ports, or says which is taken.
func holdPorts(opts Options) ([]net.Listener, error) {
	var held []net.Listener
	for _, p := range []struct {
		port       int
		what, flag string
	}{
		{opts.Port, "temporal frontend", "--temporal-port"},
		{opts.UIPort, "temporal UI", "--temporal-ui-port"},
	} {
		if p.port == 0 {
			continue
		}
		l, err := net.Listen("tcp", net.JoinHostPort(loopback, strconv.Itoa(p.port)))
		if err != nil {
			closeAll(held)
			return nil, &PortInUseError{What: p.what, Port: p.port, Flag: p.flag, Err: err}
		}
		held = append(held, l)
	}
	return held, nil
}

func closeAll(ls []net.Listener) {
	for _, l := range ls {
		l.Close()
	}
}

// HostPort is the frontend address for client.Dial, e.g. "127.0.0.1:7233".
func (s *Server) HostPort() string { return s.hostPort }

// Namespace is the namespace registered at start.
func (s *Server) Namespace() string { return s.namespace }

// UIAddr is the Temporal Web UI's host:port, or "" when it is disabled.
func (s *Server) UIAddr() string {
	if s.ui == nil {
		return ""
	}
	return s.ui.addr
}

// Stop shuts the UI and the server down; later calls return the first result.
func (s *Server) Stop() error {
	s.stopOnce.Do(func() {
		s.stopping.Store(true)
		var errs []error
		if s.ui != nil {
			if err := s.ui.stop(); err != nil {
				errs = append(errs, fmt.Errorf("stop temporal UI: %w", err))
			}
		}
		if err := s.temporal.Stop(); err != nil {
			errs = append(errs, fmt.Errorf("stop temporal server: %w", err))
		}
		s.unlockDir()
		s.stopErr = errors.Join(errs...)
	})
	return s.stopErr
}
