package cycles

import (
	"encoding/json"

	"github.com/perfloop/perfloop/engine"
	"github.com/perfloop/perfloop/store"
	"github.com/perfloop/perfloop/templates"
)

// nonBlank is text with at least one character that is not a space, the
// schema's form of CheckForm's strings.TrimSpace(s) != "".
var nonBlank = map[string]any{"type": "string", "pattern": `\S`}

// FormSchema is the JSON Schema (2020-12) of the body a task's submit
// accepts: the same rules CheckForm applies, written so a client can build
// and check its form without learning the shape from 400 answers. It is
// derived from the same engine.TaskPayload CheckForm reads, and a test holds the two
// to the same answers for every task kind.
func FormSchema(t *store.Task) map[string]any {
	s := formSchema(t)
	s["$schema"] = "https://json-schema.org/draft/2020-12/schema"
	return s
}

func formSchema(t *store.Task) map[string]any {
	p := engine.ParsePayload(t.Payload)
	switch t.Kind {
	case engine.TaskSelfEval, engine.TaskManagerEval, engine.TaskPeerEval, engine.TaskCrossEval:
		lo, hi := 0.0, 100.0
		if p.Scale != nil {
			lo, hi = p.Scale.Min, p.Scale.Max
		}
		props := map[string]any{}
		for _, k := range p.Indicators {
			props[k] = map[string]any{"type": "number", "minimum": lo, "maximum": hi}
		}
		return object([]string{"scores"}, map[string]any{
			"scores":  object(nonNil(p.Indicators), props),
			"comment": map[string]any{"type": "string", "maxLength": 4000},
		})
	case engine.TaskAcknowledge:
		return choice("decision", []string{"acknowledge", "appeal"}, "appeal")
	case engine.TaskIDPReview:
		return choice("outcome", []string{"completed", "extended", "not_completed"}, "")
	case engine.TaskPlanApproval:
		s := object([]string{"approved"}, map[string]any{"approved": map[string]any{"type": "boolean"}, "comment": map[string]any{"type": "string"}})
		// Sending a plan back needs a comment saying what to change.
		s["if"] = map[string]any{"properties": map[string]any{"approved": map[string]any{"const": false}}, "required": []string{"approved"}}
		s["then"] = map[string]any{"required": []string{"comment"}, "properties": map[string]any{"comment": nonBlank}}
		return s
	case engine.TaskConfirmTargets:
		return object([]string{"confirmed"}, map[string]any{"confirmed": map[string]any{"type": "boolean"}, "comment": map[string]any{"type": "string"}})
	case engine.TaskCalibration:
		change := map[string]any{
			"type": "object", "required": []string{"memberId", "to", "reason"},
			"properties": map[string]any{"memberId": nonBlank, "from": map[string]any{"type": "string"}, "to": nonBlank, "reason": nonBlank},
		}
		waiver := map[string]any{
			"type": "object", "required": []string{"memberId", "reason"},
			"properties": map[string]any{"memberId": nonBlank, "reason": nonBlank},
		}
		return object([]string{"changes"}, map[string]any{
			"changes":      map[string]any{"type": "array", "items": change},
			"waivers":      map[string]any{"type": "array", "items": waiver},
			"submissionId": map[string]any{"type": "string"},
			"comment":      map[string]any{"type": "string"},
		})
	}
	return fieldsSchema(p.Form)
}

func object(required []string, props map[string]any) map[string]any {
	return map[string]any{"type": "object", "additionalProperties": false, "required": nonNil(required), "properties": props}
}

func nonNil(xs []string) []string {
	if xs == nil {
		return []string{}
	}
	return xs
}

// choice is one of choices and an optional comment, required (not blank)
// when the choice is needsText.
func choice(key string, choices []string, needsText string) map[string]any {
	s := object([]string{key}, map[string]any{key: map[string]any{"enum": choices}, "comment": map[string]any{"type": "string"}})
	if needsText != "" {
		s["if"] = map[string]any{"properties": map[string]any{key: map[string]any{"const": needsText}}, "required": []string{key}}
		s["then"] = map[string]any{"required": []string{"comment"}, "properties": map[string]any{"comment": nonBlank}}
	}
	return s
}

// fieldsSchema is the schema of a template form (plan, task, report): a
// field left out or null is allowed unless it is required.
func fieldsSchema(form []templates.Field) map[string]any {
	props := map[string]any{}
	var required []string
	for _, f := range form {
		var s map[string]any
		switch f.Type {
		case "number", "rating":
			s = map[string]any{"type": "number"}
			if f.Min != nil {
				s["minimum"] = *f.Min
			}
			if f.Max != nil {
				s["maximum"] = *f.Max
			}
		case "boolean":
			s = map[string]any{"type": "boolean"}
		case "select":
			vals := []string{}
			for _, o := range f.Options {
				vals = append(vals, o.Value)
			}
			s = map[string]any{"enum": vals}
		default:
			limit := f.MaxLength
			if limit == 0 {
				limit = 10000
			}
			s = map[string]any{"type": "string", "maxLength": limit}
			if f.Required {
				s["pattern"] = `\S`
			}
		}
		s["title"] = f.Label.Zh + " / " + f.Label.In("en")
		if f.Required {
			required = append(required, f.Key)
		} else {
			s = map[string]any{"anyOf": []any{s, map[string]any{"type": "null"}}}
		}
		props[f.Key] = s
	}
	return object(required, props)
}

// FormOf is a task's form as the API shows it: what activities stored on
// the task (the template's fields, the indicators to rate, the scale…)
// with the JSON Schema of the body its submit accepts under "schema".
func FormOf(t *store.Task) json.RawMessage {
	form := map[string]json.RawMessage{}
	_ = json.Unmarshal([]byte(t.Payload), &form)
	if form == nil {
		form = map[string]json.RawMessage{}
	}
	form["schema"], _ = json.Marshal(FormSchema(t))
	out, _ := json.Marshal(form)
	return out
}
