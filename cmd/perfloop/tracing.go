package main

import (
	"context"
	"log/slog"
	"os"
	"time"

	"github.com/perfloop/perfloop/tracing"
)

// startTracing turns on OpenTelemetry traces when OTEL_EXPORTER_OTLP_ENDPOINT
// is set (nil, which traces nothing, otherwise).
func startTracing(ctx context.Context, service string, log *slog.Logger) (*tracing.Tracing, error) {
	tr, err := tracing.FromEnv(ctx, service)
	if err != nil || tr == nil {
		return tr, err
	}
	endpoint := os.Getenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
	if endpoint == "" {
		endpoint = os.Getenv("OTEL_EXPORTER_OTLP_ENDPOINT")
	}
	log.Info("tracing: exporting OpenTelemetry spans over OTLP/gRPC", "endpoint", endpoint)
	return tr, nil
}

// flushTraces exports the spans still buffered before the process exits.
func flushTraces(tr *tracing.Tracing, log *slog.Logger) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := tr.Shutdown(ctx); err != nil {
		log.Warn("tracing: spans lost at exit", "err", err)
	}
}
