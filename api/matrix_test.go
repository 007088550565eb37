package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/stretchr/testify/require"

	"github.com/perfloop/perfloop/api"
	"github.com/perfloop/perfloop/catalog"
	"github.com/perfloop/perfloop/store"
	"github.com/perfloop/perfloop/store/storetest"
	"github.com/perfloop/perfloop/templates"
)

// matrixActors are the columns of every row of accessMatrix, named as in
// accessFixture: anon has no token; employee is reviewed in the ops cycle
// and owns the task, plan and interview, otherEmployee owns nothing of
// them; opsMgr leads the ops team (and launched the cycle), csMgr a
// sub-team, deptMgr the team above, growthMgr an unrelated team; comMgr
// manages a sub-team and is reviewed in the ops cycle; adminB is the
// admin of another organisation.
var matrixActors = []string{"anon", "employee", "otherEmployee", "opsMgr", "csMgr", "deptMgr", "growthMgr", "comMgr", "hrbp", "admin", "adminB"}

// Outcome classes of a cell:
//
//	A  allowed: 2xx
//	B  past every access check, refused on content: 400, 409, 413, 415 or 422
//	   (probes of changes send a body that is refused, so the matrix
//	   changes nothing it later reads)
//	F  403
//	N  404: the object is not there for this caller
//	U  401
const matrixCodes = "ABFNU"

