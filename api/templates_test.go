package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/perfloop/perfloop/catalog"
	"github.com/perfloop/perfloop/store/storetest"
	"github.com/perfloop/perfloop/templates"
)

// newTemplateEnv is the demo organisation with the built-in templates
// published, as `perfloop dev` starts; newEnv alone seeds no templates.
func newTemplateEnv(t *testing.T) *env {
	t.Helper()
	s := storetest.SQLite(t)
	e := newEnv(t, s)
	n, err := catalog.SeedBuiltins(context.Background(), s)
	require.NoError(t, err)
	require.Equal(t, 6, n, "every built-in is published once")
	return e
}

// builtinFile returns the shipped bytes of the built-in with this key.
func builtinFile(t *testing.T, key string) []byte {
	t.Helper()
	data, err := templates.BuiltinFile(key)
	require.NoError(t, err)
	return data
}

func builtinBody(t *testing.T, key string) map[string]any {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal(builtinFile(t, key), &m))
	return m
}

// at walks a decoded template: at(body, "indicators", 0) is the first indicator.
func at(m map[string]any, path ...any) map[string]any {
	var cur any = m
	for _, p := range path {
		switch k := p.(type) {
		case string:
			cur = cur.(map[string]any)[k]
		case int:
			cur = cur.([]any)[k]
		}
	}
	return cur.(map[string]any)
}

// brokenCSOps is cs-ops-monthly with three mistakes an admin makes: weights
// that total 95, a stage lasting a month, and a distribution limit on a
// grade that does not exist.
func brokenCSOps(t *testing.T) map[string]any {
	body := builtinBody(t, "cs-ops-monthly")
	at(body, "indicators", 0)["weight"] = 25
	at(body, "stages", 1)["duration"] = "P1M"
	at(body, "distribution", 0)["grades"] = []any{"SS"}
	return body
}

var brokenCSOpsErrors = templates.Errors{
	{Path: "/distribution/0/grades/0", Value: "SS", Message: "unknown grade; known: S, A, B, C"},
	{Path: "/indicators", Value: "95", Message: "indicator weights total 95; they must total 100 (add 5)"},
	{Path: "/stages/1/duration", Value: "P1M", Message: "years and months have no fixed length; write days instead, such as P30D"},
}

// fieldErrors reads an API list of details back as template errors.
func fieldErrors(t *testing.T, v any) templates.Errors {
	t.Helper()
	raw, err := json.Marshal(v)
	require.NoError(t, err)
	var out templates.Errors
	require.NoError(t, json.Unmarshal(raw, &out))
	return out
}

func TestTemplateSchemaIsServedToAnyMember(t *testing.T) {
	e := newTemplateEnv(t)
	for _, who := range []string{"zhang.wei", "liu.yang", "admin"} {
		r := e.do("GET", "/api/v1/templates/schema", who, nil)
		require.Equal(t, 200, r.status, r.raw)
		require.Equal(t, "https://json-schema.org/draft/2020-12/schema", r.body["$schema"])
		require.Contains(t, r.header.Get("Content-Type"), "application/schema+json")
		require.JSONEq(t, string(templates.Schema()), r.raw)
	}
	require.Equal(t, 401, e.do("GET", "/api/v1/templates/schema", "", nil).status)
}

