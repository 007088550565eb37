package store

import "fmt"

// On SQLite each member's values of a period are also kept packed in one
// row of metric_packs (see packedMetricValue for the text), kept by
// triggers on metric_values, so every write, whichever path it takes,
// keeps the two in step inside its own transaction. Scoring then reads
// one short row per member instead of grouping twelve per member on every
// read (ADR 0008). MySQL reads its rows as they are and has no such table.
func init() {
	register(Migration{Version: 13, Name: "metric values packed per member and period on SQLite, kept by triggers", Only: SQLite, Statements: []string{
		`CREATE TABLE metric_packs (
	org_id VARCHAR(40) NOT NULL,
	period VARCHAR(16) NOT NULL,
	member_id VARCHAR(40) NOT NULL,
	packed TEXT NOT NULL,
	PRIMARY KEY (org_id, period, member_id)
) WITHOUT ROWID`,
		// A new value joins the end of its member's pack.
		`CREATE TRIGGER metric_packs_insert AFTER INSERT ON metric_values BEGIN
	INSERT INTO metric_packs (org_id, period, member_id, packed)
	VALUES (NEW.org_id, NEW.period, NEW.member_id, ` + packedMetricValue("NEW.") + `)
	ON CONFLICT (org_id, period, member_id) DO UPDATE SET packed = packed || ';' || excluded.packed;
END`,
		// A changed or removed value repacks the member's values it left and
		// those it joined (the same ones, unless its member, period or
		// organisation changed).
		`CREATE TRIGGER metric_packs_update AFTER UPDATE OF org_id, period, member_id, indicator_key, source, value ON metric_values BEGIN
	` + repackMetricValues("OLD.") + `
	` + repackMetricValues("NEW.") + `
END`,
		`CREATE TRIGGER metric_packs_delete AFTER DELETE ON metric_values BEGIN
	` + repackMetricValues("OLD.") + `
END`,
		// The values recorded before this step.
		`INSERT INTO metric_packs (org_id, period, member_id, packed)
SELECT org_id, period, member_id, group_concat(` + packedMetricValue("") + `, ';')
FROM metric_values GROUP BY org_id, period, member_id`,
	}})
}

// packedMetricValue is one value as a pack holds it,
// "<bytes>:<indicator key><bytes>:<source><value>", of the row named by
// prefix ("NEW." in a trigger, "" in a query). Keys and sources carry
// their length, so any character in them reads back as written; SQLite
// prints a value with as many digits as it takes to read back the same
// float64 (TestEachMetricValueReadsEveryValueBitForBit holds it to that).
// A pack joins its values with ";".
func packedMetricValue(prefix string) string {
	return fmt.Sprintf("octet_length(%[1]sindicator_key) || ':' || %[1]sindicator_key || octet_length(%[1]ssource) || ':' || %[1]ssource || %[1]svalue", prefix)
}

// repackMetricValues is the two statements of a trigger that rebuild the
// pack of the member, period and organisation of the row named by prefix
// from metric_values (none when no value is left).
func repackMetricValues(prefix string) string {
	where := fmt.Sprintf("org_id = %[1]sorg_id AND period = %[1]speriod AND member_id = %[1]smember_id", prefix)
	return fmt.Sprintf(`DELETE FROM metric_packs WHERE %[1]s;
	INSERT INTO metric_packs (org_id, period, member_id, packed)
	SELECT org_id, period, member_id, group_concat(%[2]s, ';') FROM metric_values
	WHERE %[1]s GROUP BY org_id, period, member_id;`, where, packedMetricValue(""))
}
