package activities

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/perfloop/perfloop/engine"
	"github.com/perfloop/perfloop/notify"
	"github.com/perfloop/perfloop/store"
	"github.com/perfloop/perfloop/templates"
)

// Activities carries what the activities need. One value is registered
// with the worker; its methods are the activities.
type Activities struct {
	Store     *store.Store
	Client    client.Client // signals members, starts member and IDP workflows
	TaskQueue string
	Log       *slog.Logger
	// Fanout bounds concurrent signals when a stage opens for many members.
	Fanout int
	// Mail is the SMTP relay for e-mail notifications (nil: no e-mail).
	Mail *notify.SMTP
	// HTTP posts chat-bot and webhook notifications (nil: Webhooks.Client()).
	HTTP *http.Client
	// Webhooks says which hosts chat bots and webhooks may reach.
	Webhooks notify.Targets
	// Now is the clock notifications are scheduled by (nil: time.Now).
	Now func() time.Time
	// parsed caches each cycle's frozen template (cycle id → frozen):
	// opening a stage parses it once, not once per member, and reads the
	// body once.
	parsed sync.Map
	// rosters caches each organisation's members for rater picking
	// (org id → *roster), read at most once a minute.
	rosters sync.Map
	// reports queues members' stage reports per cycle (ReportStageDone).
	reports reportBatcher
}

func (a *Activities) log() *slog.Logger {
	if a.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return a.Log
}

// ErrTypeNotFound is the application error type of an activity that needs
// a row that is not there (a member or team removed mid-cycle). Retrying
// reads the same rows, so it does not retry; the cycle workflow blocks on
// it until someone restores the data and resumes, or cancels.
const ErrTypeNotFound = "NotFound"

// notFound stops retries for rows that will never appear.
func notFound(err error) error {
	if errors.Is(err, store.ErrNotFound) {
		return temporal.NewNonRetryableApplicationError(err.Error(), ErrTypeNotFound, err)
	}
	return err
}

// cycle loads a cycle and its parsed frozen template. The body is frozen
// at launch, so once parsed it is neither read nor parsed again for the
// cycle's life: the row is read without it and given the held copy.
func (a *Activities) cycle(ctx context.Context, id string) (*store.Cycle, *templates.Template, error) {
	if v, ok := a.parsed.Load(id); ok {
		f := v.(frozen)
		c, err := a.Store.GetCycleHeadByID(ctx, id)
		if err != nil {
			return nil, nil, notFound(err)
		}
		c.TemplateBody = f.body
		return c, f.t, nil
	}
	c, err := a.Store.GetCycleByID(ctx, id)
	if err != nil {
		return nil, nil, notFound(err)
	}
	t, errs := templates.Parse([]byte(c.TemplateBody))
	if len(errs) > 0 {
		return nil, nil, temporal.NewNonRetryableApplicationError(errs.Error(), "InvalidTemplate", errs)
	}
	a.parsed.Store(c.ID, frozen{t: t, body: c.TemplateBody})
	return c, t, nil
}

// frozen is a cycle's template as launched, parsed and as written.
type frozen struct {
	t    *templates.Template
	body string
}

// LoadCycle reads the frozen snapshot a cycle's workflow runs on.
func (a *Activities) LoadCycle(ctx context.Context, cycleID string) (*engine.CycleSnapshot, error) {
	c, _, err := a.cycle(ctx, cycleID)
	if err != nil {
		return nil, err
	}
	n, err := a.Store.CountCycleMembers(ctx, cycleID)
	if err != nil {
		return nil, err
	}
	return &engine.CycleSnapshot{
		CycleID: c.ID, OrgID: c.OrgID, Template: []byte(c.TemplateBody), Period: c.Period,
		PeriodStart: c.PeriodStart, PeriodEnd: c.PeriodEnd, Timezone: c.Timezone,
		Members: n, Compress: c.Compress, State: c.State,
	}, nil
}

// SetCycleState keeps the cycles row in step with the workflow.
//
// Moving a cycle on (running, completed) is refused, with
// ErrTypeCancelRecorded, while its row holds a cancel: the API records the
// reason before it signals, and a run that never heard the signal must not
// carry on past it: the API could not send it, a run before
// cancel-settles-before-handover dropped it at a hand-over, or the cycle
// was cancelled while pending (no signal) as its workflow was starting.
func (a *Activities) SetCycleState(ctx context.Context, ch StateChange) error {
	if ch.State == store.CycleRunning || ch.State == store.CycleCompleted {
		c, err := a.Store.GetCycleByID(ctx, ch.CycleID)
		if err != nil {
			return notFound(err)
		}
		if c.CancelReason != "" {
			return temporal.NewNonRetryableApplicationError("the cycle has a cancel recorded: "+c.CancelReason, ErrTypeCancelRecorded, nil, c.CancelReason)
		}
	}
	return notFound(a.Store.SetCycleStage(ctx, ch.CycleID, ch.Stage, ch.State))
}

// ErrTypeCancelRecorded is the application error type of SetCycleState
// refusing to move on a cycle whose cancel is recorded; its detail is the
// reason.
const ErrTypeCancelRecorded = "CancelRecorded"

// CancelCycle closes every open task and marks the cycle cancelled; nothing
// is deleted.
func (a *Activities) CancelCycle(ctx context.Context, ch StateChange) error {
	if _, err := a.Store.CloseTasks(ctx, ch.CycleID, "", engine.TaskCancelled); err != nil {
		return err
	}
	return notFound(a.Store.SetCycleStage(ctx, ch.CycleID, ch.Stage, "cancelled"))
}

