package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/perfloop/perfloop/catalog"
	"github.com/perfloop/perfloop/store/storetest"
	"github.com/perfloop/perfloop/templates"
)

func builtinBody(t *testing.T, key string) map[string]any {
	t.Helper()
	files, err := templates.BuiltinFiles()
	require.NoError(t, err)
	for _, f := range files {
		if strings.Contains(f.Name, key) {
			var m map[string]any
			require.NoError(t, json.Unmarshal(f.Data, &m))
			return m
		}
	}
	t.Fatalf("no built-in %s", key)
	return nil
}

// TestTemplateLifecycleOverHTTP: draft, validate, publish, edit into the
// next draft, diff, retire — with admins only, and every error at its path.
func TestTemplateLifecycleOverHTTP(t *testing.T) {
	s := storetest.SQLite(t)
	e := newEnv(t, s)
	_, err := catalog.SeedBuiltins(context.Background(), s)
	require.NoError(t, err)

	r := e.do("GET", "/api/v1/templates/schema", "zhang.wei", nil)
	require.Equal(t, 200, r.status)
	require.Equal(t, "https://json-schema.org/draft/2020-12/schema", r.body["$schema"])
	r = e.do("GET", "/api/v1/templates?status=published", "zhang.wei", nil)
	require.EqualValues(t, 4, r.body["total"])

	body := builtinBody(t, "cs-ops")
	body["key"] = "cs-ops-pilot"
	body["indicators"].([]any)[0].(map[string]any)["weight"] = 25
	body["stages"].([]any)[1].(map[string]any)["duration"] = "P1M"
	r = e.do("POST", "/api/v1/templates/validate", "admin", body)
	require.Equal(t, 200, r.status, r.raw)
	require.Equal(t, false, r.body["valid"])
	errs := r.body["errors"].([]any)
	require.Len(t, errs, 2)
	require.Equal(t, "/indicators", errs[0].(map[string]any)["path"])
	require.Equal(t, "/stages/1/duration", errs[1].(map[string]any)["path"])

	// The CLI prints the same paths, values and messages for the same file.
	raw, _ := json.Marshal(body)
	file := filepath.Join(t.TempDir(), "pilot.json")
	require.NoError(t, os.WriteFile(file, raw, 0o644))
	cmd := exec.Command("go", "run", "../cmd/perfloop", "template", "validate", file)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	require.Error(t, cmd.Run(), "exit 1 on an invalid template")
	for _, x := range errs {
		d := x.(map[string]any)
		line := fmt.Sprintf("%s:%s: %s", file, d["path"], d["message"])
		if v, ok := d["value"].(string); ok && v != "" {
			line += " (value: " + v + ")"
		}
		require.Contains(t, out.String(), line)
	}

	require.Equal(t, 403, e.do("POST", "/api/v1/templates", "liu.yang", body).status, "managers do not author templates")
	r = e.do("POST", "/api/v1/templates", "admin", body)
	require.Equal(t, 201, r.status, r.raw)
	require.EqualValues(t, 1, r.body["version"])
	r = e.do("POST", "/api/v1/templates/cs-ops-pilot/versions/1/publish", "admin", nil)
	require.Equal(t, 422, r.status, "an invalid draft does not publish")
	require.NotEmpty(t, errorOf(t, r)["details"])

	body["indicators"].([]any)[0].(map[string]any)["weight"] = 30
	body["stages"].([]any)[1].(map[string]any)["duration"] = "P3D"
	r = e.do("POST", "/api/v1/templates", "admin", body)
	require.Equal(t, 200, r.status, "the open draft is edited in place")
	require.EqualValues(t, 1, r.body["version"])
	r = e.do("POST", "/api/v1/templates/cs-ops-pilot/versions/1/publish", "admin", nil)
	require.Equal(t, 200, r.status, r.raw)
	require.Equal(t, "published", r.body["status"])
	checksum := r.body["checksum"]

	body["indicators"].([]any)[1].(map[string]any)["weight"] = 15
	body["indicators"].([]any)[2].(map[string]any)["weight"] = 25
	r = e.do("POST", "/api/v1/templates", "admin", body)
	require.Equal(t, 201, r.status, "editing a published version opens the next draft")
	require.EqualValues(t, 2, r.body["version"])
	r = e.do("GET", "/api/v1/templates/cs-ops-pilot/versions/1", "admin", nil)
	require.Equal(t, checksum, r.body["checksum"], "the published version is unchanged")
	r = e.do("GET", "/api/v1/templates/cs-ops-pilot/diff?from=1&to=2", "admin", nil)
	require.Equal(t, 200, r.status, r.raw)
	var paths []string
	for _, c := range r.body["changes"].([]any) {
		paths = append(paths, c.(map[string]any)["path"].(string))
	}
	require.Contains(t, paths, "/indicators/1/weight")
	require.Contains(t, paths, "/indicators/2/weight")

	require.Equal(t, 403, e.do("POST", "/api/v1/templates/cs-ops-pilot/versions/1/retire", "liu.yang", nil).status)
	r = e.do("POST", "/api/v1/templates/cs-ops-pilot/versions/1/retire", "admin", nil)
	require.Equal(t, 200, r.status, r.raw)
	require.Equal(t, "retired", r.body["status"])
	require.Equal(t, 404, e.do("GET", "/api/v1/templates/nope/versions/1", "admin", nil).status)
}
