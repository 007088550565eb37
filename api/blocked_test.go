package api_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/perfloop/perfloop/engine"
	"github.com/perfloop/perfloop/enginetest"
	"github.com/perfloop/perfloop/store"
	"github.com/perfloop/perfloop/worker"
)

// blockedCycle launches cs-ops-monthly over the enginetest team with one
// member's satisfaction (banded 0–100) recorded as 150, completes the
// evaluations and waits, over HTTP, for the cycle to block at scoring.
func blockedCycle(t *testing.T, e *env, ce *enginetest.Env) (string, *store.Member) {
	t.Helper()
	ctx := context.Background()
	ce.Metrics("2026-10")
	bad := ce.Employees[1]
	ce.SetMetric(bad, "satisfaction", "2026-10", 150)
	c := ce.Launch("cs-ops-monthly", "2026-10", 20*time.Second)
	form := func(v any) json.RawMessage {
		raw, err := json.Marshal(v)
		require.NoError(t, err)
		return raw
	}
	for _, m := range ce.Employees {
		self := ce.OpenTasks(c.ID, m.ID, engine.TaskSelfEval, 1)[0]
		_, err := ce.Service.Submit(ctx, m, self.ID, form(map[string]any{"scores": map[string]float64{"collaboration": 4, "serviceAttitude": 4}}))
		require.NoError(t, err)
	}
	for _, task := range ce.OpenTasks(c.ID, ce.Manager.ID, engine.TaskManagerEval, len(ce.Employees)) {
		_, err := ce.Service.Submit(ctx, ce.Manager, task.ID, form(map[string]any{"scores": map[string]float64{"collaboration": 4, "serviceAttitude": 4}}))
		require.NoError(t, err)
	}
	require.Eventually(t, func() bool {
		return e.do("GET", "/api/v1/cycles/"+c.ID, "manager", nil).body["state"] == store.CycleBlocked
	}, 60*time.Second, 100*time.Millisecond, "a value outside every band blocks the cycle")
	return c.ID, bad
}

// TestAValueOutsideEveryBandBlocksTheCycleUntilCorrectedAndResumed: the
// cycle shows blocked with the member, indicator and value at fault, the
// manager and the HRBP are told, and once the value is corrected a resume
// scores again and the cycle runs to the end.
func TestAValueOutsideEveryBandBlocksTheCycleUntilCorrectedAndResumed(t *testing.T) {
	e, ce := engineEnv(t)
	ctx := context.Background()
	id, bad := blockedCycle(t, e, ce)

	r := e.do("GET", "/api/v1/cycles/"+id, "manager", nil)
	require.Equal(t, 200, r.status, r.raw)
	want := "member " + bad.ID + ", indicator satisfaction: value 150: no band contains the value"
	require.Equal(t, want, r.body["blockedReason"])
	require.Equal(t, "evaluate", r.body["currentStage"], "scored at the end of the evaluations")
	progress := r.body["progress"].(map[string]any)
	require.Equal(t, "blocked", progress["state"])
	require.Equal(t, want, progress["reason"])
	for _, who := range []*store.Member{ce.Manager, ce.HRBP} {
		notes, _, err := ce.Store.ListNotifications(ctx, who.ID, false, store.Page{Limit: 100})
		require.NoError(t, err)
		blocked := 0
		for _, n := range notes {
			if n.Kind == "cycle_blocked" {
				blocked++
				require.Contains(t, n.Body, want)
			}
		}
		require.Equal(t, 1, blocked, "%s is told once", who.Name)
	}

	require.Equal(t, 403, e.do("POST", "/api/v1/cycles/"+id+"/resume", "e0", nil).status, "employees do not resume cycles")
	ce.SetMetric(bad, "satisfaction", "2026-10", 88)
	r = e.do("POST", "/api/v1/cycles/"+id+"/resume", "manager", nil)
	require.Equal(t, 202, r.status, r.raw)

	cal := ce.OpenTasks(id, ce.HRBP.ID, engine.TaskCalibration, 1)[0]
	r = e.do("GET", "/api/v1/cycles/"+id, "manager", nil)
	require.Equal(t, store.CycleRunning, r.body["state"])
	require.Nil(t, r.body["blockedReason"], "the reason goes once the cycle runs again")
	require.Equal(t, 409, e.do("POST", "/api/v1/cycles/"+id+"/resume", "manager", nil).status, "only a blocked cycle resumes")
	res, err := ce.Store.GetResult(ctx, id, bad.ID)
	require.NoError(t, err)
	require.Greater(t, res.FinalScore, 0.0)

	_, err = ce.Service.Submit(ctx, ce.HRBP, cal.ID, json.RawMessage(`{"changes":[]}`))
	require.NoError(t, err)
	for _, m := range ce.Employees {
		ack := ce.OpenTasks(id, m.ID, engine.TaskAcknowledge, 1)[0]
		_, err := ce.Service.Submit(ctx, m, ack.ID, json.RawMessage(`{"decision":"acknowledge"}`))
		require.NoError(t, err)
	}
	ce.WaitState(id, store.CycleCompleted, 60*time.Second)
}

