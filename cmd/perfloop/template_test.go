package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/perfloop/perfloop/api"
	"github.com/perfloop/perfloop/api/apitest"
	"github.com/perfloop/perfloop/demo"
	"github.com/perfloop/perfloop/store"
	"github.com/perfloop/perfloop/store/storetest"
	"github.com/perfloop/perfloop/templates"
)

// run executes the real command tree, as main does, with the output captured.
func run(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	root := rootCommand()
	var out, errOut bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&errOut)
	root.SetArgs(args)
	if err := root.ExecuteContext(context.Background()); err != nil {
		fmt.Fprintln(&errOut, "perfloop:", err)
		code = exitCode(err)
	}
	return out.String(), errOut.String(), code
}

func lines(s string) []string {
	return strings.Split(strings.TrimRight(s, "\n"), "\n")
}

func writeTemplate(t *testing.T, name string, body any) string {
	t.Helper()
	raw, err := json.MarshalIndent(body, "", "  ")
	require.NoError(t, err)
	file := filepath.Join(t.TempDir(), name)
	require.NoError(t, os.WriteFile(file, raw, 0o644))
	return file
}

func builtinCSOps(t *testing.T) map[string]any {
	t.Helper()
	files, err := templates.BuiltinFiles()
	require.NoError(t, err)
	for _, f := range files {
		if f.Name == "builtin/cs-ops-monthly.json" {
			var m map[string]any
			require.NoError(t, json.Unmarshal(f.Data, &m))
			return m
		}
	}
	t.Fatal("no built-in cs-ops-monthly")
	return nil
}

func item(m map[string]any, list string, i int) map[string]any {
	return m[list].([]any)[i].(map[string]any)
}

// brokenCSOps has weights totalling 95, a stage lasting a month and a
// distribution limit on an unknown grade.
func brokenCSOps(t *testing.T) map[string]any {
	body := builtinCSOps(t)
	item(body, "indicators", 0)["weight"] = 25
	item(body, "stages", 1)["duration"] = "P1M"
	item(body, "distribution", 0)["grades"] = []any{"SS"}
	return body
}