func TestBuiltinTemplatesAreListedAndEachCanBeFetchedByVersion(t *testing.T) {
	e := newTemplateEnv(t)
	r := e.do("GET", "/api/v1/templates?status=published", "zhang.wei", nil)
	require.Equal(t, 200, r.status, r.raw)
	require.EqualValues(t, 6, r.body["total"])

	var keys []string
	for _, x := range r.body["items"].([]any) {
		item := x.(map[string]any)
		key := item["key"].(string)
		keys = append(keys, key)
		require.Equal(t, "published", item["status"])
		require.NotContains(t, item, "body", "a list row carries no body")

		path := fmt.Sprintf("/api/v1/templates/%s/versions/%v", key, item["version"])
		got := e.do("GET", path, "zhang.wei", nil)
		require.Equal(t, 200, got.status, got.raw)
		require.Equal(t, "published", got.body["status"])
		require.EqualValues(t, 1, got.body["version"])
		require.Equal(t, key, at(got.body, "body")["key"])
		require.Equal(t, templates.Checksum(builtinFile(t, key)), got.body["checksum"], "the stored body is the shipped file")
		require.NotContains(t, got.body, "validation", "a published version needs no validation result")

		latest := e.do("GET", "/api/v1/templates/"+key+"/versions/latest", "zhang.wei", nil)
		require.Equal(t, 200, latest.status, latest.raw)
		require.Equal(t, got.body["checksum"], latest.body["checksum"])
	}
	require.ElementsMatch(t, []string{"community-monthly", "community-quarterly", "content-ops-monthly", "cs-ops-monthly", "ops-assistant-monthly", "team-lead-quarterly"}, keys)

	r = e.do("GET", "/api/v1/templates?status=draft", "admin", nil)
	require.EqualValues(t, 0, r.body["total"])
	r = e.do("GET", "/api/v1/templates?status=live", "admin", nil)
	require.Equal(t, 400, r.status)
	require.Equal(t, "?status", firstDetail(t, r)["path"])
}

func TestValidatingABrokenTemplateAnswersEveryErrorAtItsPath(t *testing.T) {
	e := newTemplateEnv(t)
	r := e.do("POST", "/api/v1/templates/validate", "admin", brokenCSOps(t))
	require.Equal(t, 200, r.status, "an invalid template is a successful check: %s", r.raw)
	require.Equal(t, false, r.body["valid"])
	require.Equal(t, brokenCSOpsErrors, fieldErrors(t, r.body["errors"]))

	_, parsed := templates.Parse([]byte(mustJSON(t, brokenCSOps(t))))
	require.Equal(t, parsed, fieldErrors(t, r.body["errors"]), "the API adds, drops and rewords nothing")

	r = e.do("GET", "/api/v1/templates?status=draft", "admin", nil)
	require.EqualValues(t, 0, r.body["total"], "validating saves nothing")
}

func TestValidatingAGoodTemplateAnswersValidWithNoErrors(t *testing.T) {
	e := newTemplateEnv(t)
	r := e.do("POST", "/api/v1/templates/validate", "admin", builtinFile(t, "cs-ops-monthly"))
	require.Equal(t, 200, r.status, r.raw)
	require.Equal(t, true, r.body["valid"])
	require.Empty(t, r.body["errors"])
}

func TestValidatingSomethingThatIsNotATemplateNamesTheProblem(t *testing.T) {
	e := newTemplateEnv(t)
	r := e.do("POST", "/api/v1/templates/validate", "admin", `{"key": "x", "colour": "red"}`)
	require.Equal(t, 200, r.status, r.raw)
	require.Equal(t, false, r.body["valid"])
	paths := map[string]bool{}
	for _, fe := range fieldErrors(t, r.body["errors"]) {
		paths[fe.Path] = true
	}
	require.True(t, paths["/colour"], "an unknown field is named: %s", r.raw)
	require.True(t, paths["/stages"], "a missing field is named: %s", r.raw)
	for _, x := range r.body["errors"].([]any) {
		d := x.(map[string]any)
		if d["path"] == "/stages" {
			require.NotContains(t, d, "value", "a missing field has no value to show, as the CLI prints none")
		}
	}
	require.Equal(t, 403, e.do("POST", "/api/v1/templates/validate", "zhang.wei", brokenCSOps(t)).status)
}

