package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"
	"github.com/stretchr/testify/require"

	"github.com/perfloop/perfloop/api"
	"github.com/perfloop/perfloop/api/apitest"
	"github.com/perfloop/perfloop/demo"
	"github.com/perfloop/perfloop/store"
	"github.com/perfloop/perfloop/store/storetest"
)

// env is an API over a fresh database seeded with the demo organisation.
type env struct {
	t     *testing.T
	srv   *httptest.Server
	store *store.Store
	token map[string]string // by e-mail prefix: "admin", "liu.yang", ...
}

func newEnv(t *testing.T, s *store.Store) *env {
	users, _, err := demo.Seed(context.Background(), s, "")
	require.NoError(t, err)
	e := &env{t: t, store: s, token: map[string]string{}}
	for _, u := range users {
		e.token[strings.Split(u.Email, "@")[0]] = u.Token
	}
	e.srv = httptest.NewServer(api.New(api.Deps{Store: s}))
	t.Cleanup(e.srv.Close)
	return e
}

type resp struct {
	status int
	header http.Header
	body   map[string]any
	raw    string
}

func (e *env) do(method, path, who string, body any, headers ...string) resp {
	e.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		require.NoError(e.t, err)
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, e.srv.URL+path, rd)
	require.NoError(e.t, err)
	req.Header.Set("Content-Type", "application/json")
	if who != "" {
		req.Header.Set("Authorization", "Bearer "+e.token[who])
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	require.NoError(e.t, err)
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	out := resp{status: res.StatusCode, header: res.Header, raw: string(raw)}
	require.NoError(e.t, apitest.CheckResponse(method, path, res.StatusCode, raw), "every response matches the OpenAPI document")
	_ = json.Unmarshal(raw, &out.body)
	return out
}

// errorOf returns the error object, asserting the one error shape.
func errorOf(t *testing.T, r resp) map[string]any {
	t.Helper()
	e, ok := r.body["error"].(map[string]any)
	require.True(t, ok, "error shape expected, got %s", r.raw)
	require.NotEmpty(t, e["code"])
	require.NotEmpty(t, e["message"])
	return e
}

func firstDetail(t *testing.T, r resp) map[string]any {
	t.Helper()
	d, ok := errorOf(t, r)["details"].([]any)
	require.True(t, ok && len(d) > 0, "details expected, got %s", r.raw)
	return d[0].(map[string]any)
}

func TestHealthAndReadiness(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		require.Equal(t, 200, e.do("GET", "/healthz", "", nil).status)
		r := e.do("GET", "/readyz", "", nil)
		require.Equal(t, 200, r.status)
		require.Equal(t, "ok", r.body["database"])
	})
}

func TestReadinessIs503WhenTheDatabaseIsGone(t *testing.T) {
	s := storetest.SQLite(t)
	e := newEnv(t, s)
	require.NoError(t, s.Close())
	r := e.do("GET", "/readyz", "", nil)
	require.Equal(t, 503, r.status)
	require.Equal(t, "5", r.header.Get("Retry-After"))
	r = e.do("GET", "/api/v1/me", "admin", nil)
	require.Equal(t, 503, r.status, r.raw)
	require.Equal(t, "unavailable", errorOf(t, r)["code"])
}

func TestRequestsWithoutAValidTokenAre401(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t))
	r := e.do("GET", "/api/v1/teams", "", nil)
	require.Equal(t, 401, r.status)
	require.Equal(t, "unauthenticated", errorOf(t, r)["code"])
	e.token["nobody"] = "pfl_not-a-token"
	require.Equal(t, 401, e.do("GET", "/api/v1/teams", "nobody", nil).status)
	require.NotEmpty(t, r.header.Get("X-Request-Id"))
}

func TestEmployeesCannotChangeTheOrganisation(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t))
	r := e.do("POST", "/api/v1/teams", "zhang.wei", map[string]any{"key": "x", "name": "X"})
	require.Equal(t, 403, r.status)
	require.Equal(t, "forbidden", errorOf(t, r)["code"])
	require.Equal(t, 403, e.do("POST", "/api/v1/org/import", "liu.yang", map[string]any{}).status)
}

func TestTeamLifecycleWithVersionChecks(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		r := e.do("POST", "/api/v1/teams", "admin", map[string]any{"key": "growth", "name": "增长组", "nameEn": "Growth"})
		require.Equal(t, 201, r.status, r.raw)
		id := r.body["id"].(string)
		require.Equal(t, `"1"`, r.header.Get("ETag"))

		r = e.do("PATCH", "/api/v1/teams/"+id, "admin", map[string]any{"name": "用户增长组"}, "If-Match", `"1"`)
		require.Equal(t, 200, r.status, r.raw)
		require.Equal(t, "用户增长组", r.body["name"])

		r = e.do("PATCH", "/api/v1/teams/"+id, "admin", map[string]any{"name": "stale"}, "If-Match", `"1"`)
		require.Equal(t, 409, r.status, "a stale If-Match loses nothing")
		require.Equal(t, "用户增长组", e.do("GET", "/api/v1/teams/"+id, "zhang.wei", nil).body["name"])

		require.Equal(t, 409, e.do("POST", "/api/v1/teams", "admin", map[string]any{"key": "growth", "name": "dup"}).status)
		require.Equal(t, 204, e.do("DELETE", "/api/v1/teams/"+id, "admin", nil).status)
		require.Equal(t, 404, e.do("GET", "/api/v1/teams/"+id, "admin", nil).status)
	})
}

