package templates

import (
	"bytes"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"sort"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

//go:embed schema.json
var schemaJSON []byte

// Schema returns the template's JSON Schema (2020-12).
func Schema() []byte { return schemaJSON }

var english = message.NewPrinter(language.English)

var compiled = sync.OnceValues(func() (*jsonschema.Schema, error) {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(schemaJSON))
	if err != nil {
		return nil, err
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("template.json", doc); err != nil {
		return nil, err
	}
	return c.Compile("template.json")
})

// Checksum identifies a body's exact bytes; published versions store it
// so a frozen template can be told apart from any edit.
func Checksum(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

// Parse checks data against the schema and the semantic rules and reports
// every problem at once. The template is returned whenever the JSON could
// be read, even with errors, so a draft editor can still show it; callers
// must treat it as usable only when Errors is empty.
func Parse(data []byte) (*Template, Errors) {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		return nil, Errors{{Path: "", Message: "not valid JSON: " + jsonProblem(data, err)}}
	}
	if _, ok := doc.(map[string]any); !ok {
		return nil, Errors{{Path: "", Value: show(json.RawMessage(data)), Message: "a template must be a JSON object"}}
	}
	var c errs
	duplicateNames(&c, data)
	schemaErrors(&c, doc)
	var t Template
	decode(&c, doc, &t)
	validate(&c, &t)
	if len(c.list) == 0 {
		return &t, nil
	}
	return &t, c.list.sorted()
}

// jsonProblem says where the JSON stops making sense, as line and column.
func jsonProblem(data []byte, err error) string {
	var off int64 = -1
	var se *json.SyntaxError
	if e := json.Unmarshal(data, new(any)); errors.As(e, &se) {
		off = se.Offset
		err = e
	}
	if off < 0 {
		return err.Error()
	}
	// The offset is past the offending byte; the column should point at it.
	if strings.HasPrefix(err.Error(), "invalid character") && off > 0 {
		off--
	}
	line, col := 1, 1
	for _, r := range string(data[:min(int(off), len(data))]) {
		if r == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
	}
	return fmt.Sprintf("%s at line %d, column %d", err.Error(), line, col)
}

func schemaErrors(c *errs, doc any) {
	sch, err := compiled()
	if err != nil {
		c.add("", nil, "the template schema does not compile: "+err.Error())
		return
	}
	verr := sch.Validate(doc)
	var ve *jsonschema.ValidationError
	if !errors.As(verr, &ve) {
		return
	}
	for _, leaf := range leaves(ve) {
		path := ptr(tokens(leaf.InstanceLocation)...)
		value := valueAt(doc, leaf.InstanceLocation)
		switch k := leaf.ErrorKind.(type) {
		case *kind.Required:
			for _, m := range k.Missing {
				c.add(path+ptr(m), nil, "is required")
			}
		case *kind.AdditionalProperties:
			for _, p := range k.Properties {
				c.add(path+ptr(p), nil, "is not a template field; check the spelling ("+allowedFields(leaf)+")")
			}
		case *kind.Type:
			c.typed = append(c.typed, path)
			c.add(path, value, describe(leaf.ErrorKind))
		default:
			c.add(path, value, describe(leaf.ErrorKind))
		}
	}
}

// leaves flattens a validation error to the failures that say something;
// the wrappers above them only repeat "doesn't validate with …".
func leaves(e *jsonschema.ValidationError) []*jsonschema.ValidationError {
	if len(e.Causes) == 0 {
		return []*jsonschema.ValidationError{e}
	}
	var out []*jsonschema.ValidationError
	for _, c := range e.Causes {
		out = append(out, leaves(c)...)
	}
	return out
}

func tokens(loc []string) []any {
	out := make([]any, len(loc))
	for i, t := range loc {
		if n, ok := atoi(t); ok {
			out[i] = n
		} else {
			out[i] = t
		}
	}
	return out
}

func valueAt(doc any, loc []string) any {
	cur := doc
	for _, t := range loc {
		switch x := cur.(type) {
		case map[string]any:
			cur = x[t]
		case []any:
			n, ok := atoi(t)
			if !ok || n >= len(x) {
				return nil
			}
			cur = x[n]
		default:
			return nil
		}
	}
	switch cur.(type) {
	case map[string]any, []any:
		return nil // whole objects make unreadable values; the path says enough
	}
	return cur
}

// allowedFields lists the field names the schema allows where an unknown
// one was written, read from the schema location of the failure.
func allowedFields(leaf *jsonschema.ValidationError) string {
	props := schemaProperties(leaf.SchemaURL)
	if len(props) == 0 {
		return "see GET /api/v1/templates/schema"
	}
	return "allowed: " + strings.Join(props, ", ")
}

func schemaProperties(url string) []string {
	var doc map[string]any
	if err := json.Unmarshal(schemaJSON, &doc); err != nil {
		return nil
	}
	frag := ""
	if i := strings.Index(url, "#"); i >= 0 {
		frag = url[i+1:]
	}
	var cur any = doc
	for _, t := range strings.Split(strings.TrimPrefix(frag, "/"), "/") {
		if t == "" || t == "additionalProperties" {
			continue
		}
		m, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = m[t]
	}
	m, ok := cur.(map[string]any)
	if !ok {
		return nil
	}
	props, ok := m["properties"].(map[string]any)
	if !ok {
		return nil
	}
	names := make([]string, 0, len(props))
	for k := range props {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}

// patternHelp explains the schema's patterns in words.
var patternHelp = map[string]string{
	"^[a-z][a-z0-9-]{1,63}$":          "use 2–64 lower-case letters, digits and '-', starting with a letter, such as community-monthly",
	"^[a-zA-Z][a-zA-Z0-9_]{0,63}$":    "use letters, digits and '_', starting with a letter (at most 64), such as fanGrowth, so expressions can name it",
	"^[A-Za-z][A-Za-z0-9+-]{0,15}$":   "use a short label such as S, A, B+ or C",
	"^([01][0-9]|2[0-3]):[0-5][0-9]$": "use a 24-hour time such as 09:00",
	"^[A-Z]{3}$":                      "use an ISO 4217 currency code such as CNY or USD",
}

func describe(k jsonschema.ErrorKind) string {
	switch k := k.(type) {
	case *kind.Type:
		return "expected " + article(strings.Join(k.Want, " or ")) + ", got " + article(k.Got)
	case *kind.Enum:
		want := make([]string, len(k.Want))
		for i, w := range k.Want {
			want[i] = fmt.Sprint(w)
		}
		return "must be one of: " + strings.Join(want, ", ")
	case *kind.Pattern:
		if h, ok := patternHelp[k.Want]; ok {
			return h
		}
		return "does not match " + k.Want
	case *kind.Minimum:
		return "must be at least " + ratText(k.Want)
	case *kind.Maximum:
		return "must be at most " + ratText(k.Want)
	case *kind.ExclusiveMinimum:
		return "must be greater than " + ratText(k.Want)
	case *kind.ExclusiveMaximum:
		return "must be less than " + ratText(k.Want)
	case *kind.MultipleOf:
		return "must be a multiple of " + ratText(k.Want)
	case *kind.MinItems:
		return fmt.Sprintf("needs at least %d item(s)", k.Want)
	case *kind.MaxItems:
		return fmt.Sprintf("allows at most %d item(s)", k.Want)
	case *kind.MinLength:
		if k.Want == 1 {
			return "must not be empty"
		}
		return fmt.Sprintf("needs at least %d characters", k.Want)
	case *kind.MaxLength:
		return fmt.Sprintf("allows at most %d characters", k.Want)
	case *kind.MinProperties:
		return "is incomplete: set at least one of its fields"
	}
	return k.LocalizedString(english)
}

// ratText writes a schema bound as an admin would (100, 0.5), not as the
// rational the schema library holds (100/1).
func ratText(r *big.Rat) string {
	if r == nil {
		return "?"
	}
	f, _ := r.Float64()
	return trimFloat(f)
}

func article(s string) string {
	switch s {
	case "object", "array", "integer":
		return "an " + s
	case "string", "number", "boolean":
		return "a " + s
	}
	return s
}
