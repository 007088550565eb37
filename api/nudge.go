package api

import (
	"context"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/perfloop/perfloop/engine"
	"github.com/perfloop/perfloop/store"
)

// remindable is what Remind now reaches: every overdue task of the cycle,
// or, with ?memberId=, that member's open tasks whether overdue or not, so
// a manager can nudge someone who is pending before they are late.
func (s *Server) remindable(ctx context.Context, c *gin.Context, cy *store.Cycle, now time.Time) ([]store.Task, error) {
	member := c.Query("memberId")
	if member == "" {
		return s.store.ListOverdue(ctx, cy.ID, now)
	}
	ts, _, err := s.store.ListTasks(ctx, caller(c).OrgID, store.TaskFilter{CycleID: cy.ID, State: engine.TaskOpen, AssigneeID: member}, store.Page{Limit: store.MaxLimit})
	return ts, err
}

// reminderSubject says whether the task is late: a nudge before the
// deadline must not call it overdue.
func reminderSubject(t store.Task, now time.Time) string {
	if t.DueAt.Before(now) {
		return "已逾期，请尽快完成：" + t.Title + " / Overdue, please complete: " + t.TitleEn
	}
	return "请尽快完成：" + t.Title + " / Please complete: " + t.TitleEn
}