func TestNonEmptyTeamDeleteIs409(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t))
	r := e.do("GET", "/api/v1/teams?q=community", "admin", nil)
	id := r.body["items"].([]any)[0].(map[string]any)["id"].(string)
	r = e.do("DELETE", "/api/v1/teams/"+id, "admin", nil)
	require.Equal(t, 409, r.status)
	require.Contains(t, errorOf(t, r)["message"], "still has members")
}

func TestBadJSONGetsThePathValueAndExpectation(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t))
	cases := []struct {
		name, body, path, msg string
	}{
		{"wrong type", `{"key":"x","name":5}`, "/name", "expected a string"},
		{"unknown field", `{"key":"x","name":"X","colour":"red"}`, "/colour", "not part of the request"},
		{"missing name", `{"key":"x"}`, "/name", "a team name is required"},
		{"bad key", `{"key":"has space","name":"X"}`, "/key", "letters, digits"},
		{"unknown parent", `{"key":"x","name":"X","parentId":"nope"}`, "/parentId", "no team has this id"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := e.do("POST", "/api/v1/teams", "admin", tc.body)
			require.Equal(t, 400, r.status, r.raw)
			d := firstDetail(t, r)
			require.Equal(t, tc.path, d["path"])
			require.Contains(t, d["message"], tc.msg)
		})
	}
	r := e.do("POST", "/api/v1/teams", "admin", `{"key":`)
	require.Equal(t, 400, r.status)
	require.Contains(t, errorOf(t, r)["message"], "malformed JSON")
	r = e.do("POST", "/api/v1/teams", "admin", ``)
	require.Equal(t, 400, r.status)
	_, total, _ := e.store.ListTeams(context.Background(), mustOrg(t, e), store.TeamFilter{}, store.Page{})
	require.EqualValues(t, 3, total, "no bad request wrote a team")
}

func mustOrg(t *testing.T, e *env) string {
	o, err := e.store.FirstOrganization(context.Background())
	require.NoError(t, err)
	return o.ID
}

func TestOversizedBodyIs413(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t))
	big := `{"key":"x","name":"` + strings.Repeat("a", api.MaxBody) + `"}`
	r := e.do("POST", "/api/v1/teams", "admin", big)
	require.Equal(t, 413, r.status)
	require.Equal(t, "too_large", errorOf(t, r)["code"])
}

func TestMembersCanBeCreatedFilteredAndDeactivated(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		r := e.do("POST", "/api/v1/members", "admin", map[string]any{"name": "新人", "email": "New.Hire@demo.perfloop.dev", "role": "employee", "level": "P2", "joinedOn": "2026-11-16"})
		require.Equal(t, 201, r.status, r.raw)
		id := r.body["id"].(string)
		require.Equal(t, "new.hire@demo.perfloop.dev", r.body["email"])

		r = e.do("POST", "/api/v1/members", "admin", map[string]any{"name": "x", "email": "bad", "role": "boss"})
		require.Equal(t, 400, r.status)
		require.Len(t, errorOf(t, r)["details"], 2, "both bad fields reported at once")

		r = e.do("GET", "/api/v1/members?role=manager&sort=name", "liu.yang", nil)
		require.Equal(t, 200, r.status)
		require.EqualValues(t, 3, r.body["total"])

		r = e.do("GET", "/api/v1/members?limit=abc", "admin", nil)
		require.Equal(t, 400, r.status)
		require.Equal(t, "?limit", firstDetail(t, r)["path"])

		tok := e.do("POST", "/api/v1/members/"+id+"/tokens", "admin", map[string]any{"name": "laptop", "ttlHours": 24})
		require.Equal(t, 201, tok.status, tok.raw)
		e.token["new.hire"] = tok.body["token"].(string)
		require.Equal(t, 200, e.do("GET", "/api/v1/me", "new.hire", nil).status)
		// A list answered whole says so: its limit is its length, so a client
		// paging by limit and total stops after this page.
		r = e.do("GET", "/api/v1/members/"+id+"/tokens", "admin", nil)
		require.Equal(t, 200, r.status, r.raw)
		require.EqualValues(t, 1, r.body["total"])
		require.EqualValues(t, 1, r.body["limit"])

		require.Equal(t, 200, e.do("DELETE", "/api/v1/members/"+id, "admin", nil).status)
		require.Equal(t, 401, e.do("GET", "/api/v1/me", "new.hire", nil).status, "a deactivated member's tokens stop working")
	})
}

