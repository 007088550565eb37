package activities

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/perfloop/perfloop/engine"
	"github.com/perfloop/perfloop/outbox"
	"github.com/perfloop/perfloop/store"
)

// A plan that needs approval goes back and forth between its owner and the
// manager until it is approved or the stage closes: each submission opens
// an approval task, each refusal opens a revised plan task carrying the
// manager's comment. Every hop is a task of the member's workflow, so the
// stage waits for the last one and a crash repeats none (dedupe keys name
// the revision).

// askApproval opens the manager's approval task for a submitted plan and
// tells the manager.
func (a *Activities) askApproval(ctx context.Context, plan *store.Task, p engine.TaskPayload) (*engine.TaskRef, error) {
	c, err := a.Store.GetCycleByID(ctx, plan.CycleID)
	if err != nil {
		return nil, notFound(err)
	}
	subject := deref2(plan.SubjectID)
	mgr, err := a.managerOf(ctx, c.OrgID, subject)
	if err != nil || mgr == "" {
		return nil, err
	}
	body, _ := json.Marshal(engine.TaskPayload{StageKey: plan.StageKey, PlanTaskID: plan.ID, Revision: p.Revision})
	key := dedupe(c.ID, plan.StageKey, string(engine.TaskPlanApproval), subject)
	if p.Revision > 0 {
		key = dedupe(key, fmt.Sprintf("r%d", p.Revision))
	}
	title, titleEn := "审批工作计划", "Approve the plan"
	if p.Revision > 0 {
		title, titleEn = fmt.Sprintf("审批修改后的工作计划（第 %d 次修改）", p.Revision), fmt.Sprintf("Approve the revised plan (revision %d)", p.Revision)
	}
	return a.openTask(ctx, &store.Task{
		OrgID: c.OrgID, CycleID: c.ID, WorkflowID: plan.WorkflowID, StageKey: plan.StageKey, Kind: engine.TaskPlanApproval,
		AssigneeID: mgr, SubjectID: &subject, Title: title, TitleEn: titleEn, DueAt: plan.DueAt,
		Payload: string(body), DedupeKey: key,
	})
}

// PlanDecision is what an approval task submits.
type PlanDecision struct {
	Approved bool   `json:"approved"`
	Comment  string `json:"comment"`
}

// answerPlan acts on the manager's decision: an approved plan is final and
// its owner is told; a refused one comes back to its owner as a new plan
// task, with the comment and the plan as it was, due when the stage is.
func (a *Activities) answerPlan(ctx context.Context, approval *store.Task, p engine.TaskPayload) (*engine.TaskRef, error) {
	var d PlanDecision
	_ = json.Unmarshal([]byte(deref2(approval.Submission)), &d) // checked when submitted
	plan, err := a.Store.GetTaskByID(ctx, p.PlanTaskID)
	if err != nil {
		return nil, notFound(err)
	}
	var pp engine.TaskPayload
	_ = json.Unmarshal([]byte(plan.Payload), &pp)
	subject := deref2(plan.SubjectID)
	if d.Approved {
		m := outbox.PlanApproved(d.Comment)
		_, err := a.notify(ctx, m.To(approval.OrgID, subject, dedupe("plan-approved", approval.ID)), m.Event, a.routeFor(ctx, approval.CycleID, approval.StageKey))
		return nil, err
	}
	next := pp
	next.Revision = pp.Revision + 1
	next.ReviewTaskID, next.PreviousTaskID = approval.ID, plan.ID
	body, _ := json.Marshal(next)
	return a.openTask(ctx, &store.Task{
		OrgID: plan.OrgID, CycleID: plan.CycleID, WorkflowID: plan.WorkflowID, StageKey: plan.StageKey, Kind: engine.TaskPlan,
		AssigneeID: plan.AssigneeID, SubjectID: plan.SubjectID,
		Title: fmt.Sprintf("修改工作计划（第 %d 次修改）", next.Revision), TitleEn: fmt.Sprintf("Revise your plan (revision %d)", next.Revision),
		DueAt: plan.DueAt, Payload: string(body),
		DedupeKey: dedupe(plan.CycleID, plan.StageKey, string(engine.TaskPlan), plan.AssigneeID, subject, fmt.Sprintf("r%d", next.Revision)),
	})
}
