package activities

import (
	"time"

	"github.com/perfloop/perfloop/engine"
)

// StateChange moves a cycle's row to a state and stage.
type StateChange struct {
	CycleID string
	State   string
	Stage   string
	Reason  string
}

// CycleTaskRequest opens cycle-level tasks (confirm targets, calibration,
// a manager's form) for everyone holding Role over the cycle's scope.
type CycleTaskRequest struct {
	CycleID  string
	StageKey string
	Kind     string
	Role     string
	Due      time.Time
}

// MemberTasksRequest opens one member's tasks for a stage.
type MemberTasksRequest struct {
	MemberID   string
	WorkflowID string
	Stage      engine.StageOpen
}

// ReminderRequest reminds the assignees of a subject's open tasks in a
// stage; Index makes it idempotent (one notification per task and index).
type ReminderRequest struct {
	CycleID   string
	SubjectID string // empty for cycle-level tasks
	StageKey  string
	Index     int
	Overdue   bool
}

// EscalationRequest tells the holder of To about a subject's overdue tasks.
type EscalationRequest struct {
	CycleID   string
	SubjectID string
	StageKey  string
	To        string
}

// ExpireRequest closes what is still open when a stage ends.
type ExpireRequest struct {
	CycleID   string
	StageKey  string
	SubjectID string // empty: every open task of the stage
}

// BreakdownResult counts the targets written.
type BreakdownResult struct {
	TeamTargets   int
	MemberTargets int
	Fallbacks     []string // indicators split equally because nobody had history
}

// PaceReport is one run of the execute stage's monitor.
type PaceReport struct {
	Checked int
	Behind  []string // member:indicator pairs behind pace beyond the tolerance
	Alerts  int      // notifications newly sent
}

// MeetingRequest asks for a calibration slot within the stage's window.
type MeetingRequest struct {
	CycleID  string
	StageKey string
	From     time.Time
	Until    time.Time
}

// MeetingResult is the slot chosen.
type MeetingResult struct {
	StartsAt      time.Time
	EndsAt        time.Time
	FacilitatorID string
	Participants  []string
}

// CalibrationRequest applies a facilitator's submission to a cycle.
type CalibrationRequest struct {
	CycleID    string
	Submission engine.CalibrationSubmission
}

// NotifyRequest sends a notify stage's message to everyone holding Role.
type NotifyRequest struct {
	CycleID  string
	StageKey string
	Role     string
	Zh, En   string
}

// IDPRef is an IDP the outcomes created and whose workflow was started.
type IDPRef struct {
	IDPID    string
	MemberID string
	Created  bool
}