func TestTemplateDraftIsStampedEditedInPlacePublishedAndRetired(t *testing.T) {
	e := newTemplateEnv(t)
	body := brokenCSOps(t)
	body["key"] = "cs-ops-pilot"
	body["version"] = 7

	r := e.do("POST", "/api/v1/templates", "admin", body)
	require.Equal(t, 201, r.status, r.raw)
	require.Equal(t, "/api/v1/templates/cs-ops-pilot/versions/1", r.header.Get("Location"))
	require.EqualValues(t, 1, r.body["version"])
	require.Equal(t, "draft", r.body["status"])
	require.EqualValues(t, 1, at(r.body, "body")["version"], "the body is stamped with the version it is saved as")
	require.Equal(t, false, at(r.body, "validation")["valid"], "a draft may be incomplete")
	require.Equal(t, brokenCSOpsErrors, fieldErrors(t, at(r.body, "validation")["errors"]))

	r = e.do("POST", "/api/v1/templates/cs-ops-pilot/versions/1/publish", "admin", nil)
	require.Equal(t, 422, r.status, "an invalid draft does not publish: %s", r.raw)
	require.Equal(t, "template_invalid", errorOf(t, r)["code"])
	require.Equal(t, brokenCSOpsErrors, fieldErrors(t, errorOf(t, r)["details"]))
	r = e.do("GET", "/api/v1/templates/cs-ops-pilot/versions/1", "admin", nil)
	require.Equal(t, "draft", r.body["status"], "a refused publish leaves the draft as it was")
	require.Equal(t, brokenCSOpsErrors, fieldErrors(t, at(r.body, "validation")["errors"]))

	at(body, "indicators", 0)["weight"] = 30
	at(body, "stages", 1)["duration"] = "P3D"
	at(body, "distribution", 0)["grades"] = []any{"S"}
	r = e.do("POST", "/api/v1/templates", "admin", body)
	require.Equal(t, 200, r.status, "the open draft is edited in place: %s", r.raw)
	require.EqualValues(t, 1, r.body["version"])
	require.Equal(t, true, at(r.body, "validation")["valid"])
	require.Empty(t, at(r.body, "validation")["errors"])
	r = e.do("GET", "/api/v1/templates?key=cs-ops-pilot", "admin", nil)
	require.EqualValues(t, 1, r.body["total"], "editing a draft adds no version")

	r = e.do("POST", "/api/v1/templates/cs-ops-pilot/versions/1/publish", "admin", nil)
	require.Equal(t, 200, r.status, r.raw)
	require.Equal(t, "published", r.body["status"])
	require.NotNil(t, r.body["publishedAt"])

	r = e.do("POST", "/api/v1/templates/cs-ops-pilot/versions/1/retire", "admin", nil)
	require.Equal(t, 200, r.status, r.raw)
	require.Equal(t, "retired", r.body["status"])
	require.NotNil(t, r.body["retiredAt"])
	r = e.do("GET", "/api/v1/templates/cs-ops-pilot/versions/1", "zhang.wei", nil)
	require.Equal(t, "retired", r.body["status"])
}

func TestEditingAPublishedTemplateOpensTheNextDraftAndLeavesThePublishedBodyAlone(t *testing.T) {
	e := newTemplateEnv(t)
	before := e.do("GET", "/api/v1/templates/cs-ops-monthly/versions/1", "admin", nil)
	require.Equal(t, "published", before.body["status"])

	body := builtinBody(t, "cs-ops-monthly")
	at(body, "indicators", 1)["weight"] = 15
	at(body, "indicators", 2)["weight"] = 25
	r := e.do("POST", "/api/v1/templates", "admin", body)
	require.Equal(t, 201, r.status, r.raw)
	require.EqualValues(t, 2, r.body["version"])
	require.Equal(t, "draft", r.body["status"])
	require.EqualValues(t, 2, at(r.body, "body")["version"])

	after := e.do("GET", "/api/v1/templates/cs-ops-monthly/versions/1", "admin", nil)
	require.Equal(t, "published", after.body["status"])
	require.Equal(t, before.body["checksum"], after.body["checksum"], "the published version is unchanged")
	require.Equal(t, before.body["body"], after.body["body"])
	latest := e.do("GET", "/api/v1/templates/cs-ops-monthly/versions/latest", "admin", nil)
	require.EqualValues(t, 1, latest.body["version"], "latest is the newest published, not the draft")

	r = e.do("POST", "/api/v1/templates/cs-ops-monthly/versions/2/publish", "admin", nil)
	require.Equal(t, 200, r.status, r.raw)
	latest = e.do("GET", "/api/v1/templates/cs-ops-monthly/versions/latest", "admin", nil)
	require.EqualValues(t, 2, latest.body["version"])
	after = e.do("GET", "/api/v1/templates/cs-ops-monthly/versions/1", "admin", nil)
	require.Equal(t, before.body["checksum"], after.body["checksum"], "publishing the next version does not touch the last")
}

