package store

func init() {
	register(Migration{Version: 9, Name: "cycles: why a cycle is blocked (scoring that cannot compute until its data is corrected)", SQL: `
ALTER TABLE cycles ADD COLUMN blocked_reason VARCHAR(2000) NOT NULL DEFAULT ''
`})
}
