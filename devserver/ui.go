package devserver

import (
	"context"
	"fmt"
	"net"
	"strconv"
	"time"

	uiserver "github.com/temporalio/ui-server/v2/server"
	uiconfig "github.com/temporalio/ui-server/v2/server/config"
	uioptions "github.com/temporalio/ui-server/v2/server/server_options"
)

// uiServer is the Temporal Web UI (github.com/temporalio/ui-server, assets
// embedded in the module) pointed at the embedded frontend.
type uiServer struct {
	srv  *uiserver.Server
	addr string
	done chan error
}

func startUI(ctx context.Context, port int, frontend, namespace string) (*uiServer, error) {
	addr := net.JoinHostPort(loopback, strconv.Itoa(port))
	srv := uiserver.NewServer(uioptions.WithConfigProvider(&uiconfig.Config{
		Host:                loopback,
		Port:                port,
		TemporalGRPCAddress: frontend,
		EnableUI:            true,
		DefaultNamespace:    namespace,
		// Plain HTTP on the loopback: a Secure cookie would never be sent back.
		CORS:     uiconfig.CORS{CookieInsecure: true},
		HideLogs: true,
		// Works offline: no calls out to temporal.io for news.
		DisableNewsFetch: true,
	}))
	u := &uiServer{srv: srv, addr: addr, done: make(chan error, 1)}
	// Start blocks while serving. The port was checked free just before, but
	// if something takes it in between, ui-server exits the process (echo's
	// Logger.Fatal); it offers no way to hand it a listener we opened.
	go func() { u.done <- srv.Start() }()

	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
			return u, nil
		}
		select {
		case <-ctx.Done():
			srv.Stop()
			return nil, fmt.Errorf("temporal UI on %s did not start: %w", addr, ctx.Err())
		case err := <-u.done:
			return nil, fmt.Errorf("temporal UI on %s stopped at start: %v", addr, err)
		case <-tick.C:
		}
	}
}

func (u *uiServer) stop() error {
	u.srv.Stop()
	select {
	case err := <-u.done:
		return err
	case <-time.After(5 * time.Second):
		return fmt.Errorf("temporal UI on %s did not stop within 5s", u.addr)
	}
}
