package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/stretchr/testify/require"

	"github.com/perfloop/perfloop/engine"
	"github.com/perfloop/perfloop/enginetest"
	"github.com/perfloop/perfloop/store"
)

// TestNewJoinerWithoutCustomerSurveyIsRenormalisedAndTheResultsExplainThemselves
// runs a cs-ops-monthly cycle over HTTP on the embedded engine where the
// newest member has every value but the customer survey. Their 15 %
// customer part is spread over the other parts and reported, not scored
// zero; and for every member the explanation's parts, weighted, give the
// final score back to the hundredth, before calibration and on the
// member's own published result.
func TestNewJoinerWithoutCustomerSurveyIsRenormalisedAndTheResultsExplainThemselves(t *testing.T) {
	e, ce := engineEnv(t)
	newJoiner := ce.Employees[len(ce.Employees)-1]
	id := evaluatedWithoutSurvey(t, e, ce, "cs-ops-monthly", newJoiner)
	cal := openTask(t, e, "hrbp", id, engine.TaskCalibration, "")

	r := e.do("GET", "/api/v1/cycles/"+id+"/results?limit=100", "hrbp", nil)
	require.Equal(t, 200, r.status, r.raw)
	items := r.body["items"].([]any)
	require.Len(t, items, len(ce.Employees))
	for _, it := range items {
		res := it.(map[string]any)
		requireExplained(t, res)
		if res["memberId"] != newJoiner.ID {
			require.Empty(t, res["missing"], "everyone else has every value")
			continue
		}
		require.Contains(t, res["missing"], map[string]any{"key": "customer", "kind": "part", "policy": "renormalise"})
		require.Contains(t, res["missing"], map[string]any{"key": "customer", "kind": "rater", "in": "serviceAttitude", "policy": "renormalise"})
		parts := partsByKey(res)
		require.Zero(t, parts["customer"]["weight"], "the missing part carries no weight")
		require.InDelta(t, 60/0.85, parts["quantitative"]["weight"], 1e-6, "60 % spread to 60/85 of the score")
		require.InDelta(t, 25/0.85, parts["manager"]["weight"], 1e-6)
		// Manager 4 on 1–5 is 75 points; the old path scored the customer part 0.
		q := parts["quantitative"]["score"].(float64)
		require.InDelta(t, (0.6*q+0.25*75)/0.85, res["finalScore"], 0.006)
	}

	agenda := calibrationAgenda(t, e, id)
	require.Len(t, agenda["incomplete"], 1, "the meeting sees who was scored without all their data")
	incomplete := agenda["incomplete"].([]any)[0].(map[string]any)
	require.Equal(t, newJoiner.ID, incomplete["memberId"])
	require.Contains(t, incomplete["missing"], map[string]any{"key": "customer", "kind": "part", "policy": "renormalise"})

	requireFormSchema(t, e, "hrbp", cal, `{"changes":[]}`, `{"changes":[{"memberId":"x","to":"B"}]}`)
	r = e.do("POST", "/api/v1/tasks/"+cal+"/submit", "hrbp", map[string]any{"changes": []map[string]any{}})
	require.Equal(t, 200, r.status, r.raw)
	who := fmt.Sprintf("e%d", len(ce.Employees)-1)
	ack := openTask(t, e, who, id, engine.TaskAcknowledge, "")
	requireFormSchema(t, e, who, ack, `{"decision":"acknowledge"}`, `{"decision":"appeal"}`)
	r = e.do("GET", "/api/v1/cycles/"+id+"/results", who, nil)
	require.Equal(t, 200, r.status, r.raw)
	mine := r.body["items"].([]any)[0].(map[string]any)
	require.Equal(t, newJoiner.ID, mine["memberId"])
	requireExplained(t, mine)
	require.NotEmpty(t, mine["missing"])
	require.NotContains(t, r.raw, ce.Manager.ID, "rater groups, never who rated")
	r = e.do("POST", "/api/v1/tasks/"+ack+"/submit", who, map[string]any{"decision": "acknowledge"})
	require.Equal(t, 200, r.status, r.raw)
	require.Equal(t, 202, e.do("POST", "/api/v1/cycles/"+id+"/cancel", "manager", map[string]any{"reason": "test over"}).status)
	require.Eventually(t, func() bool {
		return e.do("GET", "/api/v1/cycles/"+id, "manager", nil).body["state"] != store.CycleRunning
	}, 60*time.Second, 200*time.Millisecond)
}