// validateOverHTTP asks a real API, as the template editor does.
func validateOverHTTP(t *testing.T, body []byte) map[string]any {
	t.Helper()
	s := storetest.SQLite(t)
	users, _, err := demo.Seed(context.Background(), s, "")
	require.NoError(t, err)
	token := ""
	for _, u := range users {
		if u.Role == store.RoleAdmin {
			token = u.Token
		}
	}
	require.NotEmpty(t, token)
	srv := httptest.NewServer(api.New(api.Deps{Store: s}))
	t.Cleanup(srv.Close)

	req, err := http.NewRequest("POST", srv.URL+"/api/v1/templates/validate", bytes.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	require.Equal(t, 200, res.StatusCode, string(raw))
	require.NoError(t, apitest.CheckResponse("POST", "/api/v1/templates/validate", res.StatusCode, raw))
	var out map[string]any
	require.NoError(t, json.Unmarshal(raw, &out))
	return out
}

func TestTemplateValidatePrintsTheSameErrorsAsTheAPI(t *testing.T) {
	file := writeTemplate(t, "cs-ops-pilot.json", brokenCSOps(t))
	data, err := os.ReadFile(file)
	require.NoError(t, err)
	answer := validateOverHTTP(t, data)
	require.Equal(t, false, answer["valid"])

	var want []string
	for _, x := range answer["errors"].([]any) {
		d := x.(map[string]any)
		line := fmt.Sprintf("%s:%s: %s", file, d["path"], d["message"])
		if v, ok := d["value"].(string); ok && v != "" {
			line += " (value: " + v + ")"
		}
		want = append(want, line)
	}
	require.Len(t, want, 3)

	stdout, stderr, code := run(t, "template", "validate", file)
	require.Equal(t, 1, code, "an invalid template exits 1")
	require.Empty(t, stdout)
	got := lines(stderr)
	require.Equal(t, want, got[:len(got)-1], "one line per API error, in the API's order and words")
	require.Equal(t, "perfloop: 1 of 1 template(s) invalid", got[len(got)-1])
	require.Equal(t, []string{
		file + ":/distribution/0/grades/0: unknown grade; known: S, A, B, C (value: SS)",
		file + ":/indicators: indicator weights total 95; they must total 100 (add 5) (value: 95)",
		file + ":/stages/1/duration: years and months have no fixed length; write days instead, such as P30D (value: P1M)",
	}, want)
}

func TestTemplateValidateOmitsTheValueWhereTheAPIHasNone(t *testing.T) {
	file := writeTemplate(t, "half.json", map[string]any{"key": "half-written"})
	data, err := os.ReadFile(file)
	require.NoError(t, err)
	answer := validateOverHTTP(t, data)

	var want []string
	for _, x := range answer["errors"].([]any) {
		d := x.(map[string]any)
		line := fmt.Sprintf("%s:%s: %s", file, d["path"], d["message"])
		if v, ok := d["value"]; ok {
			line += fmt.Sprintf(" (value: %v)", v)
		}
		want = append(want, line)
	}
	_, stderr, code := run(t, "template", "validate", file)
	require.Equal(t, 1, code)
	got := lines(stderr)
	require.Equal(t, want, got[:len(got)-1])
	require.Contains(t, got, file+":/stages: is required")
}

func TestTemplateValidateSaysOkForGoodFilesAndExits1IfAnyIsBad(t *testing.T) {
	good := writeTemplate(t, "good.json", builtinCSOps(t))
	stdout, stderr, code := run(t, "template", "validate", good)
	require.Equal(t, 0, code, stderr)
	require.Equal(t, good+": ok\n", stdout)
	require.Empty(t, stderr)

	bad := writeTemplate(t, "bad.json", brokenCSOps(t))
	stdout, stderr, code = run(t, "template", "validate", good, bad)
	require.Equal(t, 1, code)
	require.Equal(t, good+": ok\n", stdout, "every file is checked, not just up to the first bad one")
	require.Contains(t, stderr, bad+":/indicators: ")
	require.Contains(t, stderr, "1 of 2 template(s) invalid")
}

func TestTemplateValidateExits2WhenAFileCannotBeRead(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "missing.json")
	_, stderr, code := run(t, "template", "validate", missing)
	require.Equal(t, 2, code)
	require.Contains(t, stderr, "read "+missing)
}

func TestTemplatePublishRefusesAnInvalidFileAndPublishesAValidOneOnce(t *testing.T) {
	db := filepath.Join(t.TempDir(), "perfloop.db")
	dsn := "sqlite:" + db
	s, err := store.Open(context.Background(), dsn, nil)
	require.NoError(t, err)
	_, err = s.Migrate(context.Background(), nil)
	require.NoError(t, err)
	require.NoError(t, s.Close())

	body := brokenCSOps(t)
	body["key"] = "cs-ops-pilot"
	bad := writeTemplate(t, "bad.json", body)
	stdout, stderr, code := run(t, "template", "publish", bad, "--db", dsn)
	require.Equal(t, 1, code)
	require.Empty(t, stdout)
	require.Contains(t, stderr, bad+":/stages/1/duration: years and months have no fixed length")
	require.Contains(t, stderr, "nothing was published")

	good := writeTemplate(t, "good.json", func() map[string]any {
		b := builtinCSOps(t)
		b["key"] = "cs-ops-pilot"
		return b
	}())
	stdout, stderr, code = run(t, "template", "publish", good, "--db", dsn)
	require.Equal(t, 0, code, stderr)
	require.Contains(t, stdout, "published cs-ops-pilot v1 (checksum ")
	stdout, stderr, code = run(t, "template", "publish", good, "--db", dsn)
	require.Equal(t, 0, code, stderr)
	require.Equal(t, "cs-ops-pilot v1 is already published with this content\n", stdout)

	s, err = store.Open(context.Background(), dsn, nil)
	require.NoError(t, err)
	defer s.Close()
	tv, err := s.GetTemplateVersion(context.Background(), store.SharedCatalogue, "cs-ops-pilot", 0)
	require.NoError(t, err)
	require.Equal(t, 1, tv.Version)
	require.Equal(t, store.TemplatePublished, tv.Status)
	require.Equal(t, "cli", tv.CreatedBy)
}
