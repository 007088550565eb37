package store

func init() {
	register(Migration{Version: 5, Name: "feedback interviews: one per cycle and member, with its iCalendar sequence", SQL: `
CREATE TABLE feedback_interviews (
	id VARCHAR(40) NOT NULL PRIMARY KEY,
	org_id VARCHAR(40) NOT NULL,
	cycle_id VARCHAR(40) NOT NULL,
	member_id VARCHAR(40) NOT NULL,
	manager_id VARCHAR(40) NOT NULL,
	starts_at {{datetime}} NOT NULL,
	ends_at {{datetime}} NOT NULL,
	timezone VARCHAR(64) NOT NULL,
	state VARCHAR(20) NOT NULL,
	sequence INTEGER NOT NULL DEFAULT 0,
	ics {{text}} NOT NULL,
	changed_by VARCHAR(40) NOT NULL DEFAULT '',
	change_reason VARCHAR(500) NOT NULL DEFAULT '',
	created_at {{datetime}} NOT NULL,
	updated_at {{datetime}} NULL
) {{table}};
CREATE UNIQUE INDEX ux_feedback_interviews_member ON feedback_interviews (cycle_id, member_id);
CREATE INDEX ix_feedback_interviews_manager ON feedback_interviews (manager_id, starts_at);
CREATE INDEX ix_feedback_interviews_attendee ON feedback_interviews (member_id, starts_at)
`})
}
