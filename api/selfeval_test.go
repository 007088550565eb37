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

// TestAManagersRatingCarriesTheMembersSelfEvaluationOnceSubmitted: the
// rating task's context holds the member's self-evaluation, its form and,
// once submitted, what they wrote; a peer's rating of the same member does not.
func TestAManagersRatingCarriesTheMembersSelfEvaluationOnceSubmitted(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t))
	ctx := context.Background()
	cy, ms := boardCycle(t, e, nil)
	var admin store.Member
	require.NoError(t, e.store.DB.Where("email LIKE ?", "admin@%").Take(&admin).Error)
	member := ms[0]
	due := time.Now().Add(48 * time.Hour).UTC().Truncate(time.Second)
	self, err := e.store.EnsureTask(ctx, &store.Task{OrgID: cy.OrgID, CycleID: cy.ID, WorkflowID: "wf", StageKey: "evaluate", Kind: engine.TaskSelfEval, AssigneeID: member.ID, SubjectID: &member.ID, Title: "完成自评", TitleEn: "Complete your self-evaluation", DueAt: due, DedupeKey: "t-self"})
	require.NoError(t, err)
	rating, err := e.store.EnsureTask(ctx, &store.Task{OrgID: cy.OrgID, CycleID: cy.ID, WorkflowID: "wf", StageKey: "evaluate", Kind: engine.TaskManagerEval, AssigneeID: admin.ID, SubjectID: &member.ID, Title: "评价", TitleEn: "Rate", DueAt: due, DedupeKey: "t-rate"})
	require.NoError(t, err)
	peer, err := e.store.EnsureTask(ctx, &store.Task{OrgID: cy.OrgID, CycleID: cy.ID, WorkflowID: "wf", StageKey: "evaluate", Kind: engine.TaskPeerEval, AssigneeID: admin.ID, SubjectID: &member.ID, Title: "互评", TitleEn: "Peer", DueAt: due, DedupeKey: "t-peer"})
	require.NoError(t, err)

	r := e.do("GET", "/api/v1/tasks/"+rating.ID, "admin", nil)
	require.Equal(t, 200, r.status, r.raw)
	got := r.body["context"].(map[string]any)["selfEval"].(map[string]any)
	require.Equal(t, self.ID, got["taskId"])
	require.Equal(t, "open", got["state"])
	require.Nil(t, got["data"], "nothing is shown before it is submitted")

	_, err = e.store.SubmitTask(ctx, self.ID, member.ID, `{"scores":{"collaboration":4},"comment":"Handled the peak"}`, self.Version)
	require.NoError(t, err)
	r = e.do("GET", "/api/v1/tasks/"+rating.ID, "admin", nil)
	require.Equal(t, 200, r.status, r.raw)
	got = r.body["context"].(map[string]any)["selfEval"].(map[string]any)
	require.Equal(t, "Handled the peak", got["data"].(map[string]any)["comment"])

	r = e.do("GET", "/api/v1/tasks/"+peer.ID, "admin", nil)
	require.Equal(t, 200, r.status, r.raw)
	require.Nil(t, r.body["context"], "a peer rates without the self-evaluation")
}
