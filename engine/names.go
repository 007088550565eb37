package engine

// WorkflowName is the name a workflow type is registered and started under.
type WorkflowName string

// The workflow types. Recorded histories carry these names.
const (
	CycleWorkflow    WorkflowName = "CycleWorkflow"
	MemberWorkflow   WorkflowName = "MemberWorkflow"
	IDPWorkflow      WorkflowName = "IDPWorkflow"
	LaunchWorkflow   WorkflowName = "LaunchWorkflow"
	DeliveryWorkflow WorkflowName = "DeliveryWorkflow"
)

// String is the name as Temporal takes it.
func (n WorkflowName) String() string { return string(n) }

// ActivityName is the name of an activity a workflow calls by name rather
// than by method value: one registered outside package activities, or one
// a local activity and an ordinary one share.
type ActivityName string

// The activities called by name.
const (
	// RecordSubmission stores a task's submission (activities).
	RecordSubmission ActivityName = "RecordSubmission"
	// LaunchScheduledCycle launches a schedule's cycle (cycles.Launcher).
	LaunchScheduledCycle ActivityName = "LaunchScheduledCycle"
	// ComputeScores scores a cycle (activities); the worker times it.
	ComputeScores ActivityName = "ComputeScores"
	// EnsureMemberTasks opens a member's tasks for a stage (activities),
	// as a local activity first.
	EnsureMemberTasks ActivityName = "EnsureMemberTasks"
	// ReportStageDone tells a cycle's workflow a member's stage is done
	// (activities), as a local activity first; reports to one cycle that
	// arrive together go in one SignalStagesDone.
	ReportStageDone ActivityName = "ReportStageDone"
)

// String is the name as Temporal takes it.
func (n ActivityName) String() string { return string(n) }

// SignalName names a signal.
type SignalName string

// The signals.
const (
	SignalStage     SignalName = "stage"      // parent → member: a stage opened
	SignalFinish    SignalName = "finish"     // parent → member: the cycle is over
	SignalStageDone SignalName = "stage-done" // member → parent: my part of a stage is done
	SignalCancel    SignalName = "cancel"     // API → parent: cancel with a reason
	SignalResume    SignalName = "resume"     // API → parent: a blocked cycle's data is corrected, score again
	SignalIDPClosed SignalName = "idp-closed" // → IDP: the plan was closed early
	// SignalDeliverNow wakes the DeliveryWorkflow to claim what is due at
	// once instead of at its next round: sent after someone presses "remind
	// now" or moves a meeting, so the message does not wait for the tick.
	SignalDeliverNow SignalName = "deliver-now"
	// SignalStagesDone (member → parent, through the ReportStageDone
	// activity) carries several members' StageDone reports in one signal.
	SignalStagesDone SignalName = "stages-done"
)

// String is the name as Temporal takes it.
func (n SignalName) String() string { return string(n) }

// UpdateName names an update.
type UpdateName string

// UpdateSubmit carries a task's form from the API to the workflow that owns the task.
const UpdateSubmit UpdateName = "submit"

// String is the name as Temporal takes it.
func (n UpdateName) String() string { return string(n) }

// QueryName names a query.
type QueryName string

// QueryProgress asks a cycle's workflow for its Progress.
const QueryProgress QueryName = "progress"

// String is the name as Temporal takes it.
func (n QueryName) String() string { return string(n) }

// CycleWorkflowID names a cycle's workflow.
func CycleWorkflowID(cycleID string) string { return "cycle-" + cycleID }

// MemberWorkflowID names one member's workflow in a cycle.
func MemberWorkflowID(cycleID, memberID string) string {
	return "cycle-" + cycleID + "-member-" + memberID
}

// IDPWorkflowID names an IDP's workflow.
func IDPWorkflowID(idpID string) string { return "idp-" + idpID }

// DeliveryWorkflowID names the one workflow that sends notifications on
// external channels.
const DeliveryWorkflowID = "notify-delivery"
