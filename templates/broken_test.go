package templates_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/perfloop/perfloop/templates"
)

// base returns builtin/<name>.json as a mutable JSON tree.
func base(t testing.TB, name string) map[string]any {
	t.Helper()
	files, err := templates.BuiltinFiles()
	require.NoError(t, err)
	for _, f := range files {
		if f.Name == "builtin/"+name+".json" {
			var m map[string]any
			require.NoError(t, json.Unmarshal(f.Data, &m))
			return m
		}
	}
	t.Fatalf("no built-in %s", name)
	return nil
}

// at walks a JSON tree by member names and indexes.
func at(m map[string]any, path ...any) any {
	var cur any = m
	for _, p := range path {
		switch k := p.(type) {
		case string:
			cur = cur.(map[string]any)[k]
		case int:
			cur = cur.([]any)[k]
		}
	}
	return cur
}

func obj(m map[string]any, path ...any) map[string]any { return at(m, path...).(map[string]any) }

// push appends item to the list at path.
func push(m map[string]any, item any, path ...any) {
	parent := obj(m, path[:len(path)-1]...)
	key := path[len(path)-1].(string)
	list, _ := parent[key].([]any)
	parent[key] = append(list, item)
}

func text(zh string) map[string]any { return map[string]any{"zh": zh} }

// reviewTask is a valid task stage, for cases that break one of its parts.
func reviewTask() map[string]any {
	return map[string]any{
		"key": "review", "type": "task", "name": text("复盘"), "duration": "P2D", "assignee": "employee",
		"form": []any{map[string]any{"key": "notes", "type": "textarea", "label": text("复盘")}},
	}
}

const (
	csOpsFile     = "cs-ops-monthly"
	communityFile = "community-monthly"
)

type want struct{ path, message string }

type brokenCase struct {
	name   string // what is wrong, as the admin would say it
	from   string // the built-in the case starts from
	raw    string // when set, parsed as is instead of a mutated built-in
	mutate func(m map[string]any)
	want   []want // in the order Parse reports them: by path, then message
}

