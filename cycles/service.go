package cycles

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/perfloop/perfloop/engine"
	"github.com/perfloop/perfloop/monitoring"
	"github.com/perfloop/perfloop/names"
	"github.com/perfloop/perfloop/store"
)

// Service launches and steers cycles.
type Service struct {
	Store     *store.Store
	Client    client.Client
	TaskQueue string
	Log       *slog.Logger
	Metrics   *monitoring.Metrics // counts launches and submissions; nil counts nothing
}

// FieldError is a launch or submission problem at a JSON pointer of the request.
type FieldError struct {
	Path    string
	Value   string
	Message string
}

// Invalid is bad input: every problem found, each at its path.
type Invalid []FieldError

func (e Invalid) Error() string {
	parts := make([]string, len(e))
	for i, f := range e {
		parts[i] = f.Path + ": " + f.Message
	}
	return strings.Join(parts, "; ")
}

// Refused is a request the workflow turned down: Kind says why
// (TaskClosed, NotAssignee, DistributionBroken, StaleGrade, BadSubmission),
// or the service itself refused it (OwnReview: a change of one's own grade).
type Refused struct {
	Kind    string
	Message string
}

func (e *Refused) Error() string { return e.Message }

// ErrUnavailable means Temporal could not be reached; the caller may retry.
var ErrUnavailable = errors.New("the workflow service is unreachable; retry shortly")

// LaunchRequest asks for a cycle of a template for a team and period.
type LaunchRequest struct {
	OrgID          string
	TemplateKey    string
	Version        int // 0: the newest published version
	TeamID         string
	Period         string
	Title          string
	IdempotencyKey string
	By             string
	Compress       float64 // >1 runs the stages that many times faster (demo, bench)
}

// Compression bounds: 0 (left out) runs in real time; otherwise stages
// run MinCompress to MaxCompress times faster.
const (
	MinCompress = 1
	MaxCompress = 1_000_000
)

// Check finds what is wrong with a launch request before anything is
// loaded; Launch and the launch preview both ask it.
func (r LaunchRequest) Check() Invalid {
	var bad Invalid
	if r.TemplateKey == "" {
		bad = append(bad, FieldError{Path: "/templateKey", Message: "is required: the key of a published template"})
	}
	if r.TeamID == "" {
		bad = append(bad, FieldError{Path: "/teamId", Message: "is required: the team whose members are reviewed"})
	}
	if r.Compress != 0 && !(r.Compress >= MinCompress && r.Compress <= MaxCompress) {
		bad = append(bad, FieldError{Path: "/compress", Value: fmt.Sprint(r.Compress),
			Message: fmt.Sprintf("must be between %d and %d (times faster than real time), or left out", MinCompress, MaxCompress)})
	}
	if msg := names.Check(r.Title, names.MaxTitle); r.Title != "" && msg != "" {
		bad = append(bad, FieldError{Path: "/title", Value: names.Shown(r.Title), Message: msg})
	}
	return bad
}

// Launch validates a request, writes the cycle and its members in one
// transaction and starts the cycle's workflow. With the same idempotency
// key it returns the same cycle; a cycle whose workflow could not be
// started (Temporal down) is started by the next identical request.
func (s *Service) Launch(ctx context.Context, r LaunchRequest) (_ *store.Cycle, created bool, err error) {
	defer func() { s.Metrics.Launched(launchOutcome(created, err)) }()
	plan, err := PlanLaunch(ctx, s.Store, r)
	if err != nil {
		return nil, false, err
	}
	tv, t, team, period, members := plan.Version, plan.Template, plan.Team, plan.Period, plan.Members
	title := r.Title
	if title == "" {
		title = fmt.Sprintf("%s · %s · %s", t.Name.Zh, team.Name, period.Label)
	}
	c := &store.Cycle{
		OrgID: r.OrgID, TemplateKey: tv.Key, TemplateVersion: tv.Version, TemplateBody: tv.Body, ScopeTeamID: team.ID,
		Period: period.Label, PeriodStart: period.Start.UTC(), PeriodEnd: period.End.UTC(), Timezone: t.Timezone, Title: title,
		LaunchedBy: r.By, Compress: r.Compress,
	}
	c.ID = store.NewID()
	c.WorkflowID = engine.CycleWorkflowID(c.ID)
	if r.IdempotencyKey != "" {
		k := r.IdempotencyKey
		c.IdempotencyKey = &k
	}
	got, created, err := s.Store.CreateCycle(ctx, c, members)
	if errors.Is(err, store.ErrConflict) {
		// A cycle for this scope and period exists. If it never started
		// (Temporal was down), this request is its retry.
		live, _, lerr := s.Store.ListCycles(ctx, r.OrgID, store.CycleFilter{TeamIDs: []string{team.ID}, TemplateKey: tv.Key, Period: period.Label, State: store.CyclePending}, store.Page{Limit: 1})
		if lerr != nil || len(live) == 0 {
			return nil, false, err
		}
		got, created = &live[0], false
	} else if err != nil {
		return nil, false, err
	}
	if got.State == store.CyclePending {
		if err := s.start(ctx, got); err != nil {
			return got, created, err
		}
	}
	return got, created, nil
}