// TestMemberWithoutCustomerSurveyUnderBlockPolicyIsWithheldWhileTheCycleCompletes:
// a template whose customer rater group blocks on missing data. The new
// joiner is not scored, ranked, graded or published, and gets nothing to
// acknowledge; everyone else's cycle runs to the end.
func TestMemberWithoutCustomerSurveyUnderBlockPolicyIsWithheldWhileTheCycleCompletes(t *testing.T) {
	e, ce := engineEnv(t)
	publishStrict(t, e)
	newJoiner := ce.Employees[len(ce.Employees)-1]
	id := evaluatedWithoutSurvey(t, e, ce, "cs-ops-strict", newJoiner)
	cal := openTask(t, e, "hrbp", id, engine.TaskCalibration, "")
	r := e.do("GET", "/api/v1/cycles/"+id+"/results?limit=100", "hrbp", nil)
	require.Equal(t, 200, r.status, r.raw)
	ranks := map[float64]bool{}
	for _, it := range r.body["items"].([]any) {
		res := it.(map[string]any)
		if res["memberId"] != newJoiner.ID {
			require.Empty(t, res["blocked"])
			ranks[res["rank"].(float64)] = true
			requireExplained(t, res)
			continue
		}
		require.Contains(t, res["blocked"], "customer", "the reason names the missing data")
		require.Zero(t, res["finalScore"])
		require.Zero(t, res["rank"])
		require.Empty(t, res["proposedGrade"])
		require.Contains(t, res["missing"], map[string]any{"key": "customer", "kind": "part", "policy": "block"})
		require.NotEmpty(t, res["explanation"].(map[string]any)["blocked"])
	}
	require.Equal(t, map[float64]bool{1: true, 2: true, 3: true}, ranks, "the others are ranked among themselves")
	agenda := calibrationAgenda(t, e, id)
	board := e.do("GET", "/api/v1/cycles/"+id+"/calibration", "hrbp", nil)
	require.NotContains(t, board.body["proposed"], "", "the board counts no empty grade for the withheld member")
	require.Len(t, agenda["incomplete"], 1)
	incomplete := agenda["incomplete"].([]any)[0].(map[string]any)
	require.Equal(t, newJoiner.ID, incomplete["memberId"])
	require.Contains(t, incomplete["blocked"], "customer")
	require.NotContains(t, agenda["proposed"], newJoiner.ID, "a withheld member is not in the distribution")
	for _, o := range agenda["outliers"].([]any) {
		require.NotEqual(t, newJoiner.ID, o.(map[string]any)["memberId"], "nor an outlier at 0")
	}

	r = e.do("POST", "/api/v1/tasks/"+cal+"/submit", "hrbp", map[string]any{"changes": []map[string]any{}})
	require.Equal(t, 200, r.status, r.raw)
	for i, m := range ce.Employees {
		if m.ID == newJoiner.ID {
			continue
		}
		who := fmt.Sprintf("e%d", i)
		task := openTask(t, e, who, id, engine.TaskAcknowledge, "")
		r = e.do("POST", "/api/v1/tasks/"+task+"/submit", who, map[string]any{"decision": "acknowledge"})
		require.Equal(t, 200, r.status, r.raw)
	}
	require.Eventually(t, func() bool {
		return e.do("GET", "/api/v1/cycles/"+id, "manager", nil).body["state"] == store.CycleCompleted
	}, 90*time.Second, 200*time.Millisecond)
	who := fmt.Sprintf("e%d", len(ce.Employees)-1)
	r = e.do("GET", "/api/v1/cycles/"+id+"/results", who, nil)
	require.Equal(t, 200, r.status, r.raw)
	require.EqualValues(t, 0, r.body["total"], "the withheld result is not shown as if it were final")
	tasks, _, err := e.store.ListTasks(context.Background(), ce.Org.ID, store.TaskFilter{CycleID: id, AssigneeID: newJoiner.ID, Kind: engine.TaskAcknowledge}, store.Page{Limit: 10})
	require.NoError(t, err)
	require.Empty(t, tasks, "nothing to acknowledge")
	held, err := e.store.GetResult(context.Background(), id, newJoiner.ID)
	require.NoError(t, err)
	require.Contains(t, []string{store.ResultComputed, store.ResultCalibrated}, held.State, "never published")
	require.NotEmpty(t, held.Blocked)
	require.False(t, held.Promotion)
}

// calibrationAgenda waits for the calibration meeting and returns its agenda.
func calibrationAgenda(t *testing.T, e *env, cycleID string) map[string]any {
	t.Helper()
	var agenda map[string]any
	require.Eventually(t, func() bool {
		r := e.do("GET", "/api/v1/cycles/"+cycleID+"/calibration", "hrbp", nil)
		m, ok := r.body["meeting"].(map[string]any)
		if ok {
			agenda, ok = m["agenda"].(map[string]any)
		}
		return ok
	}, 30*time.Second, 100*time.Millisecond)
	return agenda
}