var brokenCases = []brokenCase{
	// Not a template at all.
	{name: "JSON that stops early says the line and column", raw: "{\n  \"key\": \"x\",\n  \"name\": {\"zh\": \"坏\"\n}",
		want: []want{{"", "not valid JSON: unexpected end of JSON input at line 4, column 2"}}},
	{name: "a trailing comma says the line and column", raw: "{\n  \"key\": \"x\",\n}",
		want: []want{{"", "not valid JSON: invalid character '}' looking for beginning of object key string at line 3, column 1"}}},
	{name: "an array is not a template", raw: `[1, 2]`,
		want: []want{{"", "a template must be a JSON object"}}},
	{name: "a string is not a template", raw: `"cs-ops-monthly"`,
		want: []want{{"", "a template must be a JSON object"}}},
	{name: "an empty object lists every required field", raw: `{}`,
		want: []want{{"/grades", "is required"}, {"/indicators", "is required"}, {"/key", "is required"}, {"/name", "is required"}, {"/period", "is required"}, {"/stages", "is required"}, {"/timezone", "is required"}}},

	// Schema failures.
	{name: "a missing key is required", from: csOpsFile,
		mutate: func(m map[string]any) { delete(m, "key") },
		want:   []want{{"/key", "is required"}}},
	{name: "a missing indicator name is required", from: csOpsFile,
		mutate: func(m map[string]any) { delete(obj(m, "indicators", 3), "name") },
		want:   []want{{"/indicators/3/name", "is required"}}},
	{name: "an unknown top-level field lists the allowed ones", from: csOpsFile,
		mutate: func(m map[string]any) { m["colour"] = "red" },
		want:   []want{{"/colour", "is not a template field; check the spelling (allowed: $schema, adjustments, breakdown, channels, description, distribution, formula, grades, indicators, key, levelWeights, name, outcomes, period, raterMix, raters, recurrence, signals, stages, timezone, version)"}}},
	{name: "a misspelt indicator field lists the indicator's fields", from: csOpsFile,
		mutate: func(m map[string]any) { obj(m, "indicators", 0)["wieght"] = 5 },
		want:   []want{{"/indicators/0/wieght", "(allowed: baseline, category, direction, key, kind, missing, name, scoring, source, stretch, unit, weight)"}}},
	{name: "a weight written as text has the wrong type", from: csOpsFile,
		mutate: func(m map[string]any) { obj(m, "indicators", 1)["weight"] = "20" },
		want:   []want{{"/indicators/1/weight", "expected a number, got a string"}}},
	{name: "stages written as text have the wrong type", from: csOpsFile,
		mutate: func(m map[string]any) { m["stages"] = "execute, evaluate" },
		want:   []want{{"/stages", "expected an array, got a string"}}},
	{name: "a weekly period is not one of the choices", from: csOpsFile,
		mutate: func(m map[string]any) { m["period"] = "weekly" },
		want:   []want{{"/period", "must be one of: monthly, quarterly, annual"}}},
	{name: "a template key with spaces breaks the key pattern", from: csOpsFile,
		mutate: func(m map[string]any) { m["key"] = "CS Ops" },
		want:   []want{{"/key", "use 2–64 lower-case letters, digits and '-', starting with a letter, such as community-monthly"}}},
	{name: "an indicator key in Chinese breaks the identifier pattern", from: csOpsFile,
		mutate: func(m map[string]any) { obj(m, "indicators", 0)["key"] = "客户满意度" },
		want:   []want{{"/indicators/0/key", "such as fanGrowth, so expressions can name it"}}},
	{name: "a grade key with a space breaks the grade pattern", from: csOpsFile,
		mutate: func(m map[string]any) { obj(m, "grades", 0)["key"] = "S plus" },
		want: []want{
			{"/distribution/0/grades/0", "unknown grade; known: S plus, A, B, C"},
			{"/grades/0/key", "use a short label such as S, A, B+ or C"},
			{"/outcomes/bonus/tiers/0/grades/0", "unknown grade; known: S plus, A, B, C"},
		}},
	{name: "a lower-case currency breaks the currency pattern", from: csOpsFile,
		mutate: func(m map[string]any) { obj(m, "outcomes", "bonus")["currency"] = "rmb" },
		want:   []want{{"/outcomes/bonus/currency", "use an ISO 4217 currency code such as CNY or USD"}}},
	{name: "a workday start without a leading zero breaks the time pattern", from: csOpsFile,
		mutate: func(m map[string]any) { obj(m, "stages", 2, "meeting")["workdayStart"] = "9:00" },
		want:   []want{{"/stages/2/meeting/workdayStart", "use a 24-hour time such as 09:00"}}},
	{name: "no stages is too few items", from: csOpsFile,
		mutate: func(m map[string]any) { m["stages"] = []any{} },
		want:   []want{{"/stages", "needs at least 1 item(s)"}}},
	{name: "one grade is too few items", from: csOpsFile,
		mutate: func(m map[string]any) {
			m["grades"] = []any{map[string]any{"key": "P", "name": text("通过"), "min": 0, "max": 100}}
			m["distribution"] = []any{}
			delete(obj(m, "outcomes"), "bonus")
		},
		want: []want{{"/grades", "needs at least 2 item(s)"}}},
	{name: "a weight over 100 is out of range and breaks the total", from: csOpsFile,
		mutate: func(m map[string]any) { obj(m, "indicators", 0)["weight"] = 130 },
		want:   []want{{"/indicators", "indicator weights total 200; they must total 100 (remove 100)"}, {"/indicators/0/weight", "must be at most 100"}}},
	{name: "a pace tolerance over 100 percent is out of range", from: csOpsFile,
		mutate: func(m map[string]any) { obj(m, "stages", 0, "monitor")["tolerance"] = 150 },
		want:   []want{{"/stages/0/monitor/tolerance", "must be at most 100"}}},
	{name: "an empty Chinese name is refused", from: csOpsFile,
		mutate: func(m map[string]any) { obj(m, "name")["zh"] = "" },
		want:   []want{{"/name/zh", "must not be empty"}}},
	{name: "a number too large for a target is refused", from: communityFile,
		mutate: func(m map[string]any) { obj(m, "breakdown", "targets", 0)["value"] = json.Number("1e400") },
		want:   []want{{"/breakdown/targets/0/value", "is too large a number to use"}}},
	{name: "a field written twice in one object is reported", raw: writtenTwice(csOpsFile, `"weight": 30,`),
		want: []want{{"/indicators/0/weight", "is written twice in the same object; JSON keeps only the last one, so delete the other"}}},
	{name: "an unknown time zone is refused", from: csOpsFile,
		mutate: func(m map[string]any) { m["timezone"] = "China/Beijing" },
		want:   []want{{"/timezone", "unknown time zone; use an IANA name such as Asia/Shanghai or Europe/Berlin"}}},

	// Weights.
	{name: "indicator weights short of 100 say how much to add", from: csOpsFile,
		mutate: func(m map[string]any) { obj(m, "indicators", 0)["weight"] = 25 },
		want:   []want{{"/indicators", "indicator weights total 95; they must total 100 (add 5)"}}},
	{name: "a level's weights over 100 say how much to remove", from: csOpsFile,
		mutate: func(m map[string]any) {
			m["levelWeights"] = map[string]any{"senior": map[string]any{"satisfaction": 30, "responseTime": 25, "retention": 20, "oneOnOneRating": 10, "collaboration": 10, "serviceAttitude": 10}}
		},
		want: []want{{"/levelWeights/senior", "weights for level senior total 105; they must total 100 (remove 5)"}}},
	{name: "rater weights short of 100 say how much to add", from: csOpsFile,
		mutate: func(m map[string]any) { obj(m, "raters", 1)["weight"] = 50 },
		want:   []want{{"/raters", "rater weights total 90; they must total 100 (add 10)"}}},

	// Duplicate keys.
	{name: "two indicators with one key", from: csOpsFile,
		mutate: func(m map[string]any) { obj(m, "indicators", 1)["key"] = "satisfaction" },
		want:   []want{{"/indicators/1/key", "duplicate indicator key; each indicator needs its own"}}},
	{name: "two raters with one key", from: csOpsFile,
		mutate: func(m map[string]any) { obj(m, "raters", 2)["key"] = "manager" },
		want: []want{
			{"/formula", "unknown name customer (1:40); known: behaviour, manager, metric.X, quantitative, score.X, self, target.X, total"},
			{"/raters/2/key", "duplicate rater key"},
		}},
	{name: "two stages with one key", from: csOpsFile,
		mutate: func(m map[string]any) { obj(m, "stages", 4)["key"] = "execute" },
		want:   []want{{"/stages/4/key", "duplicate stage key"}}},
	{name: "two grades with one key", from: csOpsFile,
		mutate: func(m map[string]any) { obj(m, "grades", 1)["key"] = "S" },
		want:   []want{{"/grades/1/key", "duplicate grade key"}, {"/outcomes/bonus/tiers/1/grades/0", "unknown grade; known: S, B, C"}}},
	{name: "two form fields with one key", from: csOpsFile,
		mutate: func(m map[string]any) {
			task := reviewTask()
			push(task, map[string]any{"key": "notes", "type": "text", "label": text("备注")}, "form")
			push(m, task, "stages")
		},
		want: []want{{"/stages/5/form/1/key", "duplicate field key in this form"}}},
	{name: "two options with one value", from: csOpsFile,
		mutate: func(m map[string]any) {
			task := reviewTask()
			push(task, map[string]any{"key": "mood", "type": "select", "label": text("状态"), "options": []any{
				map[string]any{"value": "ok", "label": text("好")}, map[string]any{"value": "ok", "label": text("很好")},
			}}, "form")
			push(m, task, "stages")
		},
		want: []want{{"/stages/5/form/1/options/1/value", "duplicate option value"}}},
	{name: "a signal named like an indicator", from: csOpsFile,
		mutate: func(m map[string]any) {
			obj(m, "signals", 0)["key"] = "retention"
			obj(m, "adjustments", 0)["when"] = "metric.retention < 30"
		},
		want: []want{{"/signals/0/key", "an indicator already has this key; metric.retention would be ambiguous"}}},

	// Unknown references.
	{name: "a rater rates an unknown indicator", from: communityFile,
		mutate: func(m map[string]any) { obj(m, "raters", 2)["indicators"] = []any{"teamwork"} },
		want:   []want{{"/raters/2/indicators/0", "unknown indicator; known: collaboration, contentInteraction, contentOutput, cultureFit, fanGrowth, memberSatisfaction, newMembers, participation"}}},
	{name: "an adjustment changes an unknown indicator", from: communityFile,
		mutate: func(m map[string]any) { obj(m, "adjustments", 0)["indicator"] = "fans" },
		want:   []want{{"/adjustments/0/indicator", "unknown indicator; known: collaboration,"}}},
	{name: "a breakdown splits an unknown indicator", from: communityFile,
		mutate: func(m map[string]any) { obj(m, "breakdown", "targets", 0)["indicator"] = "members" },
		want:   []want{{"/breakdown/targets/0/indicator", "unknown indicator; known: collaboration,"}}},
	{name: "level weights name an unknown indicator", from: csOpsFile,
		mutate: func(m map[string]any) {
			m["levelWeights"] = map[string]any{"senior": map[string]any{"satisfaction": 30, "responseTime": 20, "retention": 20, "oneOnOne": 10, "collaboration": 10, "serviceAttitude": 10}}
		},
		want: []want{{"/levelWeights/senior/oneOnOne", "unknown indicator; known: collaboration, oneOnOneRating, responseTime, retention, satisfaction, serviceAttitude"}}},
	{name: "a distribution limit names an unknown grade", from: csOpsFile,
		mutate: func(m map[string]any) { obj(m, "distribution", 0)["grades"] = []any{"SS"} },
		want:   []want{{"/distribution/0/grades/0", "unknown grade; known: S, A, B, C"}}},
	{name: "a bonus tier names an unknown grade", from: csOpsFile,
		mutate: func(m map[string]any) { obj(m, "outcomes", "bonus", "tiers", 0)["grades"] = []any{"A+"} },
		want:   []want{{"/outcomes/bonus/tiers/0/grades/0", "unknown grade; known: S, A, B, C"}}},
	{name: "a promotion names an unknown grade", from: csOpsFile,
		mutate: func(m map[string]any) { obj(m, "outcomes")["promotion"] = map[string]any{"grades": []any{"S", "SS"}} },
		want:   []want{{"/outcomes/promotion/grades/1", "unknown grade; known: S, A, B, C"}}},
	{name: "an escalation to an unknown role", from: csOpsFile,
		mutate: func(m map[string]any) { obj(m, "stages", 1, "escalation")["to"] = "ceo" },
		want:   []want{{"/stages/1/escalation/to", "must be one of: employee, manager, hrbp, admin"}}},

	// Expressions.
	{name: "a formula that stops mid-way does not compile", from: csOpsFile,
		mutate: func(m map[string]any) { m["formula"] = "0.6*quantitative +" },
		want:   []want{{"/formula", "unexpected token EOF (1:18)"}}},
	{name: "a formula with a misspelt rater lists the known names", from: csOpsFile,
		mutate: func(m map[string]any) { m["formula"] = "0.6*quantitative + 0.4*manger" },
		want:   []want{{"/formula", "unknown name manger (1:24); known: behaviour, customer, manager, metric.X, quantitative, score.X, self, target.X, total"}}},
	{name: "a formula with an unknown metric lists the known metrics", from: csOpsFile,
		mutate: func(m map[string]any) { m["formula"] = "total - metric.complaints" },
		want:   []want{{"/formula", "unknown name metric.complaints; known: collaboration, complaintRate, oneOnOneRating, responseTime, retention, satisfaction, serviceAttitude"}}},
	{name: "a formula that reads a metric by a computed name", from: csOpsFile,
		mutate: func(m map[string]any) { m["formula"] = `total - metric["complaint" + "Rate"]` },
		want:   []want{{"/formula", "metric must be read with a fixed name, such as metric.satisfaction"}}},
	{name: "a formula that gives true or false is not a score", from: csOpsFile,
		mutate: func(m map[string]any) { m["formula"] = "total > 60" },
		want:   []want{{"/formula", "must give a number, but this gives true or false"}}},
	{name: "a formula that is not a weighted sum of its parts is refused", from: csOpsFile,
		mutate: func(m map[string]any) { m["formula"] = "max(quantitative, manager)" },
		want:   []want{{"/formula", "must be a weighted sum of its parts, such as 0.6*quantitative + 0.25*manager + 0.15*customer, so every result can show what each part contributed; \"max(quantitative, manager)\" is not"}}},
	{name: "a formula multiplying two parts is refused", from: csOpsFile,
		mutate: func(m map[string]any) { m["formula"] = "0.5*quantitative + manager*customer/100" },
		want:   []want{{"/formula", "must be a weighted sum of its parts, such as 0.6*quantitative + 0.25*manager + 0.15*customer, so every result can show what each part contributed; \"manager * customer\" is not"}}},
	{name: "an unknown missing-data policy on an indicator names the policies", from: csOpsFile,
		mutate: func(m map[string]any) { obj(m, "indicators", 0)["missing"] = "skip" },
		want:   []want{{"/indicators/0/missing", "unknown missing-data policy; use renormalise (the default), zero or block"}}},
	{name: "an unknown missing-data policy on a rater names the policies", from: csOpsFile,
		mutate: func(m map[string]any) { obj(m, "raters", 2)["missing"] = "ignore" },
		want:   []want{{"/raters/2/missing", "unknown missing-data policy; use renormalise (the default), zero or block"}}},
	{name: "a source on a group whose people rate in Perfloop is refused", from: csOpsFile,
		mutate: func(m map[string]any) { obj(m, "raters", 1)["source"] = "survey" },
		want:   []want{{"/raters/1/source", `only a group with input "metrics" reads a source`}}},
	{name: "a source an import column cannot name is refused", from: csOpsFile,
		mutate: func(m map[string]any) { obj(m, "raters", 2)["source"] = "nps:q1" },
		want:   []want{{"/raters/2/source", "at most 64 bytes, no colon"}}},
	{name: "two groups fed by metrics reading one source are refused", from: csOpsFile,
		mutate: func(m map[string]any) {
			push(m, map[string]any{"key": "partner", "role": "customer", "weight": 0, "input": "metrics", "source": "customer", "indicators": []any{"serviceAttitude"}}, "raters")
		},
		want: []want{{"/raters/3/source", "rater group customer reads this source already"}}},
	{name: "an unknown nomination names the one there is", from: communityFile,
		mutate: func(m map[string]any) { obj(m, "raters", 2)["nomination"] = "member" },
		want:   []want{{"/raters/2/nomination", `unknown nomination; use "manager"`}}},
	{name: "a nominated manager group is refused", from: csOpsFile,
		mutate: func(m map[string]any) { obj(m, "raters", 1)["nomination"] = "manager" },
		want:   []want{{"/raters/1/nomination", "only peer and crossDepartment groups rating in Perfloop are nominated"}}},
	{name: "a formula that reads the clock is refused", from: csOpsFile,
		mutate: func(m map[string]any) { m["formula"] = "now().Day() + total" },
		want:   []want{{"/formula", "now() and date() are not allowed: a score must not depend on when it is computed"}}},
	{name: "a condition with a misspelt metric lists the known metrics", from: csOpsFile,
		mutate: func(m map[string]any) { obj(m, "adjustments", 0)["when"] = "metric.complaintRat > 5" },
		want:   []want{{"/adjustments/0/when", "unknown name metric.complaintRat; known: collaboration, complaintRate, oneOnOneRating"}}},
	{name: "a condition that gives a number is not a condition", from: csOpsFile,
		mutate: func(m map[string]any) { obj(m, "adjustments", 0)["when"] = "metric.complaintRate * 2" },
		want:   []want{{"/adjustments/0/when", "must give true or false, such as metric.x > 5, but this gives a number"}}},
	{name: "a stage condition with an unknown name lists the known ones", from: csOpsFile,
		mutate: func(m map[string]any) { obj(m, "stages", 4)["when"] = "quarterEnded" },
		want:   []want{{"/stages/4/when", "unknown name quarterEnded (1:1); known: members, month, period, quarter, quarterEnd, yearEnd"}}},
	{name: "a scoring expression with an unknown name", from: csOpsFile,
		mutate: func(m map[string]any) {
			obj(m, "indicators", 2)["scoring"] = map[string]any{"method": "expression", "expr": "value / goal * 100"}
		},
		want: []want{{"/indicators/2/scoring/expr", "unknown name goal (1:9); known: baseline, metric.X, stretch, target, value"}}},
	{name: "a scoring expression that loops over loops is refused before it burns a core", from: csOpsFile,
		mutate: func(m map[string]any) {
			obj(m, "indicators", 2)["scoring"] = map[string]any{"method": "expression", "expr": "let x = 1..9999; sum(map(x, sum(map(x, sum(map(x, #))))))"}
		},
		want: []want{{"/indicators/2/scoring/expr", "this expression could take too long to evaluate: it could take about 4e+12 steps for each member (at most 10000)"}}},
	{name: "a formula that doubles a text past the limit is refused", from: csOpsFile,
		mutate: func(m map[string]any) {
			m["formula"] = `let a = "0123456789"; let b = a + a; let c = b + b; let d = c + c; let e = d + d; let f = e + e; let g = f + f; let h = g + g; let i = h + h; let j = i + i; let k = j + j; total + len(k)`
		},
		want: []want{{"/formula", "it could build a list or text of about 10240 items (at most 10000)"}}},
	{name: "a condition over a range that depends on the data is refused", from: csOpsFile,
		mutate: func(m map[string]any) {
			obj(m, "adjustments", 0)["when"] = "count(1..int(metric.complaintRate), # > 2) > 5"
		},
		want: []want{{"/adjustments/0/when", "a range needs fixed whole-number bounds, such as 1..12"}}},
	{name: "an adjustment with two effects", from: csOpsFile,
		mutate: func(m map[string]any) { obj(m, "adjustments", 0, "effect")["add"] = -10 },
		want:   []want{{"/adjustments/0/effect", "set exactly one of multiply, add or set"}}},

	// Durations.
	{name: "a duration in months is refused with the months message", from: csOpsFile,
		mutate: func(m map[string]any) { obj(m, "stages", 1)["duration"] = "P1M" },
		want:   []want{{"/stages/1/duration", "years and months have no fixed length; write days instead, such as P30D"}}},
	{name: "a deadline offset in years is refused with the months message", from: csOpsFile,
		mutate: func(m map[string]any) { obj(m, "stages", 0, "deadline")["offset"] = "P1Y" },
		want:   []want{{"/stages/0/deadline/offset", "years and months have no fixed length"}}},
	{name: "a duration in words does not parse", from: csOpsFile,
		mutate: func(m map[string]any) { obj(m, "stages", 1)["duration"] = "3 days" },
		want:   []want{{"/stages/1/duration", "expected an ISO 8601 duration in weeks, days, hours, minutes or seconds, such as P3D, PT4H, P1W or P1DT12H"}}},
	{name: "a monitor every garbage does not parse", from: csOpsFile,
		mutate: func(m map[string]any) { obj(m, "stages", 0, "monitor")["every"] = "daily" },
		want:   []want{{"/stages/0/monitor/every", "expected an ISO 8601 duration"}}},
	{name: "a zero duration is refused", from: csOpsFile,
		mutate: func(m map[string]any) { obj(m, "stages", 1)["duration"] = "PT0H" },
		want:   []want{{"/stages/1/duration", "must be longer than zero"}}},
	{name: "a duration of centuries is refused", from: csOpsFile,
		mutate: func(m map[string]any) { obj(m, "stages", 3)["appealWindow"] = "P99999W" },
		want:   []want{{"/stages/3/appealWindow", "is longer than ten years"}}},
	{name: "a reminder longer before the deadline than the stage lasts", from: csOpsFile,
		mutate: func(m map[string]any) { obj(m, "stages", 1, "reminders")["before"] = []any{"P4D"} },
		want:   []want{{"/stages/1/reminders/before/0", "a reminder P4D before a deadline P3D after the stage opens would go out before the stage starts"}}},
	{name: "a reminder as long before the deadline as the stage lasts", from: csOpsFile,
		mutate: func(m map[string]any) { obj(m, "stages", 1, "reminders")["before"] = []any{"PT2H", "P3D"} },
		want:   []want{{"/stages/1/reminders/before/1", "a reminder P3D before a deadline P3D after the stage opens"}}},

	// Grades.
	{name: "a gap between two grades", from: csOpsFile,
		mutate: func(m map[string]any) { obj(m, "grades", 1)["min"] = 85 },
		want:   []want{{"/grades/1/min", "gap between grade B (ends at 80) and grade A (starts at 85); scores in between get no grade"}}},
	{name: "two grades that overlap", from: csOpsFile,
		mutate: func(m map[string]any) { obj(m, "grades", 2)["max"] = 85 },
		want:   []want{{"/grades/1/min", "grade A [80, 90) overlaps grade B [70, 85)"}}},
	{name: "grades that do not start at 0", from: csOpsFile,
		mutate: func(m map[string]any) { obj(m, "grades", 3)["min"] = 10 },
		want:   []want{{"/grades/3/min", "the lowest grade must start at 0, or scores below 10 get no grade"}}},
	{name: "grades that do not end at 100", from: csOpsFile,
		mutate: func(m map[string]any) { obj(m, "grades", 0)["max"] = 99 },
		want:   []want{{"/grades/0/max", "the highest grade must end at 100"}}},
	{name: "a grade whose min is not below its max", from: csOpsFile,
		mutate: func(m map[string]any) { obj(m, "grades", 1)["min"] = 90 },
		want:   []want{{"/grades/0/min", "gap between grade B (ends at 80) and grade S (starts at 90)"}, {"/grades/1/max", "must be greater than min 90"}}},

	// Distribution.
	{name: "a distribution limit on an unknown grade in a set", from: csOpsFile,
		mutate: func(m map[string]any) { obj(m, "distribution", 1)["grades"] = []any{"C", "D"} },
		want:   []want{{"/distribution/1/grades/1", "unknown grade; known: S, A, B, C"}}},
	{name: "a distribution limit whose min is above its max", from: csOpsFile,
		mutate: func(m map[string]any) { obj(m, "distribution", 1)["max"] = 5 },
		want:   []want{{"/distribution/1/min", "cannot be satisfied: at least 10% but at most 5%"}}},
	{name: "a subset's min above its superset's max", from: csOpsFile,
		mutate: func(m map[string]any) {
			push(m, map[string]any{"grades": []any{"S", "A"}, "max": 30}, "distribution")
			push(m, map[string]any{"grades": []any{"A"}, "min": 35}, "distribution")
		},
		want: []want{{"/distribution/3/min", "cannot be satisfied: A must hold at least 35% but limit 2 allows S+A at most 30%"}}},
	{name: "minimum shares that add up to more than everyone", from: csOpsFile,
		mutate: func(m map[string]any) {
			obj(m, "distribution", 1)["min"] = 60
			push(m, map[string]any{"grades": []any{"A"}, "min": 50}, "distribution")
		},
		want: []want{{"/distribution", "cannot be satisfied: the minimum shares add up to 110%, more than all members"}}},
	{name: "caps on every grade that add up to less than everyone", from: csOpsFile,
		mutate: func(m map[string]any) {
			m["distribution"] = []any{map[string]any{"grades": []any{"S", "A"}, "max": 30}, map[string]any{"grades": []any{"B", "C"}, "max": 50}}
		},
		want: []want{{"/distribution", "cannot be satisfied: every grade is capped and the caps add up to 80%, less than all members"}}},
	{name: "a limit on grades that are not neighbours", from: csOpsFile,
		mutate: func(m map[string]any) { obj(m, "distribution", 0)["grades"] = []any{"S", "B"} },
		want:   []want{{"/distribution/0/grades", "names grades that are not next to each other (S+B skips A); limit neighbouring grades such as S+A or C+D"}}},

	// Indicators and their scoring.
	{name: "linear scoring without a baseline", from: csOpsFile,
		mutate: func(m map[string]any) { delete(obj(m, "indicators", 2), "baseline") },
		want:   []want{{"/indicators/2/baseline", "is required for linear scoring"}}},
	{name: "a stretch below the baseline when higher is better", from: csOpsFile,
		mutate: func(m map[string]any) { obj(m, "indicators", 2)["stretch"] = 30 },
		want:   []want{{"/indicators/2/stretch", "higher is better here, so the stretch target must be above the baseline 35 (or set direction to lower)"}}},
	{name: "a stretch above the baseline when lower is better", from: csOpsFile,
		mutate: func(m map[string]any) { obj(m, "indicators", 1)["stretch"] = 7 },
		want:   []want{{"/indicators/1/stretch", "lower is better here, so the stretch target must be below the baseline 5"}}},
	{name: "a floor above the cap", from: csOpsFile,
		mutate: func(m map[string]any) {
			obj(m, "indicators", 1, "scoring")["floor"] = 100
			obj(m, "indicators", 1, "scoring")["cap"] = 90
		},
		want: []want{{"/indicators/1/scoring/floor", "must not exceed cap 90"}}},
	{name: "two scoring bands that overlap", from: csOpsFile,
		mutate: func(m map[string]any) { obj(m, "indicators", 0, "scoring", "bands", 2)["min"] = 75 },
		want:   []want{{"/indicators/0/scoring/bands/2/min", "band [75, 90) overlaps band [70, 80); bands must not overlap"}}},
	{name: "a quantitative indicator without scoring", from: csOpsFile,
		mutate: func(m map[string]any) { delete(obj(m, "indicators", 3), "scoring") },
		want:   []want{{"/indicators/3/scoring", "is required for a quantitative indicator: linear, bands, threshold or expression"}}},
	{name: "a behavioural indicator with scoring", from: csOpsFile,
		mutate: func(m map[string]any) { obj(m, "indicators", 4)["scoring"] = map[string]any{"method": "linear"} },
		want:   []want{{"/indicators/4/scoring", "a behavioural indicator is scored by its raters; remove scoring or make the indicator quantitative"}}},
	{name: "a behavioural indicator no rater rates", from: communityFile,
		mutate: func(m map[string]any) { obj(m, "raters", 3)["indicators"] = []any{"collaboration"} },
		want:   []want{{"/indicators/7/kind", "no rater rates this behavioural indicator; add a rater or list it in a rater's indicators"}}},

	// Raters.
	{name: "a peer rater without a max", from: csOpsFile,
		mutate: func(m map[string]any) {
			push(m, map[string]any{"key": "peers", "role": "peer", "weight": 0, "min": 2}, "raters")
		},
		want: []want{{"/raters/3/max", "is required for peer raters: how many people rate each member"}}},
	{name: "a cross-department rater whose min is above its max", from: communityFile,
		mutate: func(m map[string]any) { obj(m, "raters", 2)["min"] = 5 },
		want:   []want{{"/raters/2/min", "must not exceed max 3"}}},
	{name: "two self raters", from: csOpsFile,
		mutate: func(m map[string]any) { push(m, map[string]any{"key": "self2", "role": "self", "weight": 0}, "raters") },
		want:   []want{{"/raters/3/role", "only one self rater is allowed"}}},
	{name: "a rater key that is a formula variable", from: communityFile,
		mutate: func(m map[string]any) { obj(m, "raters", 0)["key"] = "total" },
		want:   []want{{"/raters/0/key", "is a formula variable already; choose another key"}}},
	{name: "a rating scale whose min is not below its max", from: csOpsFile,
		mutate: func(m map[string]any) { obj(m, "raters", 1, "scale")["min"] = 5 },
		want:   []want{{"/raters/1/scale/max", "must be greater than min 5"}}},
	{name: "an unknown rater mix", from: csOpsFile,
		mutate: func(m map[string]any) { m["raterMix"] = "team" },
		want:   []want{{"/raterMix", "indicator, part"}}},
	{name: "a rating scale with an unknown mapping", from: csOpsFile,
		mutate: func(m map[string]any) { obj(m, "raters", 1, "scale")["mapping"] = "percent" },
		want:   []want{{"/raters/1/scale/mapping", "linear, ratio, points"}}},
	{name: "rating points without the points mapping", from: csOpsFile,
		mutate: func(m map[string]any) { obj(m, "raters", 1, "scale")["points"] = map[string]any{"1": 20, "5": 100} },
		want:   []want{{"/raters/1/scale/points", `"mapping": "points"`}}},
	{name: "a points mapping without points", from: csOpsFile,
		mutate: func(m map[string]any) { obj(m, "raters", 1, "scale")["mapping"] = "points" },
		want:   []want{{"/raters/1/scale/points", "at least for min 1 and max 5"}}},
	{name: "rating points that leave out the top of the scale, name a non-answer and go down", from: csOpsFile,
		mutate: func(m map[string]any) {
			obj(m, "raters", 1, "scale")["mapping"] = "points"
			obj(m, "raters", 1, "scale")["points"] = map[string]any{"1": 20, "2": 50, "3": 40, "six": 70}
		},
		want: []want{{"/raters/1/scale/points/six", `a number such as "3"`}}},
	{name: "rating points that leave out the top of the scale and go down", from: csOpsFile,
		mutate: func(m map[string]any) {
			obj(m, "raters", 1, "scale")["mapping"] = "points"
			obj(m, "raters", 1, "scale")["points"] = map[string]any{"1": 20, "2": 50, "3": 40}
		},
		want: []want{{"/raters/1/scale/points", "must give points for min 1 and max 5"}, {"/raters/1/scale/points/3", "is less than 50 for 2; a higher answer must not score less"}}},
	{name: "rating points for an answer off the scale", from: csOpsFile,
		mutate: func(m map[string]any) {
			obj(m, "raters", 1, "scale")["mapping"] = "points"
			obj(m, "raters", 1, "scale")["points"] = map[string]any{"1": 20, "5": 100, "7": 100}
		},
		want: []want{{"/raters/1/scale/points/7", "lies outside the scale 1–5"}}},
	{name: "a ratio scale that starts below zero", from: csOpsFile,
		mutate: func(m map[string]any) {
			obj(m, "raters", 1, "scale")["mapping"] = "ratio"
			obj(m, "raters", 1, "scale")["min"] = -2
		},
		want: []want{{"/raters/1/scale/min", "share of max, so min must be 0 or more"}}},
	{name: "a task rater asked to rate a quantitative indicator", from: communityFile,
		mutate: func(m map[string]any) {
			obj(m, "raters", 1)["indicators"] = []any{"collaboration", "cultureFit", "newMembers"}
		},
		want: []want{{"/raters/1/indicators/2", "is quantitative and scored from data; raters rate behavioural indicators"}}},

	// Stages.
	{name: "a calibrate stage before the evaluate stage", from: csOpsFile,
		mutate: func(m map[string]any) {
			s := m["stages"].([]any)
			s[1], s[2] = s[2], s[1]
		},
		want: []want{{"/stages/2/type", "must come before the calibrate stage at 1 (order: goal, plan, execute, evaluate, calibrate, feedback)"}}},
	{name: "a second evaluate stage", from: csOpsFile,
		mutate: func(m map[string]any) {
			s := m["stages"].([]any)
			again := map[string]any{"key": "evaluate2", "type": "evaluate", "name": text("再评"), "duration": "P1D"}
			m["stages"] = append(s[:2:2], append([]any{again}, s[2:]...)...)
		},
		want: []want{{"/stages/2/type", "a template has one evaluate stage; stage 1 is one already"}}},
	{name: "a calibrate stage without an evaluate stage", from: csOpsFile,
		mutate: func(m map[string]any) {
			s := m["stages"].([]any)
			m["stages"] = []any{s[0], s[2], s[4]}
		},
		want: []want{{"/stages/1/type", "calibration needs an evaluate stage before it"}}},
	{name: "a feedback stage without an evaluate stage", from: csOpsFile,
		mutate: func(m map[string]any) {
			s := m["stages"].([]any)
			m["stages"] = []any{s[0], s[3]}
		},
		want: []want{{"/stages/1/type", "feedback publishes results, so an evaluate stage must come before it"}}},
	{name: "a task stage without a form or an assignee", from: csOpsFile,
		mutate: func(m map[string]any) {
			push(m, map[string]any{"key": "review", "type": "task", "name": text("复盘"), "duration": "P2D"}, "stages")
		},
		want: []want{{"/stages/5/assignee", "is required for a task stage: who fills the form"}, {"/stages/5/form", "a task stage needs at least one form field"}}},
	{name: "a select field without options", from: csOpsFile,
		mutate: func(m map[string]any) {
			task := reviewTask()
			push(task, map[string]any{"key": "mood", "type": "select", "label": text("状态")}, "form")
			push(m, task, "stages")
		},
		want: []want{{"/stages/5/form/1/options", "a select field needs options"}}},
	{name: "a form on an evaluate stage", from: csOpsFile,
		mutate: func(m map[string]any) { obj(m, "stages", 1)["form"] = reviewTask()["form"] },
		want:   []want{{"/stages/1/form", "an evaluate stage builds its own form; only task, plan, goal and feedback stages take form fields"}}},
	{name: "a notify stage without a message", from: csOpsFile,
		mutate: func(m map[string]any) { delete(obj(m, "stages", 4), "message") },
		want:   []want{{"/stages/4/message", "is required for a notify stage"}}},
	{name: "a human stage without a duration", from: csOpsFile,
		mutate: func(m map[string]any) { delete(obj(m, "stages", 3), "duration") },
		want:   []want{{"/stages/3/duration", "is required: how long people have for this stage, such as P3D (or give a deadline)"}}},
	{name: "a stage with both a duration and a deadline", from: csOpsFile,
		mutate: func(m map[string]any) { obj(m, "stages", 0)["duration"] = "P20D" },
		want:   []want{{"/stages/0/deadline", "set either duration or deadline, not both"}}},
	{name: "overdue reminders counted but not spaced", from: csOpsFile,
		mutate: func(m map[string]any) { delete(obj(m, "stages", 1, "reminders"), "overdueEvery") },
		want:   []want{{"/stages/1/reminders/overdueEvery", "is required when overdueMax is set"}}},
	{name: "a calibration meeting longer than its window", from: csOpsFile,
		mutate: func(m map[string]any) { obj(m, "stages", 2, "meeting")["duration"] = "PT30H" },
		want: []want{
			{"/stages/2/meeting/duration", "a calibration meeting must fit in one working day (at most PT8H)"},
			{"/stages/2/meeting/duration", "the meeting is longer than the window P1D it must fit in"},
		}},
	{name: "a feedback interview longer than its window and a working day", from: csOpsFile,
		mutate: func(m map[string]any) { obj(m, "stages", 3, "interview")["duration"] = "PT9H" },
		want: []want{
			{"/stages/3/interview/duration", "an interview must fit in one working day (at most PT8H)"},
		}},
	{name: "a feedback interview window longer than the stage", from: csOpsFile,
		mutate: func(m map[string]any) { obj(m, "stages", 3, "interview")["within"] = "P4D" },
		want:   []want{{"/stages/3/interview/within", "the interview window is longer than the stage (P3D)"}}},
	{name: "a feedback interview whose day ends before it starts", from: csOpsFile,
		mutate: func(m map[string]any) {
			iv := obj(m, "stages", 3, "interview")
			iv["workdayStart"], iv["workdayEnd"] = "10:00", "09:00"
		},
		want: []want{{"/stages/3/interview/workdayEnd", "must be later than workdayStart 10:00"}}},
	{name: "a feedback interview without a duration", from: csOpsFile,
		mutate: func(m map[string]any) { delete(obj(m, "stages", 3, "interview"), "duration") },
		want:   []want{{"/stages/3/interview/duration", "is required"}}},
	{name: "an interview block on a calibrate stage", from: csOpsFile,
		mutate: func(m map[string]any) {
			obj(m, "stages", 2)["interview"] = map[string]any{"within": "P1D", "duration": "PT30M"}
		},
		want: []want{{"/stages/2/interview", "a calibrate stage books no interviews; put the interview block on the feedback stage"}}},
	{name: "a weekly report due after the next one opens", from: communityFile,
		mutate: func(m map[string]any) { obj(m, "stages", 1, "reports")["dueIn"] = "P8D" },
		want:   []want{{"/stages/1/reports/dueIn", "must be at most every (P7D): a report is due before the next one opens"}}},
	{name: "reports every month written in months", from: communityFile,
		mutate: func(m map[string]any) { obj(m, "stages", 1, "reports")["every"] = "P1M" },
		want:   []want{{"/stages/1/reports/every", "years and months have no fixed length; write days instead, such as P30D"}}},
	{name: "a reports block on an evaluate stage", from: communityFile,
		mutate: func(m map[string]any) { obj(m, "stages", 2)["reports"] = obj(m, "stages", 1, "reports") },
		want:   []want{{"/stages/2/reports", "an evaluate stage takes no reports; put the reports block on the execute stage"}}},
	{name: "two report fields with one key", from: communityFile,
		mutate: func(m map[string]any) {
			r := obj(m, "stages", 1, "reports")
			r["form"] = append(r["form"].([]any), r["form"].([]any)[0])
		},
		want: []want{{"/stages/1/reports/form/3/key", "duplicate field key in this form"}}},
	{name: "a meeting window longer than the stage", from: csOpsFile,
		mutate: func(m map[string]any) { obj(m, "stages", 2, "meeting")["within"] = "P5D" },
		want:   []want{{"/stages/2/meeting/within", "the meeting window is longer than the stage (P2D)"}}},
	{name: "a workday that ends before it starts", from: csOpsFile,
		mutate: func(m map[string]any) { obj(m, "stages", 2, "meeting")["workdayEnd"] = "08:00" },
		want:   []want{{"/stages/2/meeting/workdayEnd", "must be later than workdayStart 09:00"}}},
	{name: "a calibration that extends on timeout without saying by how much", from: communityFile,
		mutate: func(m map[string]any) { delete(obj(m, "stages", 3), "extendBy") },
		want:   []want{{"/stages/3/extendBy", "is required when onTimeout is extend: how long the extension lasts"}}},

	// Breakdown.
	{name: "a breakdown of a rate", from: communityFile,
		mutate: func(m map[string]any) { obj(m, "breakdown", "targets", 0)["indicator"] = "fanGrowth" },
		want:   []want{{"/breakdown/targets/0/indicator", "is a rate (%); a rate is not split but applies to every member as the indicator's baseline and stretch"}}},
	{name: "a breakdown of a behavioural indicator", from: communityFile,
		mutate: func(m map[string]any) { obj(m, "breakdown", "targets", 0)["indicator"] = "collaboration" },
		want:   []want{{"/breakdown/targets/0/indicator", "is behavioural; only quantitative indicators have targets to split"}}},
	{name: "one indicator split twice", from: communityFile,
		mutate: func(m map[string]any) {
			push(m, map[string]any{"indicator": "newMembers", "value": 500}, "breakdown", "targets")
		},
		want: []want{{"/breakdown/targets/1/indicator", "is already split by an earlier target"}}},
	{name: "a weighted breakdown without level weights", from: communityFile,
		mutate: func(m map[string]any) { obj(m, "breakdown")["method"] = "weighted" },
		want:   []want{{"/breakdown/levelWeights", "is required for the weighted method: a weight per member level"}}},
	{name: "a goal stage without a breakdown", from: communityFile,
		mutate: func(m map[string]any) { delete(m, "breakdown") },
		want:   []want{{"/breakdown", "is required by the goal stage: the team targets to split and how"}}},

	// Outcomes.
	{name: "a grade in two bonus tiers", from: csOpsFile,
		mutate: func(m map[string]any) { obj(m, "outcomes", "bonus", "tiers", 1)["grades"] = []any{"A", "S"} },
		want:   []want{{"/outcomes/bonus/tiers/1/grades/1", "grade S is already in tier 0; a grade pays one bonus"}}},
	{name: "an IDP without a bottom count or percent", from: csOpsFile,
		mutate: func(m map[string]any) { delete(obj(m, "outcomes", "idp"), "bottomCount") },
		want:   []want{{"/outcomes/idp/bottomCount", "set bottomCount or bottomPercent: which members count as ranked at the bottom"}}},
	{name: "an IDP with both a bottom count and percent", from: csOpsFile,
		mutate: func(m map[string]any) { obj(m, "outcomes", "idp")["bottomPercent"] = 10 },
		want:   []want{{"/outcomes/idp/bottomPercent", "set bottomCount or bottomPercent, not both"}}},
	{name: "an IDP bottom share finer than a basis point", from: csOpsFile,
		mutate: func(m map[string]any) {
			idp := obj(m, "outcomes", "idp")
			delete(idp, "bottomCount")
			idp["bottomPercent"] = 7.125
		},
		want: []want{{"/outcomes/idp/bottomPercent", "must be a multiple of 0.01"}}},
	{name: "IDP check-ins as long as the plan", from: csOpsFile,
		mutate: func(m map[string]any) { obj(m, "outcomes", "idp")["checkinEvery"] = "P60D" },
		want:   []want{{"/outcomes/idp/checkinEvery", "check-ins must come more often than the plan lasts (P60D)"}}},

	// Several at once.
	{name: "several errors come in path order with stage 10 after stage 9", from: csOpsFile,
		mutate: func(m map[string]any) {
			for i := 5; i <= 10; i++ {
				push(m, map[string]any{"key": fmt.Sprintf("pause%d", i), "type": "wait", "name": text("等待"), "duration": "P1D"}, "stages")
			}
			obj(m, "stages", 9)["duration"] = "P1M"
			obj(m, "stages", 10)["duration"] = "soon"
			m["period"] = "weekly"
			obj(m, "raters", 1)["weight"] = 50
			obj(m, "grades", 3)["min"] = 5
		},
		want: []want{
			{"/grades/3/min", "the lowest grade must start at 0"},
			{"/period", "must be one of"},
			{"/raters", "rater weights total 90"},
			{"/stages/9/duration", "years and months have no fixed length"},
			{"/stages/10/duration", "expected an ISO 8601 duration"},
		}},
}

