// Package apitest holds what tests of the HTTP API share: CheckResponse
// holds a real response against the OpenAPI document the API serves.
// It is imported by tests only, so production builds carry neither it nor
// its JSON Schema validator.
package apitest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/perfloop/perfloop/api"
)

var (
	checkerOnce sync.Once
	checker     *jsonschema.Compiler
	operations  []operation
	checkerErr  error
	compiled    sync.Map // schema location → *jsonschema.Schema
)

// operation is one method on one path of the document, with the statuses it
// documents and whether each has a JSON body.
type operation struct {
	method string
	path   string // as in the document: /api/v1/cycles/{id}
	bodies map[string]bool
}

// CheckResponse validates a real response against the OpenAPI document: the
// route and status must be documented and the body must match its schema.
// Tests call it on every response they see, so the document cannot drift.
func CheckResponse(method, path string, status int, body []byte) error {
	checkerOnce.Do(load)
	if checkerErr != nil {
		return checkerErr
	}
	op, ok := matchRoute(method, path)
	if !ok {
		// A route that does not exist is answered by NoRoute/NoMethod in
		// the one error shape, which is all the document promises for it.
		if status == 404 || status == 405 {
			return checkErrorShape(body)
		}
		return fmt.Errorf("%s %s is not in the OpenAPI document", method, path)
	}
	code := strconv.Itoa(status)
	hasBody, documented := op.bodies[code]
	if !documented {
		code = "default"
	}
	if documented && !hasBody {
		return nil
	}
	if op.path == "/api/docs" {
		return nil
	}
	loc := "openapi.json#/paths/" + escapePointer(op.path) + "/" + strings.ToLower(method) + "/responses/" + code + "/content/application~1json/schema"
	var schema *jsonschema.Schema
	if s, ok := compiled.Load(loc); ok {
		schema = s.(*jsonschema.Schema)
	} else {
		s, err := checker.Compile(loc)
		if err != nil {
			return fmt.Errorf("compile %s: %w", loc, err)
		}
		compiled.Store(loc, s)
		schema = s
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("%s %s %d: body is not JSON: %w", method, path, status, err)
	}
	if err := schema.Validate(inst); err != nil {
		return fmt.Errorf("%s %s %d does not match the OpenAPI document: %w", method, path, status, err)
	}
	return nil
}

// load reads the document once: the schema compiler, and the operations
// with their documented statuses.
func load() {
	raw, err := json.Marshal(api.OpenAPI())
	if err != nil {
		checkerErr = err
		return
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		checkerErr = err
		return
	}
	checker = jsonschema.NewCompiler()
	if checkerErr = checker.AddResource("openapi.json", doc); checkerErr != nil {
		return
	}
	var parsed struct {
		Paths map[string]map[string]struct {
			Responses map[string]struct {
				Content map[string]any `json:"content"`
			} `json:"responses"`
		} `json:"paths"`
	}
	if checkerErr = json.Unmarshal(raw, &parsed); checkerErr != nil {
		return
	}
	for path, methods := range parsed.Paths {
		for method, o := range methods {
			op := operation{method: strings.ToUpper(method), path: path, bodies: map[string]bool{}}
			for code, r := range o.Responses {
				op.bodies[code] = r.Content != nil
			}
			operations = append(operations, op)
		}
	}
}

func escapePointer(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}

// matchRoute finds the documented operation a concrete path belongs to;
// literal segments win over parameters, as in Gin.
func matchRoute(method, path string) (operation, bool) {
	path, _, _ = strings.Cut(path, "?")
	var best operation
	bestScore := -1
	segs := strings.Split(path, "/")
	for _, op := range operations {
		if op.method != method {
			continue
		}
		pat := strings.Split(op.path, "/")
		if len(pat) != len(segs) {
			continue
		}
		score := 0
		ok := true
		for i := range pat {
			switch {
			case strings.HasPrefix(pat[i], "{"):
			case pat[i] == segs[i]:
				score++
			default:
				ok = false
			}
		}
		if ok && score > bestScore {
			best, bestScore = op, score
		}
	}
	return best, bestScore >= 0
}

func checkErrorShape(body []byte) error {
	var e struct {
		Error *struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	if err := json.Unmarshal(body, &e); err != nil || e.Error == nil || e.Error.Code == "" || e.Error.Message == "" {
		return fmt.Errorf("an unknown route must answer in the error shape, got %s", body)
	}
	return nil
}
