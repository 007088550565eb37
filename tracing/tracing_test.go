package tracing_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"

	"github.com/perfloop/perfloop/api"
	"github.com/perfloop/perfloop/cycles"
	"github.com/perfloop/perfloop/devserver/devservertest"
	"github.com/perfloop/perfloop/enginetest"
	"github.com/perfloop/perfloop/store/storetest"
	"github.com/perfloop/perfloop/tracing"
	"github.com/perfloop/perfloop/worker"
)

func TestWithoutAnEndpointTracingIsOff(t *testing.T) {
	t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "")
	t.Setenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "")
	tr, err := tracing.FromEnv(context.Background(), "perfloop-test")
	require.NoError(t, err)
	require.False(t, tr.Enabled())
	require.Nil(t, tr.ClientInterceptors(), "no Temporal interceptor")
	h := http.NewServeMux()
	require.Same(t, h, tr.Handler(h), "the API's handler is not wrapped")
	require.NoError(t, tr.Shutdown(context.Background()))
}

func TestAnUnsupportedProtocolIsRefusedAtStart(t *testing.T) {
	t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:4318")
	t.Setenv("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf")
	_, err := tracing.FromEnv(context.Background(), "perfloop-test")
	require.ErrorContains(t, err, "OTLP/gRPC only")
}

// A cycle launched over HTTP is one trace: the request's server span, the
// client's StartWorkflow, the workflow run and its activities on the worker.
func TestALaunchRequestsTraceReachesTheCyclesActivities(t *testing.T) {
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	tr, err := tracing.New(tp)
	require.NoError(t, err)

	st := storetest.SQLite(t)
	org := enginetest.SeedOrg(t, st, 3)
	srv := devservertest.Start(t)
	quiet := sdklog.NewStructuredLogger(slog.New(slog.DiscardHandler))
	tc, err := client.Dial(client.Options{HostPort: srv.HostPort(), Namespace: srv.Namespace(), Logger: quiet, Interceptors: tr.ClientInterceptors()})
	require.NoError(t, err)
	t.Cleanup(tc.Close)
	queue := "tracing-test"
	w := worker.New(worker.Options{Client: tc, Store: st, TaskQueue: queue})
	require.NoError(t, w.Start())
	t.Cleanup(w.Stop)

	token, _, err := st.IssueToken(context.Background(), org.Manager.ID, "test", time.Hour)
	require.NoError(t, err)
	handler := api.New(api.Deps{Store: st, Cycles: &cycles.Service{Store: st, Client: tc, TaskQueue: queue}})
	web := httptest.NewServer(tr.Handler(handler))
	t.Cleanup(web.Close)

	body, _ := json.Marshal(map[string]any{"templateKey": "cs-ops-monthly", "teamId": org.Team.ID, "period": "2026-10", "compress": 8640})
	req, err := http.NewRequest("POST", web.URL+"/api/v1/cycles", bytes.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	raw, _ := io.ReadAll(res.Body)
	res.Body.Close()
	require.Equal(t, http.StatusCreated, res.StatusCode, string(raw))

	find := func(pred func(sdktrace.ReadOnlySpan) bool) sdktrace.ReadOnlySpan {
		for _, s := range rec.Ended() {
			if pred(s) {
				return s
			}
		}
		return nil
	}
	var server sdktrace.ReadOnlySpan
	require.Eventually(t, func() bool {
		server = find(func(s sdktrace.ReadOnlySpan) bool { return s.Name() == "POST /api/v1/cycles" })
		return server != nil
	}, 30*time.Second, 20*time.Millisecond, "the request's server span, named after its route")
	require.Equal(t, trace.SpanKindServer, server.SpanKind())
	traceID := server.SpanContext().TraceID()

	var activity sdktrace.ReadOnlySpan
	require.Eventually(t, func() bool {
		activity = find(func(s sdktrace.ReadOnlySpan) bool {
			return strings.HasPrefix(s.Name(), "RunActivity:") && s.SpanContext().TraceID() == traceID
		})
		return activity != nil
	}, 60*time.Second, 50*time.Millisecond, "an activity of the launched cycle in the request's trace; spans: %v", names(rec.Ended()))

	start := find(func(s sdktrace.ReadOnlySpan) bool {
		return s.Name() == "StartWorkflow:CycleWorkflow" && s.SpanContext().TraceID() == traceID
	})
	require.NotNil(t, start, "the client's start of the cycle workflow, in the same trace")
	// The workflow's span ends when the cycle does; this one still runs.
	var run sdktrace.ReadWriteSpan
	for _, s := range rec.Started() {
		if s.Name() == "RunWorkflow:CycleWorkflow" && s.SpanContext().TraceID() == traceID {
			run = s
		}
	}
	require.NotNil(t, run, "the workflow's run on the worker, in the same trace")
}

func names(spans []sdktrace.ReadOnlySpan) []string {
	out := make([]string, len(spans))
	for i, s := range spans {
		out[i] = s.Name() + " " + s.SpanContext().TraceID().String()[:8]
	}
	return out
}