// accessMatrix is the one table of who gets what on every route. The
// path is the route's unless a row names one ({cycle}, {task}, {idp},
// {employee}, {leaver}, {leaverToken}, {ops}, {schedule}, {channel} are
// the fixture's objects); body is sent as JSON.
var accessMatrix = []struct {
	route string
	path  string
	body  any
	cells string
}{
	//                                                                         anon emp oth ops cs dept grw com hr adm admB
	{"GET /healthz", "", nil, "A A A A A A A A A A A"},
	{"GET /readyz", "", nil, "A A A A A A A A A A A"},
	{"GET /api/v1/openapi.json", "", nil, "A A A A A A A A A A A"},
	{"GET /api/docs", "", nil, "A A A A A A A A A A A"},
	{"GET /api/v1/ui/config", "", nil, "A A A A A A A A A A A"},
	// The browser's SSO sign-in answers 404 on a server without it (the
	// matrix's); sso_test.go drives it against a real OpenID provider.
	{"GET /auth/login", "", nil, "N N N N N N N N N N N"},
	{"GET /auth/callback", "", nil, "N N N N N N N N N N N"},
	{"POST /auth/logout", "", nil, "N N N N N N N N N N N"},
	{"GET /api/v1/me", "", nil, "U A A A A A A A A A A"},
	{"POST /api/v1/org/import", "", map[string]any{"teams": []any{}, "members": []any{map[string]any{"name": "", "email": "bad"}}}, "U F F F F F F F F B B"},
	{"GET /api/v1/audit", "", nil, "U F F F F F F F F A A"},

	{"GET /api/v1/teams", "", nil, "U A A A A A A A A A A"},
	{"GET /api/v1/teams/:id", "/api/v1/teams/{ops}", nil, "U A A A A A A A A A N"},
	{"POST /api/v1/teams", "", map[string]any{"key": "x y", "name": ""}, "U F F F F F F F F B B"},
	{"PATCH /api/v1/teams/:id", "/api/v1/teams/{ops}", map[string]any{"name": "ops"}, "U F F F F F F F F A N"},
	{"DELETE /api/v1/teams/:id", "/api/v1/teams/{ops}", nil, "U F F F F F F F F B N"},
	{"GET /api/v1/members", "", nil, "U A A A A A A A A A A"},
	{"GET /api/v1/members/:id", "/api/v1/members/{employee}", nil, "U A A A A A A A A A N"},
	{"POST /api/v1/members", "", map[string]any{}, "U F F F F F F F F B B"},
	{"PATCH /api/v1/members/:id", "/api/v1/members/{employee}", map[string]any{"position": "客服"}, "U F F F F F F F F A N"},
	{"POST /api/v1/members/:id/tokens", "/api/v1/members/{employee}/tokens", map[string]any{"name": "matrix", "ttlHours": 1}, "U F F F F F F F F A N"},
	{"GET /api/v1/members/:id/tokens", "/api/v1/members/{employee}/tokens", nil, "U F F F F F F F F A N"},
	{"DELETE /api/v1/members/:id/tokens/:tokenId", "/api/v1/members/{leaver}/tokens/{leaverToken}", nil, "U F F F F F F F F A N"},
	{"DELETE /api/v1/members/:id", "/api/v1/members/{leaver}", nil, "U F F F F F F F F A N"},
	{"GET /api/v1/members/:id/export", "/api/v1/members/{employee}/export", nil, "U F F F F F F F F A N"},
	// An active member is never erased: the admin's probe is refused (409).
	{"POST /api/v1/members/:id/erase", "/api/v1/members/{employee}/erase", nil, "U F F F F F F F F B N"},

	{"GET /api/v1/templates/schema", "", nil, "U A A A A A A A A A A"},
	// The built-ins are the shared catalogue every organisation reads;
	// matrix-retire is the first organisation's own.
	{"GET /api/v1/templates", "", nil, "U A A A A A A A A A A"},
	{"GET /api/v1/templates/:key/versions/:version", "/api/v1/templates/matrix-retire/versions/1", nil, "U A A A A A A A A A N"},
	{"GET /api/v1/templates/:key/diff", "/api/v1/templates/matrix-retire/diff?from=1&to=1", nil, "U A A A A A A A A A N"},
	{"POST /api/v1/templates/validate", "", map[string]any{"key": "x"}, "U F F F F F F F F A A"},
	{"POST /api/v1/templates", "", map[string]any{}, "U F F F F F F F F B B"},
	{"POST /api/v1/templates/:key/versions/:version/publish", "/api/v1/templates/matrix-retire/versions/1/publish", nil, "U F F F F F F F F A N"},
	{"POST /api/v1/templates/:key/versions/:version/retire", "/api/v1/templates/matrix-retire/versions/1/retire", nil, "U F F F F F F F F A N"},
	// A manager backtests the teams they lead; the probe's periods are
	// refused once access is settled.
	{"POST /api/v1/templates/backtest", "", map[string]any{"teamId": "{ops}", "templateKey": "cs-ops-monthly", "periods": "July"}, "U F F B F B F F B B N"},

	// Launching for ops again is a conflict for those who may; another
	// organisation's admin names a team that is not there (400 on /teamId).
	{"POST /api/v1/cycles", "", map[string]any{"templateKey": "community-monthly", "teamId": "{ops}", "period": "2026-10"}, "U F F B F B F F B B B"},
	{"POST /api/v1/cycles/preview", "", map[string]any{"templateKey": "community-monthly", "teamId": "{ops}", "period": "2026-10"}, "U F F A F A F F A A B"},
	{"GET /api/v1/cycles", "", nil, "U A A A A A A A A A A"},
	{"GET /api/v1/cycles/:id", "", nil, "U A N A N A N A A A N"},
	{"GET /api/v1/cycles/:id/results", "", nil, "U A N A N A N A A A N"},
	{"GET /api/v1/cycles/:id/targets", "", nil, "U A N A N A N A A A N"},
	{"GET /api/v1/cycles/:id/targets/progress", "", nil, "U A N A N A N A A A N"},
	{"GET /api/v1/cycles/:id/reports", "", nil, "U A N A N A N A A A N"},
	{"GET /api/v1/cycles/:id/interviews", "", nil, "U A N A N A N A A A N"},
	{"POST /api/v1/cycles/:id/cancel", "", map[string]any{"reason": ""}, "U F F B N B N F B B N"},
	// The fixture's cycle is not blocked: a lead's resume is a conflict.
	{"POST /api/v1/cycles/:id/resume", "", nil, "U F F B N B N F B B N"},
	{"GET /api/v1/cycles/:id/tasks", "", nil, "U F F A N A N F A A N"},
	{"POST /api/v1/cycles/:id/remind", "", nil, "U F F A N A N F A A N"},
	{"PATCH /api/v1/cycles/:id/targets/:indicator", "", map[string]any{"values": map[string]any{}}, "U F F B N B N F B B N"},
	{"GET /api/v1/cycles/:id/calibration", "", nil, "U F F A N A N F A A N"},
	{"GET /api/v1/cycles/:id/calibration.ics", "", nil, "U F F A N A N F A A N"},
	{"PATCH /api/v1/cycles/:id/calibration/meeting", "", map[string]any{}, "U F F B N B N F B B N"},
	{"DELETE /api/v1/cycles/:id/calibration/meeting", "", map[string]any{"reason": ""}, "U F F B N B N F B B N"},
	{"GET /api/v1/cycles/:id/export.xlsx", "", nil, "U F F A N A N F A A N"},
	{"GET /api/v1/cycles/:id/metrics-template.xlsx", "", nil, "U F F A N A N F A A N"},
	// The interview is the employee's with opsMgr: its member reads it, its
	// manager and the cycle's leads change it.
	{"GET /api/v1/cycles/:id/raters/:memberId", "/api/v1/cycles/{cycle}/raters/{employee}", nil, "U F F A N A N F A A N"},
	{"PUT /api/v1/cycles/:id/raters/:memberId", "/api/v1/cycles/{cycle}/raters/{employee}", map[string]any{"group": "", "raterIds": []any{}}, "U F F B N B N F B B N"},
	{"GET /api/v1/cycles/:id/interviews/:memberId", "/api/v1/cycles/{cycle}/interviews/{employee}.ics", nil, "U A N A N A N N A A N"},
	{"PATCH /api/v1/cycles/:id/interviews/:memberId", "/api/v1/cycles/{cycle}/interviews/{employee}", map[string]any{}, "U F F B F B F F B B N"},
	{"DELETE /api/v1/cycles/:id/interviews/:memberId", "/api/v1/cycles/{cycle}/interviews/{employee}", map[string]any{"reason": ""}, "U F F B F B F F B B N"},
	{"GET /api/v1/me/interviews", "", nil, "U A A A A A A A A A A"},

	{"GET /api/v1/inbox", "", nil, "U A A A A A A A A A A"},
	{"GET /api/v1/tasks/:id", "/api/v1/tasks/{task}", nil, "U A N N N N N N N N N"},
	{"POST /api/v1/tasks/:id/submit", "/api/v1/tasks/{task}/submit", map[string]any{"scores": "none"}, "U B N N N N N N N N N"},
	{"GET /api/v1/notifications", "", nil, "U A A A A A A A A A A"},
	{"GET /api/v1/idps", "", nil, "U A A A A A A A A A A"},
	// The plan is the employee's (a cs member) with com1 as mentor.
	{"GET /api/v1/idps/:id", "/api/v1/idps/{idp}", nil, "U A N A A A N N A A N"},
	{"POST /api/v1/idps/:id/checkins", "/api/v1/idps/{idp}/checkins", map[string]any{"note": ""}, "U B N F F F N N F F N"},

	// Metric writes with nothing in them; who may write whose metrics is
	// the metrics change's matrix (issue 13, item 2).
	{"POST /api/v1/metrics", "", map[string]any{"period": "2026-10", "values": []any{}}, "U F F B B B B B B B B"},
	{"POST /api/v1/metrics/upload", "", nil, "U F F B B B B B B B B"},

	{"POST /api/v1/schedules", "", map[string]any{"templateKey": "community-monthly", "teamId": "{ops}"}, "U F F B F B F F B B B"},
	{"GET /api/v1/schedules", "", nil, "U F F A A A A A A A A"},
	{"GET /api/v1/schedules/:id", "/api/v1/schedules/{schedule}", nil, "U F F A N A N N A A N"},
	{"POST /api/v1/schedules/:id/:action", "/api/v1/schedules/{schedule}/explode", nil, "U F F B N B N N B B N"},

	{"GET /api/v1/notifications/failures", "", nil, "U F F F F F F F F A A"},
	{"GET /api/v1/notifications/policy", "", nil, "U F F F F F F F F A A"},
	{"PUT /api/v1/notifications/policy", "", map[string]any{"nonsense": true}, "U F F F F F F F F B B"},
	{"GET /api/v1/channels", "", nil, "U F F F F F F F F A A"},
	{"PUT /api/v1/channels", "", map[string]any{"channel": "pigeon"}, "U F F F F F F F F B B"},
	{"DELETE /api/v1/channels/:id", "/api/v1/channels/{channel}", nil, "U F F F F F F F F A N"},
}