func TestCSVImportReportsLineAndColumnAndImportsNothing(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t))
	csv := "name,email,role,team,team_name,parent_team,level\n" +
		"赵敏,zhao.min@demo.perfloop.dev,employee,growth,增长组,ops,P3\n" +
		"钱多,qian.duo@demo.perfloop.dev,ceo,growth,,,P3\n" +
		"孙悟,not-an-email,employee,nowhere,,,P1\n"
	r := e.do("POST", "/api/v1/org/import", "admin", csv, "Content-Type", "text/csv")
	require.Equal(t, 400, r.status, r.raw)
	details := errorOf(t, r)["details"].([]any)
	require.Len(t, details, 2)
	require.Equal(t, "line 3, column role", details[0].(map[string]any)["path"])
	require.Equal(t, "ceo", details[0].(map[string]any)["value"])
	require.Equal(t, "line 4, column email", details[1].(map[string]any)["path"])

	r = e.do("GET", "/api/v1/members?q=zhao.min", "admin", nil)
	require.EqualValues(t, 0, r.body["total"], "a bad file imports nothing")

	good := "\xef\xbb\xbfname,email,role,team,team_name,parent_team,level\n赵敏,zhao.min@demo.perfloop.dev,employee,growth,增长组,ops,P3\n"
	r = e.do("POST", "/api/v1/org/import", "admin", good, "Content-Type", "text/csv")
	require.Equal(t, 200, r.status, r.raw)
	require.EqualValues(t, 1, r.body["membersCreated"])
	require.EqualValues(t, 1, r.body["teamsCreated"])
	r = e.do("POST", "/api/v1/org/import", "admin", good, "Content-Type", "text/csv")
	require.EqualValues(t, 0, r.body["membersCreated"], "re-importing is idempotent")
}

func TestJSONImportErrorsUseJSONPointers(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t))
	r := e.do("POST", "/api/v1/org/import", "admin", map[string]any{
		"members": []map[string]any{{"name": "A", "email": "a@demo.perfloop.dev", "role": "employee", "team": "ghost"}},
	})
	require.Equal(t, 400, r.status, r.raw)
	require.Equal(t, "/members/0/team", firstDetail(t, r)["path"])
	r = e.do("POST", "/api/v1/org/import", "admin", "x", "Content-Type", "application/xml")
	require.Equal(t, 415, r.status)
}

func TestUnknownRoutesAnswerInTheErrorShape(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t))
	r := e.do("GET", "/api/v1/nope", "admin", nil)
	require.Equal(t, 404, r.status)
	errorOf(t, r)
	r = e.do("PUT", "/healthz", "", nil)
	require.Equal(t, 405, r.status)
	errorOf(t, r)
}

func TestEveryRouteIsDocumented(t *testing.T) {
	h := api.New(api.Deps{Store: storetest.SQLite(t)})
	documented := map[string]bool{}
	for _, r := range documentedRoutes(t) {
		documented[r] = true
	}
	for _, r := range h.(interface{ Routes() gin.RoutesInfo }).Routes() {
		require.True(t, documented[r.Method+" "+r.Path], "%s %s has no OpenAPI entry", r.Method, r.Path)
	}
	e := newEnv(t, storetest.SQLite(t))
	r := e.do("GET", "/api/v1/openapi.json", "", nil)
	require.Equal(t, 200, r.status)
	require.Equal(t, "3.1.0", r.body["openapi"])
	require.Contains(t, r.body["paths"], "/api/v1/teams/{id}")
}

// A database failure is never reported as "not found": clients retry a
// 5xx but give up on a 404, and the row is still there.
func TestADatabaseFailureIsNeverANotFound(t *testing.T) {
	s := storetest.SQLite(t)
	e := newEnv(t, s)
	require.Equal(t, 404, e.do("GET", "/api/v1/tasks/no-such-task", "admin", nil).status)
	require.Equal(t, 404, e.do("GET", "/api/v1/idps/no-such-plan", "admin", nil).status)
	require.NoError(t, s.DB.Exec("DROP TABLE tasks").Error)
	require.NoError(t, s.DB.Exec("DROP TABLE idp_checkins").Error)
	require.NoError(t, s.DB.Exec("DROP TABLE idps").Error)
	for _, path := range []string{"/api/v1/tasks/no-such-task", "/api/v1/idps/no-such-plan"} {
		r := e.do("GET", path, "admin", nil)
		require.Equal(t, 500, r.status, "%s: %s", path, r.raw)
		require.Equal(t, "internal", errorOf(t, r)["code"])
	}
}
