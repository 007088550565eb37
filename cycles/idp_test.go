package cycles_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/perfloop/perfloop/activities"
	"github.com/perfloop/perfloop/engine"
	"github.com/perfloop/perfloop/enginetest"
	"github.com/perfloop/perfloop/store"
	"github.com/perfloop/perfloop/store/storetest"
)

// TestBottomRankTwoMonthsRunningCreatesOneIDP runs two monthly cycles in
// which nobody submits anything (every task expires, the proposed grades
// stand) and the same two members rank last: the first month creates no
// IDP, the second creates exactly one for each of them, listing both
// months with the member's rank, team size and score, due the template's
// 60 days (compressed) after it was created, with the mentor's review
// opening then; applying the outcomes again creates nothing more.
func TestBottomRankTwoMonthsRunningCreatesOneIDP(t *testing.T) {
	st := storetest.SQLite(t)
	e := enginetest.Start(t, st, 4)
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
	sixtyDays := 60 * 150 * time.Millisecond
	for _, p := range idps {
		require.Equal(t, e.Manager.ID, p.MentorID, "the manager mentors by default")
		require.Equal(t, second.ID, p.CycleID)
		require.InDelta(t, sixtyDays, p.DueAt.Sub(p.CreatedAt), float64(time.Millisecond), "due the plan's duration after it was created, not after the period ended")
		triggers, err := p.Triggers()
		require.NoError(t, err)
		var want []store.IDPTrigger
		for _, c := range []*store.Cycle{first, second} {
			r, err := st.GetResult(ctx, c.ID, p.MemberID)
			require.NoError(t, err)
			want = append(want, store.IDPTrigger{Period: c.Period, Rank: r.Rank, TeamSize: 4, Score: &r.FinalScore})
		}
		require.Equal(t, want, triggers, "both months, each with the member's place")
		require.Greater(t, want[0].Rank, 2)
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

	// Each IDP is followed by its workflow, which opens the mentor's
	// review when the plan is due and not before, and expires it after one
	// compressed check-in interval (cs-ops-monthly: 14 days), as its due
	// date says, rather than a real week later.
	fourteenDays := 14 * 150 * time.Millisecond
	for _, p := range idps {
		d, err := e.Client.DescribeWorkflowExecution(ctx, engine.IDPWorkflowID(p.ID), "")
		require.NoError(t, err)
		require.NotNil(t, d.WorkflowExecutionInfo)
		var review []store.Task
		require.Eventually(t, func() bool {
			review, _, err = st.ListTasks(ctx, e.Org.ID, store.TaskFilter{StageKey: "idp:" + p.ID, Kind: engine.TaskIDPReview}, store.Page{})
			return err == nil && len(review) == 1
		}, 30*time.Second, 50*time.Millisecond, "the mentor's review opens when the plan is due")
		require.Equal(t, p.MentorID, review[0].AssigneeID)
		require.False(t, review[0].CreatedAt.Before(p.DueAt), "review opened at %s, before the plan was due at %s", review[0].CreatedAt, p.DueAt)
		require.InDelta(t, fourteenDays, review[0].DueAt.Sub(review[0].CreatedAt), float64(100*time.Millisecond), "the review is due one compressed check-in interval after it opened")
		ended, cancel := context.WithTimeout(ctx, 30*time.Second)
		require.NoError(t, e.Client.GetWorkflow(ended, engine.IDPWorkflowID(p.ID), "").Get(ended, nil), "the workflow ends when the unanswered review expires")
		cancel()
		got, err := st.GetTaskByID(ctx, review[0].ID)
		require.NoError(t, err)
		require.Equal(t, engine.TaskExpired, got.State)
	}
	record(t, e, "idp.json", engine.IDPWorkflowID(idps[0].ID), 0)
}

// TestBottomMonthsWithAGapBetweenThemCreateNoIDP runs September and
// November with no October cycle between them: the same two members rank
// last both times, but two months apart is no run. December then follows
// November and makes one, listing November and December.
func TestBottomMonthsWithAGapBetweenThemCreateNoIDP(t *testing.T) {
	st := storetest.SQLite(t)
	e := enginetest.Start(t, st, 4)
	ctx := context.Background()
	run := func(period string) *store.Cycle {
		e.Metrics(period)
		c := e.Launch("cs-ops-monthly", period, 150*time.Millisecond)
		e.WaitState(c.ID, store.CycleCompleted, 90*time.Second)
		return c
	}

	run("2026-09")
	run("2026-11")
	idps, _, err := st.ListIDPs(ctx, e.Org.ID, store.IDPFilter{}, store.Page{})
	require.NoError(t, err)
	require.Empty(t, idps, "September and November at the bottom, with no October cycle, is not two months running")

	run("2026-12")
	idps, _, err = st.ListIDPs(ctx, e.Org.ID, store.IDPFilter{}, store.Page{})
	require.NoError(t, err)
	require.Len(t, idps, 2)
	for _, p := range idps {
		triggers, err := p.Triggers()
		require.NoError(t, err)
		require.Len(t, triggers, 2)
		require.Equal(t, []string{"2026-11", "2026-12"}, []string{triggers[0].Period, triggers[1].Period})
	}
}

// TestACancelledMonthBetweenTwoBottomMonthsBreaksTheRun: the same two
// members rank last in September and November, and in October too, but
// October's cycle is cancelled after its results were computed. A
// cancelled cycle's ranking does not count, so October is a month with no
// cycle and September–November is no run: no IDP.
func TestACancelledMonthBetweenTwoBottomMonthsBreaksTheRun(t *testing.T) {
	st := storetest.SQLite(t)
	e := enginetest.Start(t, st, 4)
	ctx := context.Background()
	bottomTwo := func(c *store.Cycle) []string {
		rs, err := st.AllResults(ctx, c.ID)
		require.NoError(t, err)
		require.Len(t, rs, 4)
		return []string{rs[2].MemberID, rs[3].MemberID}
	}

	e.Metrics("2026-09")
	sep := e.Launch("cs-ops-monthly", "2026-09", 150*time.Millisecond)
	e.WaitState(sep.ID, store.CycleCompleted, 90*time.Second)

	// October runs slower (a day is two seconds) and is cancelled in its
	// calibration, after its results were computed and seconds before the
	// stage ends: a cancel that arrives while a stage hands over to the
	// next is lost today (the run continues as new without it), which is a
	// workflow matter, not this rule's.
	e.Metrics("2026-10")
	oct := e.Launch("cs-ops-monthly", "2026-10", 2*time.Second)
	require.Eventually(t, func() bool {
		c, err := st.GetCycleByID(ctx, oct.ID)
		return err == nil && c.CurrentStage == "calibrate"
	}, 90*time.Second, 50*time.Millisecond, "October reaches its calibration")
	_, err := e.Service.Cancel(ctx, e.Org.ID, oct.ID, e.Manager.ID, "wrong metrics file")
	require.NoError(t, err)
	e.WaitState(oct.ID, store.CycleCancelled, 60*time.Second)
	require.ElementsMatch(t, bottomTwo(sep), bottomTwo(oct), "the cancelled month had the same bottom two")

	e.Metrics("2026-11")
	nov := e.Launch("cs-ops-monthly", "2026-11", 150*time.Millisecond)
	e.WaitState(nov.ID, store.CycleCompleted, 90*time.Second)
	require.ElementsMatch(t, bottomTwo(sep), bottomTwo(nov))
	idps, _, err := st.ListIDPs(ctx, e.Org.ID, store.IDPFilter{}, store.Page{})
	require.NoError(t, err)
	require.Empty(t, idps, "a cancelled October between September and November at the bottom breaks the run")

	// The run starts again from November: December makes it two months.
	e.Metrics("2026-12")
	dec := e.Launch("cs-ops-monthly", "2026-12", 150*time.Millisecond)
	e.WaitState(dec.ID, store.CycleCompleted, 90*time.Second)
	idps, _, err = st.ListIDPs(ctx, e.Org.ID, store.IDPFilter{}, store.Page{})
	require.NoError(t, err)
	require.Len(t, idps, 2)
	for _, p := range idps {
		triggers, err := p.Triggers()
		require.NoError(t, err)
		require.Equal(t, []string{"2026-11", "2026-12"}, []string{triggers[0].Period, triggers[1].Period})
	}
}