// TestEveryRouteAnswersEveryKindOfCallerAsTheMatrixSays walks every route
// the router serves and the OpenAPI document lists; a route without a
// row fails, and so does any cell whose answer differs.
func TestEveryRouteAnswersEveryKindOfCallerAsTheMatrixSays(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		f := newAccessFixture(t, st)
		objects := f.matrixObjects()

		rows := map[string]int{}
		for i, row := range accessMatrix {
			_, dup := rows[row.route]
			require.False(t, dup, "accessMatrix has two rows for %s", row.route)
			rows[row.route] = i
			require.Len(t, strings.Fields(row.cells), len(matrixActors), "%s: one cell per actor (%s)", row.route, strings.Join(matrixActors, " "))
			for _, c := range strings.Fields(row.cells) {
				require.True(t, len(c) == 1 && strings.Contains(matrixCodes, c), "%s: cell %q is not one of %s", row.route, c, matrixCodes)
			}
		}
		served := map[string]bool{}
		for _, r := range api.New(api.Deps{Store: st}).(interface{ Routes() gin.RoutesInfo }).Routes() {
			served[r.Method+" "+r.Path] = true
		}
		for _, r := range documentedRoutes(t) {
			served[r] = true
		}
		var missing []string
		for r := range served {
			if _, ok := rows[r]; !ok {
				missing = append(missing, r)
			}
		}
		sort.Strings(missing)
		require.Empty(t, missing, "routes with no row in accessMatrix (api/matrix_test.go): add one saying what each of %s gets", strings.Join(matrixActors, ", "))
		for r := range rows {
			require.True(t, served[r], "accessMatrix has a row for %s, which no longer exists", r)
		}

		var diffs []string
		for _, row := range accessMatrix {
			method, route, _ := strings.Cut(row.route, " ")
			path := row.path
			if path == "" {
				path = strings.NewReplacer(":id", "{cycle}", ":indicator", "newMembers").Replace(route)
			}
			for k, v := range objects {
				path = strings.ReplaceAll(path, "{"+k+"}", v)
			}
			var body any
			if row.body != nil {
				raw, err := json.Marshal(row.body)
				require.NoError(t, err)
				for k, v := range objects {
					raw = []byte(strings.ReplaceAll(string(raw), "{"+k+"}", v))
				}
				body = raw
			}
			want := strings.Fields(row.cells)
			// Those who are refused go first, so a change an allowed caller
			// makes cannot turn a refusal into a 404.
			order := make([]int, len(matrixActors))
			for i := range order {
				order[i] = i
			}
			sort.SliceStable(order, func(a, b int) bool { return refused(want[order[a]]) && !refused(want[order[b]]) })
			for _, i := range order {
				who := matrixActors[i]
				if who == "anon" {
					who = ""
				}
				r := f.do(method, path, who, body)
				if got := outcome(r.status); got != want[i] {
					diffs = append(diffs, fmt.Sprintf("%s as %s: want %s, got %d %s", row.route, matrixActors[i], want[i], r.status, firstLine(r.raw)))
				}
				// What another organisation's admin is answered names nothing of this one.
				if who == "adminB" && want[i] == "A" {
					for k, id := range objects {
						if strings.Contains(r.raw, id) {
							diffs = append(diffs, fmt.Sprintf("%s as adminB: the answer names the first organisation's %s %s", row.route, k, id))
						}
					}
				}
			}
		}
		require.Empty(t, diffs, "cells that differ from accessMatrix")
		t.Logf("access matrix: %d routes × %d actors = %d cells", len(accessMatrix), len(matrixActors), len(accessMatrix)*len(matrixActors))
	})
}

