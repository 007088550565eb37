package activities

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/perfloop/perfloop/engine"
	"github.com/perfloop/perfloop/outbox"
	"github.com/perfloop/perfloop/store"
	"github.com/perfloop/perfloop/templates"
)

// IDPCheckinReminder reminds the member and mentor of the n-th check-in,
// once; it answers false when the plan is no longer open, which ends the
// workflow's reminders.
func (a *Activities) IDPCheckinReminder(ctx context.Context, idpID string, n int) (bool, error) {
	idp, err := a.Store.GetIDP(ctx, idpID)
	if err != nil {
		return false, notFound(err)
	}
	if idp.State != store.IDPOpen {
		return false, nil
	}
	for _, to := range []string{idp.MemberID, idp.MentorID} {
		if to == "" {
			continue
		}
		m := outbox.IDPCheckin(n, &idp.DueAt)
		if _, err := a.notify(ctx, m.To(idp.OrgID, to, dedupe("idp-checkin", idpID, fmt.Sprint(n), to)), m.Event, routing{}); err != nil {
			return true, err
		}
	}
	return true, nil
}

// idpDurations are a plan's length, its check-in interval and the time the
// mentor has to review it once it is due: one check-in interval, at least
// a week. A compressed cycle (demo, bench) runs all three as many times
// faster as its stages.
func idpDurations(c *store.Cycle, rule *templates.IDPRule) (length, every, review time.Duration) {
	length, every = templates.DurationOf(rule.Duration), templates.DurationOf(rule.CheckinEvery)
	review = max(every, 7*24*time.Hour)
	if c.Compress > 1 {
		length, every, review = scaleDur(length, c.Compress), scaleDur(every, c.Compress), scaleDur(review, c.Compress)
	}
	return length, every, review
}

// EnsureIDPReview opens the mentor's review task when the plan is due, due
// after the review window of the plan's template; the workflow expires the
// task on that due date.
func (a *Activities) EnsureIDPReview(ctx context.Context, idpID string) (*engine.TaskRef, error) {
	idp, err := a.Store.GetIDP(ctx, idpID)
	if err != nil {
		return nil, notFound(err)
	}
	c, tpl, err := a.cycle(ctx, idp.CycleID)
	if err != nil {
		return nil, err
	}
	// Only a cycle's IDP rule makes a plan; without one the window is a week.
	rule := &templates.IDPRule{}
	if tpl.Outcomes != nil && tpl.Outcomes.IDP != nil {
		rule = tpl.Outcomes.IDP
	}
	_, _, review := idpDurations(c, rule)
	body, _ := json.Marshal(engine.TaskPayload{StageKey: "idp:" + idpID, IDPID: idpID})
	subject := idp.MemberID
	t := &store.Task{
		OrgID: idp.OrgID, CycleID: idp.CycleID, WorkflowID: engine.IDPWorkflowID(idpID), StageKey: "idp:" + idpID, Kind: engine.TaskIDPReview,
		AssigneeID: idp.MentorID, SubjectID: &subject, Title: "IDP 结项评估", TitleEn: "Review the development plan",
		DueAt: time.Now().Add(review), Payload: string(body), DedupeKey: dedupe("idp-review", idpID),
	}
	return a.openTask(ctx, t)
}
