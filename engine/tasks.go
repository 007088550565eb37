package engine

// TaskKind is what a task asks of its assignee. Kinds are stored on task
// rows and carried in workflow histories: never rename one.
type TaskKind string

// The task kinds.
const (
	TaskPlan           TaskKind = "plan"
	TaskPlanApproval   TaskKind = "plan_approval"
	TaskSelfEval       TaskKind = "self_eval"
	TaskManagerEval    TaskKind = "manager_eval"
	TaskPeerEval       TaskKind = "peer_eval"
	TaskCrossEval      TaskKind = "cross_eval"
	TaskAcknowledge    TaskKind = "acknowledge"
	TaskConfirmTargets TaskKind = "confirm_targets"
	TaskCalibration    TaskKind = "calibration"
	TaskGeneric        TaskKind = "task"
	TaskIDPReview      TaskKind = "idp_review"
	TaskIDPCheckin     TaskKind = "idp_checkin"
	TaskCustomerInput  TaskKind = "customer_input"
	TaskAppeal         TaskKind = "appeal"
	TaskReport         TaskKind = "report" // a progress report during the execute stage
)

// TaskState is where a task is in its life. States are stored on task
// rows and carried in workflow histories: never rename one.
type TaskState string

// The task states.
const (
	TaskOpen      TaskState = "open"
	TaskSubmitted TaskState = "submitted"
	TaskExpired   TaskState = "expired"
	TaskCancelled TaskState = "cancelled"
	// TaskSubmitting is a workflow's own state for a task whose submission
	// it accepted and is recording; no row ever holds it.
	TaskSubmitting TaskState = "submitting"
)
