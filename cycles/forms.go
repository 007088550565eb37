package cycles

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/perfloop/perfloop/engine"
	"github.com/perfloop/perfloop/store"
	"github.com/perfloop/perfloop/templates"
)

// CheckForm validates a submission against its task's form: every problem
// at its JSON pointer, with the value and what is expected.
func CheckForm(t *store.Task, data json.RawMessage) Invalid {
	p := engine.ParsePayload(t.Payload)
	var obj map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(&obj); err != nil || obj == nil {
		return Invalid{{Path: "", Message: "the form must be a JSON object"}}
	}
	switch t.Kind {
	case engine.TaskSelfEval, engine.TaskManagerEval, engine.TaskPeerEval, engine.TaskCrossEval:
		return checkRating(obj, p)
	case engine.TaskAcknowledge:
		return checkChoice(obj, "decision", []string{"acknowledge", "appeal"}, "comment", "appeal")
	case engine.TaskPlanApproval:
		bad := checkBool(obj, "approved")
		var approved bool
		var comment string
		_ = json.Unmarshal(obj["comment"], &comment)
		if json.Unmarshal(obj["approved"], &approved) == nil && !approved && strings.TrimSpace(comment) == "" {
			bad = append(bad, FieldError{Path: "/comment", Message: "is required when the plan is sent back: say what to change"})
		}
		return sorted(bad)
	case engine.TaskIDPReview:
		return checkChoice(obj, "outcome", []string{"completed", "extended", "not_completed"}, "comment", "")
	case engine.TaskCalibration:
		return checkCalibration(obj)
	case engine.TaskConfirmTargets:
		return checkBool(obj, "confirmed")
	}
	return checkFields(obj, p.Form)
}

func allowOnly(obj map[string]json.RawMessage, keys ...string) Invalid {
	var bad Invalid
	allowed := map[string]bool{}
	for _, k := range keys {
		allowed[k] = true
	}
	for k := range obj {
		if !allowed[k] {
			bad = append(bad, FieldError{Path: "/" + k, Message: "is not part of this form; expected: " + strings.Join(keys, ", ")})
		}
	}
	return bad
}

func checkRating(obj map[string]json.RawMessage, p engine.TaskPayload) Invalid {
	bad := allowOnly(obj, "scores", "comment")
	lo, hi := 0.0, 100.0
	if p.Scale != nil {
		lo, hi = p.Scale.Min, p.Scale.Max
	}
	var scores map[string]json.RawMessage
	if raw, ok := obj["scores"]; !ok || json.Unmarshal(raw, &scores) != nil {
		return append(bad, FieldError{Path: "/scores", Value: string(raw), Message: fmt.Sprintf("expected an object with a number from %g to %g for each of: %s", lo, hi, strings.Join(p.Indicators, ", "))})
	}
	want := map[string]bool{}
	for _, k := range p.Indicators {
		want[k] = true
		v, ok := scores[k]
		if !ok {
			bad = append(bad, FieldError{Path: "/scores/" + k, Message: fmt.Sprintf("is required: a rating from %g to %g", lo, hi)})
			continue
		}
		// Only a JSON number: a quoted "4" would be stored and then not
		// read back as a rating when scoring.
		var f float64
		if json.Unmarshal(v, &f) != nil || string(v) == "null" || math.IsNaN(f) || f < lo || f > hi {
			bad = append(bad, FieldError{Path: "/scores/" + k, Value: short(v), Message: fmt.Sprintf("must be a number from %g to %g", lo, hi)})
		}
	}
	for k, v := range scores {
		if !want[k] {
			bad = append(bad, FieldError{Path: "/scores/" + k, Value: short(v), Message: "this task does not rate that indicator; rate: " + strings.Join(p.Indicators, ", ")})
		}
	}
	if raw, ok := obj["comment"]; ok {
		var s string
		if json.Unmarshal(raw, &s) != nil || utf8.RuneCountInString(s) > 4000 {
			bad = append(bad, FieldError{Path: "/comment", Value: short(raw), Message: "expected text of at most 4000 characters"})
		}
	}
	return sorted(bad)
}

func checkChoice(obj map[string]json.RawMessage, key string, choices []string, textKey, needsText string) Invalid {
	bad := allowOnly(obj, key, textKey)
	var v string
	if raw, ok := obj[key]; !ok || json.Unmarshal(raw, &v) != nil || !contains(choices, v) {
		bad = append(bad, FieldError{Path: "/" + key, Value: short(obj[key]), Message: "must be one of: " + strings.Join(choices, ", ")})
	}
	bad = append(bad, checkText(obj, textKey)...)
	var text string
	_ = json.Unmarshal(obj[textKey], &text)
	if needsText != "" && v == needsText && strings.TrimSpace(text) == "" {
		bad = append(bad, FieldError{Path: "/" + textKey, Message: "is required for an " + needsText + ": say what you disagree with"})
	}
	return sorted(bad)
}

