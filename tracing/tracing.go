// Package tracing turns on OpenTelemetry traces when the standard
// OTEL_EXPORTER_OTLP_ENDPOINT (or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) is
// set: an HTTP server span per API request, and Temporal's OpenTelemetry
// interceptor on the client and the workers, so one trace runs from the
// request that launches a cycle into its workflow and activities. Unset,
// everything here is a no-op: no exporter, no interceptor, no wrapper.
//
// Spans go out over OTLP/gRPC; the exporter reads the other standard
// variables itself (OTEL_EXPORTER_OTLP_HEADERS, _INSECURE, _CERTIFICATE,
// _TIMEOUT), and OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES name the
// process. It must never import api, cycles, activities or workflows.
package tracing

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"

	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracegrpc"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
	temporalotel "go.temporal.io/sdk/contrib/opentelemetry"
	"go.temporal.io/sdk/interceptor"
)

// Tracing is one process's tracer; the zero value and nil are off.
type Tracing struct {
	provider    trace.TracerProvider
	propagator  propagation.TextMapPropagator
	interceptor interceptor.Interceptor
	shutdown    func(context.Context) error
}

// Configured tells whether the environment asks for traces.
func Configured() bool {
	return os.Getenv("OTEL_EXPORTER_OTLP_ENDPOINT") != "" || os.Getenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") != ""
}

// FromEnv exports traces over OTLP when Configured, naming the process
// service (OTEL_SERVICE_NAME wins); otherwise it returns nil, which is off.
func FromEnv(ctx context.Context, service string) (*Tracing, error) {
	if !Configured() {
		return nil, nil
	}
	if p := os.Getenv("OTEL_EXPORTER_OTLP_PROTOCOL"); p != "" && p != "grpc" {
		return nil, fmt.Errorf("OTEL_EXPORTER_OTLP_PROTOCOL=%q: Perfloop exports traces over OTLP/gRPC only; unset it or set grpc (port 4317 of a collector)", p)
	}
	exp, err := otlptracegrpc.New(ctx)
	if err != nil {
		return nil, fmt.Errorf("OpenTelemetry exporter for %s: %w", os.Getenv("OTEL_EXPORTER_OTLP_ENDPOINT"), err)
	}
	if name := os.Getenv("OTEL_SERVICE_NAME"); name != "" {
		service = name
	}
	res, err := resource.Merge(resource.Default(), resource.NewSchemaless(attribute.String("service.name", service)))
	if err != nil {
		return nil, fmt.Errorf("OpenTelemetry resource: %w", err)
	}
	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(exp), sdktrace.WithResource(res))
	t, err := New(tp)
	if err != nil {
		_ = tp.Shutdown(ctx)
		return nil, err
	}
	t.shutdown = tp.Shutdown
	return t, nil
}

// New traces into tp (tests pass one with a span recorder).
func New(tp trace.TracerProvider) (*Tracing, error) {
	prop := propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{})
	in, err := temporalotel.NewTracingInterceptor(temporalotel.TracerOptions{
		Tracer:            tp.Tracer("github.com/perfloop/perfloop"),
		TextMapPropagator: prop,
	})
	if err != nil {
		return nil, fmt.Errorf("the Temporal OpenTelemetry interceptor: %w", err)
	}
	return &Tracing{provider: tp, propagator: prop, interceptor: in}, nil
}

// Enabled tells whether spans are recorded.
func (t *Tracing) Enabled() bool { return t != nil && t.provider != nil }

// ClientInterceptors go into client.Options.Interceptors: the client's
// calls (starting, signalling, updating workflows) carry the caller's span,
// and every worker built on that client continues it in workflows and
// activities. Nil when off.
func (t *Tracing) ClientInterceptors() []interceptor.ClientInterceptor {
	if !t.Enabled() {
		return nil
	}
	return []interceptor.ClientInterceptor{t.interceptor}
}

// Handler wraps the API's handler in a server span per request, continuing
// a traceparent the caller sent. The API renames the span after its route
// template once routing is done. Off, h is returned as it is.
func (t *Tracing) Handler(h http.Handler) http.Handler {
	if !t.Enabled() {
		return h
	}
	return otelhttp.NewHandler(h, "HTTP", otelhttp.WithTracerProvider(t.provider), otelhttp.WithPropagators(t.propagator))
}

// Shutdown flushes the spans not yet exported.
func (t *Tracing) Shutdown(ctx context.Context) error {
	if t == nil || t.shutdown == nil {
		return nil
	}
	if err := t.shutdown(ctx); err != nil && !errors.Is(err, context.Canceled) {
		return fmt.Errorf("flush traces: %w", err)
	}
	return nil
}
