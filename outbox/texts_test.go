package outbox_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/perfloop/perfloop/outbox"
	"github.com/perfloop/perfloop/store"
)

// TestATaskReadsTheSameWhoeverRemindsOfIt: the engine's reminders and a
// lead's nudge word a task alike, in both languages, and call it overdue
// only once its deadline has passed.
func TestATaskReadsTheSameWhoeverRemindsOfIt(t *testing.T) {
	due := time.Date(2026, 11, 3, 10, 0, 0, 0, time.UTC)
	task := &store.Task{ID: "t1", OrgID: "o1", AssigneeID: "m1", Title: "自评", TitleEn: "Self-evaluation", DueAt: due}
	cases := []struct {
		name    string
		m       outbox.Message
		kind    string
		subject string
		overdue bool
	}{
		{"opened", outbox.TaskOpened(task), "task", "自评 / Self-evaluation", false},
		{"reminder", outbox.TaskReminder(task, false), "reminder", "提醒：自评 / Reminder: Self-evaluation", false},
		{"overdue reminder", outbox.TaskReminder(task, true), "reminder", "已逾期：自评 / Overdue: Self-evaluation", true},
		{"nudge before the deadline", outbox.TaskNudge(task, due.Add(-time.Hour)), "reminder", "请尽快完成：自评 / Please complete: Self-evaluation", false},
		{"nudge after it", outbox.TaskNudge(task, due.Add(time.Minute)), "reminder", "已逾期，请尽快完成：自评 / Overdue, please complete: Self-evaluation", true},
		{"escalation", outbox.TaskEscalation(task, "林涛"), "escalation", "升级：自评 已逾期 / Escalation: Self-evaluation is overdue", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			require.Equal(t, c.kind, c.m.Kind)
			require.Equal(t, c.subject, c.m.Subject)
			require.Equal(t, c.overdue, c.m.Event.Overdue)
			require.Equal(t, &task.DueAt, c.m.Event.Due)
			n := c.m.To("o1", "m9", "key")
			require.Equal(t, store.Notification{OrgID: "o1", RecipientID: "m9", Channel: store.ChannelInApp, Kind: c.kind, Subject: c.subject, Body: c.m.Body, DedupeKey: "key"}, *n)
		})
	}
	require.Equal(t, "截止 Due 2026-11-03 10:00 UTC", outbox.TaskReminder(task, false).Body)
	require.Equal(t, "task t1, assignee m1, due 2026-11-03 10:00 UTC", outbox.TaskEscalation(task, "林涛").Body)
	require.Equal(t, "林涛：自评", outbox.TaskEscalation(task, "林涛").Event.Title.Zh)
}
