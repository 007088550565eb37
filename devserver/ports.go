package devserver

import (
	"fmt"
	"net"
)

// loopback is where every service listens: a dev server is for this machine.
const loopback = "127.0.0.1"

// ports are the listeners of one server. Internal services talk gRPC to each
// other on the loopback, so each needs its own port.
type ports struct {
	frontend, frontendHTTP, history, matching, worker int
}

// pickPorts keeps frontend when it is set and picks free ports for the rest.
// The ports are held open together until all are chosen so that one server
// never receives the same port twice.
func pickPorts(frontend int) (ports, error) {
	need := 4
	if frontend == 0 {
		need++
	}
	free := make([]int, 0, need)
	var held []net.Listener
	defer func() { closeAll(held) }()
	for range need {
		l, port, err := reserve()
		if err != nil {
			return ports{}, fmt.Errorf("pick a free port for temporal: %w", err)
		}
		held = append(held, l)
		free = append(free, port)
	}
	p := ports{frontendHTTP: free[0], history: free[1], matching: free[2], worker: free[3], frontend: frontend}
	if frontend == 0 {
		p.frontend = free[4]
	}
	return p, nil
}

// reserve asks the kernel for a free port and leaves it in TIME_WAIT before
// handing it over. Between our Close and Temporal's Listen another process
// could otherwise be given the same ephemeral port (Linux randomises them),
// and Temporal treats a bind failure as fatal. A port in TIME_WAIT is
// skipped by bind(:0) elsewhere for a minute, while Temporal can still bind
// it explicitly because Go sets SO_REUSEADDR.
func reserve() (net.Listener, int, error) {
	l, err := net.Listen("tcp", net.JoinHostPort(loopback, "0"))
	if err != nil {
		return nil, 0, err
	}
	addr := l.Addr().(*net.TCPAddr)
	client, err := net.DialTCP("tcp", nil, addr)
	if err != nil {
		l.Close()
		return nil, 0, err
	}
	defer client.Close()
	server, err := l.Accept()
	if err != nil {
		l.Close()
		return nil, 0, err
	}
	// The side that closes first enters TIME_WAIT; it must be the listening side.
	server.Close()
	return l, addr.Port, nil
}
