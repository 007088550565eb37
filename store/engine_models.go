package store

import (
	"time"

	"github.com/perfloop/perfloop/engine"
)

// Cycle states. A blocked cycle's scoring cannot compute from its data (a
// value outside every band); it waits, cancellable, for the data to be
// corrected and a resume.
const (
	CyclePending   = "pending"
	CycleRunning   = "running"
	CycleBlocked   = "blocked"
	CycleCompleted = "completed"
	CycleCancelled = "cancelled"
	CycleFailed    = "failed"
)

// Cycle is one run of a published template over a team's members for a
// period. TemplateBody is the frozen snapshot the workflow runs on.
// Generation lets a scope and period be relaunched after a cancellation
// while the unique index still refuses two live cycles for the same thing.
type Cycle struct {
	ID              string     `gorm:"primaryKey" json:"id"`
	OrgID           string     `json:"-"`
	TemplateKey     string     `json:"templateKey"`
	TemplateVersion int        `json:"templateVersion"`
	TemplateBody    string     `json:"-"`
	ScopeTeamID     string     `json:"scopeTeamId"`
	Period          string     `json:"period"`
	PeriodStart     time.Time  `json:"periodStart"`
	PeriodEnd       time.Time  `json:"periodEnd"`
	Timezone        string     `json:"timezone"`
	Title           string     `json:"title"`
	State           string     `json:"state"`
	CurrentStage    string     `json:"currentStage"`
	WorkflowID      string     `json:"workflowId"`
	LaunchedBy      string     `json:"launchedBy"`
	IdempotencyKey  *string    `json:"idempotencyKey,omitempty"`
	CancelReason    string     `json:"cancelReason,omitempty"`
	BlockedReason   string     `json:"blockedReason,omitempty"` // while blocked: the member, indicator and value at fault
	Compress        float64    `json:"compress,omitempty"`
	Generation      int        `json:"generation"`
	StartedAt       *time.Time `json:"startedAt"`
	FinishedAt      *time.Time `json:"finishedAt"`
	Version         int        `json:"version"`
	CreatedAt       time.Time  `json:"createdAt"`
	UpdatedAt       time.Time  `json:"updatedAt"`
}

// CycleMember is a member in a cycle's scope, frozen at launch.
type CycleMember struct {
	CycleID   string     `gorm:"primaryKey" json:"-"`
	MemberID  string     `gorm:"primaryKey" json:"memberId"`
	TeamID    *string    `json:"teamId"`
	ManagerID *string    `json:"managerId"`
	Level     string     `json:"level"`
	JoinedOn  *time.Time `json:"joinedOn,omitempty"`
}

// TeamTargetKey marks a team's own target row.
const TeamTargetKey = "team"

// Target is a member's (or, with MemberID nil, the team's) target for an
// indicator in a cycle.
type Target struct {
	ID           string    `gorm:"primaryKey" json:"id"`
	CycleID      string    `json:"cycleId"`
	MemberID     *string   `json:"memberId"`
	MemberKey    string    `json:"-"`
	IndicatorKey string    `json:"indicator"`
	Period       string    `json:"period"`
	Value        float64   `json:"value"`
	Unit         string    `json:"unit"`
	Method       string    `json:"method"`
	ProRata      float64   `json:"proRata"`
	Source       string    `json:"source"`
	Objective    string    `json:"objective"`
	Version      int       `json:"version"`
	CreatedAt    time.Time `json:"createdAt"`
	UpdatedAt    time.Time `json:"updatedAt"`
}

// MetricBatch is one ingested file or request, kept by checksum so the
// same upload twice is recognised.
type MetricBatch struct {
	ID        string    `gorm:"primaryKey" json:"id"`
	OrgID     string    `json:"-"`
	Checksum  string    `json:"checksum"`
	FileName  string    `json:"fileName"`
	RowCount  int       `json:"rows"`
	CreatedBy string    `json:"createdBy"`
	CreatedAt time.Time `json:"createdAt"`
	// Replace lets the batch overwrite values already recorded for the same
	// member, indicator and period; without it such a row is refused.
	Replace bool `gorm:"-" json:"-"`
}

// MetricValue is a measured value of an indicator (or signal) for a member
// in a period, from one source. There is at most one per member, indicator
// and period, whatever its source: scoring reads that one value.
type MetricValue struct {
	ID           string    `gorm:"primaryKey" json:"id"`
	OrgID        string    `json:"-"`
	MemberID     string    `json:"memberId"`
	IndicatorKey string    `json:"indicator"`
	Period       string    `json:"period"`
	Value        float64   `json:"value"`
	Source       string    `json:"source"`
	BatchID      string    `json:"batchId"`
	RecordedAt   time.Time `json:"recordedAt"`
	RecordedBy   string    `json:"recordedBy"` // the member whose request wrote it
}

