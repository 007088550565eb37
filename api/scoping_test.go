package api_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/perfloop/perfloop/store"
	"github.com/perfloop/perfloop/store/storetest"
)

// TestOnlyTheSchedulesTeamsManagersHRAndAdminsSteerItAndATriggerRecordsWhoTriggered:
// the ops schedule is invisible to the managers of another team, of a
// sub-team and to a manager reviewed in ops's cycles (not listed, 404 on
// read, pause and trigger); the ops and department managers and the HRBP
// steer it, and the cycle a trigger launches is launched by who pressed it.
func TestOnlyTheSchedulesTeamsManagersHRAndAdminsSteerItAndATriggerRecordsWhoTriggered(t *testing.T) {
	f := newAccessFixture(t, storetest.SQLite(t))
	path := "/api/v1/schedules/" + f.schedule.ID
	for _, who := range []string{"growthMgr", "csMgr", "comMgr", "adminB"} {
		r := f.do("GET", "/api/v1/schedules", who, nil)
		require.Equal(t, 200, r.status, r.raw)
		require.EqualValues(t, 0, r.body["total"], who)
		require.Equal(t, 404, f.do("GET", path, who, nil).status, who)
		for _, action := range []string{"pause", "resume", "trigger"} {
			require.Equal(t, 404, f.do("POST", path+"/"+action, who, nil).status, "%s %s", who, action)
		}
	}
	r := f.do("GET", path, "opsMgr", nil)
	require.Equal(t, 200, r.status, r.raw)
	require.Equal(t, false, r.body["paused"], "nobody else paused it")
	for _, who := range []string{"opsMgr", "deptMgr", "hrbp", "admin"} {
		r := f.do("GET", "/api/v1/schedules", who, nil)
		require.EqualValues(t, 1, r.body["total"], who)
	}
	r = f.do("POST", path+"/pause", "hrbp", nil)
	require.Equal(t, 200, r.status, r.raw)
	require.Equal(t, true, r.body["paused"])

	r = f.do("POST", path+"/trigger", "deptMgr", nil)
	require.Equal(t, 200, r.status, r.raw)
	cs, _, err := f.store.ListCycles(context.Background(), f.ce.Org.ID, store.CycleFilter{TeamIDs: []string{f.ops.ID}}, store.Page{Limit: 10})
	require.NoError(t, err)
	require.Len(t, cs, 2, "the fixture's October cycle and the triggered one")
	for _, c := range cs {
		if c.ID != f.cycle.ID {
			require.Equal(t, f.deptMgr.ID, c.LaunchedBy, "the department manager triggered it; the ops manager made the schedule")
		}
	}
	require.Equal(t, 403, f.do("POST", "/api/v1/schedules", "growthMgr", map[string]any{"templateKey": "community-monthly", "teamId": f.ops.ID}).status)
}

// TestAnotherOrganisationsAdminReadsNoneOfThisOnesAuditLog: the audit log
// of the fixture's organisation (the cycle's launch, the schedule) is its
// own admin's to read; the second organisation's admin sees an empty log,
// even naming the first's actor.
func TestAnotherOrganisationsAdminReadsNoneOfThisOnesAuditLog(t *testing.T) {
	f := newAccessFixture(t, storetest.SQLite(t))
	r := f.do("GET", "/api/v1/audit?entity=cycle", "admin", nil)
	require.Equal(t, 200, r.status, r.raw)
	require.NotZero(t, r.body["total"], "the launch is audited")
	for _, q := range []string{"", "?entity=cycle", "?actorId=" + f.opsMgr.ID} {
		r = f.do("GET", "/api/v1/audit"+q, "adminB", nil)
		require.Equal(t, 200, r.status, r.raw)
		require.EqualValues(t, 0, r.body["total"], q)
	}
}
