package api_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/perfloop/perfloop/engine"
	"github.com/perfloop/perfloop/store"
	"github.com/perfloop/perfloop/store/storetest"
)

// TestRemindNowWithAMemberNudgesTheirOpenTasksBeforeTheyAreLate: the
// dashboard's nudge reminds one pending member of each open task, says
// "please complete" rather than "overdue" before the deadline, reaches
// nobody else, and like Remind now sends each task once a day.
func TestRemindNowWithAMemberNudgesTheirOpenTasksBeforeTheyAreLate(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t))
	ctx := context.Background()
	cy, ms := boardCycle(t, e, nil)
	pending, late := ms[0], ms[1]
	soon := time.Now().Add(48 * time.Hour).UTC().Truncate(time.Second)
	past := time.Now().Add(-2 * time.Hour).UTC().Truncate(time.Second)
	for _, tk := range []store.Task{
		{OrgID: cy.OrgID, CycleID: cy.ID, WorkflowID: "wf", StageKey: "evaluate", Kind: engine.TaskSelfEval, AssigneeID: pending.ID, Title: "完成自评", TitleEn: "Complete your self-evaluation", DueAt: soon, DedupeKey: "t-pending"},
		{OrgID: cy.OrgID, CycleID: cy.ID, WorkflowID: "wf", StageKey: "evaluate", Kind: engine.TaskSelfEval, AssigneeID: late.ID, Title: "完成自评", TitleEn: "Complete your self-evaluation", DueAt: past, DedupeKey: "t-late"},
	} {
		_, err := e.store.EnsureTask(ctx, &tk)
		require.NoError(t, err)
	}

	r := e.do("POST", "/api/v1/cycles/"+cy.ID+"/remind?memberId="+pending.ID, "admin", nil)
	require.Equal(t, 200, r.status, r.raw)
	require.EqualValues(t, 0, r.body["overdue"])
	require.EqualValues(t, 1, r.body["reminded"])
	var notes []store.Notification
	require.NoError(t, e.store.DB.Where("kind = ?", "reminder").Find(&notes).Error)
	require.Len(t, notes, 1, "only the member named")
	require.Equal(t, pending.ID, notes[0].RecipientID)
	require.Contains(t, notes[0].Subject, "Please complete")
	require.NotContains(t, notes[0].Subject, "Overdue")

	r = e.do("POST", "/api/v1/cycles/"+cy.ID+"/remind?memberId="+pending.ID, "admin", nil)
	require.Equal(t, 200, r.status, r.raw)
	require.EqualValues(t, 0, r.body["reminded"], "once a day")

	// Without a member, Remind now still reaches the overdue only.
	r = e.do("POST", "/api/v1/cycles/"+cy.ID+"/remind", "admin", nil)
	require.Equal(t, 200, r.status, r.raw)
	require.EqualValues(t, 1, r.body["overdue"])
	require.EqualValues(t, 1, r.body["reminded"])
}
