package store

func init() {
	register(Migration{Version: 10, Name: "rater nominations: the raters a lead of the cycle names for a member's peer or cross-department group", SQL: `
CREATE TABLE rater_nominations (
	cycle_id VARCHAR(40) NOT NULL,
	member_id VARCHAR(40) NOT NULL,
	rater_key VARCHAR(64) NOT NULL,
	rater_id VARCHAR(40) NOT NULL,
	position INTEGER NOT NULL,
	nominated_by VARCHAR(40) NOT NULL,
	created_at {{datetime}} NOT NULL,
	PRIMARY KEY (cycle_id, member_id, rater_key, rater_id)
) {{table}}
`})
}