// writtenTwice returns a built-in's text with the first occurrence of
// member written twice, which a Go map cannot hold.
func writtenTwice(name, member string) string {
	files, err := templates.BuiltinFiles()
	if err != nil {
		panic(err)
	}
	for _, f := range files {
		if f.Name == "builtin/"+name+".json" && strings.Contains(string(f.Data), member) {
			return strings.Replace(string(f.Data), member, member+" "+member, 1)
		}
	}
	panic("no " + member + " in " + name)
}

// TestEveryBrokenTemplateReportsExactlyItsErrors breaks a valid built-in in
// one way per case and asserts the whole list Parse returns: every path,
// in order, each with the words the admin needs, and nothing else.
func TestEveryBrokenTemplateReportsExactlyItsErrors(t *testing.T) {
	require.GreaterOrEqual(t, len(brokenCases), 45)
	seen := map[string]bool{}
	for _, c := range brokenCases {
		require.False(t, seen[c.name], "two cases named %q", c.name)
		seen[c.name] = true
		t.Run(c.name, func(t *testing.T) {
			var data []byte
			if c.raw != "" {
				data = []byte(c.raw)
			} else {
				m := base(t, c.from)
				c.mutate(m)
				var err error
				data, err = json.Marshal(m)
				require.NoError(t, err)
			}
			_, errs := templates.Parse(data)
			var gotPaths, wantPaths []string
			for _, e := range errs {
				gotPaths = append(gotPaths, e.Path)
			}
			for _, w := range c.want {
				wantPaths = append(wantPaths, w.path)
			}
			require.Equal(t, wantPaths, gotPaths, "errors: %v", errs)
			for i, w := range c.want {
				require.Contains(t, errs[i].Message, w.message, "error %d: %v", i, errs[i])
			}
		})
	}
}

// TestErrorsNameTheValueAsWritten checks the value an admin sees beside
// each message is what they typed.
func TestErrorsNameTheValueAsWritten(t *testing.T) {
	m := base(t, csOpsFile)
	obj(m, "stages", 1)["duration"] = "P1M"
	obj(m, "indicators", 2)["stretch"] = 30
	m["formula"] = "total > 60"
	data, err := json.Marshal(m)
	require.NoError(t, err)
	_, errs := templates.Parse(data)
	require.Equal(t, templates.Errors{
		{Path: "/formula", Value: "total > 60", Message: "must give a number, but this gives true or false"},
		{Path: "/indicators/2/stretch", Value: "30", Message: "higher is better here, so the stretch target must be above the baseline 35 (or set direction to lower)"},
		{Path: "/stages/1/duration", Value: "P1M", Message: "years and months have no fixed length; write days instead, such as P30D"},
	}, errs)
	require.Equal(t, "/stages/1/duration: years and months have no fixed length; write days instead, such as P30D (value: P1M)", errs[2].Error())
}