func TestBuiltInVersionsAreMarkedSharedAndOnlyTheOrganisationsOwnVersionRetires(t *testing.T) {
	e := newTemplateEnv(t)
	r := e.do("GET", "/api/v1/templates", "admin", nil)
	require.Equal(t, 200, r.status, r.raw)
	for _, x := range r.body["items"].([]any) {
		require.Equal(t, true, x.(map[string]any)["shared"], "a built-in is the shared catalogue's: %v", x)
	}

	body := builtinBody(t, "cs-ops-monthly")
	at(body, "stages", 1)["duration"] = "P4D"
	r = e.do("POST", "/api/v1/templates", "admin", body)
	require.Equal(t, 201, r.status, r.raw)
	require.Equal(t, false, r.body["shared"], "an admin's edit of a built-in is the organisation's own")
	r = e.do("POST", "/api/v1/templates/cs-ops-monthly/versions/2/publish", "admin", nil)
	require.Equal(t, 200, r.status, r.raw)
	require.Equal(t, false, r.body["shared"])
	require.Equal(t, true, e.do("GET", "/api/v1/templates/cs-ops-monthly/versions/1", "admin", nil).body["shared"])

	r = e.do("POST", "/api/v1/templates/cs-ops-monthly/versions/1/retire", "admin", nil)
	require.Equal(t, 404, r.status, "the shared catalogue is not the organisation's to retire: %s", r.raw)
	require.Equal(t, "published", e.do("GET", "/api/v1/templates/cs-ops-monthly/versions/1", "admin", nil).body["status"])
	r = e.do("POST", "/api/v1/templates/cs-ops-monthly/versions/2/retire", "admin", nil)
	require.Equal(t, 200, r.status, r.raw)
	require.Equal(t, "retired", r.body["status"])
	require.Equal(t, false, r.body["shared"])
}

func TestTemplateDiffListsTheChangedWeightsAtTheirPointers(t *testing.T) {
	e := newTemplateEnv(t)
	body := builtinBody(t, "cs-ops-monthly")
	at(body, "indicators", 1)["weight"] = 15
	at(body, "indicators", 2)["weight"] = 25
	require.Equal(t, 201, e.do("POST", "/api/v1/templates", "admin", body).status)

	r := e.do("GET", "/api/v1/templates/cs-ops-monthly/diff?from=1&to=2", "liu.yang", nil)
	require.Equal(t, 200, r.status, r.raw)
	changes := map[string]map[string]any{}
	for _, c := range r.body["changes"].([]any) {
		change := c.(map[string]any)
		changes[change["path"].(string)] = change
	}
	require.Equal(t, map[string]any{"path": "/indicators/1/weight", "op": "changed", "from": 20.0, "to": 15.0}, changes["/indicators/1/weight"])
	require.Equal(t, map[string]any{"path": "/indicators/2/weight", "op": "changed", "from": 20.0, "to": 25.0}, changes["/indicators/2/weight"])
	for path := range changes {
		require.True(t, path == "/version" || strings.HasPrefix(path, "/indicators/"), "nothing else changed, got %s", path)
	}

	r = e.do("GET", "/api/v1/templates/cs-ops-monthly/diff?from=1&to=9", "admin", nil)
	require.Equal(t, 404, r.status, r.raw)
	r = e.do("GET", "/api/v1/templates/cs-ops-monthly/diff?from=one&to=2", "admin", nil)
	require.Equal(t, 400, r.status, r.raw)
	require.Equal(t, "from", firstDetail(t, r)["path"])
}

func TestOnlyAdminsSavePublishAndRetireTemplates(t *testing.T) {
	e := newTemplateEnv(t)
	body := builtinBody(t, "cs-ops-monthly")
	body["key"] = "cs-ops-pilot"
	for _, who := range []string{"zhang.wei", "liu.yang", "sun.li"} {
		r := e.do("POST", "/api/v1/templates", who, body)
		require.Equal(t, 403, r.status, "%s saved a template: %s", who, r.raw)
		require.Equal(t, "forbidden", errorOf(t, r)["code"])
	}
	require.Equal(t, 201, e.do("POST", "/api/v1/templates", "admin", body).status)
	for _, who := range []string{"zhang.wei", "liu.yang", "sun.li"} {
		require.Equal(t, 403, e.do("POST", "/api/v1/templates/cs-ops-pilot/versions/1/publish", who, nil).status, who)
		require.Equal(t, 403, e.do("POST", "/api/v1/templates/cs-ops-monthly/versions/1/retire", who, nil).status, who)
	}
	r := e.do("GET", "/api/v1/templates/cs-ops-pilot/versions/1", "admin", nil)
	require.Equal(t, "draft", r.body["status"], "a refused publish changes nothing")
	r = e.do("GET", "/api/v1/templates/cs-ops-monthly/versions/1", "admin", nil)
	require.Equal(t, "published", r.body["status"], "a refused retire changes nothing")
}

