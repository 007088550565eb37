package outbox

import (
	"fmt"
	"strings"
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

// cycleTitle names a cycle in the events about it.
func cycleTitle(c *store.Cycle) notify.Text {
	return notify.Text{Zh: c.Title + "（" + c.Period + "）", En: c.Title + " (" + c.Period + ")"}
}

// StageNotice is a notify stage's message, as the template words it.
func StageNotice(zh, en string) Message {
	return Message{Kind: "notice", Subject: zh, Body: en, Event: notify.Event{Title: notify.Text{Zh: zh, En: en}}}
}

// CycleBlocked tells the people who can correct a cycle's data why it
// cannot go on, and how to resume it once they have.
func CycleBlocked(c *store.Cycle, reason string) Message {
	return Message{Kind: "cycle_blocked",
		Subject: "周期已暂停，需更正数据：" + c.Title + " / The cycle is blocked until its data is corrected: " + c.Title,
		Body:    "请更正数据后恢复周期。原因 Reason: " + reason + "\nCorrect the data, then resume the cycle (POST /api/v1/cycles/" + c.ID + "/resume).",
		Event:   notify.Event{Title: cycleTitle(c), Detail: notify.Text{Zh: "周期无法继续：" + reason, En: "The cycle cannot go on: " + reason}}}
}

// ResultsPublished tells a member their grade and score.
func ResultsPublished(c *store.Cycle, r *store.Result) Message {
	return Message{Kind: "results",
		Subject: fmt.Sprintf("绩效结果已发布：%s，得分 %.1f / Your results: grade %s, score %.1f", r.Grade, r.FinalScore, r.Grade, r.FinalScore),
		Event: notify.Event{Title: cycleTitle(c),
			Detail: notify.Text{Zh: fmt.Sprintf("等级 %s，得分 %.1f", r.Grade, r.FinalScore), En: fmt.Sprintf("Grade %s, score %.1f", r.Grade, r.FinalScore)}}}
}

// IDPCreated tells a member and their mentor a development plan was
// opened; why says which results triggered it.
func IDPCreated(c *store.Cycle, why notify.Text, due *time.Time) Message {
	return Message{Kind: "idp_created", Subject: "个人发展计划（IDP）已创建 / An individual development plan was created",
		Event: notify.Event{Title: cycleTitle(c), Detail: why, Due: due}}
}

// IDPCheckin asks a member and their mentor for a plan's nth check-in.
func IDPCheckin(n int, due *time.Time) Message {
	return Message{Kind: "idp_checkin", Subject: fmt.Sprintf("IDP 第 %d 次跟进 / IDP check-in %d", n, n),
		Event: notify.Event{Title: notify.Text{Zh: fmt.Sprintf("个人发展计划第 %d 次跟进", n), En: fmt.Sprintf("Development plan check-in %d", n)}, Due: due}}
}

// PlanApproved tells a member their plan was approved, with the
// approver's comment.
func PlanApproved(comment string) Message {
	return Message{Kind: "notice", Subject: "工作计划已批准 / Your plan was approved", Body: strings.TrimSpace(comment),
		Event: notify.Event{Title: notify.Text{Zh: "你的工作计划已获批准", En: "Your plan was approved"}, Detail: notify.Text{Zh: comment, En: comment}}}
}

// BehindPace tells a member an indicator is behind the pace the period
// needs: actual done, pace expected by now.
func BehindPace(indicator string, actual, pace float64) Message {
	return Message{Kind: "pace",
		Subject: fmt.Sprintf("进度落后：%s 已完成 %.0f，按进度应达 %.0f / Behind pace on %s: %.0f of %.0f expected by now", indicator, actual, pace, indicator, actual, pace),
		Event: notify.Event{Title: notify.Text{Zh: indicator, En: indicator},
			Detail: notify.Text{Zh: fmt.Sprintf("已完成 %.0f，按进度应达 %.0f", actual, pace), En: fmt.Sprintf("%.0f done, %.0f expected by now", actual, pace)}}}
}
