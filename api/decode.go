package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"slices"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/perfloop/perfloop/names"
)

// MaxBody is the largest request body a JSON route accepts; file uploads have their own limit.
const MaxBody = 1 << 20

// readBody reads at most limit bytes and answers 413 beyond it.
func readBody(c *gin.Context, limit int64) ([]byte, error) {
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, limit)
	data, err := io.ReadAll(c.Request.Body)
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return nil, &Error{Status: http.StatusRequestEntityTooLarge, Code: "too_large",
			Message: fmt.Sprintf("request body is larger than %d bytes", limit)}
	}
	if err != nil {
		return nil, badRequest("could not read the request body: " + err.Error())
	}
	return data, nil
}

// decodeJSON reads a JSON body strictly: unknown fields, wrong types, trailing
// data and empty bodies are 400 with the JSON pointer of the offending field.
func decodeJSON(c *gin.Context, into any) error {
	data, err := readBody(c, MaxBody)
	if err != nil {
		return err
	}
	return decodeStrict(data, into)
}

func decodeStrict(data []byte, into any) error {
	if len(bytes.TrimSpace(data)) == 0 {
		return badRequest("request body is empty; a JSON object is expected")
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(into); err != nil {
		return jsonError(err)
	}
	if dec.More() {
		return badRequest("request body has data after the JSON value")
	}
	return nil
}

func jsonError(err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return badRequest(fmt.Sprintf("malformed JSON at byte %d: %v", syn.Offset, syn))
	case errors.As(err, &typ):
		path := "/" + strings.ReplaceAll(typ.Field, ".", "/")
		return badRequest("a field has the wrong type", Detail{Path: path, Value: typ.Value,
			Message: fmt.Sprintf("expected %s, got %s", jsonKind(typ.Type.Kind().String()), typ.Value)})
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return badRequest("unknown field "+name, Detail{Path: "/" + name, Message: "this field is not part of the request; check its spelling"})
	case errors.Is(err, io.ErrUnexpectedEOF):
		return badRequest("malformed JSON: the body ends early")
	}
	return badRequest("malformed JSON: " + err.Error())
}

func jsonKind(k string) string {
	switch k {
	case "int", "int64", "int32", "float64", "float32", "uint", "uint64":
		return "a number"
	case "string":
		return "a string"
	case "bool":
		return "true or false"
	case "slice":
		return "an array"
	case "struct", "map", "ptr":
		return "an object"
	}
	return k
}

// nameProblems holds the names and titles a request sets to the one rule
// for names (package names), each refusal at its field.
func nameProblems(max int, fields map[string]*string) []Detail {
	var out []Detail
	for _, path := range slices.Sorted(maps.Keys(fields)) {
		if v := fields[path]; v != nil {
			if msg := names.Check(*v, max); msg != "" {
				out = append(out, Detail{Path: path, Value: names.Shown(*v), Message: msg})
			}
		}
	}
	return out
}