func TestUnknownTemplateKeysAndVersionsAre404(t *testing.T) {
	e := newTemplateEnv(t)
	for _, c := range []struct{ method, path string }{
		{"GET", "/api/v1/templates/nope/versions/1"},
		{"GET", "/api/v1/templates/nope/versions/latest"},
		{"GET", "/api/v1/templates/cs-ops-monthly/versions/9"},
		{"POST", "/api/v1/templates/nope/versions/1/publish"},
		{"POST", "/api/v1/templates/cs-ops-monthly/versions/9/publish"},
		{"POST", "/api/v1/templates/nope/versions/1/retire"},
		{"POST", "/api/v1/templates/cs-ops-monthly/versions/9/retire"},
	} {
		r := e.do(c.method, c.path, "admin", nil)
		require.Equal(t, 404, r.status, "%s %s: %s", c.method, c.path, r.raw)
		require.Equal(t, "not_found", errorOf(t, r)["code"])
	}
	r := e.do("GET", "/api/v1/templates/cs-ops-monthly/versions/0", "admin", nil)
	require.Equal(t, 400, r.status, "version 0 is not a version: %s", r.raw)
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	raw, err := json.Marshal(v)
	require.NoError(t, err)
	return string(raw)
}

// TestValidatingAnswersEachRaterGroupsEffectiveWeightPerLevel: the builder
// shows what a rater group's weight means in the final score while the
// template is edited, from the rule scoring applies (EffectiveWeights),
// for the template's own weights and for each level that sets its own.
func TestValidatingAnswersEachRaterGroupsEffectiveWeightPerLevel(t *testing.T) {
	e := newTemplateEnv(t)
	var tpl map[string]any
	require.NoError(t, json.Unmarshal([]byte(builtinFile(t, "ops-assistant-monthly")), &tpl))
	senior := tpl["levelWeights"].(map[string]any)["senior"].(map[string]any)
	// Behaviour weighs 20 for everyone but 30 for seniors: 10 moves from sign-ups to collaboration.
	senior["collaboration"], senior["memberSignups"] = 20, 0
	r := e.do("POST", "/api/v1/templates/validate", "admin", mustJSON(t, tpl))
	require.Equal(t, 200, r.status, r.raw)
	require.Equal(t, true, r.body["valid"], r.raw)
	// Self 20 and manager 80 of the behavioural part: 20 × 0.2 = 4 and 20 × 0.8 = 16; seniors 6 and 24.
	type rw struct {
		Key   string  `json:"key"`
		Final float64 `json:"final"`
	}
	var got []struct {
		Level  string `json:"level"`
		Raters []rw   `json:"raters"`
	}
	raw, err := json.Marshal(r.body["effective"])
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(raw, &got))
	require.Len(t, got, 2, r.raw)
	require.Equal(t, "", got[0].Level)
	require.Equal(t, []rw{{"self", 4}, {"manager", 16}}, got[0].Raters)
	require.Equal(t, "senior", got[1].Level)
	require.Equal(t, []rw{{"self", 6}, {"manager", 24}}, got[1].Raters)

	// A draft still being written gets its weights too: rater weights that do not total 100 yet.
	tpl["raters"].([]any)[1].(map[string]any)["weight"] = 30
	r = e.do("POST", "/api/v1/templates/validate", "admin", mustJSON(t, tpl))
	require.Equal(t, false, r.body["valid"])
	raw, err = json.Marshal(r.body["effective"])
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(raw, &got))
	// Weights renormalise over the groups: self 20/50 and manager 30/50 of 20.
	require.Equal(t, []rw{{"self", 8}, {"manager", 12}}, got[0].Raters)
}
