package store

func init() {
	register(Migration{Version: 11, Name: "indexes for the questions asked by state across cycles: open and overdue tasks (gauges, reminders), deliveries by state", SQL: `
CREATE INDEX ix_tasks_state_due ON tasks (state, due_at);
CREATE INDEX ix_notifications_state ON notifications (state)
`})
}
