package templates_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/perfloop/perfloop/templates"
)

// base returns a built-in template as a mutable JSON tree.
func base(t *testing.T, key string) map[string]any {
	t.Helper()
	files, err := templates.BuiltinFiles()
	require.NoError(t, err)
	for _, f := range files {
		if strings.Contains(f.Name, key) {
			var m map[string]any
			require.NoError(t, json.Unmarshal(f.Data, &m))
			return m
		}
	}
	t.Fatalf("no built-in %s", key)
	return nil
}

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

type want struct{ path, message string }

// TestBrokenTemplatesReportEveryErrorAtItsPath mutates a valid built-in in
// one way per case and asserts the exact set of errors: each at its JSON
// pointer with the words an admin needs, and nothing else reported.
func TestBrokenTemplatesReportEveryErrorAtItsPath(t *testing.T) {
	cases := []struct {
		name   string
		from   string
		mutate func(m map[string]any)
		want   []want
	}{
		{"missing key", "cs-ops", func(m map[string]any) { delete(m, "key") }, []want{{"/key", "is required"}}},
		{"unknown top-level field", "cs-ops", func(m map[string]any) { m["colour"] = "red" }, []want{{"/colour", "is not a template field; check the spelling (allowed: $schema, adjustments, breakdown"}}},
		{"unknown indicator field", "cs-ops", func(m map[string]any) { obj(m, "indicators", 0)["wieght"] = 5 }, []want{{"/indicators/0/wieght", "allowed: baseline, category, direction, key, kind, name, scoring, source, stretch, unit, weight"}}},
		{"weight as text", "cs-ops", func(m map[string]any) { obj(m, "indicators", 1)["weight"] = "20" }, []want{{"/indicators/1/weight", "expected a number, got a string"}}},
		{"bad period", "cs-ops", func(m map[string]any) { m["period"] = "weekly" }, []want{{"/period", "must be one of: monthly, quarterly, annual"}}},
		{"bad template key", "cs-ops", func(m map[string]any) { m["key"] = "CS Ops" }, []want{{"/key", "lower-case letters, digits and '-'"}}},
		{"bad indicator key", "cs-ops", func(m map[string]any) { obj(m, "indicators", 0)["key"] = "客户满意度" }, []want{{"/indicators/0/key", "so expressions can name it"}}},
		{"empty zh name", "cs-ops", func(m map[string]any) { obj(m, "name")["zh"] = "" }, []want{{"/name/zh", "must not be empty"}}},
		{"no stages", "cs-ops", func(m map[string]any) { m["stages"] = []any{} }, []want{{"/stages", "needs at least 1 item(s)"}}},
		{"weight over 100", "cs-ops", func(m map[string]any) { obj(m, "indicators", 0)["weight"] = 130 }, []want{{"/indicators", "indicator weights total 200"}, {"/indicators/0/weight", "must be at most 100"}}},
		{"bad time zone", "cs-ops", func(m map[string]any) { m["timezone"] = "China/Beijing" }, []want{{"/timezone", "unknown time zone; use an IANA name such as Asia/Shanghai"}}},
		{"indicator weights short", "cs-ops", func(m map[string]any) { obj(m, "indicators", 0)["weight"] = 25 }, []want{{"/indicators", "indicator weights total 95; they must total 100 (add 5)"}}},
		{"level weights over", "ops-assistant", func(m map[string]any) { obj(m, "levelWeights", "senior")["nps"] = 10 }, []want{{"/levelWeights/senior", "weights for level senior total 105; they must total 100 (remove 5)"}}},
		{"level weight unknown indicator", "ops-assistant", func(m map[string]any) {
			w := obj(m, "levelWeights", "senior")
			w["npsScore"] = w["nps"]
			delete(w, "nps")
		}, []want{{"/levelWeights/senior/npsScore", "unknown indicator; known:"}}},
		{"rater weights", "cs-ops", func(m map[string]any) { obj(m, "raters", 1)["weight"] = 50 }, []want{{"/raters", "rater weights total 90; they must total 100 (add 10)"}}},
		{"duplicate indicator", "cs-ops", func(m map[string]any) { obj(m, "indicators", 1)["key"] = "satisfaction" }, []want{{"/indicators/1/key", "duplicate indicator key"}}},
		{"duplicate rater", "cs-ops", func(m map[string]any) { obj(m, "raters", 0)["key"] = "manager" }, []want{{"/raters/1/key", "duplicate rater key"}}},
		{"duplicate stage", "cs-ops", func(m map[string]any) { obj(m, "stages", 4)["key"] = "execute" }, []want{{"/stages/4/key", "duplicate stage key"}}},
		{"duplicate grade", "cs-ops", func(m map[string]any) { obj(m, "grades", 1)["key"] = "S" }, []want{{"/grades/1/key", "duplicate grade key"}, {"/outcomes/bonus/tiers/1/grades/0", "unknown grade; known: S, B, C"}}},
		{"signal clashes with indicator", "cs-ops", func(m map[string]any) { obj(m, "signals", 0)["key"] = "retention" }, []want{{"/adjustments/0/when", "unknown name metric.complaintRate; known: collaboration, oneOnOneRating, responseTime, retention, satisfaction, serviceAttitude"}, {"/signals/0/key", "an indicator already has this key"}}},
		{"duplicate form field", "ops-assistant", func(m map[string]any) { obj(m, "stages", 1, "form", 1)["key"] = "actions" }, []want{{"/stages/1/form/1/key", "duplicate field key in this form"}}},
		{"rater rates unknown indicator", "community-monthly", func(m map[string]any) { obj(m, "raters", 1)["indicators"] = []any{"teamwork"} }, []want{{"/indicators/6/kind", "only raters with weight 0 rate this indicator"}, {"/raters/1/indicators/0", "unknown indicator; known:"}}},
		{"adjustment on unknown indicator", "community-monthly", func(m map[string]any) { obj(m, "adjustments", 0)["indicator"] = "fans" }, []want{{"/adjustments/0/indicator", "unknown indicator; known:"}}},
		{"breakdown of unknown indicator", "community-monthly", func(m map[string]any) { obj(m, "breakdown", "targets", 0)["indicator"] = "members" }, []want{{"/breakdown/targets/0/indicator", "unknown indicator"}}},
		{"unknown grade in distribution", "cs-ops", func(m map[string]any) { obj(m, "distribution", 0)["grades"] = []any{"SS"} }, []want{{"/distribution/0/grades/0", "unknown grade; known: S, A, B, C"}}},
		{"unknown grade in bonus", "cs-ops", func(m map[string]any) { obj(m, "outcomes", "bonus", "tiers", 0)["grades"] = []any{"A+"} }, []want{{"/outcomes/bonus/tiers/0/grades/0", "unknown grade"}}},
		{"unknown escalation role", "cs-ops", func(m map[string]any) { obj(m, "stages", 1, "escalation")["to"] = "ceo" }, []want{{"/stages/1/escalation/to", "must be one of: employee, manager, hrbp, admin"}}},
		{"formula syntax error", "cs-ops", func(m map[string]any) { m["formula"] = "0.6*quantitative +" }, []want{{"/formula", "unexpected token"}}},
		{"formula unknown variable", "cs-ops", func(m map[string]any) { m["formula"] = "0.6*quantitative + 0.4*manger" }, []want{{"/formula", "unknown name manger"}}},
		{"formula gives a boolean", "cs-ops", func(m map[string]any) { m["formula"] = "total > 60" }, []want{{"/formula", "float64"}}},
		{"formula reads the clock", "cs-ops", func(m map[string]any) { m["formula"] = "now().Day() + total" }, []want{{"/formula", "now"}}},
		{"condition names unknown metric", "cs-ops", func(m map[string]any) { obj(m, "adjustments", 0)["when"] = "metric.complaintRat > 5" }, []want{{"/adjustments/0/when", "unknown name metric.complaintRat; known:"}}},
		{"condition is a number", "cs-ops", func(m map[string]any) { obj(m, "adjustments", 0)["when"] = "metric.complaintRate * 2" }, []want{{"/adjustments/0/when", "bool"}}},
		{"stage when unknown name", "cs-ops", func(m map[string]any) { obj(m, "stages", 4)["when"] = "quarterEnded" }, []want{{"/stages/4/when", "unknown name quarterEnded"}}},
		{"scoring expression unknown name", "cs-ops", func(m map[string]any) {
			obj(m, "indicators", 2)["scoring"] = map[string]any{"method": "expression", "expr": "value / goal * 100"}
		}, []want{{"/indicators/2/scoring/expr", "unknown name goal"}}},
		{"months in a duration", "cs-ops", func(m map[string]any) { obj(m, "stages", 1)["duration"] = "P1M" }, []want{{"/stages/1/duration", "years and months have no fixed length; write days instead, such as P30D"}}},
		{"garbage duration", "cs-ops", func(m map[string]any) { obj(m, "stages", 1)["duration"] = "3 days" }, []want{{"/stages/1/duration", "expected an ISO 8601 duration"}}},
		{"zero duration", "cs-ops", func(m map[string]any) { obj(m, "stages", 1)["duration"] = "PT0H" }, []want{{"/stages/1/duration", "must be longer than zero"}}},
		{"reminder before the stage opens", "cs-ops", func(m map[string]any) { obj(m, "stages", 1, "reminders")["before"] = []any{"P4D"} }, []want{{"/stages/1/reminders/before/0", "a reminder P4D before a deadline P3D after the stage opens would go out before the stage starts"}}},
		{"gap between grades", "cs-ops", func(m map[string]any) { obj(m, "grades", 1)["min"] = 85 }, []want{{"/grades/1/min", "gap between grade B (ends at 80) and grade A (starts at 85)"}}},
		{"overlapping grades", "cs-ops", func(m map[string]any) { obj(m, "grades", 2)["max"] = 85 }, []want{{"/grades/1/min", "grade A [80, 90) overlaps grade B [70, 85)"}}},
		{"grades not from 0", "cs-ops", func(m map[string]any) { obj(m, "grades", 3)["min"] = 10 }, []want{{"/grades/3/min", "the lowest grade must start at 0"}}},
		{"grades not to 100", "cs-ops", func(m map[string]any) { obj(m, "grades", 0)["max"] = 99 }, []want{{"/grades/0/max", "the highest grade must end at 100"}}},
		{"grade min above max", "cs-ops", func(m map[string]any) { obj(m, "grades", 1)["min"] = 95 }, []want{{"/grades/0/min", "gap between grade B (ends at 80) and grade S (starts at 90)"}, {"/grades/1/max", "must be greater than min 95"}}},
		{"distribution min above max", "cs-ops", func(m map[string]any) { obj(m, "distribution", 1)["max"] = 5 }, []want{{"/distribution/1/min", "cannot be satisfied: at least 10% but at most 5%"}}},
		{"subset min above superset max", "ops-assistant", func(m map[string]any) {
			m["distribution"] = append(m["distribution"].([]any), map[string]any{"grades": []any{"A"}, "min": 35})
		}, []want{{"/distribution/3/min", "cannot be satisfied: A must hold at least 35% but limit 1 allows S+A at most 30%"}}},
		{"minimums over 100", "cs-ops", func(m map[string]any) {
			obj(m, "distribution", 1)["min"] = 60
			m["distribution"] = append(m["distribution"].([]any), map[string]any{"grades": []any{"A"}, "min": 50})
		}, []want{{"/distribution", "the minimum shares add up to 110%"}}},
		{"caps under 100", "cs-ops", func(m map[string]any) {
			m["distribution"] = []any{map[string]any{"grades": []any{"S", "A"}, "max": 30}, map[string]any{"grades": []any{"B", "C"}, "max": 50}}
		}, []want{{"/distribution", "the caps add up to 80%"}}},
		{"limit skips a grade", "ops-assistant", func(m map[string]any) { obj(m, "distribution", 1)["grades"] = []any{"S", "B"} }, []want{{"/distribution/1/grades", "names grades that are not next to each other (S+B skips A)"}}},
		{"linear without baseline", "cs-ops", func(m map[string]any) { delete(obj(m, "indicators", 2), "baseline") }, []want{{"/indicators/2/baseline", "is required for linear scoring"}}},
		{"stretch on the wrong side (higher)", "cs-ops", func(m map[string]any) { obj(m, "indicators", 2)["stretch"] = 30 }, []want{{"/indicators/2/stretch", "higher is better here, so the stretch target must be above the baseline 35"}}},
		{"stretch on the wrong side (lower)", "cs-ops", func(m map[string]any) { obj(m, "indicators", 1)["stretch"] = 7 }, []want{{"/indicators/1/stretch", "lower is better here, so the stretch target must be below the baseline 5"}}},
		{"floor above cap", "cs-ops", func(m map[string]any) {
			obj(m, "indicators", 1, "scoring")["floor"] = 100
			obj(m, "indicators", 1, "scoring")["cap"] = 90
		}, []want{{"/indicators/1/scoring/floor", "must not exceed cap 90"}}},
		{"overlapping bands", "cs-ops", func(m map[string]any) { obj(m, "indicators", 0, "scoring", "bands", 2)["min"] = 75 }, []want{{"/indicators/0/scoring/bands/2/min", "band [75, 90) overlaps band [70, 80)"}}},
		{"behavioural indicator with scoring", "cs-ops", func(m map[string]any) { obj(m, "indicators", 4)["scoring"] = map[string]any{"method": "linear"} }, []want{{"/indicators/4/scoring", "a behavioural indicator is scored by its raters"}}},
		{"peer rater without max", "community-monthly", func(m map[string]any) { delete(obj(m, "raters", 2), "max") }, []want{{"/raters/2/max", "is required for crossDepartment raters"}}},
		{"peer rater min above max", "community-monthly", func(m map[string]any) { obj(m, "raters", 2)["min"] = 5 }, []want{{"/raters/2/min", "must not exceed max 3"}}},
		{"calibrate before evaluate", "cs-ops", func(m map[string]any) {
			s := m["stages"].([]any)
			s[1], s[2] = s[2], s[1]
		}, []want{{"/stages/2/type", "must come before the calibrate stage at 1"}}},
		{"two evaluate stages", "cs-ops", func(m map[string]any) {
			s := m["stages"].([]any)
			dup := map[string]any{"key": "evaluate2", "type": "evaluate", "name": map[string]any{"zh": "再评"}, "duration": "P1D"}
			m["stages"] = append(s[:2:2], append([]any{dup}, s[2:]...)...)
		}, []want{{"/stages/2/type", "a template has one evaluate stage; stage 1 is one already"}}},
		{"calibrate without evaluate", "cs-ops", func(m map[string]any) {
			s := m["stages"].([]any)
			m["stages"] = []any{s[0], s[2], s[4]}
		}, []want{{"/stages/1/type", "calibration needs an evaluate stage before it"}}},
		{"task stage without form and assignee", "cs-ops", func(m map[string]any) {
			m["stages"] = append(m["stages"].([]any), map[string]any{"key": "review", "type": "task", "name": map[string]any{"zh": "复盘"}, "duration": "P2D"})
		}, []want{{"/stages/5/assignee", "is required for a task stage"}, {"/stages/5/form", "a task stage needs at least one form field"}}},
		{"notify without message", "cs-ops", func(m map[string]any) { delete(obj(m, "stages", 4), "message") }, []want{{"/stages/4/message", "is required for a notify stage"}}},
		{"human stage without duration", "cs-ops", func(m map[string]any) { delete(obj(m, "stages", 3), "duration") }, []want{{"/stages/3/duration", "is required: how long people have for this stage"}}},
		{"duration and deadline", "cs-ops", func(m map[string]any) { obj(m, "stages", 0)["duration"] = "P20D" }, []want{{"/stages/0/deadline", "set either duration or deadline, not both"}}},
		{"overdueMax without overdueEvery", "cs-ops", func(m map[string]any) { delete(obj(m, "stages", 1, "reminders"), "overdueEvery") }, []want{{"/stages/1/reminders/overdueEvery", "is required when overdueMax is set"}}},
		{"meeting longer than its window", "cs-ops", func(m map[string]any) { obj(m, "stages", 2, "meeting")["duration"] = "PT30H" }, []want{{"/stages/2/meeting/duration", "must fit in one working day"}, {"/stages/2/meeting/duration", "the meeting is longer than the window P1D"}}},
		{"extend without extendBy", "community-monthly", func(m map[string]any) { delete(obj(m, "stages", 3), "extendBy") }, []want{{"/stages/3/extendBy", "is required when onTimeout is extend"}}},
		{"breakdown of a rate", "community-monthly", func(m map[string]any) { obj(m, "breakdown", "targets", 0)["indicator"] = "fanGrowth" }, []want{{"/breakdown/targets/0/indicator", "is a rate (%); a rate is not split"}}},
		{"weighted breakdown without weights", "ops-assistant", func(m map[string]any) { delete(obj(m, "breakdown"), "levelWeights") }, []want{{"/breakdown/levelWeights", "is required for the weighted method"}}},
		{"goal stage without breakdown", "community-monthly", func(m map[string]any) { delete(m, "breakdown") }, []want{{"/breakdown", "is required by the goal stage"}}},
		{"grade in two bonus tiers", "cs-ops", func(m map[string]any) { obj(m, "outcomes", "bonus", "tiers", 1)["grades"] = []any{"A", "S"} }, []want{{"/outcomes/bonus/tiers/1/grades/1", "grade S is already in tier 0"}}},
		{"IDP without a bottom rule", "cs-ops", func(m map[string]any) { delete(obj(m, "outcomes", "idp"), "bottomCount") }, []want{{"/outcomes/idp/bottomCount", "set bottomCount or bottomPercent"}}},
		{"IDP check-ins as long as the plan", "cs-ops", func(m map[string]any) { obj(m, "outcomes", "idp")["checkinEvery"] = "P60D" }, []want{{"/outcomes/idp/checkinEvery", "check-ins must come more often than the plan lasts (P60D)"}}},
	}
	require.GreaterOrEqual(t, len(cases), 40)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := base(t, c.from)
			c.mutate(m)
			data, err := json.Marshal(m)
			require.NoError(t, err)
			_, errs := templates.Parse(data)
			var got []string
			for _, e := range errs {
				got = append(got, e.Path+": "+e.Message)
			}
			require.Len(t, errs, len(c.want), "errors: %v", got)
			for i, w := range c.want {
				require.Equal(t, w.path, errs[i].Path, "errors: %v", got)
				require.Contains(t, errs[i].Message, w.message)
			}
		})
	}
}