func refused(code string) bool { return code == "F" || code == "N" || code == "U" }

func outcome(status int) string {
	switch {
	case status >= 200 && status < 300:
		return "A"
	case status == 400 || status == 409 || status == 413 || status == 415 || status == 422:
		return "B"
	case status == 401:
		return "U"
	case status == 403:
		return "F"
	case status == 404:
		return "N"
	}
	return fmt.Sprint(status)
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	if len(s) > 160 {
		s = s[:160] + "…"
	}
	return s
}

// documentedRoutes lists the OpenAPI document's operations as "METHOD
// /path/:param", the router's spelling.
func documentedRoutes(t *testing.T) []string {
	raw, err := json.Marshal(api.OpenAPI())
	require.NoError(t, err)
	var doc struct {
		Paths map[string]map[string]any `json:"paths"`
	}
	require.NoError(t, json.Unmarshal(raw, &doc))
	var out []string
	for p, ops := range doc.Paths {
		route := p
		for strings.Contains(route, "{") {
			a, b := strings.Index(route, "{"), strings.Index(route, "}")
			route = route[:a] + ":" + route[a+1:b] + route[b+1:]
		}
		for m := range ops {
			if m == "parameters" {
				continue
			}
			out = append(out, strings.ToUpper(m)+" "+route)
		}
	}
	return out
}

// matrixObjects adds what only the matrix changes (a channel to delete, a
// template of the organisation's own to publish and retire, a token to
// revoke) and names every object a path uses.
func (f *accessFixture) matrixObjects() map[string]string {
	ctx := context.Background()
	t := f.t
	ch := &store.ChannelConfig{OrgID: f.ce.Org.ID, Channel: store.ChannelEmail, CreatedBy: f.admin.ID}
	require.NoError(t, f.store.SaveChannelConfig(ctx, ch))
	_, tok, err := f.store.IssueToken(ctx, f.leaver.ID, "matrix", time.Hour)
	var ownTemplate string
	require.NoError(t, err)
	files, err := templates.BuiltinFiles()
	require.NoError(t, err)
	for _, file := range files {
		var tpl map[string]any
		require.NoError(t, json.Unmarshal(file.Data, &tpl))
		if tpl["key"] == "community-monthly" {
			tpl["key"] = "matrix-retire"
			body, err := json.Marshal(tpl)
			require.NoError(t, err)
			own, _, errs, err := catalog.PublishBody(ctx, f.store, f.ce.Org.ID, body, f.admin.ID)
			require.Empty(t, errs)
			require.NoError(t, err)
			ownTemplate = own.ID
		}
	}
	return map[string]string{
		"cycle": f.cycle.ID, "task": f.task.ID, "idp": f.idp.ID, "employee": f.employee.ID, "leaver": f.leaver.ID,
		"leaverToken": tok.ID, "ops": f.ops.ID, "schedule": f.schedule.ID, "channel": ch.ID,
		"ownTemplate": ownTemplate,
	}
}
