package cycles_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/perfloop/perfloop/activities"
	"github.com/perfloop/perfloop/cycles/cyclestest"
	"github.com/perfloop/perfloop/store"
	"github.com/perfloop/perfloop/store/storetest"
)

// TestBottomRankTwoMonthsRunningCreatesOneIDP runs two monthly cycles in
// which nobody submits anything (every task expires, the proposed grades
// stand) and the same two members rank last: the first month creates no
// IDP, the second creates exactly one for each of them, and applying the
// outcomes again creates nothing more.
func TestBottomRankTwoMonthsRunningCreatesOneIDP(t *testing.T) {
	st := storetest.SQLite(t)
	e := cyclestest.Start(t, st, 4)
	ctx := context.Background()

	e.Metrics("2026-09")
	first := e.Launch("cs-ops-monthly", "2026-09", 150*time.Millisecond)
	e.WaitState(first.ID, store.CycleCompleted, 90*time.Second)
	idps, _, err := st.ListIDPs(ctx, e.Org.ID, store.IDPFilter{}, store.Page{})
	require.NoError(t, err)
	require.Empty(t, idps, "one month at the bottom is not enough")

	e.Metrics("2026-10")
	second := e.Launch("cs-ops-monthly", "2026-10", 150*time.Millisecond)
	e.WaitState(second.ID, store.CycleCompleted, 90*time.Second)
	idps, _, err = st.ListIDPs(ctx, e.Org.ID, store.IDPFilter{}, store.Page{})
	require.NoError(t, err)
	require.Len(t, idps, 2)
	got := map[string]bool{idps[0].MemberID: true, idps[1].MemberID: true}
	require.True(t, got[e.Employees[2].ID] && got[e.Employees[3].ID], "the two lowest-ranked members get the IDPs")
	for _, p := range idps {
		require.Equal(t, e.Manager.ID, p.MentorID, "the manager mentors by default")
		require.Equal(t, second.ID, p.CycleID)
	}

	// The outcome step retried (a worker crash after it ran) changes nothing.
	acts := &activities.Activities{Store: st, Client: e.Client, TaskQueue: e.TaskQueue}
	refs, err := acts.ApplyOutcomes(ctx, second.ID)
	require.NoError(t, err)
	require.Len(t, refs, 2)
	for _, r := range refs {
		require.False(t, r.Created)
	}
	idps, _, err = st.ListIDPs(ctx, e.Org.ID, store.IDPFilter{}, store.Page{})
	require.NoError(t, err)
	require.Len(t, idps, 2)

	// A third month at the bottom keeps one open plan per member.
	e.Metrics("2026-11")
	third := e.Launch("cs-ops-monthly", "2026-11", 150*time.Millisecond)
	e.WaitState(third.ID, store.CycleCompleted, 90*time.Second)
	idps, _, err = st.ListIDPs(ctx, e.Org.ID, store.IDPFilter{}, store.Page{})
	require.NoError(t, err)
	require.Len(t, idps, 2, "still one IDP each after three months")

	idpList, _, err := st.ListIDPs(ctx, e.Org.ID, store.IDPFilter{}, store.Page{})
	require.NoError(t, err)
	record(t, e, "idp.json", activities.IDPWorkflowID(idpList[0].ID), 0)
	// Each IDP is followed by its workflow.
	for _, p := range idps {
		d, err := e.Client.DescribeWorkflowExecution(ctx, activities.IDPWorkflowID(p.ID), "")
		require.NoError(t, err)
		require.NotNil(t, d.WorkflowExecutionInfo)
	}
}
