package store

// Version 6 is taken by the blocked-cycle work on another branch; 7 keeps
// the two steps from colliding when they merge.
func init() {
	register(Migration{Version: 7, Name: "metric values: one per member, indicator and period (the latest of any duplicates is kept), and who recorded it", SQL: `
ALTER TABLE metric_values ADD COLUMN recorded_by VARCHAR(40) NOT NULL DEFAULT '';
DELETE FROM metric_values WHERE id IN (SELECT id FROM (
	SELECT a.id FROM metric_values a JOIN metric_values b
	ON a.member_id = b.member_id AND a.indicator_key = b.indicator_key AND a.period = b.period
	AND (a.recorded_at < b.recorded_at OR (a.recorded_at = b.recorded_at AND a.id < b.id))
) superseded);
CREATE UNIQUE INDEX ux_metric_values_one ON metric_values (member_id, indicator_key, period)
`})
}
