package api_test

import (
	"bytes"
	"context"
	"fmt"
	"sort"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"

	"github.com/perfloop/perfloop/engine"
	"github.com/perfloop/perfloop/enginetest"
	"github.com/perfloop/perfloop/store"
)

// openTask waits for who's open task of kind in the cycle (for subject,
// when given) and returns its id.
func openTask(t *testing.T, e *env, who, cycleID string, kind engine.TaskKind, subject string) string {
	t.Helper()
	var id string
	require.Eventually(t, func() bool {
		r := e.do("GET", "/api/v1/inbox?state=open&limit=500", who, nil)
		for _, it := range r.body["items"].([]any) {
			m := it.(map[string]any)
			if m["cycleId"] == cycleID && m["kind"] == string(kind) && (subject == "" || m["subjectId"] == subject) {
				id = m["id"].(string)
				return true
			}
		}
		return false
	}, 60*time.Second, 100*time.Millisecond, "%s waits for a %s task", who, kind)
	return id
}

// runMonth runs one cs-ops-monthly cycle for the team entirely over HTTP:
// metrics posted, every member's self-evaluation and manager rating
// submitted, a calibration that keeps the distribution, every result
// acknowledged. It returns the cycle id.
func runMonth(t *testing.T, e *env, ce *enginetest.Env, period string) string {
	t.Helper()
	var values []map[string]any
	for i, m := range ce.Employees {
		f := float64(i)
		for ind, v := range map[string]float64{"satisfaction": 97 - 2*f, "responseTime": 2.5 + 0.3*f, "retention": 52 - 1.5*f, "oneOnOneRating": 96 - 0.6*f, "complaintRate": 1 + 0.5*f} {
			values = append(values, map[string]any{"email": m.Email, "indicator": ind, "value": v})
		}
		values = append(values, map[string]any{"email": m.Email, "indicator": "serviceAttitude", "value": 95 - 3*f, "source": "customer"})
	}
	r := e.do("POST", "/api/v1/metrics", "manager", map[string]any{"period": period, "source": "tickets", "values": values})
	require.Equal(t, 200, r.status, r.raw)

	r = e.do("POST", "/api/v1/cycles", "manager", map[string]any{"templateKey": "cs-ops-monthly", "teamId": ce.Team.ID, "period": period, "compress": 8640})
	require.Equal(t, 201, r.status, r.raw)
	id := r.body["id"].(string)

	for i, m := range ce.Employees {
		who := fmt.Sprintf("e%d", i)
		task := openTask(t, e, who, id, engine.TaskSelfEval, "")
		r = e.do("POST", "/api/v1/tasks/"+task+"/submit", who, map[string]any{"scores": map[string]any{"collaboration": 4, "serviceAttitude": 4}, "comment": "自评"})
		require.Equal(t, 200, r.status, r.raw)
		task = openTask(t, e, "manager", id, engine.TaskManagerEval, m.ID)
		score := 5 - 0.4*float64(i)
		r = e.do("POST", "/api/v1/tasks/"+task+"/submit", "manager", map[string]any{"scores": map[string]any{"collaboration": score, "serviceAttitude": score}})
		require.Equal(t, 200, r.status, r.raw)
	}

	cal := openTask(t, e, "hrbp", id, engine.TaskCalibration, "")
	r = e.do("GET", "/api/v1/cycles/"+id+"/results?limit=100", "hrbp", nil)
	require.Equal(t, 200, r.status, r.raw)
	results := r.body["items"].([]any)
	require.Len(t, results, len(ce.Employees))
	var move map[string]any
	for _, it := range results {
		m := it.(map[string]any)
		if g := m["proposedGrade"]; (g == "A" || g == "B") && m["rank"].(float64) > 1 {
			move = m
			break
		}
	}
	require.NotNil(t, move, "someone sits in A or B")
	to := map[any]string{"A": "B", "B": "A"}[move["proposedGrade"]]
	r = e.do("POST", "/api/v1/tasks/"+cal+"/submit", "hrbp", map[string]any{"changes": []map[string]any{{"memberId": move["memberId"], "from": move["proposedGrade"], "to": to, "reason": "校准会：跨部门项目表现"}}})
	require.Equal(t, 200, r.status, r.raw)

	for i := range ce.Employees {
		who := fmt.Sprintf("e%d", i)
		task := openTask(t, e, who, id, engine.TaskAcknowledge, "")
		r = e.do("POST", "/api/v1/tasks/"+task+"/submit", who, map[string]any{"decision": "acknowledge"})
		require.Equal(t, 200, r.status, r.raw)
	}
	require.Eventually(t, func() bool {
		return e.do("GET", "/api/v1/cycles/"+id, "manager", nil).body["state"] == store.CycleCompleted
	}, 90*time.Second, 200*time.Millisecond)
	return id
}

