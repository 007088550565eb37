package engine

import (
	"encoding/json"

	"github.com/perfloop/perfloop/templates"
)

// TaskPayload is what a task row carries for the form and the follow-ups:
// activities write it when they open a task, and the API reads it to check
// and describe the form a submission must fill.
type TaskPayload struct {
	StageKey   string            `json:"stageKey"`
	StageType  string            `json:"stageType,omitempty"`
	Form       []templates.Field `json:"form,omitempty"`
	Indicators []string          `json:"indicators,omitempty"` // rating tasks: what to rate
	Scale      *templates.Scale  `json:"scale,omitempty"`
	RaterKey   string            `json:"raterKey,omitempty"`
	Anonymous  bool              `json:"anonymous,omitempty"`
	Approval   bool              `json:"approval,omitempty"`
	PlanTaskID string            `json:"planTaskId,omitempty"`
	IDPID      string            `json:"idpId,omitempty"`
	// Revision counts how often a plan was sent back (0: the first plan);
	// a revised plan names the approval that sent it back.
	Revision       int    `json:"revision,omitempty"`
	ReviewTaskID   string `json:"reviewTaskId,omitempty"`
	PreviousTaskID string `json:"previousTaskId,omitempty"`
	// Round numbers a progress report within its execute stage.
	Round int `json:"round,omitempty"`
}

// ParsePayload reads a task row's payload; a missing or unreadable one is
// the zero payload (a task with no form).
func ParsePayload(raw string) TaskPayload {
	var p TaskPayload
	_ = json.Unmarshal([]byte(raw), &p)
	return p
}