// TestCalibrationWaiverScoresAWithheldMemberOnTheDataThereIs: the meeting
// waives the new joiner's missing survey; they are scored as under
// renormalise, graded by score, placed among the others, published and
// asked to acknowledge, and the waiver shows on the board and the result.
func TestCalibrationWaiverScoresAWithheldMemberOnTheDataThereIs(t *testing.T) {
	e, ce := engineEnv(t)
	publishStrict(t, e)
	newJoiner := ce.Employees[len(ce.Employees)-1]
	id := evaluatedWithoutSurvey(t, e, ce, "cs-ops-strict", newJoiner)
	cal := openTask(t, e, "hrbp", id, engine.TaskCalibration, "")

	r := e.do("POST", "/api/v1/tasks/"+cal+"/submit", "hrbp", map[string]any{"changes": []any{}, "waivers": []map[string]any{{"memberId": ce.Employees[0].ID, "reason": "x"}}})
	require.Equal(t, 400, r.status, r.raw)
	require.Equal(t, "/waivers/0/memberId", firstDetail(t, r)["path"], "only a withheld result can be waived")
	reason := "新员工入职两周，本月无客户调研 / Joined two weeks ago, no survey yet"
	r = e.do("POST", "/api/v1/tasks/"+cal+"/submit", "hrbp", map[string]any{"changes": []any{}, "waivers": []map[string]any{{"memberId": newJoiner.ID, "reason": reason}}})
	require.Equal(t, 200, r.status, r.raw)

	who := fmt.Sprintf("e%d", len(ce.Employees)-1)
	ack := openTask(t, e, who, id, engine.TaskAcknowledge, "")
	r = e.do("GET", "/api/v1/cycles/"+id+"/results", who, nil)
	require.Equal(t, 200, r.status, r.raw)
	mine := r.body["items"].([]any)[0].(map[string]any)
	require.Empty(t, mine["blocked"])
	requireExplained(t, mine)
	require.Equal(t, reason, mine["explanation"].(map[string]any)["waiver"])
	require.Contains(t, mine["missing"], map[string]any{"key": "customer", "kind": "part", "policy": "renormalise"})
	parts := partsByKey(mine)
	q := parts["quantitative"]["score"].(float64)
	require.InDelta(t, (0.6*q+0.25*75)/0.85, mine["finalScore"], 0.006)
	require.NotEmpty(t, mine["grade"])

	r = e.do("GET", "/api/v1/cycles/"+id+"/results?limit=100", "hrbp", nil)
	ranks := map[float64]bool{}
	for _, it := range r.body["items"].([]any) {
		ranks[it.(map[string]any)["rank"].(float64)] = true
	}
	require.Equal(t, map[float64]bool{1: true, 2: true, 3: true, 4: true}, ranks, "everyone placed once")
	board := e.do("GET", "/api/v1/cycles/"+id+"/calibration", "hrbp", nil)
	require.Equal(t, 200, board.status, board.raw)
	require.Contains(t, board.raw, reason, "the waiver is on the record")
	r = e.do("POST", "/api/v1/tasks/"+ack+"/submit", who, map[string]any{"decision": "acknowledge"})
	require.Equal(t, 200, r.status, r.raw)
	require.Equal(t, 202, e.do("POST", "/api/v1/cycles/"+id+"/cancel", "manager", map[string]any{"reason": "test over"}).status)
}

// publishStrict publishes cs-ops-strict: cs-ops-monthly whose customer
// rater group blocks on missing data.
func publishStrict(t *testing.T, e *env) {
	t.Helper()
	body := builtinBody(t, "cs-ops-monthly")
	body["key"] = "cs-ops-strict"
	for _, r := range body["raters"].([]any) {
		if r := r.(map[string]any); r["key"] == "customer" {
			r["missing"] = "block"
		}
	}
	r := e.do("POST", "/api/v1/templates", "admin", body)
	require.Equal(t, 201, r.status, r.raw)
	r = e.do("POST", "/api/v1/templates/cs-ops-strict/versions/1/publish", "admin", nil)
	require.Equal(t, 200, r.status, r.raw)
}

