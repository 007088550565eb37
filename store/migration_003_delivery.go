package store

func init() {
	register(Migration{Version: 3, Name: "delivery: channel configurations, delivery policies, notification send times, claims and batches", SQL: `
CREATE TABLE channel_configs (
	id VARCHAR(40) NOT NULL PRIMARY KEY,
	org_id VARCHAR(40) NOT NULL,
	team_id VARCHAR(40) NULL,
	scope_key VARCHAR(40) NOT NULL,
	channel VARCHAR(20) NOT NULL,
	url VARCHAR(1000) NOT NULL,
	secret_ref VARCHAR(300) NOT NULL,
	sender VARCHAR(300) NOT NULL,
	created_by VARCHAR(40) NOT NULL,
	created_at {{datetime}} NOT NULL,
	updated_at {{datetime}} NOT NULL
) {{table}};
CREATE UNIQUE INDEX ux_channel_configs_scope ON channel_configs (org_id, scope_key, channel);

CREATE TABLE delivery_policies (
	org_id VARCHAR(40) NOT NULL PRIMARY KEY,
	body {{text}} NOT NULL,
	updated_at {{datetime}} NOT NULL
) {{table}};

ALTER TABLE notifications ADD COLUMN not_before {{datetime}} NULL;
ALTER TABLE notifications ADD COLUMN claimed_at {{datetime}} NULL;
ALTER TABLE notifications ADD COLUMN batch_id VARCHAR(80) NULL;
ALTER TABLE notifications ADD COLUMN payload {{text}} NULL;
CREATE INDEX ix_notifications_due ON notifications (state, not_before);
CREATE INDEX ix_notifications_batch ON notifications (batch_id);
`})
}
