package engine

import "time"

// CycleInput starts a cycle, or carries it from one stage's run to the next.
type CycleInput struct {
	CycleID    string
	Snapshot   *CycleSnapshot `json:",omitempty"`
	StageIndex int
	Skipped    []string          `json:",omitempty"`
	Grades     map[string]string `json:",omitempty"` // member → grade once scored
	Calibrated bool
	// Resume carries a member stage across a mid-stage continue-as-new.
	Resume *StageResume `json:",omitempty"`
}

// StageResume is a member stage in progress: what was broadcast and who
// has reported, so the next run waits for the rest without opening the
// stage again.
type StageResume struct {
	Open    StageOpen
	Members int
	Done    []string
	Expired int
}

// CycleResult is what a finished cycle returns.
type CycleResult struct {
	CycleID string
	State   string
	Skipped []string
}

// MemberInput names one member's workflow in a cycle.
type MemberInput struct {
	CycleID  string
	MemberID string
	ParentID string // the cycle's workflow id, for reports
	// Baseline is the table of member changes the run answers versions
	// from (MemberBaseline; workflows/versions.go), chosen by whoever
	// starts the run, so the run records no version marker for it. 0 is a
	// run started before the field existed: it asks GetVersion.
	Baseline int `json:",omitempty"`
}

// MemberBaseline is the member-change table a member run started today
// answers from.
const MemberBaseline = 1

// IDPInput starts an IDP's follow-up workflow.
type IDPInput struct {
	IDPID        string
	Due          time.Time
	CheckinEvery time.Duration
}
