package api_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/perfloop/perfloop/engine"
	"github.com/perfloop/perfloop/store"
)

// expected is a detail's expectation, or fails.
func expected(t *testing.T, d map[string]any) map[string]any {
	t.Helper()
	x, ok := d["expected"].(map[string]any)
	require.True(t, ok, "detail %v says what it expected", d)
	return x
}

// TestErrorsSayWhyAndWhatEachFieldExpectedAsData: beside its English
// message, every error says its reason and each field's expectation as
// data a client words in its own language: a period's format and its years,
// a rating's range, a required score, a field the form does not have, a
// duplicate cycle, a closed task, what was not found.
func TestErrorsSayWhyAndWhatEachFieldExpectedAsData(t *testing.T) {
	e, ce := engineEnv(t)
	launch := func(period string) map[string]any {
		return map[string]any{"templateKey": "cs-ops-monthly", "teamId": ce.Team.ID, "period": period, "compress": 8640}
	}
	r := e.do("POST", "/api/v1/cycles", "manager", launch("2026-13"))
	require.Equal(t, 400, r.status, r.raw)
	x := expected(t, detailAt(t, r, "/period"))
	require.Equal(t, "format", x["rule"])
	require.Equal(t, "YYYY-MM", x["example"])
	require.Equal(t, "2026-13", detailAt(t, r, "/period")["value"])

	r = e.do("POST", "/api/v1/cycles", "manager", launch("3000-01"))
	require.Equal(t, 400, r.status, r.raw)
	x = expected(t, detailAt(t, r, "/period"))
	require.Equal(t, "range", x["rule"])
	require.EqualValues(t, 1970, x["min"])
	require.EqualValues(t, 2999, x["max"])
	require.Contains(t, detailAt(t, r, "/period")["message"], "between 1970 and 2999", "the English stays")

	r = e.do("POST", "/api/v1/cycles", "manager", map[string]any{"templateKey": "cs-ops-monthly", "teamId": ce.Team.ID, "period": "2026-10", "colour": "red"})
	require.Equal(t, 400, r.status, r.raw)
	require.Equal(t, "unknown", expected(t, detailAt(t, r, "/colour"))["rule"])

	r = e.do("POST", "/api/v1/cycles", "manager", launch("2026-10"))
	require.Equal(t, 201, r.status, r.raw)
	id := r.body["id"].(string)
	// Until it runs, the same launch is the retry of one whose start failed.
	require.Eventually(t, func() bool {
		return e.do("GET", "/api/v1/cycles/"+id, "manager", nil).body["state"] == store.CycleRunning
	}, 30*time.Second, 50*time.Millisecond)
	r = e.do("POST", "/api/v1/cycles", "manager", launch("2026-10"))
	require.Equal(t, 409, r.status, r.raw)
	require.Equal(t, "conflict", errorOf(t, r)["code"])
	require.Equal(t, "cycle_exists", errorOf(t, r)["reason"])

	var rating store.Task
	require.Eventually(t, func() bool {
		ts, _, err := e.store.ListInbox(t.Context(), ce.Manager.ID, engine.TaskOpen, time.Now(), store.Page{Limit: 50})
		require.NoError(t, err)
		for _, x := range ts {
			if x.Kind == engine.TaskManagerEval {
				rating = x
				return true
			}
		}
		return false
	}, 30*time.Second, 50*time.Millisecond)
	r = e.do("POST", "/api/v1/tasks/"+rating.ID+"/submit", "manager", map[string]any{"scores": map[string]any{"collaboration": 9, "mood": 3}})
	require.Equal(t, 400, r.status, r.raw)
	x = expected(t, detailAt(t, r, "/scores/collaboration"))
	require.Equal(t, "range", x["rule"])
	require.EqualValues(t, 1, x["min"])
	require.EqualValues(t, 5, x["max"])
	x = expected(t, detailAt(t, r, "/scores/serviceAttitude"))
	require.Equal(t, "required", x["rule"])
	require.EqualValues(t, 5, x["max"])
	require.Equal(t, "unknown", expected(t, detailAt(t, r, "/scores/mood"))["rule"])

	r = e.do("POST", "/api/v1/tasks/"+rating.ID+"/submit", "manager", map[string]any{"scores": map[string]any{"collaboration": 4, "serviceAttitude": 4}})
	require.Equal(t, 200, r.status, r.raw)
	r = e.do("POST", "/api/v1/tasks/"+rating.ID+"/submit", "manager", map[string]any{"scores": map[string]any{"collaboration": 4, "serviceAttitude": 4}})
	require.Equal(t, 409, r.status, r.raw)
	require.Equal(t, "task_closed", errorOf(t, r)["reason"], r.raw)

	r = e.do("GET", "/api/v1/tasks/no-such-task", "manager", nil)
	require.Equal(t, 404, r.status, r.raw)
	require.Equal(t, "task", errorOf(t, r)["resource"])
	r = e.do("GET", "/api/v1/cycles/no-such-cycle", "manager", nil)
	require.Equal(t, 404, r.status, r.raw)
	require.Equal(t, "cycle", errorOf(t, r)["resource"])
}