// checkWaivers refuses a waiver for a member whose result is not withheld:
// there is nothing to release, and the workflow's validator cannot read
// results to say so.
func (s *Service) checkWaivers(ctx context.Context, cycleID string, data json.RawMessage) (Invalid, error) {
	var form engine.CalibrationSubmission
	_ = json.Unmarshal(data, &form)
	var bad Invalid
	for i, w := range form.Waivers {
		r, err := s.Store.GetResult(ctx, cycleID, w.MemberID)
		if errors.Is(err, store.ErrNotFound) {
			bad = append(bad, FieldError{Path: fmt.Sprintf("/waivers/%d/memberId", i), Value: w.MemberID, Message: "has no result in this cycle"})
			continue
		}
		if err != nil {
			return nil, err
		}
		if r.Blocked == "" {
			bad = append(bad, FieldError{Path: fmt.Sprintf("/waivers/%d/memberId", i), Value: w.MemberID, Message: "this member's result is not withheld; only a result waiting for data a block policy requires can be waived"})
		}
	}
	return bad, nil
}

func (s *Service) start(ctx context.Context, c *store.Cycle) error {
	opts := client.StartWorkflowOptions{
		ID: c.WorkflowID, TaskQueue: s.TaskQueue,
		WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
	}
	_, err := s.Client.ExecuteWorkflow(ctx, opts, engine.CycleWorkflow.String(), engine.CycleInput{CycleID: c.ID})
	var started *serviceerror.WorkflowExecutionAlreadyStarted
	if err != nil && !errors.As(err, &started) {
		return fmt.Errorf("start cycle %s: %w: %v", c.ID, ErrUnavailable, err)
	}
	return nil
}

// Submit checks a task's form against the template and hands it to the
// workflow that owns the task as an Update, returning its result.
func (s *Service) Submit(ctx context.Context, caller *store.Member, taskID string, data json.RawMessage) (_ *engine.SubmitResult, err error) {
	defer func() { s.Metrics.Submitted(outcome(err, "accepted")) }()
	t, err := s.Store.GetTaskByID(ctx, taskID)
	if err != nil {
		// A database that is down answers 503 (retry), not 404: only a
		// missing row is "not found".
		return nil, err
	}
	if t.OrgID != caller.OrgID {
		return nil, fmt.Errorf("task %s: %w", taskID, store.ErrNotFound)
	}
	if t.AssigneeID != caller.ID {
		// Someone else's task is reported as missing, so ids reveal nothing.
		return nil, fmt.Errorf("task %s: %w", taskID, store.ErrNotFound)
	}
	// A task the caller submitted may still be open in its workflow: a
	// crash can lose the Update after its row was written. The Update goes
	// through so the workflow catches up (it refuses it as closed otherwise).
	if t.State != engine.TaskOpen && (t.State != engine.TaskSubmitted || t.SubmittedBy == nil || *t.SubmittedBy != caller.ID) {
		return nil, &Refused{Kind: "TaskClosed", Message: "this task is " + string(t.State) + "; it cannot be submitted again"}
	}
	if bad := CheckForm(t, data); len(bad) > 0 {
		return nil, bad
	}
	if t.Kind == engine.TaskCalibration {
		bad, err := s.checkWaivers(ctx, t.CycleID, data)
		if err != nil {
			return nil, err
		}
		if len(bad) > 0 {
			return nil, bad
		}
	}
	// An HRBP who facilitates is also reviewed when her team is in scope.
	if i := ownCalibration(t, data, caller.ID); i >= 0 {
		return nil, &Refused{Kind: "OwnReview", Message: fmt.Sprintf("/changes/%d: nobody calibrates their own grade; leave it to another lead of the cycle", i)}
	}
	sub := engine.Submission{TaskID: t.ID, By: caller.ID, Data: data}
	h, err := s.Client.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		WorkflowID: t.WorkflowID, UpdateName: engine.UpdateSubmit.String(), Args: []any{sub},
		WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	if err != nil {
		return nil, s.updateErr(err)
	}
	var res engine.SubmitResult
	if err := h.Get(ctx, &res); err != nil {
		return nil, s.updateErr(err)
	}
	return &res, nil
}

