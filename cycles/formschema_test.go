package cycles_test

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/stretchr/testify/require"

	"github.com/perfloop/perfloop/cycles"
	"github.com/perfloop/perfloop/engine"
	"github.com/perfloop/perfloop/store"
)

// TestEveryTaskKindsFormSchemaAcceptsWhatTheAPIAcceptsAndRefusesWhatItRefuses
// holds each task kind's published JSON Schema to CheckForm, the check the
// submit route runs: a body one accepts the other accepts, and a body one
// refuses the other refuses.
func TestEveryTaskKindsFormSchemaAcceptsWhatTheAPIAcceptsAndRefusesWhatItRefuses(t *testing.T) {
	rating := `{"indicators":["collaboration","serviceAttitude"],"scale":{"min":1,"max":5}}`
	plan := `{"form":[{"key":"actions","type":"textarea","label":{"zh":"关键动作","en":"Key actions"},"required":true,"maxLength":20},` +
		`{"key":"risks","type":"textarea","label":{"zh":"风险"}},` +
		`{"key":"hours","type":"number","label":{"zh":"工时"},"min":0,"max":200},` +
		`{"key":"channel","type":"select","label":{"zh":"渠道"},"options":[{"value":"wecom","label":{"zh":"企微"}},{"value":"mail","label":{"zh":"邮件"}}]},` +
		`{"key":"urgent","type":"boolean","label":{"zh":"紧急"}}]}`
	cases := []struct {
		kind     engine.TaskKind
		payload  string
		accepted []string
		refused  []string
	}{
		{engine.TaskSelfEval, rating,
			[]string{`{"scores":{"collaboration":4,"serviceAttitude":5}}`, `{"scores":{"collaboration":1,"serviceAttitude":3.5},"comment":"自评"}`},
			[]string{`{"scores":{"collaboration":4}}`, `{"scores":{"collaboration":6,"serviceAttitude":5}}`, `{"scores":{"collaboration":4,"serviceAttitude":5,"nps":3}}`, `{"scores":{"collaboration":"4","serviceAttitude":5}}`, `{"scores":{"collaboration":null,"serviceAttitude":5}}`, `{"scores":null}`, `{"scores":{"collaboration":4,"serviceAttitude":5},"note":"x"}`, `{}`}},
		{engine.TaskManagerEval, rating,
			[]string{`{"scores":{"collaboration":2,"serviceAttitude":2}}`},
			[]string{`{"scores":{"collaboration":0,"serviceAttitude":2}}`, `{"scores":{"collaboration":2,"serviceAttitude":2},"comment":7}`}},
		{engine.TaskAcknowledge, `{}`,
			[]string{`{"decision":"acknowledge"}`, `{"decision":"acknowledge","comment":""}`, `{"decision":"appeal","comment":"评分未计入跨部门项目"}`},
			[]string{`{"decision":"appeal"}`, `{"decision":"appeal","comment":"  "}`, `{"decision":"maybe"}`, `{"comment":"x"}`, `{"decision":"acknowledge","comment":null}`, `{"decision":"acknowledge","extra":1}`}},
		{engine.TaskCalibration, `{}`,
			[]string{`{"changes":[]}`, `{"changes":[{"memberId":"m1","from":"A","to":"B","reason":"校准会"}],"submissionId":"s1","comment":"ok"}`, `{"changes":[],"waivers":[{"memberId":"m2","reason":"新员工，本月无客户调研"}]}`},
			[]string{`{}`, `{"changes":null}`, `{"changes":[{"memberId":"m1","to":"B"}]}`, `{"changes":[{"memberId":"m1","to":"B","reason":" "}]}`, `{"changes":[{"memberId":"m1","from":1,"to":"B","reason":"r"}]}`, `{"changes":[],"comment":5}`, `{"changes":[null]}`, `{"changes":[],"waivers":[{"memberId":"m2"}]}`, `{"changes":[],"waivers":null}`, `{"changes":[],"waivers":[{"memberId":"m2","reason":" "}]}`}},
		{engine.TaskPlanApproval, `{}`,
			[]string{`{"approved":true}`, `{"approved":false,"comment":"补充风险预案"}`},
			[]string{`{"approved":false}`, `{"approved":false,"comment":" "}`, `{"approved":"yes"}`, `{"approved":true,"comment":3}`}},
		{engine.TaskConfirmTargets, `{}`,
			[]string{`{"confirmed":true}`, `{"confirmed":false,"comment":"目标偏高"}`},
			[]string{`{}`, `{"confirmed":1}`, `{"confirmed":true,"comment":false}`}},
		{engine.TaskIDPReview, `{}`,
			[]string{`{"outcome":"completed"}`, `{"outcome":"not_completed","comment":"继续跟进"}`},
			[]string{`{"outcome":"done"}`, `{"outcome":"extended","comment":[]}`}},
		{engine.TaskPlan, plan,
			[]string{`{"actions":"拉新活动"}`, `{"actions":"拉新活动","risks":null,"hours":40,"channel":"mail","urgent":false}`},
			[]string{`{}`, `{"actions":" "}`, `{"actions":"超过二十个字符的关键动作描述超过二十个字符的"}`, `{"actions":"x","hours":-1}`, `{"actions":"x","channel":"fax"}`, `{"actions":"x","urgent":"no"}`, `{"actions":"x","extra":1}`}},
	}
	for _, c := range cases {
		t.Run(string(c.kind), func(t *testing.T) {
			task := &store.Task{Kind: c.kind, Payload: c.payload}
			schema := compileFormSchema(t, cycles.FormSchema(task))
			for _, body := range c.accepted {
				require.Empty(t, cycles.CheckForm(task, json.RawMessage(body)), "the API accepts %s", body)
				require.NoError(t, schema.Validate(decode(t, body)), "the schema accepts %s", body)
			}
			for _, body := range c.refused {
				require.NotEmpty(t, cycles.CheckForm(task, json.RawMessage(body)), "the API refuses %s", body)
				require.Error(t, schema.Validate(decode(t, body)), "the schema refuses %s", body)
			}
		})
	}
}

func compileFormSchema(t *testing.T, s map[string]any) *jsonschema.Schema {
	t.Helper()
	raw, err := json.Marshal(s)
	require.NoError(t, err)
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	require.NoError(t, err)
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	require.NoError(t, c.AddResource("form.json", doc))
	out, err := c.Compile("form.json")
	require.NoError(t, err)
	return out
}

func decode(t *testing.T, body string) any {
	t.Helper()
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader([]byte(body)))
	require.NoError(t, err)
	return v
}
