package cycles

import (
	"context"
	"time"

	"github.com/perfloop/perfloop/engine"
	"github.com/perfloop/perfloop/outbox"
	"github.com/perfloop/perfloop/store"
	"github.com/perfloop/perfloop/templates"
)

// RemindRequest asks to remind people of a cycle's tasks now.
type RemindRequest struct {
	Cycle *store.Cycle
	// MemberID, when set, reminds that member of each of their open tasks,
	// overdue or not (the dashboard's nudge); empty reminds everyone with
	// an overdue task.
	MemberID string
	Now      time.Time
}

// Reminded counts what RemindNow did.
type Reminded struct {
	Overdue  int // tasks reached that are past their deadline
	Reminded int // in-app reminders newly written
	// Deliveries counts the e-mail, chat and webhook messages newly owed.
	Deliveries int
}

// RemindNow reminds the assignees of a cycle's tasks the way the engine's
// reminders do: in-app, and on the channels the template routes the task's
// stage to (else the organisation's policy, else every configured
// channel), outside quiet hours. The dedupe key holds the day, so asking
// twice in a day sends one reminder. It needs only the store: a server
// without the engine reminds too, and the deliveries owed are sent at the
// sender's next round unless the caller wakes it (Service.WakeDelivery).
func RemindNow(ctx context.Context, st *store.Store, r RemindRequest) (Reminded, error) {
	tasks, err := remindable(ctx, st, r)
	if err != nil {
		return Reminded{}, err
	}
	// The template is frozen at launch and was valid then; a body that no
	// longer parses routes by the organisation's policy instead.
	tpl, _ := templates.Parse([]byte(r.Cycle.TemplateBody))
	ob := outbox.Outbox{Store: st}
	day := r.Now.UTC().Format("2006-01-02")
	var res Reminded
	for i := range tasks {
		t := &tasks[i]
		if t.DueAt.Before(r.Now) {
			res.Overdue++
		}
		m := outbox.TaskNudge(t, r.Now)
		created, owed, err := ob.Notify(ctx, m.To(t.OrgID, t.AssigneeID, "remind-now:"+t.ID+":"+day), m.Event, outbox.RouteOf(tpl, t.StageKey))
		if err != nil {
			return res, err
		}
		if created {
			res.Reminded++
		}
		res.Deliveries += len(owed)
	}
	return res, nil
}

// remindable is what RemindNow reaches: every overdue task of the cycle,
// or the named member's open tasks whether overdue or not, so a manager
// can nudge someone who is pending before they are late.
func remindable(ctx context.Context, st *store.Store, r RemindRequest) ([]store.Task, error) {
	if r.MemberID == "" {
		return st.ListOverdue(ctx, r.Cycle.ID, r.Now)
	}
	ts, _, err := st.ListTasks(ctx, r.Cycle.OrgID, store.TaskFilter{CycleID: r.Cycle.ID, State: engine.TaskOpen, AssigneeID: r.MemberID}, store.Page{Limit: store.MaxLimit})
	return ts, err
}