// Task is an inbox item: a form someone must submit by DueAt.
type Task struct {
	ID            string           `gorm:"primaryKey" json:"id"`
	OrgID         string           `json:"-"`
	CycleID       string           `json:"cycleId"`
	WorkflowID    string           `json:"-"`
	StageKey      string           `json:"stage"`
	Kind          engine.TaskKind  `json:"kind"`
	AssigneeID    string           `json:"assigneeId"`
	SubjectID     *string          `json:"subjectId"`
	Title         string           `json:"title"`
	TitleEn       string           `json:"titleEn"`
	DueAt         time.Time        `json:"dueAt"`
	State         engine.TaskState `json:"state"`
	Payload       string           `json:"-"`
	Submission    *string          `json:"-"`
	SubmittedAt   *time.Time       `json:"submittedAt"`
	SubmittedBy   *string          `json:"submittedBy"`
	RemindersSent int              `json:"remindersSent"`
	EscalatedAt   *time.Time       `json:"escalatedAt"`
	DedupeKey     string           `json:"-"`
	Version       int              `json:"version"`
	CreatedAt     time.Time        `json:"createdAt"`
	UpdatedAt     time.Time        `json:"updatedAt"`
}

// Evaluation is one rating of a member, per indicator, from a submitted task.
type Evaluation struct {
	ID          string    `gorm:"primaryKey" json:"id"`
	CycleID     string    `json:"cycleId"`
	TaskID      string    `json:"taskId"`
	RaterID     string    `json:"raterId"`
	RaterRole   string    `json:"raterRole"`
	RaterKey    string    `json:"raterKey"`
	RateeID     string    `json:"rateeId"`
	Scores      string    `json:"-"`
	Comment     string    `json:"comment"`
	Anonymous   bool      `json:"anonymous"`
	SubmittedAt time.Time `json:"submittedAt"`
}

// Result states.
const (
	ResultComputed     = "computed"
	ResultCalibrated   = "calibrated"
	ResultPublished    = "published"
	ResultAcknowledged = "acknowledged"
	ResultAppealed     = "appealed"
)

// Result is a member's score, grade and outcomes in a cycle.
type Result struct {
	ID              string     `gorm:"primaryKey" json:"id"`
	CycleID         string     `json:"cycleId"`
	MemberID        string     `json:"memberId"`
	IndicatorScores string     `json:"-"`
	Parts           string     `json:"-"`
	Adjustments     string     `json:"-"`
	FinalScore      float64    `json:"finalScore"`
	ProposedGrade   string     `json:"proposedGrade"`
	Grade           string     `json:"grade"`
	Rank            int        `gorm:"column:rank_in_scope" json:"rank"`
	Percentile      float64    `json:"percentile"`
	BonusAmount     float64    `json:"bonusAmount"`
	BonusCurrency   string     `json:"bonusCurrency"`
	Promotion       bool       `json:"promotion"`
	AcknowledgedAt  *time.Time `json:"acknowledgedAt"`
	Appeal          *string    `json:"appeal"`
	State           string     `json:"state"`
	Version         int        `json:"version"`
	CreatedAt       time.Time  `json:"createdAt"`
	UpdatedAt       time.Time  `json:"updatedAt"`
	// Missing lists the data scoring found missing and the policy that
	// applied; Explanation is the breakdown of the final score, both JSON
	// written when the result is computed. Blocked is why a missing-data
	// policy withholds the score (empty when scored).
	Missing     string `json:"-"`
	Explanation string `json:"-"`
	Blocked     string `json:"blocked,omitempty"`
}

// Outcome is what ApplyOutcomes sets on a result.
type Outcome struct {
	MemberID      string
	BonusAmount   float64
	BonusCurrency string
	Promotion     bool
}

// CalibrationMeeting is a cycle's scheduled calibration.
type CalibrationMeeting struct {
	ID            string    `gorm:"primaryKey" json:"id"`
	OrgID         string    `json:"-"`
	CycleID       string    `json:"cycleId"`
	StartsAt      time.Time `json:"startsAt"`
	EndsAt        time.Time `json:"endsAt"`
	Timezone      string    `json:"timezone"`
	FacilitatorID string    `json:"facilitatorId"`
	Participants  string    `json:"-"`
	Agenda        string    `json:"-"`
	ICS           string    `gorm:"column:ics" json:"-"`
	State         string    `json:"state"`
	// Sequence is the iCalendar SEQUENCE of the invite: 0 when scheduled,
	// one more for every move or the cancellation, under the same UID.
	Sequence     int        `json:"sequence"`
	ChangedBy    string     `json:"changedBy,omitempty"`
	ChangeReason string     `json:"changeReason,omitempty"`
	CreatedAt    time.Time  `json:"createdAt"`
	UpdatedAt    *time.Time `json:"updatedAt,omitempty"`
}