// evaluatedWithoutSurvey posts every member's cs-ops values but the new
// joiner's customer survey, launches a cycle of the template and submits
// every self and manager rating (4 of 5). It returns the cycle id.
func evaluatedWithoutSurvey(t *testing.T, e *env, ce *enginetest.Env, templateKey string, newJoiner *store.Member) string {
	t.Helper()
	var values []map[string]any
	for i, m := range ce.Employees {
		f := float64(i)
		for ind, v := range map[string]float64{"satisfaction": 97 - 2*f, "responseTime": 2.5 + 0.3*f, "retention": 52 - 1.5*f, "oneOnOneRating": 96 - 0.6*f, "complaintRate": 1 + 3*f} {
			values = append(values, map[string]any{"email": m.Email, "indicator": ind, "value": v})
		}
		if m.ID != newJoiner.ID {
			values = append(values, map[string]any{"email": m.Email, "indicator": "serviceAttitude", "value": 95 - 3*f, "source": "customer"})
		}
	}
	r := e.do("POST", "/api/v1/metrics", "manager", map[string]any{"period": "2026-09", "source": "tickets", "values": values})
	require.Equal(t, 200, r.status, r.raw)
	r = e.do("POST", "/api/v1/cycles", "manager", map[string]any{"templateKey": templateKey, "teamId": ce.Team.ID, "period": "2026-09", "compress": 8640})
	require.Equal(t, 201, r.status, r.raw)
	id := r.body["id"].(string)
	for i, m := range ce.Employees {
		who := fmt.Sprintf("e%d", i)
		task := openTask(t, e, who, id, engine.TaskSelfEval, "")
		r = e.do("POST", "/api/v1/tasks/"+task+"/submit", who, map[string]any{"scores": map[string]any{"collaboration": 4, "serviceAttitude": 4}})
		require.Equal(t, 200, r.status, r.raw)
		task = openTask(t, e, "manager", id, engine.TaskManagerEval, m.ID)
		r = e.do("POST", "/api/v1/tasks/"+task+"/submit", "manager", map[string]any{"scores": map[string]any{"collaboration": 4, "serviceAttitude": 4}})
		require.Equal(t, 200, r.status, r.raw)
	}
	return id
}

// requireFormSchema fetches a task and holds its form's JSON Schema to the
// submit route: the refused body fails the schema and is answered 400, the
// accepted one (which the caller then submits) passes it.
func requireFormSchema(t *testing.T, e *env, who, taskID, accepted, refused string) {
	t.Helper()
	r := e.do("GET", "/api/v1/tasks/"+taskID, who, nil)
	require.Equal(t, 200, r.status, r.raw)
	raw, err := json.Marshal(r.body["form"].(map[string]any)["schema"])
	require.NoError(t, err)
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	require.NoError(t, err)
	c := jsonschema.NewCompiler()
	require.NoError(t, c.AddResource("form.json", doc))
	schema, err := c.Compile("form.json")
	require.NoError(t, err)
	ok, err := jsonschema.UnmarshalJSON(strings.NewReader(accepted))
	require.NoError(t, err)
	require.NoError(t, schema.Validate(ok), "the schema accepts %s", accepted)
	body, err := jsonschema.UnmarshalJSON(strings.NewReader(refused))
	require.NoError(t, err)
	require.Error(t, schema.Validate(body), "the schema refuses %s", refused)
	var m map[string]any
	require.NoError(t, json.Unmarshal([]byte(refused), &m))
	require.Equal(t, 400, e.do("POST", "/api/v1/tasks/"+taskID+"/submit", who, m).status, "and so does the API")
}

func partsByKey(res map[string]any) map[string]map[string]any {
	out := map[string]map[string]any{}
	for _, p := range res["explanation"].(map[string]any)["parts"].([]any) {
		part := p.(map[string]any)
		out[part["key"].(string)] = part
	}
	return out
}

// requireExplained holds a result's explanation to its final score: its
// parts' weights and scores give the score back to the hundredth, and it
// explains every indicator, rater group and adjustment.
func requireExplained(t *testing.T, res map[string]any) {
	t.Helper()
	e, ok := res["explanation"].(map[string]any)
	require.True(t, ok, "result of %v has an explanation", res["memberId"])
	sum := e["constant"].(float64)
	for _, p := range e["parts"].([]any) {
		part := p.(map[string]any)
		sum += part["weight"].(float64) * part["score"].(float64) / 100
	}
	require.InDelta(t, res["finalScore"].(float64), math.Round(math.Max(0, math.Min(100, sum))*100)/100, 0.0051, "member %v: parts %v", res["memberId"], e["parts"])
	require.Len(t, e["indicators"], 6)
	for _, it := range e["indicators"].([]any) {
		ind := it.(map[string]any)
		if ind["kind"] == "quantitative" {
			require.NotNil(t, ind["value"], ind["key"])
			require.Equal(t, "tickets", ind["source"], ind["key"])
		}
	}
	require.Len(t, e["raters"], 3)
	for _, a := range e["adjustments"].([]any) {
		adj := a.(map[string]any)
		reason := adj["reason"].(map[string]any)
		require.NotEmpty(t, reason["zh"])
		require.NotEmpty(t, reason["en"])
	}
}
