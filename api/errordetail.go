package api

import (
	"errors"
	"regexp"
	"strconv"
	"strings"
	"unicode"

	"github.com/perfloop/perfloop/cycles"
	"github.com/perfloop/perfloop/store"
)

// The error body says in English what went wrong; a reader of the Chinese
// UI should not have to read English to know. So every error also says
// it as data the client words in its own language: the refusal's reason
// (a duplicate cycle, a closed task, a busy database) and, for each field,
// what the field expected (a required value, a range, one of some options).
// It is worked out here, in the one place every error is written, from
// the sentinel errors and from the shapes the API's field messages take,
// so no handler has to say it twice.

// Expected is what a field needed, as data. Rule is one of: required,
// range (min, max), min, max, maxLength (max), oneOf (options), type
// (type: number, text, boolean, object, array), unknown (no such field),
// notFound (type: what was looked for), future, format (example).
type Expected struct {
	Rule    string   `json:"rule"`
	Min     *float64 `json:"min,omitempty"`
	Max     *float64 `json:"max,omitempty"`
	Options []string `json:"options,omitempty"`
	Type    string   `json:"type,omitempty"`
	Example string   `json:"example,omitempty"`
}

// The reasons an error may give beside its code.
const (
	ReasonCycleExists = "cycle_exists" // a live cycle of the template for the team and period
	ReasonTaskClosed  = "task_closed"  // the task was submitted, expired or cancelled
	ReasonBusy        = "busy"         // the database is busy with another write
	ReasonStale       = "stale"        // someone changed the record since it was read
)

// explain fills in an error's reason and each detail's expectation; the
// English message and details stay as they are.
func explain(err error, e *Error) *Error {
	out := *e
	if out.Reason == "" {
		out.Reason = reasonOf(err)
	}
	if m := reNotFound.FindStringSubmatch(out.Message); out.Code == "not_found" && out.Resource == "" && m != nil {
		out.Resource = m[1] + m[2]
	}
	if len(e.Details) > 0 {
		out.Details = make([]Detail, len(e.Details))
		for i, d := range e.Details {
			if d.Expected == nil {
				d.Expected = expectedOf(d.Message)
			}
			out.Details[i] = d
		}
	}
	return &out
}

func reasonOf(err error) string {
	var ref *cycles.Refused
	switch {
	case errors.Is(err, store.ErrCycleExists):
		return ReasonCycleExists
	case errors.Is(err, store.ErrTaskClosed):
		return ReasonTaskClosed
	case errors.As(err, &ref):
		return snake(ref.Kind)
	case store.IsBusy(err):
		return ReasonBusy
	case errors.Is(err, store.ErrConflict) && (strings.Contains(err.Error(), "you sent") || strings.Contains(err.Error(), "meanwhile") || strings.Contains(err.Error(), "you had")):
		return ReasonStale
	}
	return ""
}

// snake turns a Refused kind ("TaskClosed") into a reason ("task_closed").
func snake(s string) string {
	var b strings.Builder
	for i, r := range s {
		if unicode.IsUpper(r) {
			if i > 0 {
				b.WriteByte('_')
			}
			r = unicode.ToLower(r)
		}
		b.WriteRune(r)
	}
	return b.String()
}

var (
	num           = `(-?\d+(?:\.\d+)?(?:e[+-]?\d+)?)`
	reRequired    = regexp.MustCompile(`^(?:is )?required\b|\bis required\b|^required\b`)
	reRange       = regexp.MustCompile(`\b(?:from|between) ` + num + ` (?:to|and) ` + num + `\b`)
	reMaxLength   = regexp.MustCompile(`at most ` + num + ` characters`)
	reAtLeast     = regexp.MustCompile(`\bat least ` + num + `\b`)
	reAtMost      = regexp.MustCompile(`\bat most ` + num + `\b`)
	reZeroOrMore  = regexp.MustCompile(`\bzero or more\b`)
	reOneOf       = regexp.MustCompile(`\bone of:? ([^;]+)$`)
	reType        = regexp.MustCompile(`^expected (a number|a string|text|true or false|an array|an object)\b`)
	reUnknown     = regexp.MustCompile(`\bnot part of (?:this form|the request)\b|\bdoes not rate that\b`)
	reNoSuch      = regexp.MustCompile(`^no (?:published )?(\w+) has this|^no such (\w+)|^has no (\w+) in this`)
	reFuture      = regexp.MustCompile(`\bmust be in the future\b`)
	reFormatTakes = regexp.MustCompile(`\btakes (YYYY(?:-MM|-Qn)?)\b|\b(YYYY-MM-DD)\b`)
	reNotFound    = regexp.MustCompile(`^([a-z][a-z ]*?) not found$|^get ([a-z]+)\b.*: not found$`)
	reExample     = regexp.MustCompile(`(?:such as|e\.g\.) ([^\s;,]+)`)
)

var typeWords = map[string]string{"a number": "number", "a string": "text", "text": "text", "true or false": "boolean", "an array": "array", "an object": "object"}

// expectedOf reads what a field expected from its message; nil when the
// message has none of the shapes the API words its field errors in.
func expectedOf(msg string) *Expected {
	f := func(s string) *float64 {
		v, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return nil
		}
		return &v
	}
	switch {
	case reRequired.MatchString(msg):
		x := &Expected{Rule: "required"}
		if m := reRange.FindStringSubmatch(msg); m != nil {
			x.Min, x.Max = f(m[1]), f(m[2])
		}
		return x
	case reUnknown.MatchString(msg):
		return &Expected{Rule: "unknown"}
	case reFuture.MatchString(msg):
		return &Expected{Rule: "future"}
	case reMaxLength.MatchString(msg):
		return &Expected{Rule: "maxLength", Max: f(reMaxLength.FindStringSubmatch(msg)[1])}
	case reType.MatchString(msg):
		return &Expected{Rule: "type", Type: typeWords[reType.FindStringSubmatch(msg)[1]]}
	case reRange.MatchString(msg):
		m := reRange.FindStringSubmatch(msg)
		return &Expected{Rule: "range", Min: f(m[1]), Max: f(m[2])}
	case reAtLeast.MatchString(msg):
		return &Expected{Rule: "min", Min: f(reAtLeast.FindStringSubmatch(msg)[1])}
	case reZeroOrMore.MatchString(msg):
		return &Expected{Rule: "min", Min: f("0")}
	case reAtMost.MatchString(msg):
		return &Expected{Rule: "max", Max: f(reAtMost.FindStringSubmatch(msg)[1])}
	case reOneOf.MatchString(msg):
		var opts []string
		for _, o := range strings.Split(reOneOf.FindStringSubmatch(msg)[1], ",") {
			if o = strings.TrimSpace(o); o != "" {
				opts = append(opts, o)
			}
		}
		return &Expected{Rule: "oneOf", Options: opts}
	case reNoSuch.MatchString(msg):
		m := reNoSuch.FindStringSubmatch(msg)
		return &Expected{Rule: "notFound", Type: m[1] + m[2] + m[3]}
	case reFormatTakes.MatchString(msg):
		m := reFormatTakes.FindStringSubmatch(msg)
		return &Expected{Rule: "format", Example: m[1] + m[2]}
	case reExample.MatchString(msg):
		return &Expected{Rule: "format", Example: strings.TrimRight(reExample.FindStringSubmatch(msg)[1], ").")}
	}
	return nil
}
