package api

import (
	"github.com/gin-gonic/gin"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"
)

// nameSpan names the request's server span (when tracing is on: see
// package tracing) after its route template, like the metrics do: one
// name per route, never one per cycle or task id.
func nameSpan(c *gin.Context, route string) {
	span := trace.SpanFromContext(c.Request.Context())
	if !span.IsRecording() {
		return
	}
	span.SetName(c.Request.Method + " " + route)
	span.SetAttributes(attribute.String("http.route", route))
}