func (s *Service) updateErr(err error) error {
	var app *temporal.ApplicationError
	if errors.As(err, &app) {
		return &Refused{Kind: app.Type(), Message: app.Message()}
	}
	var nf *serviceerror.NotFound
	if errors.As(err, &nf) {
		return &Refused{Kind: "TaskClosed", Message: "the workflow that owned this task has finished"}
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("%w: %v", ErrUnavailable, err)
	}
	var un *serviceerror.Unavailable
	if errors.As(err, &un) {
		return fmt.Errorf("%w: %v", ErrUnavailable, err)
	}
	return err
}

// Cancel records the reason and signals the cycle's workflow, which closes
// the open tasks; nothing is deleted.
func (s *Service) Cancel(ctx context.Context, orgID, cycleID, actor, reason string) (*store.Cycle, error) {
	if strings.TrimSpace(reason) == "" {
		return nil, Invalid{{Path: "/reason", Message: "is required: say why the cycle is cancelled"}}
	}
	c, err := s.Store.MarkCycleCancelling(ctx, orgID, cycleID, actor, reason)
	if err != nil {
		return nil, err
	}
	if c.State == store.CyclePending {
		return c, s.Store.SetCycleStage(ctx, c.ID, "", store.CycleCancelled)
	}
	if err := s.Client.SignalWorkflow(ctx, c.WorkflowID, "", engine.SignalCancel.String(), reason); err != nil {
		return nil, s.updateErr(err)
	}
	return c, nil
}

// Resume asks a blocked cycle's workflow to run the step that blocked it
// (scoring, or a stage step missing a member, team or splittable target)
// again, once its data is corrected; it blocks again, with a fresh reason,
// if the data still does not serve.
func (s *Service) Resume(ctx context.Context, orgID, cycleID, actor string) (*store.Cycle, error) {
	c, err := s.Store.GetCycle(ctx, orgID, cycleID)
	if err != nil {
		return nil, err
	}
	if c.State != store.CycleBlocked {
		return nil, fmt.Errorf("resume cycle %s: %w: the cycle is %s; only a blocked cycle resumes", cycleID, store.ErrConflict, c.State)
	}
	if err := store.Audit(s.Store.DB.WithContext(ctx), actor, "cycle.resume", "cycle", c.ID, map[string]any{"reason": c.BlockedReason}); err != nil {
		return nil, err
	}
	if err := s.Client.SignalWorkflow(ctx, c.WorkflowID, "", engine.SignalResume.String(), actor); err != nil {
		return nil, s.updateErr(err)
	}
	return c, nil
}

// Progress asks the live workflow; a finished cycle answers from its row.
func (s *Service) Progress(ctx context.Context, c *store.Cycle) (*engine.Progress, error) {
	if c.State == store.CycleRunning || c.State == store.CycleBlocked {
		qctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		v, err := s.Client.QueryWorkflow(qctx, c.WorkflowID, "", engine.QueryProgress.String())
		if err == nil {
			var p engine.Progress
			if err := v.Get(&p); err == nil {
				return &p, nil
			}
		}
	}
	return &engine.Progress{CycleID: c.ID, State: c.State, Stage: c.CurrentStage, Skipped: []string{}, Reason: c.BlockedReason}, nil
}

// WakeDelivery signals the DeliveryWorkflow to claim now what was just
// owed. It is a nudge: when the workflow is not running (no worker yet)
// the next round claims the message anyway, so the error is only worth a
// log line.
func (s *Service) WakeDelivery(ctx context.Context) error {
	if s.Client == nil {
		return nil
	}
	return s.Client.SignalWorkflow(ctx, engine.DeliveryWorkflowID, "", engine.SignalDeliverNow.String(), nil)
}