func TestInvalidJSONSaysWhereItStops(t *testing.T) {
	_, errs := templates.Parse([]byte("{\n  \"key\": \"x\",\n  \"name\": {\"zh\": \"坏\"\n}"))
	require.Len(t, errs, 1)
	require.Equal(t, "", errs[0].Path)
	require.Contains(t, errs[0].Message, "not valid JSON")
	require.Contains(t, errs[0].Message, "line 4")
}

func TestANonObjectIsRefused(t *testing.T) {
	_, errs := templates.Parse([]byte(`[1,2]`))
	require.Len(t, errs, 1)
	require.Equal(t, "a template must be a JSON object", errs[0].Message)
}

func TestErrorsComeInPathOrderWithTenAfterNine(t *testing.T) {
	m := base(t, "cs-ops")
	stages := m["stages"].([]any)
	for len(stages) < 11 {
		stages = append(stages, map[string]any{"key": "wait" + string(rune('a'+len(stages))), "type": "wait", "name": map[string]any{"zh": "等待"}, "duration": "P1D"})
	}
	obj(map[string]any{"s": stages}, "s", 9)["duration"] = "P1M"
	obj(map[string]any{"s": stages}, "s", 10)["duration"] = "bad"
	m["stages"] = stages
	m["period"] = "weekly"
	data, _ := json.Marshal(m)
	_, errs := templates.Parse(data)
	var paths []string
	for _, e := range errs {
		paths = append(paths, e.Path)
	}
	require.Equal(t, []string{"/period", "/stages/9/duration", "/stages/10/duration"}, paths)
}
