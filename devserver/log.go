package devserver

import (
	"context"
	"fmt"
	"log/slog"
	"sync/atomic"

	tlog "go.temporal.io/server/common/log"
	"go.temporal.io/server/common/log/tag"
)

// temporalLogLevel is the quietest level of Temporal's own logs that reach
// the caller's logger: at info the server narrates every shard and queue,
// which would drown the product's logs in `perfloop dev`.
const temporalLogLevel = slog.LevelWarn

// temporalLogger routes the server's logs into slog.
type temporalLogger struct {
	log *slog.Logger
	// with holds the tags of With unrendered: the server derives loggers on
	// hot paths and almost none of them ever log at warn or above.
	with []tag.Tag
	// stopping is set when Stop begins.
	stopping *atomic.Bool
}

var (
	_ tlog.Logger     = temporalLogger{}
	_ tlog.WithLogger = temporalLogger{}
)

func newTemporalLogger(l *slog.Logger, stopping *atomic.Bool) temporalLogger {
	return temporalLogger{log: l.With("component", "temporal"), stopping: stopping}
}

func (l temporalLogger) emit(level slog.Level, msg string, tags []tag.Tag) {
	ctx := context.Background()
	if level < temporalLogLevel {
		return
	}
	if l.stopping.Load() {
		// Shutdown cuts off polls and in-flight calls, and the server
		// complains about each one; kept for whoever debugs, out of sight
		// otherwise.
		level = slog.LevelDebug
	}
	// Checked before rendering: Temporal's tags are the expensive part.
	if !l.log.Enabled(ctx, level) {
		return
	}
	l.log.LogAttrs(ctx, level, msg, attrs(l.all(tags))...)
}

func attrs(tags []tag.Tag) []slog.Attr {
	out := make([]slog.Attr, 0, len(tags))
	for _, t := range tags {
		out = append(out, slog.Any(t.Key(), t.Value()))
	}
	return out
}

func (l temporalLogger) Debug(msg string, tags ...tag.Tag) { l.emit(slog.LevelDebug, msg, tags) }
func (l temporalLogger) Info(msg string, tags ...tag.Tag)  { l.emit(slog.LevelInfo, msg, tags) }
func (l temporalLogger) Warn(msg string, tags ...tag.Tag)  { l.emit(slog.LevelWarn, msg, tags) }
func (l temporalLogger) Error(msg string, tags ...tag.Tag) { l.emit(slog.LevelError, msg, tags) }

// DPanic is a development-time assertion in zap; here it is only an error.
func (l temporalLogger) DPanic(msg string, tags ...tag.Tag) { l.emit(slog.LevelError, msg, tags) }

func (l temporalLogger) Panic(msg string, tags ...tag.Tag) {
	l.emit(slog.LevelError, msg, tags)
	panic(msg)
}

// Fatal panics rather than calling os.Exit: the process still ends, but with
// the stack of the failing call, and a test binary names the running test.
func (l temporalLogger) Fatal(msg string, tags ...tag.Tag) {
	l.emit(slog.LevelError, msg, tags)
	panic(fmt.Sprintf("temporal: %s %v", msg, attrs(l.all(tags))))
}

func (l temporalLogger) With(tags ...tag.Tag) tlog.Logger {
	return temporalLogger{log: l.log, with: l.all(tags), stopping: l.stopping}
}

// all is the With tags followed by tags, in a new slice so that loggers
// derived from one parent never write into each other's tags.
func (l temporalLogger) all(tags []tag.Tag) []tag.Tag {
	return append(l.with[:len(l.with):len(l.with)], tags...)
}
