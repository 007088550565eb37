package api_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/perfloop/perfloop/store"
	"github.com/perfloop/perfloop/store/storetest"
)

// targetsOf reads the cycle's member targets of one indicator as a lead sees them.
func (f *accessFixture) targetsOf(indicator string) map[string]float64 {
	r := f.do("GET", "/api/v1/cycles/"+f.cycle.ID+"/targets", "opsMgr", nil)
	require.Equal(f.t, 200, r.status, r.raw)
	out := map[string]float64{}
	for _, x := range r.body["items"].([]any) {
		m := x.(map[string]any)
		if id, ok := m["memberId"].(string); ok && m["indicator"] == indicator {
			out[id] = m["value"].(float64)
		}
	}
	return out
}

// TestAManagerReviewedInTheParentTeamsCycleHasNoLeadPowersOverIt: the
// community manager is reviewed in the ops cycle. He sees his own part of
// it (his result, his targets) and nothing of anyone else's; he cannot
// move targets, cancel the cycle, read its tasks, calibration or export.
// The ops manager, the department manager above and the HRBP lead it; no
// lead moves their own target; and targets are final once the cycle is over.
func TestAManagerReviewedInTheParentTeamsCycleHasNoLeadPowersOverIt(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) { managerReviewedInParentCycle(t, newAccessFixture(t, st)) })
}

func managerReviewedInParentCycle(t *testing.T, f *accessFixture) {
	id := f.cycle.ID
	base := "/api/v1/cycles/" + id
	before := f.targetsOf("newMembers")
	require.Len(t, before, 5)
	me, peer := f.comMgr.ID, f.com1.ID
	shift := map[string]any{"values": map[string]float64{me: before[me] - 1, peer: before[peer] + 1}}

	require.Equal(t, 403, f.do("PATCH", base+"/targets/newMembers", "comMgr", shift).status, "his own target")
	require.Equal(t, before, f.targetsOf("newMembers"), "nothing moved")
	for _, path := range []string{"/tasks", "/calibration", "/calibration.ics"} {
		require.Equal(t, 403, f.do("GET", base+path, "comMgr", nil).status, path)
	}
	status, _ := f.raw("GET", base+"/export.xlsx", "comMgr", "", nil)
	require.Equal(t, 403, status, "export.xlsx")
	status, _ = f.raw("GET", base+"/metrics-template.xlsx", "comMgr", "", nil)
	require.Equal(t, 403, status, "metrics-template.xlsx lists every member")
	require.Equal(t, 403, f.do("POST", base+"/remind", "comMgr", nil).status)
	require.Equal(t, 403, f.do("PATCH", base+"/calibration/meeting", "comMgr", map[string]any{"startsAt": "2099-01-01T10:00:00+08:00", "durationMinutes": 60, "reason": "mine"}).status)
	require.Equal(t, 403, f.do("POST", base+"/cancel", "comMgr", map[string]any{"reason": "I would rather not be reviewed"}).status)

	r := f.do("GET", base+"/targets", "comMgr", nil)
	require.Equal(t, 200, r.status, r.raw)
	require.NotEmpty(t, r.body["items"])
	for _, x := range r.body["items"].([]any) {
		require.Equal(t, me, x.(map[string]any)["memberId"], "only his own targets")
	}
	r = f.do("GET", base+"/targets/progress?memberId="+peer, "comMgr", nil)
	require.Equal(t, 403, r.status, r.raw)
	r = f.do("GET", base+"/results", "comMgr", nil)
	require.Equal(t, 200, r.status, r.raw)
	require.EqualValues(t, 0, r.body["total"], "no unpublished result, and nobody else's")
	listed := func(who string) bool {
		r := f.do("GET", "/api/v1/cycles", who, nil)
		require.Equal(t, 200, r.status, r.raw)
		for _, x := range r.body["items"].([]any) {
			if x.(map[string]any)["id"] == id {
				return true
			}
		}
		return false
	}
	require.True(t, listed("comMgr"), "he finds the cycle he is reviewed in")
	require.True(t, listed("deptMgr"))
	require.False(t, listed("csMgr"))
	require.False(t, listed("growthMgr"))
	r = f.do("GET", base, "comMgr", nil)
	require.Equal(t, 200, r.status, r.raw)
	require.Empty(t, r.body["tasks"], "no task counts of the others")
	require.Empty(t, r.body["overdue"])

	// The leads: the team's manager, the department's above it, the HRBP.
	for _, who := range []string{"opsMgr", "deptMgr", "hrbp", "admin"} {
		require.Equal(t, 200, f.do("GET", base+"/tasks", who, nil).status, who)
	}
	require.Equal(t, 404, f.do("GET", base+"/tasks", "csMgr", nil).status, "a sub-team's manager not reviewed in it does not see it")
	require.Equal(t, 403, f.do("PATCH", base+"/targets/newMembers", "hrbp", map[string]any{"values": map[string]float64{f.ce.HRBP.ID: before[f.ce.HRBP.ID] - 1, peer: before[peer] + 1}}).status,
		"the HRBP leads the cycle but is reviewed in it: not her own target")
	r = f.do("PATCH", base+"/targets/newMembers", "opsMgr", shift)
	require.Equal(t, 200, r.status, r.raw)

	r = f.do("POST", base+"/cancel", "opsMgr", map[string]any{"reason": "重组"})
	require.Equal(t, 202, r.status, r.raw)
	f.ce.WaitState(id, store.CycleCancelled, 60e9)
	back := map[string]any{"values": map[string]float64{me: before[me], peer: before[peer]}}
	r = f.do("PATCH", base+"/targets/newMembers", "opsMgr", back)
	require.Equal(t, 409, r.status, "targets are final once the cycle is over: %s", r.raw)
}
