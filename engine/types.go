package engine

import (
	"fmt"
	"strings"
	"time"

	"github.com/perfloop/perfloop/templates"
)

// CycleSnapshot is what a cycle's workflow needs to run: the frozen template
// and the period, loaded once at the start.
type CycleSnapshot struct {
	CycleID     string
	OrgID       string
	Template    []byte
	Period      string
	PeriodStart time.Time
	PeriodEnd   time.Time
	Timezone    string
	Members     int
	Compress    float64 // >1 runs every duration that many times faster (demo, bench)
	State       string
}

// StageOpen tells a member workflow a stage has opened and when it is due.
type StageOpen struct {
	CycleID       string
	StageKey      string
	StageType     string
	Index         int
	OpenedAt      time.Time
	Due           time.Time
	Reminders     []time.Duration // before the deadline
	OverdueEvery  time.Duration
	OverdueMax    int
	EscalateAfter time.Duration
	EscalateTo    string
	CloseAt       time.Time // open tasks expire at this point
	// Round numbers a progress report (StageType "report") within its
	// execute stage; StageKey is then ReportKey(stage, round).
	Round int `json:",omitempty"`
}

// Timetable is the stage's deadline, reminders and escalation as the
// cycle worked them out when it opened the stage.
func (o StageOpen) Timetable() templates.Timetable {
	return templates.Timetable{Opened: o.OpenedAt, Due: o.Due, Before: o.Reminders, OverdueEvery: o.OverdueEvery,
		OverdueMax: o.OverdueMax, EscalateAfter: o.EscalateAfter, EscalateTo: o.EscalateTo}
}

// StageReport is the StageType of a progress-report round.
const StageReport = "report"

// ReportKey names round n of an execute stage's progress reports, so
// each round is a stage of its own to the member workflows (which open a
// stage once per key) and its tasks dedupe per round.
func ReportKey(stage string, round int) string { return fmt.Sprintf("%s#report-%d", stage, round) }

// ParentStage is the template stage a stage key belongs to: the execute
// stage of a report round's key, the key itself otherwise.
func ParentStage(key string) string {
	stage, _, _ := strings.Cut(key, "#")
	return stage
}

// StageDone is a member's report that its part of a stage is over.
type StageDone struct {
	StageKey string
	MemberID string
	Expired  int
}

// DoneReport is a StageDone on its way to the cycle workflow ParentID.
type DoneReport struct {
	ParentID string
	Done     StageDone
}

// TaskRef is an inbox item a workflow waits on.
type TaskRef struct {
	TaskID     string    `json:"taskId"`
	Kind       TaskKind  `json:"kind"`
	AssigneeID string    `json:"assigneeId"`
	SubjectID  string    `json:"subjectId"`
	Due        time.Time `json:"due"`
	State      TaskState `json:"state"`
}

// Submission is a person's answer to a task, sent as a workflow Update.
type Submission struct {
	TaskID string
	By     string
	Data   []byte // the form's JSON, checked by the API against the template
}

// SubmitResult is what the Update returns to the API.
type SubmitResult struct {
	TaskID      string    `json:"taskId"`
	State       TaskState `json:"state"`
	SubmittedAt time.Time `json:"submittedAt"`
	Follow      *TaskRef  `json:"follow,omitempty"` // a follow-up task it opened (plan approval)
}

// GradeChange is one calibration move.
type GradeChange struct {
	MemberID string
	From     string
	To       string
	Reason   string
}

// CalibrationSubmission is the facilitator's decision on the grades.
type CalibrationSubmission struct {
	TaskID       string
	By           string
	SubmissionID string
	Changes      []GradeChange
	Waivers      []Waiver
}

// Waiver releases a member's result that a block policy withholds: the
// member is scored on the data there is.
type Waiver struct {
	MemberID string
	Reason   string
}

// Scored is ComputeScores' summary: each member's proposed grade, for the
// calibration validator that must judge a submission without the database.
type Scored struct {
	Grades map[string]string // member → proposed grade
	Count  int
}

// Progress is what the cycle's query answers.
type Progress struct {
	CycleID    string         `json:"cycleId"`
	State      string         `json:"state"`
	Stage      string         `json:"stage"`
	StageType  string         `json:"stageType"`
	StageIndex int            `json:"stageIndex"`
	Stages     int            `json:"stages"`
	Due        *time.Time     `json:"due,omitempty"`
	Members    int            `json:"members"`
	Done       int            `json:"done"`
	Expired    int            `json:"expired"`
	Skipped    []string       `json:"skipped"`
	Grades     map[string]int `json:"grades,omitempty"`
	// Reason says why a blocked cycle cannot score (state "blocked").
	Reason string `json:"reason,omitempty"`
}