// TestCancelWhileBlockedEndsTheCycleWithinSeconds: a blocked cycle waits
// for a resume, but a cancel ends it at once, also on a worker started
// after the block (which replays the run from its history).
func TestCancelWhileBlockedEndsTheCycleWithinSeconds(t *testing.T) {
	e, ce := engineEnv(t)
	id, _ := blockedCycle(t, e, ce)
	ce.StopWorker()
	w := worker.New(worker.Options{Client: ce.Client, Store: ce.Store, TaskQueue: ce.TaskQueue})
	require.NoError(t, w.Start())
	t.Cleanup(w.Stop)
	r := e.do("POST", "/api/v1/cycles/"+id+"/cancel", "manager", map[string]any{"reason": "数据有误，下月重新发起"})
	require.Equal(t, 202, r.status, r.raw)
	require.Eventually(t, func() bool {
		return e.do("GET", "/api/v1/cycles/"+id, "manager", nil).body["state"] == store.CycleCancelled
	}, 15*time.Second, 50*time.Millisecond, "the cancel ends a blocked cycle within seconds (15 s leaves room for a loaded CI machine; alone it takes under one)")
	r = e.do("GET", "/api/v1/cycles/"+id+"/tasks?state=open", "manager", nil)
	require.EqualValues(t, 0, r.body["total"])
	require.Equal(t, 409, e.do("POST", "/api/v1/cycles/"+id+"/resume", "manager", nil).status)
}

// TestAMetricWriteThatCorrectsABlockedCycleResumesIt: replacing the value
// at fault through POST /metrics is enough; nobody has to find the cycle
// and resume it as well, and it scores and runs to the end.
func TestAMetricWriteThatCorrectsABlockedCycleResumesIt(t *testing.T) {
	e, ce := engineEnv(t)
	ctx := context.Background()
	id, bad := blockedCycle(t, e, ce)
	var recorded store.MetricValue
	require.NoError(t, ce.Store.DB.Where("member_id = ? AND indicator_key = ? AND period = ?", bad.ID, "satisfaction", "2026-10").First(&recorded).Error)

	r := e.do("POST", "/api/v1/metrics", "hrbp", map[string]any{"period": "2026-10", "source": recorded.Source, "replace": true, "values": []map[string]any{
		{"memberId": bad.ID, "indicator": "satisfaction", "value": 88},
	}})
	require.Equal(t, 200, r.status, r.raw)
	require.EqualValues(t, 1, r.body["updated"])

	cal := ce.OpenTasks(id, ce.HRBP.ID, engine.TaskCalibration, 1)[0]
	r = e.do("GET", "/api/v1/cycles/"+id, "manager", nil)
	require.Equal(t, store.CycleRunning, r.body["state"], "resumed without POST /resume")
	res, err := ce.Store.GetResult(ctx, id, bad.ID)
	require.NoError(t, err)
	require.Greater(t, res.FinalScore, 0.0)
	_, err = ce.Service.Submit(ctx, ce.HRBP, cal.ID, json.RawMessage(`{"changes":[]}`))
	require.NoError(t, err)
	for _, m := range ce.Employees {
		ack := ce.OpenTasks(id, m.ID, engine.TaskAcknowledge, 1)[0]
		_, err := ce.Service.Submit(ctx, m, ack.ID, json.RawMessage(`{"decision":"acknowledge"}`))
		require.NoError(t, err)
	}
	ce.WaitState(id, store.CycleCompleted, 60*time.Second)
}
