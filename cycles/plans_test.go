package cycles_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/perfloop/perfloop/cycles"
	"github.com/perfloop/perfloop/engine"
	"github.com/perfloop/perfloop/enginetest"
	"github.com/perfloop/perfloop/store"
	"github.com/perfloop/perfloop/store/storetest"
)

// TestAPlanSentBackIsRevisedAndApprovedBeforeTheStageMovesOn drives the
// plan stage of ops-assistant-monthly on a real Temporal server: the
// manager sends one plan back (a comment is required to do so), its owner
// sees why with the plan as it was and revises it, the manager approves
// the revision, and only then does the cycle leave the plan stage — long
// before the stage's deadline, with no task opened twice and nothing
// expired.
func TestAPlanSentBackIsRevisedAndApprovedBeforeTheStageMovesOn(t *testing.T) {
	st := storetest.SQLite(t)
	e := enginetest.Start(t, st, 2)
	e.Metrics("2026-10")
	// A day is 20 s: the plan stage (three days) would close after a minute.
	c := e.Launch("ops-assistant-monthly", "2026-10", 20*time.Second)
	ctx := context.Background()
	anna, ben := e.Employees[0], e.Employees[1]

	confirm := e.OpenTasks(c.ID, e.Manager.ID, engine.TaskConfirmTargets, 1)[0]
	require.NoError(t, submit(t, e, e.Manager, confirm, map[string]any{"confirmed": true}))

	for _, m := range e.Employees {
		plan := e.OpenTasks(c.ID, m.ID, engine.TaskPlan, 1)[0]
		require.NoError(t, submit(t, e, m, plan, map[string]any{"actions": "社群早晚两场活动：" + m.Name, "risks": "活动预算不足"}))
	}
	approvals := e.OpenTasks(c.ID, e.Manager.ID, engine.TaskPlanApproval, 2)
	of := func(m *store.Member) store.Task {
		for _, a := range approvals {
			if *a.SubjectID == m.ID {
				return a
			}
		}
		t.Fatalf("no approval task for %s", m.Name)
		return store.Task{}
	}

	// The approver sees the plan itself.
	more, err := cycles.ContextOf(ctx, st, ptr(of(anna)))
	require.NoError(t, err)
	require.NotNil(t, more.Plan)
	require.JSONEq(t, `{"actions":"社群早晚两场活动：`+anna.Name+`","risks":"活动预算不足"}`, string(more.Plan.Data))
	require.Equal(t, "actions", more.Plan.Form[0].Key)

	// Sending a plan back needs a reason.
	err = submit(t, e, e.Manager, of(anna), map[string]any{"approved": false})
	var bad cycles.Invalid
	require.True(t, errors.As(err, &bad), "got %v", err)
	require.Equal(t, "/comment", bad[0].Path)
	require.NoError(t, submit(t, e, e.Manager, of(anna), map[string]any{"approved": false, "comment": "请补充拉新渠道和每周目标"}))
	require.NoError(t, submit(t, e, e.Manager, of(ben), map[string]any{"approved": true, "comment": "可以"}))

	// Anna's plan comes back to her with the comment and her first plan.
	revise := e.OpenTasks(c.ID, anna.ID, engine.TaskPlan, 1)[0]
	require.Contains(t, revise.TitleEn, "revision 1")
	more, err = cycles.ContextOf(ctx, st, &revise)
	require.NoError(t, err)
	require.NotNil(t, more.Review)
	require.Equal(t, "请补充拉新渠道和每周目标", more.Review.Comment)
	require.Equal(t, e.Manager.ID, more.Review.ReviewerID)
	require.Contains(t, string(more.Review.Previous.Data), "社群早晚两场活动")
	cy, err := st.GetCycleByID(ctx, c.ID)
	require.NoError(t, err)
	require.Equal(t, "plan", cy.CurrentStage, "the stage waits for the revised plan")

	require.NoError(t, submit(t, e, anna, revise, map[string]any{"actions": "社群活动 + 企业微信拉新，每周 250 人", "risks": "活动预算不足"}))
	again := e.OpenTasks(c.ID, e.Manager.ID, engine.TaskPlanApproval, 1)[0]
	require.Contains(t, again.TitleEn, "revision 1")
	more, err = cycles.ContextOf(ctx, st, &again)
	require.NoError(t, err)
	require.Contains(t, string(more.Plan.Data), "每周 250 人")
	require.NoError(t, submit(t, e, e.Manager, again, map[string]any{"approved": true}))

	require.Eventually(t, func() bool {
		cy, err := st.GetCycleByID(ctx, c.ID)
		// October's execute stage is over already, so the cycle may be
		// past it by the time this looks.
		return err == nil && cy.CurrentStage != "plan"
	}, 30*time.Second, 200*time.Millisecond, "the cycle should leave the plan stage once every plan is approved")

	tasks, _, err := st.ListTasks(ctx, e.Org.ID, store.TaskFilter{CycleID: c.ID}, store.Page{Limit: 100})
	require.NoError(t, err)
	count := map[string]int{}
	for _, task := range tasks {
		require.NotEqual(t, engine.TaskExpired, task.State, "%s %s expired", task.Kind, task.ID)
		if task.StageKey == "plan" {
			count[string(task.Kind)+" "+*task.SubjectID]++
		}
	}
	require.Equal(t, map[string]int{
		string(engine.TaskPlan) + " " + anna.ID: 2, string(engine.TaskPlanApproval) + " " + anna.ID: 2,
		string(engine.TaskPlan) + " " + ben.ID: 1, string(engine.TaskPlanApproval) + " " + ben.ID: 1,
	}, count)
	notes, _, err := st.ListNotifications(ctx, ben.ID, false, store.Page{Limit: 100})
	require.NoError(t, err)
	approved := 0
	for _, n := range notes {
		if n.Kind == "notice" && n.Subject == "工作计划已批准 / Your plan was approved" {
			approved++
		}
	}
	require.Equal(t, 1, approved, "Ben hears once that his plan was approved")
}

func ptr[T any](v T) *T { return &v }
