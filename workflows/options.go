package workflows

import (
	"errors"
	"time"

	"github.com/perfloop/perfloop/activities"
	"github.com/perfloop/perfloop/engine"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// Activity options by kind of work. Every activity is idempotent, so
// retries are safe; the kinds differ in how long one attempt may take.
var (
	quick = workflow.ActivityOptions{
		StartToCloseTimeout: 30 * time.Second,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval:    time.Second,
			BackoffCoefficient: 2,
			// The database may be away for a while (a failover, a restart):
			// keep trying rather than lose the step, and at least every 10 s,
			// so the cycle moves on within seconds of the database's return
			// (with a one-minute cap a 20 s outage left steps idle ~40 s more).
			MaximumInterval:        10 * time.Second,
			MaximumAttempts:        0,
			NonRetryableErrorTypes: []string{"InvalidTemplate", "NotFound"},
		},
	}
	bulk = workflow.ActivityOptions{
		StartToCloseTimeout: 30 * time.Minute,
		HeartbeatTimeout:    time.Minute,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval:        2 * time.Second,
			BackoffCoefficient:     2,
			MaximumInterval:        30 * time.Second,
			NonRetryableErrorTypes: []string{"InvalidTemplate", "NotFound"},
		},
	}
	notify = workflow.ActivityOptions{
		StartToCloseTimeout: time.Minute,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval:    5 * time.Second,
			BackoffCoefficient: 2,
			MaximumInterval:    10 * time.Minute,
			MaximumAttempts:    20,
		},
	}
)

func withQuick(ctx workflow.Context) workflow.Context {
	return workflow.WithActivityOptions(ctx, quick)
}
func withBulk(ctx workflow.Context) workflow.Context { return workflow.WithActivityOptions(ctx, bulk) }
func withNotify(ctx workflow.Context) workflow.Context {
	return workflow.WithActivityOptions(ctx, notify)
}

// local runs a short database write in the worker that holds the workflow
// task, without a round trip through the task queue: task submissions are
// the hot path (an Update waits on it), and a local activity records one
// marker instead of three events.
var local = workflow.LocalActivityOptions{
	StartToCloseTimeout: 15 * time.Second,
	RetryPolicy: &temporal.RetryPolicy{
		InitialInterval:        200 * time.Millisecond,
		BackoffCoefficient:     2,
		MaximumInterval:        5 * time.Second,
		MaximumAttempts:        8,
		NonRetryableErrorTypes: []string{"TaskClosed", "BadSubmission", "NotFound"},
	},
}

// recordSubmission stores a task's form through a local activity.
//
// Workflows started before this change recorded a regular activity here;
// the version marker keeps their histories replaying (the replay tests in
// testdata hold such histories).
//
// When the local activity gives up on a failure that is not a refusal (the
// database away for longer than its retries), handing the submission back
// would leave the task open here while a write that went through before
// the connection dropped shows it submitted in the database, so a client
// retrying sees "already submitted" and stops, and the stage waits for its
// deadline (the MariaDB fault test caught exactly that). The Update stays
// in flight instead (localFirst); histories that handed it back keep
// replaying.
func recordSubmission(ctx workflow.Context, s engine.Submission) (engine.SubmitResult, error) {
	var res engine.SubmitResult
	if version(ctx, "local-submission", 1) == workflow.DefaultVersion {
		err := workflow.ExecuteActivity(withQuick(ctx), engine.RecordSubmission.String(), s).Get(ctx, &res)
		return res, err
	}
	err := localFirst(ctx, engine.RecordSubmission, s, &res, func() bool {
		return version(ctx, "submission-outlasts-outage", 1) != workflow.DefaultVersion
	})
	return res, err
}

// ensureMemberTasks opens a member's tasks for a stage through a local
// activity: at launch every member runs this once, and a round trip
// through the task queue per member (three history events, a poll and a
// dispatch) was most of what a launch cost after the broadcast. Histories
// from before this change keep the regular activity.
func ensureMemberTasks(ctx workflow.Context, req activities.MemberTasksRequest) ([]engine.TaskRef, error) {
	var refs []engine.TaskRef
	if version(ctx, "local-member-tasks", 1) == workflow.DefaultVersion {
		err := workflow.ExecuteActivity(withQuick(ctx), a.EnsureMemberTasks, req).Get(ctx, &refs)
		return refs, err
	}
	err := localFirst(ctx, engine.EnsureMemberTasks, req, &refs, func() bool { return true })
	return refs, err
}

// reportStageDone tells the parent a member's stage is done.
//
// Runs from before this change signalled the parent from the workflow:
// the server answers a SignalExternalWorkflow with an event and a second
// workflow task on the member, so a submission that settled a stage cost
// two workflow tasks and a transfer task besides the parent's signal
// (perfloop bench: submit throughput at a third of bare Updates). The
// ReportStageDone local activity signals in the workflow task that
// settled the stage, and reports to one cycle arriving together share a
// signal. Past the local retries it goes on as a regular activity, as the
// server went on retrying the signal before.
func reportStageDone(ctx workflow.Context, parentID string, done engine.StageDone) error {
	if version(ctx, "stage-done-by-activity", 1) == workflow.DefaultVersion {
		return workflow.SignalExternalWorkflow(ctx, parentID, "", engine.SignalStageDone.String(), done).Get(ctx, nil)
	}
	return localFirst(ctx, engine.ReportStageDone, engine.DoneReport{ParentID: parentID, Done: done}, nil, func() bool { return true })
}

// localFirst runs the named registered activity as a local activity (in
// the worker holding the workflow task, no task-queue round trip) into
// out. A failure that is not a refusal means the database is away for
// longer than the local retries; when outlast says so, the call is made
// again as a regular activity, retried without limit at least every 10 s,
// rather than handed back. The activity must be idempotent.
func localFirst(ctx workflow.Context, name engine.ActivityName, arg, out any, outlast func() bool) error {
	err := workflow.ExecuteLocalActivity(workflow.WithLocalActivityOptions(ctx, local), name.String(), arg).Get(ctx, out)
	if err == nil || refusal(err) || !outlast() {
		return err
	}
	workflow.GetLogger(ctx).Warn("a local activity outlasted its retries; retrying until the database answers", "activity", name.String(), "error", err)
	return workflow.ExecuteActivity(withQuick(ctx), name.String(), arg).Get(ctx, out)
}

// refusal tells a submission the activity refused (closed task, bad form,
// missing row) from a failure that may pass on retry.
func refusal(err error) bool {
	var app *temporal.ApplicationError
	if !errors.As(err, &app) {
		return false
	}
	if app.NonRetryable() {
		return true
	}
	for _, kind := range local.RetryPolicy.NonRetryableErrorTypes {
		if app.Type() == kind {
			return true
		}
	}
	return false
}
