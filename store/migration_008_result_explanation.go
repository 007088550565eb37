package store

func init() {
	register(Migration{Version: 8, Name: "results: missing data with its policy, the score's explanation, and why a policy withholds it", SQL: `
ALTER TABLE results ADD COLUMN missing {{text}} NULL;
ALTER TABLE results ADD COLUMN explanation {{text}} NULL;
ALTER TABLE results ADD COLUMN blocked VARCHAR(2000) NOT NULL DEFAULT ''
`})
}
