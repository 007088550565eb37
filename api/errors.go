package api

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/perfloop/perfloop/metrics"
	"github.com/perfloop/perfloop/store"
)

// Detail points at one offending field.
type Detail struct {
	Path    string `json:"path"`
	Value   any    `json:"value,omitempty"`
	Message string `json:"message"`
	// Expected says what the field needed as data (errordetail.go), for
	// clients to say in their reader's language.
	Expected *Expected `json:"expected,omitempty"`
}

// Error is the one error body every route returns.
type Error struct {
	Status  int      `json:"-"`
	Code    string   `json:"code"`
	Message string   `json:"message"`
	Details []Detail `json:"details,omitempty"`
	Omitted int      `json:"omitted,omitempty"` // details beyond those listed (long lists are cut)
	// Reason says why, beside the code, when the API knows (errordetail.go):
	// cycle_exists, task_closed, busy, stale, or a refusal's kind.
	Reason string `json:"reason,omitempty"`
	// Resource names what was not found (a 404's "task", "cycle", …) when known.
	Resource string `json:"resource,omitempty"`
	// cause is the error this one answers, for explain to read its reason.
	cause error
}

func (e *Error) Error() string { return e.Message }

// Unwrap is the error this one answers, when it answers one.
func (e *Error) Unwrap() error { return e.cause }

type errorBody struct {
	Error     *Error `json:"error"`
	RequestID string `json:"requestId,omitempty"`
}

func badRequest(msg string, details ...Detail) *Error {
	return &Error{Status: http.StatusBadRequest, Code: "invalid", Message: msg, Details: details}
}

func notFoundErr(what string) *Error {
	return &Error{Status: http.StatusNotFound, Code: "not_found", Message: what + " not found"}
}

func forbidden(msg string) *Error {
	return &Error{Status: http.StatusForbidden, Code: "forbidden", Message: msg}
}

func conflict(msg string) *Error {
	return &Error{Status: http.StatusConflict, Code: "conflict", Message: msg}
}

// writeError turns any error into the one error shape and aborts the request.
func writeError(c *gin.Context, err error) {
	e := capDetails(explain(err, classify(err)))
	if e.Status == http.StatusServiceUnavailable {
		c.Header("Retry-After", "5")
	}
	if e.Status >= 500 {
		logger(c).Error("request failed", "status", e.Status, "err", err)
	}
	c.AbortWithStatusJSON(e.Status, errorBody{Error: e, RequestID: c.GetString(requestIDKey)})
}

// MaxDetails bounds the problems one answer lists: a file with a million
// bad rows gets the first hundred and the count, not a list as big as itself.
// It is the metrics import's bound, so every list of problems stops at the
// same length.
const MaxDetails = metrics.MaxProblems

func capDetails(e *Error) *Error {
	if len(e.Details) <= MaxDetails {
		return e
	}
	capped := *e
	capped.Message = fmt.Sprintf("%s (%d problems; the first %d are listed)", e.Message, len(e.Details), MaxDetails)
	capped.Details = e.Details[:MaxDetails:MaxDetails]
	return &capped
}

func classify(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	var rows store.ImportErrors
	if errors.As(err, &rows) {
		out := badRequest("the import has bad rows; nothing was imported")
		for _, r := range rows {
			out.Details = append(out.Details, Detail{Path: "/" + r.List + "/" + strconv.Itoa(r.Row) + "/" + r.Field, Value: r.Value, Message: r.Message})
		}
		return out
	}
	switch {
	case errors.Is(err, store.ErrNotFound):
		return &Error{Status: http.StatusNotFound, Code: "not_found", Message: err.Error()}
	case errors.Is(err, store.ErrConflict):
		return &Error{Status: http.StatusConflict, Code: "conflict", Message: err.Error()}
	case errors.Is(err, store.ErrTeamCycle):
		return badRequest(store.ErrTeamCycle.Error(), Detail{Path: "/parentId", Message: store.ErrTeamCycle.Error()})
	case errors.Is(err, ErrSSOUnavailable):
		return &Error{Status: http.StatusServiceUnavailable, Code: "unavailable", Message: err.Error()}
	case store.IsBusy(err):
		return &Error{Status: http.StatusServiceUnavailable, Code: "unavailable", Message: "the database is busy with another write; retry shortly"}
	case unavailable(err):
		return &Error{Status: http.StatusServiceUnavailable, Code: "unavailable", Message: "a backing service (database or Temporal) is unreachable; retry shortly"}
	}
	return &Error{Status: http.StatusInternalServerError, Code: "internal", Message: "internal error; the request id identifies it in the server log"}
}

// unavailable recognises a database or network outage, which callers should retry.
func unavailable(err error) bool {
	var ne net.Error
	var oe *net.OpError
	switch {
	case errors.Is(err, driver.ErrBadConn), errors.As(err, &oe), errors.As(err, &ne):
		return true
	case errors.Is(err, context.DeadlineExceeded):
		return true
	}
	msg := err.Error()
	return strings.Contains(msg, "connection refused") || strings.Contains(msg, "invalid connection") ||
		strings.Contains(msg, "broken pipe") || strings.Contains(msg, "Unavailable") ||
		strings.Contains(msg, "database is closed") || strings.Contains(msg, "bad connection")
}
