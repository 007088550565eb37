package outbox

import (
	"fmt"
	"time"

	"github.com/perfloop/perfloop/notify"
	"github.com/perfloop/perfloop/store"
)

// Message is what Perfloop tells someone, in Chinese and English: the
// in-app notification's kind, subject and body, and the Event external
// channels render. The texts are built here alone, so a reminder reads
// the same whether the engine or a lead's "remind now" sends it.
type Message struct {
	Kind    string
	Subject string
	Body    string
	Event   notify.Event
}

// To is m's in-app notification to recipient, keyed by dedupeKey.
func (m Message) To(orgID, recipient, dedupeKey string) *store.Notification {
	return &store.Notification{OrgID: orgID, RecipientID: recipient, Channel: store.ChannelInApp, Kind: m.Kind,
		Subject: m.Subject, Body: m.Body, DedupeKey: dedupeKey}
}

// dueLine is a task's deadline as its notifications' bodies state it.
func dueLine(t *store.Task) string {
	return fmt.Sprintf("截止 Due %s", t.DueAt.UTC().Format("2006-01-02 15:04 MST"))
}

// TaskOpened tells the assignee of a new task.
func TaskOpened(t *store.Task) Message {
	return Message{Kind: "task", Subject: t.Title + " / " + t.TitleEn, Body: dueLine(t),
		Event: notify.Event{Title: notify.Text{Zh: t.Title, En: t.TitleEn}, Due: &t.DueAt}}
}

// TaskReminder is the engine's reminder of an open task, before its
// deadline or, when overdue, after it.
func TaskReminder(t *store.Task, overdue bool) Message {
	zh, en := "提醒：", "Reminder: "
	if overdue {
		zh, en = "已逾期：", "Overdue: "
	}
	return Message{Kind: "reminder", Subject: zh + t.Title + " / " + en + t.TitleEn, Body: dueLine(t),
		Event: notify.Event{Title: notify.Text{Zh: t.Title, En: t.TitleEn}, Due: &t.DueAt, Overdue: overdue}}
}

// TaskNudge is a lead's "remind now" of an open task: it says the task is
// late only when it is, so a nudge before the deadline does not call it
// overdue.
func TaskNudge(t *store.Task, now time.Time) Message {
	overdue := t.DueAt.Before(now)
	subject := "请尽快完成：" + t.Title + " / Please complete: " + t.TitleEn
	if overdue {
		subject = "已逾期，请尽快完成：" + t.Title + " / Overdue, please complete: " + t.TitleEn
	}
	return Message{Kind: "reminder", Subject: subject, Body: dueLine(t),
		Event: notify.Event{Title: notify.Text{Zh: t.Title, En: t.TitleEn}, Due: &t.DueAt, Overdue: overdue}}
}

// TaskEscalation tells someone a task is overdue; who names its assignee.
func TaskEscalation(t *store.Task, who string) Message {
	return Message{Kind: "escalation",
		Subject: "升级：" + t.Title + " 已逾期 / Escalation: " + t.TitleEn + " is overdue",
		Body:    fmt.Sprintf("task %s, assignee %s, due %s", t.ID, t.AssigneeID, t.DueAt.UTC().Format("2006-01-02 15:04 MST")),
		Event:   notify.Event{Title: notify.Text{Zh: who + "：" + t.Title, En: who + ": " + t.TitleEn}, Due: &t.DueAt, Overdue: true}}
}
