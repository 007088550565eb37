package store

func init() {
	register(Migration{Version: 2, Name: "cycles, tasks, targets, metrics, evaluations, results, calibration, IDPs, notifications", SQL: `
CREATE TABLE cycles (
	id VARCHAR(40) NOT NULL PRIMARY KEY,
	org_id VARCHAR(40) NOT NULL,
	template_key VARCHAR(100) NOT NULL,
	template_version INTEGER NOT NULL,
	template_body {{text}} NOT NULL,
	scope_team_id VARCHAR(40) NOT NULL,
	period VARCHAR(16) NOT NULL,
	period_start {{datetime}} NOT NULL,
	period_end {{datetime}} NOT NULL,
	timezone VARCHAR(64) NOT NULL,
	title VARCHAR(300) NOT NULL,
	state VARCHAR(20) NOT NULL,
	current_stage VARCHAR(100) NOT NULL,
	workflow_id VARCHAR(100) NOT NULL,
	launched_by VARCHAR(40) NOT NULL,
	idempotency_key VARCHAR(200) NULL,
	cancel_reason VARCHAR(1000) NOT NULL,
	compress DOUBLE NOT NULL,
	generation INTEGER NOT NULL,
	started_at {{datetime}} NULL,
	finished_at {{datetime}} NULL,
	version INTEGER NOT NULL,
	created_at {{datetime}} NOT NULL,
	updated_at {{datetime}} NOT NULL
) {{table}};
CREATE UNIQUE INDEX ux_cycles_scope_period ON cycles (org_id, template_key, scope_team_id, period, generation);
CREATE UNIQUE INDEX ux_cycles_idempotency ON cycles (org_id, idempotency_key);
CREATE INDEX ix_cycles_state ON cycles (org_id, state);

CREATE TABLE cycle_members (
	cycle_id VARCHAR(40) NOT NULL,
	member_id VARCHAR(40) NOT NULL,
	team_id VARCHAR(40) NULL,
	manager_id VARCHAR(40) NULL,
	level VARCHAR(40) NOT NULL,
	joined_on {{datetime}} NULL,
	PRIMARY KEY (cycle_id, member_id)
) {{table}};
CREATE INDEX ix_cycle_members_member ON cycle_members (member_id);

CREATE TABLE targets (
	id VARCHAR(40) NOT NULL PRIMARY KEY,
	cycle_id VARCHAR(40) NOT NULL,
	member_id VARCHAR(40) NULL,
	member_key VARCHAR(40) NOT NULL,
	indicator_key VARCHAR(64) NOT NULL,
	period VARCHAR(16) NOT NULL,
	value DOUBLE NOT NULL,
	unit VARCHAR(20) NOT NULL,
	method VARCHAR(20) NOT NULL,
	pro_rata DOUBLE NOT NULL,
	source VARCHAR(20) NOT NULL,
	objective VARCHAR(500) NOT NULL,
	version INTEGER NOT NULL,
	created_at {{datetime}} NOT NULL,
	updated_at {{datetime}} NOT NULL
) {{table}};
CREATE UNIQUE INDEX ux_targets_cycle_member_indicator ON targets (cycle_id, member_key, indicator_key);

CREATE TABLE metric_batches (
	id VARCHAR(40) NOT NULL PRIMARY KEY,
	org_id VARCHAR(40) NOT NULL,
	checksum CHAR(64) NOT NULL,
	file_name VARCHAR(300) NOT NULL,
	row_count INTEGER NOT NULL,
	created_by VARCHAR(40) NOT NULL,
	created_at {{datetime}} NOT NULL
) {{table}};
CREATE UNIQUE INDEX ux_metric_batches_checksum ON metric_batches (org_id, checksum);

CREATE TABLE metric_values (
	id VARCHAR(40) NOT NULL PRIMARY KEY,
	org_id VARCHAR(40) NOT NULL,
	member_id VARCHAR(40) NOT NULL,
	indicator_key VARCHAR(64) NOT NULL,
	period VARCHAR(16) NOT NULL,
	value DOUBLE NOT NULL,
	source VARCHAR(64) NOT NULL,
	batch_id VARCHAR(40) NOT NULL,
	recorded_at {{datetime}} NOT NULL
) {{table}};
CREATE UNIQUE INDEX ux_metric_values_key ON metric_values (member_id, indicator_key, period, source);
CREATE INDEX ix_metric_values_period ON metric_values (org_id, period);

CREATE TABLE tasks (
	id VARCHAR(40) NOT NULL PRIMARY KEY,
	org_id VARCHAR(40) NOT NULL,
	cycle_id VARCHAR(40) NOT NULL,
	workflow_id VARCHAR(200) NOT NULL,
	stage_key VARCHAR(100) NOT NULL,
	kind VARCHAR(30) NOT NULL,
	assignee_id VARCHAR(40) NOT NULL,
	subject_id VARCHAR(40) NULL,
	title VARCHAR(300) NOT NULL,
	title_en VARCHAR(300) NOT NULL,
	due_at {{datetime}} NOT NULL,
	state VARCHAR(20) NOT NULL,
	payload {{text}} NOT NULL,
	submission {{text}} NULL,
	submitted_at {{datetime}} NULL,
	submitted_by VARCHAR(40) NULL,
	reminders_sent INTEGER NOT NULL,
	escalated_at {{datetime}} NULL,
	dedupe_key VARCHAR(250) NOT NULL,
	version INTEGER NOT NULL,
	created_at {{datetime}} NOT NULL,
	updated_at {{datetime}} NOT NULL
) {{table}};
CREATE UNIQUE INDEX ux_tasks_dedupe ON tasks (dedupe_key);
CREATE INDEX ix_tasks_assignee ON tasks (assignee_id, state, due_at);
CREATE INDEX ix_tasks_cycle_stage ON tasks (cycle_id, stage_key, subject_id);

CREATE TABLE evaluations (
	id VARCHAR(40) NOT NULL PRIMARY KEY,
	cycle_id VARCHAR(40) NOT NULL,
	task_id VARCHAR(40) NOT NULL,
	rater_id VARCHAR(40) NOT NULL,
	rater_role VARCHAR(30) NOT NULL,
	rater_key VARCHAR(64) NOT NULL,
	ratee_id VARCHAR(40) NOT NULL,
	scores {{text}} NOT NULL,
	comment {{text}} NOT NULL,
	anonymous BOOLEAN NOT NULL,
	submitted_at {{datetime}} NOT NULL
) {{table}};
CREATE UNIQUE INDEX ux_evaluations_task ON evaluations (task_id);
CREATE INDEX ix_evaluations_ratee ON evaluations (cycle_id, ratee_id);

CREATE TABLE results (
	id VARCHAR(40) NOT NULL PRIMARY KEY,
	cycle_id VARCHAR(40) NOT NULL,
	member_id VARCHAR(40) NOT NULL,
	indicator_scores {{text}} NOT NULL,
	parts {{text}} NOT NULL,
	adjustments {{text}} NOT NULL,
	final_score DOUBLE NOT NULL,
	proposed_grade VARCHAR(16) NOT NULL,
	grade VARCHAR(16) NOT NULL,
	rank_in_scope INTEGER NOT NULL,
	percentile DOUBLE NOT NULL,
	bonus_amount DOUBLE NOT NULL,
	bonus_currency VARCHAR(3) NOT NULL,
	promotion BOOLEAN NOT NULL,
	acknowledged_at {{datetime}} NULL,
	appeal {{text}} NULL,
	state VARCHAR(20) NOT NULL,
	version INTEGER NOT NULL,
	created_at {{datetime}} NOT NULL,
	updated_at {{datetime}} NOT NULL
) {{table}};
CREATE UNIQUE INDEX ux_results_cycle_member ON results (cycle_id, member_id);
CREATE INDEX ix_results_member ON results (member_id);

CREATE TABLE calibration_meetings (
	id VARCHAR(40) NOT NULL PRIMARY KEY,
	org_id VARCHAR(40) NOT NULL,
	cycle_id VARCHAR(40) NOT NULL,
	starts_at {{datetime}} NOT NULL,
	ends_at {{datetime}} NOT NULL,
	timezone VARCHAR(64) NOT NULL,
	facilitator_id VARCHAR(40) NOT NULL,
	participants {{text}} NOT NULL,
	agenda {{text}} NOT NULL,
	ics {{text}} NOT NULL,
	state VARCHAR(20) NOT NULL,
	created_at {{datetime}} NOT NULL
) {{table}};
CREATE UNIQUE INDEX ux_calibration_meetings_cycle ON calibration_meetings (cycle_id);
CREATE INDEX ix_calibration_meetings_time ON calibration_meetings (starts_at);

CREATE TABLE calibration_changes (
	id VARCHAR(40) NOT NULL PRIMARY KEY,
	cycle_id VARCHAR(40) NOT NULL,
	member_id VARCHAR(40) NOT NULL,
	from_grade VARCHAR(16) NOT NULL,
	to_grade VARCHAR(16) NOT NULL,
	reason VARCHAR(2000) NOT NULL,
	changed_by VARCHAR(40) NOT NULL,
	submission_id VARCHAR(100) NOT NULL,
	created_at {{datetime}} NOT NULL
) {{table}};
CREATE INDEX ix_calibration_changes_cycle ON calibration_changes (cycle_id);
CREATE INDEX ix_calibration_changes_submission ON calibration_changes (cycle_id, submission_id);

CREATE TABLE idps (
	id VARCHAR(40) NOT NULL PRIMARY KEY,
	org_id VARCHAR(40) NOT NULL,
	member_id VARCHAR(40) NOT NULL,
	cycle_id VARCHAR(40) NOT NULL,
	trigger_periods {{text}} NOT NULL,
	items {{text}} NOT NULL,
	mentor_id VARCHAR(40) NOT NULL,
	due_at {{datetime}} NOT NULL,
	checkin_every_days INTEGER NOT NULL,
	state VARCHAR(20) NOT NULL,
	dedupe_key VARCHAR(250) NOT NULL,
	created_at {{datetime}} NOT NULL,
	updated_at {{datetime}} NOT NULL
) {{table}};
CREATE UNIQUE INDEX ux_idps_dedupe ON idps (dedupe_key);
CREATE INDEX ix_idps_member ON idps (member_id);

CREATE TABLE idp_checkins (
	id VARCHAR(40) NOT NULL PRIMARY KEY,
	idp_id VARCHAR(40) NOT NULL,
	at {{datetime}} NOT NULL,
	note {{text}} NOT NULL,
	by_id VARCHAR(40) NOT NULL
) {{table}};
CREATE INDEX ix_idp_checkins_idp ON idp_checkins (idp_id);

CREATE TABLE notifications (
	id VARCHAR(40) NOT NULL PRIMARY KEY,
	org_id VARCHAR(40) NOT NULL,
	recipient_id VARCHAR(40) NOT NULL,
	channel VARCHAR(20) NOT NULL,
	kind VARCHAR(30) NOT NULL,
	subject VARCHAR(500) NOT NULL,
	body {{text}} NOT NULL,
	dedupe_key VARCHAR(250) NOT NULL,
	state VARCHAR(20) NOT NULL,
	attempts INTEGER NOT NULL,
	last_error VARCHAR(1000) NOT NULL,
	sent_at {{datetime}} NULL,
	read_at {{datetime}} NULL,
	created_at {{datetime}} NOT NULL
) {{table}};
CREATE UNIQUE INDEX ux_notifications_dedupe ON notifications (dedupe_key);
CREATE INDEX ix_notifications_recipient ON notifications (recipient_id, read_at);
`})
}
