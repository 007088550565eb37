package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

var (
	checkerOnce sync.Once
	checker     *jsonschema.Compiler
	checkerErr  error
	compiled    sync.Map // schema location → *jsonschema.Schema
)

// CheckResponse validates a real response against the OpenAPI document: the
// route and status must be documented and the body must match its schema.
// Tests call it on every response they see, so the document cannot drift.
func CheckResponse(method, path string, status int, body []byte) error {
	checkerOnce.Do(func() {
		raw, err := json.Marshal(OpenAPI())
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
		checkerErr = checker.AddResource("openapi.json", doc)
	})
	if checkerErr != nil {
		return checkerErr
	}
	route, ok := matchRoute(method, path)
	if !ok {
		// A route that does not exist is answered by NoRoute/NoMethod in
		// the one error shape, which is all the document promises for it.
		if status == 404 || status == 405 {
			return checkErrorShape(body)
		}
		return fmt.Errorf("%s %s is not in the OpenAPI document", method, path)
	}
	oaPath, _ := openapiPath(route.Path)
	code := strconv.Itoa(status)
	resp, documented := route.Responses[status]
	if !documented {
		code = "default"
	}
	if documented && resp == nil {
		return nil
	}
	if route.Path == "/api/docs" {
		return nil
	}
	loc := "openapi.json#/paths/" + escapePointer(oaPath) + "/" + strings.ToLower(method) + "/responses/" + code + "/content/application~1json/schema"
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

func escapePointer(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}

// matchRoute finds the documented route a concrete path belongs to; literal
// segments win over parameters, as in Gin.
func matchRoute(method, path string) (docEntry, bool) {
	path, _, _ = strings.Cut(path, "?")
	docsMu.Lock()
	defer docsMu.Unlock()
	var best docEntry
	bestScore := -1
	segs := strings.Split(path, "/")
	for _, e := range docs {
		if e.Method != method {
			continue
		}
		pat := strings.Split(e.Path, "/")
		if len(pat) != len(segs) {
			continue
		}
		score := 0
		ok := true
		for i := range pat {
			switch {
			case strings.HasPrefix(pat[i], ":"):
			case pat[i] == segs[i]:
				score++
			default:
				ok = false
			}
		}
		if ok && score > bestScore {
			best, bestScore = e, score
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
