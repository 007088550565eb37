package templates

import (
	"encoding/json"
	"sort"
	"strings"
)

// FieldError is one problem in a template: where (a JSON pointer), the
// offending value as written (shortened), and what to do about it.
type FieldError struct {
	Path    string `json:"path"`
	Value   string `json:"value,omitempty"`
	Message string `json:"message"`
}

func (e FieldError) Error() string {
	s := e.Path + ": " + e.Message
	if e.Value != "" {
		s += " (value: " + e.Value + ")"
	}
	return s
}

// Errors is every problem found in one template, ordered by path so the
// CLI and the API list them identically.
type Errors []FieldError

func (es Errors) Error() string {
	parts := make([]string, len(es))
	for i, e := range es {
		parts[i] = e.Error()
	}
	return strings.Join(parts, "; ")
}

// errs collects problems while checking.
type errs struct {
	list  Errors
	typed []string // paths whose value has the wrong type and decoded as zero
}

func (c *errs) add(path string, value any, format string) {
	c.list = append(c.list, FieldError{Path: path, Value: show(value), Message: format})
}

// under reports whether a value inside prefix failed to decode (a type
// error), so a total is not checked again over a value read as zero.
func (c *errs) under(prefix string) bool {
	for _, p := range c.typed {
		if strings.HasPrefix(p, prefix) {
			return true
		}
	}
	return false
}

// broken reports whether the value at path, or one inside it, has the wrong
// type, so a check does not complain about the zero it decoded as.
func (c *errs) broken(path string) bool {
	for _, p := range c.typed {
		if p == path || strings.HasPrefix(p, path+"/") {
			return true
		}
	}
	return false
}

// show renders a value the way the author typed it, cut to a readable length.
func show(v any) string {
	var s string
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		s = x
	case json.RawMessage:
		s = string(x)
	default:
		b, err := json.Marshal(x)
		if err != nil {
			return ""
		}
		s = string(b)
	}
	const limit = 80
	if r := []rune(s); len(r) > limit {
		s = string(r[:limit]) + "…"
	}
	return s
}

// sorted orders errors by path then message and drops exact repeats, so
// the schema and the semantic checks never report one fault twice.
func (es Errors) sorted() Errors {
	sort.SliceStable(es, func(i, j int) bool {
		if es[i].Path != es[j].Path {
			return pointerLess(es[i].Path, es[j].Path)
		}
		return es[i].Message < es[j].Message
	})
	out := es[:0]
	for i, e := range es {
		if i > 0 && e == es[i-1] {
			continue
		}
		out = append(out, e)
	}
	return out
}

// pointerLess compares JSON pointers token by token, numbers numerically,
// so /stages/10 comes after /stages/9.
func pointerLess(a, b string) bool {
	ta, tb := strings.Split(a, "/"), strings.Split(b, "/")
	for i := 0; i < len(ta) && i < len(tb); i++ {
		if ta[i] == tb[i] {
			continue
		}
		na, oka := atoi(ta[i])
		nb, okb := atoi(tb[i])
		if oka && okb {
			return na < nb
		}
		return ta[i] < tb[i]
	}
	return len(ta) < len(tb)
}

func atoi(s string) (int, bool) {
	if s == "" || len(s) > 9 {
		return 0, false
	}
	n := 0
	for _, r := range s {
		if r < '0' || r > '9' {
			return 0, false
		}
		n = n*10 + int(r-'0')
	}
	return n, true
}

var pointerEscaper = strings.NewReplacer("~", "~0", "/", "~1")

// ptr builds a JSON pointer from tokens, escaping ~ and / as RFC 6901 says.
func ptr(tokens ...any) string {
	var b strings.Builder
	for _, t := range tokens {
		b.WriteByte('/')
		switch x := t.(type) {
		case string:
			b.WriteString(pointerEscaper.Replace(x))
		case int:
			b.WriteString(itoa(x))
		}
	}
	return b.String()
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	neg := n < 0
	if neg {
		n = -n
	}
	var d []byte
	for n > 0 {
		d = append([]byte{byte('0' + n%10)}, d...)
		n /= 10
	}
	if neg {
		d = append([]byte{'-'}, d...)
	}
	return string(d)
}
