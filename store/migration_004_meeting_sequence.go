package store

func init() {
	register(Migration{Version: 4, Name: "calibration meetings: iCalendar sequence, last change and its reason", SQL: `
ALTER TABLE calibration_meetings ADD COLUMN sequence INTEGER NOT NULL DEFAULT 0;
ALTER TABLE calibration_meetings ADD COLUMN updated_at {{datetime}} NULL;
ALTER TABLE calibration_meetings ADD COLUMN changed_by VARCHAR(40) NOT NULL DEFAULT '';
ALTER TABLE calibration_meetings ADD COLUMN change_reason VARCHAR(500) NOT NULL DEFAULT ''
`})
}
