package store

func init() {
	register(Migration{Version: 1, Name: "organisation, tokens, templates, audit log", SQL: `
CREATE TABLE organizations (
	id VARCHAR(40) NOT NULL PRIMARY KEY,
	name VARCHAR(200) NOT NULL,
	timezone VARCHAR(64) NOT NULL,
	locale VARCHAR(16) NOT NULL,
	created_at {{datetime}} NOT NULL,
	updated_at {{datetime}} NOT NULL
) {{table}};

CREATE TABLE teams (
	id VARCHAR(40) NOT NULL PRIMARY KEY,
	org_id VARCHAR(40) NOT NULL,
	team_key VARCHAR(100) NOT NULL,
	name VARCHAR(200) NOT NULL,
	name_en VARCHAR(200) NOT NULL,
	parent_id VARCHAR(40) NULL,
	manager_id VARCHAR(40) NULL,
	version INTEGER NOT NULL,
	created_at {{datetime}} NOT NULL,
	updated_at {{datetime}} NOT NULL
) {{table}};
CREATE UNIQUE INDEX ux_teams_org_key ON teams (org_id, team_key);
CREATE INDEX ix_teams_parent ON teams (parent_id);

CREATE TABLE members (
	id VARCHAR(40) NOT NULL PRIMARY KEY,
	org_id VARCHAR(40) NOT NULL,
	team_id VARCHAR(40) NULL,
	name VARCHAR(200) NOT NULL,
	email VARCHAR(254) NOT NULL,
	role VARCHAR(20) NOT NULL,
	position VARCHAR(100) NOT NULL,
	level VARCHAR(40) NOT NULL,
	manager_id VARCHAR(40) NULL,
	timezone VARCHAR(64) NOT NULL,
	locale VARCHAR(16) NOT NULL,
	joined_on {{datetime}} NULL,
	active BOOLEAN NOT NULL,
	version INTEGER NOT NULL,
	created_at {{datetime}} NOT NULL,
	updated_at {{datetime}} NOT NULL
) {{table}};
CREATE UNIQUE INDEX ux_members_org_email ON members (org_id, email);
CREATE INDEX ix_members_team ON members (team_id);
CREATE INDEX ix_members_manager ON members (manager_id);

CREATE TABLE api_tokens (
	id VARCHAR(40) NOT NULL PRIMARY KEY,
	member_id VARCHAR(40) NOT NULL,
	name VARCHAR(100) NOT NULL,
	hash CHAR(64) NOT NULL,
	expires_at {{datetime}} NULL,
	revoked_at {{datetime}} NULL,
	last_used_at {{datetime}} NULL,
	created_at {{datetime}} NOT NULL
) {{table}};
CREATE UNIQUE INDEX ux_api_tokens_hash ON api_tokens (hash);
CREATE INDEX ix_api_tokens_member ON api_tokens (member_id);

CREATE TABLE template_versions (
	id VARCHAR(40) NOT NULL PRIMARY KEY,
	template_key VARCHAR(100) NOT NULL,
	version INTEGER NOT NULL,
	status VARCHAR(20) NOT NULL,
	name VARCHAR(200) NOT NULL,
	name_en VARCHAR(200) NOT NULL,
	body {{text}} NOT NULL,
	checksum CHAR(64) NOT NULL,
	created_by VARCHAR(40) NOT NULL,
	created_at {{datetime}} NOT NULL,
	updated_at {{datetime}} NOT NULL,
	published_at {{datetime}} NULL,
	retired_at {{datetime}} NULL
) {{table}};
CREATE UNIQUE INDEX ux_template_versions_key_version ON template_versions (template_key, version);
CREATE INDEX ix_template_versions_status ON template_versions (status);

CREATE TABLE audit_log (
	id VARCHAR(40) NOT NULL PRIMARY KEY,
	at {{datetime}} NOT NULL,
	actor_id VARCHAR(40) NOT NULL,
	action VARCHAR(60) NOT NULL,
	entity VARCHAR(40) NOT NULL,
	entity_id VARCHAR(100) NOT NULL,
	detail {{text}} NOT NULL
) {{table}};
CREATE INDEX ix_audit_log_entity ON audit_log (entity, entity_id);
CREATE INDEX ix_audit_log_at ON audit_log (at)
`})
}