func checkBool(obj map[string]json.RawMessage, key string) Invalid {
	bad := allowOnly(obj, key, "comment")
	var b bool
	if raw, ok := obj[key]; !ok || json.Unmarshal(raw, &b) != nil {
		bad = append(bad, FieldError{Path: "/" + key, Value: short(obj[key]), Message: "expected true or false"})
	}
	return sorted(append(bad, checkText(obj, "comment")...))
}

// checkText refuses an optional member that is present but not text.
func checkText(obj map[string]json.RawMessage, keys ...string) Invalid {
	var bad Invalid
	for _, k := range keys {
		var s string
		if raw, ok := obj[k]; ok && json.Unmarshal(raw, &s) != nil || string(obj[k]) == "null" {
			bad = append(bad, FieldError{Path: "/" + k, Value: short(obj[k]), Message: "expected text"})
		}
	}
	return bad
}

func checkCalibration(obj map[string]json.RawMessage) Invalid {
	bad := allowOnly(obj, "changes", "waivers", "submissionId", "comment")
	bad = append(bad, checkText(obj, "submissionId", "comment")...)
	if raw, ok := obj["waivers"]; ok {
		var waivers []map[string]json.RawMessage
		if json.Unmarshal(raw, &waivers) != nil || waivers == nil {
			bad = append(bad, FieldError{Path: "/waivers", Value: short(raw), Message: "expected a list of {memberId, reason}: withheld results to score on the data there is"})
		}
		for i, w := range waivers {
			for _, k := range []string{"memberId", "reason"} {
				raw, ok := w[k]
				var s string
				if !ok || json.Unmarshal(raw, &s) != nil || strings.TrimSpace(s) == "" {
					bad = append(bad, FieldError{Path: fmt.Sprintf("/waivers/%d/%s", i, k), Value: short(raw), Message: "is required text"})
				}
			}
		}
	}
	var changes []map[string]json.RawMessage
	if raw, ok := obj["changes"]; !ok || json.Unmarshal(raw, &changes) != nil || changes == nil {
		return sorted(append(bad, FieldError{Path: "/changes", Value: short(obj["changes"]), Message: "expected a list of {memberId, from, to, reason}"}))
	}
	for i, ch := range changes {
		if ch == nil {
			bad = append(bad, FieldError{Path: fmt.Sprintf("/changes/%d", i), Value: "null", Message: "expected {memberId, from, to, reason}"})
			continue
		}
		if raw, ok := ch["from"]; ok {
			var s string
			if json.Unmarshal(raw, &s) != nil || string(raw) == "null" {
				bad = append(bad, FieldError{Path: fmt.Sprintf("/changes/%d/from", i), Value: short(raw), Message: "expected text: the grade before the change"})
			}
		}
		for _, k := range []string{"memberId", "to", "reason"} {
			raw, ok := ch[k]
			var s string
			if !ok || json.Unmarshal(raw, &s) != nil || strings.TrimSpace(s) == "" {
				bad = append(bad, FieldError{Path: fmt.Sprintf("/changes/%d/%s", i, k), Value: short(raw), Message: "is required text"})
			}
		}
	}
	return sorted(bad)
}

// ownCalibration is the index of a calibration change that moves the
// submitter's own grade, -1 when there is none.
func ownCalibration(t *store.Task, data json.RawMessage, memberID string) int {
	if t.Kind != engine.TaskCalibration {
		return -1
	}
	var in struct {
		Changes []struct {
			MemberID string `json:"memberId"`
		} `json:"changes"`
	}
	_ = json.Unmarshal(data, &in) // CheckForm has read it already
	for i, ch := range in.Changes {
		if ch.MemberID == memberID {
			return i
		}
	}
	return -1
}

func checkFields(obj map[string]json.RawMessage, form []templates.Field) Invalid {
	keys := make([]string, len(form))
	for i, f := range form {
		keys[i] = f.Key
	}
	bad := allowOnly(obj, keys...)
	for _, f := range form {
		raw, ok := obj[f.Key]
		if !ok || string(raw) == "null" {
			if f.Required {
				bad = append(bad, FieldError{Path: "/" + f.Key, Message: "is required: " + f.Label.Zh + " / " + f.Label.In("en")})
			}
			continue
		}
		if msg := checkField(f, raw); msg != "" {
			bad = append(bad, FieldError{Path: "/" + f.Key, Value: short(raw), Message: msg})
		}
	}
	return sorted(bad)
}

