package monitoring

import (
	"context"
	"errors"
	"io"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestTheMetricsListenerAnswersHealthzAndReadyzThroughAWorkersLife(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	m := New(nil)
	addr, err := m.Serve(ctx, "127.0.0.1:0")
	require.NoError(t, err)
	get := func(path string) (int, string) {
		res, err := http.Get("http://" + addr.String() + path)
		require.NoError(t, err)
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	code, _ := get("/healthz")
	require.Equal(t, http.StatusOK, code)
	code, body := get("/readyz")
	require.Equal(t, http.StatusServiceUnavailable, code, "not ready before SetReady")
	require.Contains(t, body, "starting")

	var down error
	m.SetReady(func(context.Context) error { return down })
	code, _ = get("/readyz")
	require.Equal(t, http.StatusOK, code)

	down = errors.New("temporal unreachable")
	code, body = get("/readyz")
	require.Equal(t, http.StatusServiceUnavailable, code)
	require.Contains(t, body, "temporal unreachable")

	down = nil
	m.SetStopping()
	code, body = get("/readyz")
	require.Equal(t, http.StatusServiceUnavailable, code, "a stopping worker is not ready")
	require.Contains(t, body, "stopping")
	code, _ = get("/healthz")
	require.Equal(t, http.StatusOK, code, "but still alive while it finishes its activities")
	code, _ = get("/metrics")
	require.Equal(t, http.StatusOK, code)
}

func TestANilMetricsIsNeverReady(t *testing.T) {
	var m *Metrics
	m.SetReady(nil)
	m.SetStopping()
	require.Error(t, m.Ready(context.Background()))
}