// TestTwoMonthsOverHTTPCreateIDPsForTheBottomTwo is the engine's end-to-end
// test: a team of ten, two consecutive months run entirely through the API
// on a real Temporal server, results and IDPs checked in the database.
func TestTwoMonthsOverHTTPCreateIDPsForTheBottomTwo(t *testing.T) {
	start := time.Now()
	e, ce := engineEnvN(t, 10)
	ctx := context.Background()

	first := runMonth(t, e, ce, "2026-09")
	idps, _, err := e.store.ListIDPs(ctx, ce.Org.ID, store.IDPFilter{}, store.Page{})
	require.NoError(t, err)
	require.Empty(t, idps)

	second := runMonth(t, e, ce, "2026-10")
	results, _, err := e.store.ListResults(ctx, second, store.Page{Limit: 100})
	require.NoError(t, err)
	require.Len(t, results, 10)
	var bottom []string
	for _, r := range results {
		require.Equal(t, store.ResultAcknowledged, r.State)
		if r.Rank > 8 {
			bottom = append(bottom, r.MemberID)
		}
	}
	idps, _, err = e.store.ListIDPs(ctx, ce.Org.ID, store.IDPFilter{}, store.Page{})
	require.NoError(t, err)
	var got []string
	for _, p := range idps {
		got = append(got, p.MemberID)
	}
	sort.Strings(got)
	sort.Strings(bottom)
	require.Equal(t, bottom, got, "the bottom two of both months get one IDP each")

	changes, err := e.store.ListCalibrationChanges(ctx, first)
	require.NoError(t, err)
	require.Len(t, changes, 1)
	board := e.do("GET", "/api/v1/cycles/"+first+"/calibration", "hrbp", nil)
	require.Equal(t, 200, board.status, board.raw)
	require.Len(t, board.body["changes"].([]any), 1)
	meeting := board.body["meeting"].(map[string]any)
	require.Equal(t, "Asia/Shanghai", meeting["timezone"])
	require.Contains(t, meeting["agenda"], "distribution")
	status, ics := e.raw("GET", "/api/v1/cycles/"+first+"/calibration.ics", "hrbp", "", nil)
	require.Equal(t, 200, status)
	require.Contains(t, string(ics), "BEGIN:VCALENDAR")
	require.Contains(t, string(ics), "METHOD:REQUEST")
	require.Equal(t, 404, e.do("GET", "/api/v1/cycles/"+first+"/calibration", "otherManager", nil).status)

	// Members see their own published result, with the breakdown.
	r := e.do("GET", "/api/v1/cycles/"+second+"/results", "e9", nil)
	require.Equal(t, 200, r.status, r.raw)
	require.EqualValues(t, 1, r.body["total"])
	mine := r.body["items"].([]any)[0].(map[string]any)
	require.Equal(t, ce.Employees[9].ID, mine["memberId"])
	require.Contains(t, mine["indicators"], "responseTime")
	status, data := e.raw("GET", "/api/v1/cycles/"+second+"/export.xlsx", "hrbp", "", nil)
	require.Equal(t, 200, status)
	book, err := excelize.OpenReader(bytes.NewReader(data))
	require.NoError(t, err)
	rows, err := book.GetRows("结果 Results")
	require.NoError(t, err)
	require.Len(t, rows, 11, "a header and ten members")
	calRows, err := book.GetRows("校准 Calibration")
	require.NoError(t, err)
	require.Len(t, calRows, 2)
	require.Equal(t, "校准会：跨部门项目表现", calRows[1][3])
	r = e.do("GET", "/api/v1/idps", "e9", nil)
	require.EqualValues(t, 1, r.body["total"])
	idp := r.body["items"].([]any)[0].(map[string]any)["id"].(string)
	r = e.do("POST", "/api/v1/idps/"+idp+"/checkins", "e9", map[string]any{"note": "完成服务话术培训第一课"})
	require.Equal(t, 201, r.status, r.raw)
	require.Equal(t, 403, e.do("POST", "/api/v1/idps/"+idp+"/checkins", "hrbp", map[string]any{"note": "x"}).status)
	require.Equal(t, 404, e.do("GET", "/api/v1/idps/"+idp, "e0", nil).status, "another member's plan is not found")
	r = e.do("GET", "/api/v1/idps/"+idp, "manager", nil)
	require.Equal(t, 200, r.status, r.raw)
	require.Len(t, r.body["checkins"].([]any), 1)
	// The member and the mentor (here the manager) see why the plan exists
	// and a due date after its creation.
	for _, who := range []string{"e9", "manager"} {
		r = e.do("GET", "/api/v1/idps/"+idp, who, nil)
		require.Equal(t, 200, r.status, r.raw)
		require.Equal(t, []any{"2026-09", "2026-10"}, r.body["triggerPeriods"])
		triggers := r.body["triggers"].([]any)
		require.Len(t, triggers, 2, "both months at the bottom")
		for i, period := range []string{"2026-09", "2026-10"} {
			tr := triggers[i].(map[string]any)
			require.Equal(t, period, tr["period"])
			require.EqualValues(t, 10, tr["teamSize"])
			require.Greater(t, tr["rank"], 8.0)
			require.IsType(t, 0.0, tr["score"])
		}
		created, err := time.Parse(time.RFC3339, r.body["createdAt"].(string))
		require.NoError(t, err)
		due, err := time.Parse(time.RFC3339, r.body["dueAt"].(string))
		require.NoError(t, err)
		require.True(t, due.After(created), "due %s, created %s", due, created)
	}
	t.Logf("two months for a team of ten over HTTP took %s", time.Since(start).Round(time.Millisecond))
}