// FeedbackInterview is a member's one-to-one with their manager in the
// feedback stage: the manager organises, both attend. One per cycle and
// member, so a retried scheduling never books two.
type FeedbackInterview struct {
	ID        string    `gorm:"primaryKey" json:"id"`
	OrgID     string    `json:"-"`
	CycleID   string    `json:"cycleId"`
	MemberID  string    `json:"memberId"`
	ManagerID string    `json:"managerId"`
	StartsAt  time.Time `json:"startsAt"`
	EndsAt    time.Time `json:"endsAt"`
	Timezone  string    `json:"timezone"` // the manager's, which the invite is written in
	State     string    `json:"state"`    // MeetingScheduled or MeetingCancelled
	// Sequence is the iCalendar SEQUENCE: 0 when booked, one more for
	// every move or the cancellation, under the same UID.
	Sequence     int        `json:"sequence"`
	ICS          string     `gorm:"column:ics" json:"-"`
	ChangedBy    string     `json:"changedBy,omitempty"`
	ChangeReason string     `json:"changeReason,omitempty"`
	CreatedAt    time.Time  `json:"createdAt"`
	UpdatedAt    *time.Time `json:"updatedAt,omitempty"`
}

// CalibrationChange is one grade moved in calibration, with its reason.
type CalibrationChange struct {
	ID           string    `gorm:"primaryKey" json:"id"`
	CycleID      string    `json:"cycleId"`
	MemberID     string    `json:"memberId"`
	FromGrade    string    `json:"from"`
	ToGrade      string    `json:"to"`
	Reason       string    `json:"reason"`
	ChangedBy    string    `json:"changedBy"`
	SubmissionID string    `json:"submissionId"`
	CreatedAt    time.Time `json:"createdAt"`
}

// IDP states.
const (
	IDPOpen   = "open"
	IDPClosed = "closed"
)

// IDP is an individual development plan.
type IDP struct {
	ID               string    `gorm:"primaryKey" json:"id"`
	OrgID            string    `json:"-"`
	MemberID         string    `json:"memberId"`
	CycleID          string    `json:"cycleId"`
	TriggerPeriods   string    `json:"-"` // JSON []IDPTrigger; read it with Triggers
	Items            string    `json:"-"`
	MentorID         string    `json:"mentorId"`
	DueAt            time.Time `json:"dueAt"`
	CheckinEveryDays int       `json:"checkinEveryDays"`
	State            string    `json:"state"`
	DedupeKey        string    `json:"-"`
	CreatedAt        time.Time `json:"createdAt"`
	UpdatedAt        time.Time `json:"updatedAt"`
}

func (IDP) TableName() string { return "idps" }

// IDPCheckin is a note on an IDP's progress.
type IDPCheckin struct {
	ID    string    `gorm:"primaryKey" json:"id"`
	IDPID string    `gorm:"column:idp_id" json:"idpId"`
	At    time.Time `json:"at"`
	Note  string    `json:"note"`
	ByID  string    `json:"by"`
}

// Notification is one message to one person on one channel; DedupeKey makes
// sending it idempotent.
type Notification struct {
	ID          string     `gorm:"primaryKey" json:"id"`
	OrgID       string     `json:"-"`
	RecipientID string     `json:"recipientId"`
	Channel     string     `json:"channel"`
	Kind        string     `json:"kind"`
	Subject     string     `json:"subject"`
	Body        string     `json:"body"`
	DedupeKey   string     `json:"-"`
	State       string     `json:"state"`
	Attempts    int        `json:"attempts"`
	LastError   string     `json:"lastError,omitempty"`
	SentAt      *time.Time `json:"sentAt"`
	ReadAt      *time.Time `json:"readAt"`
	CreatedAt   time.Time  `json:"createdAt"`
}

// PeriodRanking is a team's ranking in one cycle of a template, for rules
// that look back over periods (the IDP's bottom run).
type PeriodRanking struct {
	CycleID     string
	Period      string
	PeriodStart time.Time
	PeriodEnd   time.Time
	// Ranks lists every member ranked in the cycle, best first.
	Ranks []MemberRank
}

// MemberRank is a member's rank and final score in a cycle.
type MemberRank struct {
	MemberID string
	Rank     int
	Score    float64
}

func (IDPCheckin) TableName() string { return "idp_checkins" }