func checkField(f templates.Field, raw json.RawMessage) string {
	switch f.Type {
	case "number", "rating":
		var v float64
		if json.Unmarshal(raw, &v) != nil {
			return "expected a number"
		}
		if f.Min != nil && v < *f.Min {
			return fmt.Sprintf("must be at least %g", *f.Min)
		}
		if f.Max != nil && v > *f.Max {
			return fmt.Sprintf("must be at most %g", *f.Max)
		}
	case "boolean":
		var b bool
		if json.Unmarshal(raw, &b) != nil {
			return "expected true or false"
		}
	case "select":
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return "expected one of the options"
		}
		var vals []string
		for _, o := range f.Options {
			vals = append(vals, o.Value)
		}
		if !contains(vals, s) {
			return "must be one of: " + strings.Join(vals, ", ")
		}
	default:
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return "expected text"
		}
		limit := f.MaxLength
		if limit == 0 {
			limit = 10000
		}
		if utf8.RuneCountInString(s) > limit {
			return fmt.Sprintf("allows at most %d characters", limit)
		}
		if f.Required && strings.TrimSpace(s) == "" {
			return "must not be empty"
		}
	}
	return ""
}

func contains(xs []string, x string) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

func short(raw json.RawMessage) string {
	s := string(raw)
	if r := []rune(s); len(r) > 80 {
		return string(r[:80]) + "…"
	}
	return s
}

func sorted(bad Invalid) Invalid {
	for i := 1; i < len(bad); i++ {
		for j := i; j > 0 && bad[j].Path < bad[j-1].Path; j-- {
			bad[j], bad[j-1] = bad[j-1], bad[j]
		}
	}
	return bad
}

// TaskContext is what a task's form is about, beyond the form itself.
type TaskContext struct {
	// Plan is the plan an approval task decides on.
	Plan *PlanView `json:"plan,omitempty"`
	// Review says why a revised plan came back: the approver's comment on
	// the plan as it was.
	Review *PlanReview `json:"review,omitempty"`
	// SelfEval is the member's self-evaluation beside their manager's rating.
	SelfEval *SelfEvalView `json:"selfEval,omitempty"`
}

// PlanView is a submitted plan with the fields it was written against.
type PlanView struct {
	TaskID      string            `json:"taskId"`
	Revision    int               `json:"revision"`
	Form        []templates.Field `json:"form"`
	Data        json.RawMessage   `json:"data"`
	SubmittedAt *time.Time        `json:"submittedAt"`
}

// PlanReview is an approver's answer to a plan.
type PlanReview struct {
	Comment    string    `json:"comment"`
	ReviewerID string    `json:"reviewerId"`
	At         time.Time `json:"at"`
	Previous   *PlanView `json:"previous"`
}

// ContextOf gathers a task's context: the plan under approval, or the
// review that sent a plan back. Tasks with none answer nil.
func ContextOf(ctx context.Context, st *store.Store, t *store.Task) (*TaskContext, error) {
	p := engine.ParsePayload(t.Payload)
	switch {
	case t.Kind == engine.TaskPlanApproval && p.PlanTaskID != "":
		plan, err := planView(ctx, st, p.PlanTaskID)
		if err != nil {
			return nil, err
		}
		return &TaskContext{Plan: plan}, nil
	case t.Kind == engine.TaskPlan && p.ReviewTaskID != "":
		review, err := st.GetTaskByID(ctx, p.ReviewTaskID)
		if err != nil {
			return nil, err
		}
		var d struct {
			Comment string `json:"comment"`
		}
		_ = json.Unmarshal([]byte(deref(review.Submission)), &d)
		prev, err := planView(ctx, st, p.PreviousTaskID)
		if err != nil {
			return nil, err
		}
		r := &PlanReview{Comment: d.Comment, ReviewerID: deref(review.SubmittedBy), Previous: prev}
		if review.SubmittedAt != nil {
			r.At = *review.SubmittedAt
		}
		return &TaskContext{Review: r}, nil
	case t.Kind == engine.TaskManagerEval:
		self, err := selfEvalOf(ctx, st, t)
		if err != nil || self == nil {
			return nil, err
		}
		return &TaskContext{SelfEval: self}, nil
	}
	return nil, nil
}

func planView(ctx context.Context, st *store.Store, id string) (*PlanView, error) {
	plan, err := st.GetTaskByID(ctx, id)
	if err != nil {
		return nil, err
	}
	p := engine.ParsePayload(plan.Payload)
	v := &PlanView{TaskID: plan.ID, Revision: p.Revision, Form: p.Form, SubmittedAt: plan.SubmittedAt}
	if plan.Submission != nil {
		v.Data = json.RawMessage(*plan.Submission)
	}
	return v, nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