// RecordSubmission stores a task's form (and the evaluation it carries).
// A second call for a submitted task returns the first result.
func (a *Activities) RecordSubmission(ctx context.Context, s engine.Submission) (engine.SubmitResult, error) {
	// The task and its evaluation are written in one transaction, which
	// reads the row itself (locked) and refuses it unless open: no read
	// before it, since nearly every call finds the task open.
	var bad error
	t, err := a.Store.SubmitTaskWithEvaluation(ctx, s.TaskID, s.By, string(s.Data), 0, func(t *store.Task) (*store.Evaluation, error) {
		e, err := evaluationOf(t)
		bad = err
		return e, err
	})
	if bad != nil {
		return engine.SubmitResult{}, bad
	}
	if errors.Is(err, store.ErrConflict) || errors.Is(err, store.ErrNotFound) {
		// Not open. Already submitted by the same person is a retry: an
		// earlier attempt committed (it timed out here, or the worker
		// crashed before the follow-up). Its evaluation is there
		// (RecordEvaluation keeps one per task, and also covers rows written
		// before both went in one transaction) and the follow-up is
		// idempotent. Anyone else's answer closes it.
		again, gerr := a.Store.GetTaskByID(ctx, s.TaskID)
		if gerr != nil {
			return engine.SubmitResult{}, notFound(gerr)
		}
		if again.State != engine.TaskSubmitted || again.SubmittedBy == nil || *again.SubmittedBy != s.By {
			return engine.SubmitResult{}, temporal.NewNonRetryableApplicationError(err.Error(), "TaskClosed", err)
		}
		t = again
		if e, err := evaluationOf(t); err != nil {
			return engine.SubmitResult{}, err
		} else if e != nil {
			if err := a.Store.RecordEvaluation(ctx, e); err != nil {
				return engine.SubmitResult{}, err
			}
		}
	} else if err != nil {
		// The database failed, not the submission: retry. Refusing it as
		// closed here handed the task back to the workflow as open while
		// the write may have committed before the connection dropped, so
		// a retrying client found it submitted, stopped, and the stage
		// waited for its deadline (the MariaDB fault test caught it).
		return engine.SubmitResult{}, err
	}
	res := engine.SubmitResult{TaskID: t.ID, State: t.State, SubmittedAt: deref(t.SubmittedAt)}
	follow, err := a.followUp(ctx, t)
	if err != nil {
		return res, err
	}
	res.Follow = follow
	return res, nil
}

func deref(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return *t
}

// ratingForm is what rating tasks submit: a score per indicator in the
// rater's scale, and a comment.
type ratingForm struct {
	Scores  map[string]float64 `json:"scores"`
	Comment string             `json:"comment"`
}

var raterRoleOfKind = map[engine.TaskKind]string{
	engine.TaskSelfEval: templates.RaterSelf, engine.TaskManagerEval: templates.RaterManager,
	engine.TaskPeerEval: templates.RaterPeer, engine.TaskCrossEval: templates.RaterCrossDepartment,
}

// evaluationOf is the evaluation a submitted rating task records, or nil
// for a task that rates nobody.
func evaluationOf(t *store.Task) (*store.Evaluation, error) {
	role, ok := raterRoleOfKind[t.Kind]
	if !ok {
		return nil, nil
	}
	var f ratingForm
	if err := json.Unmarshal([]byte(deref2(t.Submission)), &f); err != nil {
		return nil, temporal.NewNonRetryableApplicationError("rating form: "+err.Error(), "BadSubmission", err)
	}
	scores, _ := json.Marshal(f.Scores)
	var p engine.TaskPayload
	_ = json.Unmarshal([]byte(t.Payload), &p)
	return &store.Evaluation{
		CycleID: t.CycleID, TaskID: t.ID, RaterID: t.AssigneeID, RaterRole: role, RaterKey: p.RaterKey,
		RateeID: deref2(t.SubjectID), Scores: string(scores), Comment: f.Comment, Anonymous: p.Anonymous,
	}, nil
}

func deref2(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// followUp opens the task a submission leads to: a submitted plan goes to
// the manager for approval when the template asks for it, and a plan sent
// back goes to its owner to revise (plans.go).
func (a *Activities) followUp(ctx context.Context, t *store.Task) (*engine.TaskRef, error) {
	var p engine.TaskPayload
	_ = json.Unmarshal([]byte(t.Payload), &p)
	switch t.Kind {
	case engine.TaskAcknowledge:
		return nil, a.acknowledge(ctx, t)
	case engine.TaskIDPReview:
		return nil, a.Store.CloseIDP(ctx, p.IDPID)
	case engine.TaskPlan:
		if p.Approval {
			return a.askApproval(ctx, t, p)
		}
	case engine.TaskPlanApproval:
		return a.answerPlan(ctx, t, p)
	}
	return nil, nil
}

func refOf(t *store.Task) engine.TaskRef {
	return engine.TaskRef{TaskID: t.ID, Kind: t.Kind, AssigneeID: t.AssigneeID, SubjectID: deref2(t.SubjectID), Due: t.DueAt, State: t.State}
}

// acknowledge records the member's answer on their result: acknowledged,
// or appealed with the reason. A retry finds the result answered already.
func (a *Activities) acknowledge(ctx context.Context, t *store.Task) error {
	var f struct {
		Decision string `json:"decision"`
		Comment  string `json:"comment"`
	}
	_ = json.Unmarshal([]byte(deref2(t.Submission)), &f)
	var appeal *string
	if f.Decision == "appeal" {
		appeal = &f.Comment
	}
	_, err := a.Store.AcknowledgeResult(ctx, t.CycleID, deref2(t.SubjectID), appeal)
	if errors.Is(err, store.ErrConflict) || errors.Is(err, store.ErrNotFound) {
		return nil // answered before, or no result to answer (nobody was scored)
	}
	return err
}
