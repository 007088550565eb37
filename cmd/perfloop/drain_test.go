package main

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/perfloop/perfloop/api"
	"github.com/perfloop/perfloop/store/storetest"
)

func TestAPIOnSIGTERMAnswersReadyz503ThenFinishesTheRequestInFlight(t *testing.T) {
	d := &drain{delay: time.Second, timeout: 10 * time.Second, log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	entered, release := make(chan struct{}), make(chan struct{})
	mux := http.NewServeMux()
	mux.Handle("/", api.New(api.Deps{Store: storetest.SQLite(t), Checks: []api.Check{d.check()}}))
	mux.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) {
		close(entered)
		<-release
		io.WriteString(w, "finished")
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	base := "http://" + ln.Addr().String()
	sigterm, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- d.serve(sigterm, &http.Server{Handler: mux}, ln) }()

	readyz := func() int {
		res, err := http.Get(base + "/readyz")
		if err != nil {
			return 0
		}
		res.Body.Close()
		return res.StatusCode
	}
	require.Equal(t, http.StatusOK, readyz())
	slow := make(chan string, 1)
	go func() {
		res, err := http.Get(base + "/slow")
		if err != nil {
			slow <- err.Error()
			return
		}
		defer res.Body.Close()
		body, _ := io.ReadAll(res.Body)
		slow <- string(body)
	}()
	<-entered

	cancel()
	require.Eventually(t, func() bool { return readyz() == http.StatusServiceUnavailable }, 900*time.Millisecond, 10*time.Millisecond,
		"during the drain delay the replica still answers, with /readyz 503")
	require.Eventually(t, func() bool {
		conn, err := net.Dial("tcp", ln.Addr().String())
		if err == nil {
			conn.Close()
		}
		return err != nil
	}, 5*time.Second, 10*time.Millisecond, "after the drain delay the listener closes")
	require.Empty(t, served, "the server waits for the request in flight")
	close(release)
	require.Equal(t, "finished", <-slow)
	require.NoError(t, <-served)
}
