// Package worker builds the Temporal worker that runs Perfloop's workflows
// and activities; `perfloop worker` and `perfloop dev` both use it, so the
// dev shape is the production shape.
package worker

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/interceptor"
	sdkworker "go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/perfloop/perfloop/activities"
	"github.com/perfloop/perfloop/cycles"
	"github.com/perfloop/perfloop/engine"
	"github.com/perfloop/perfloop/monitoring"
	"github.com/perfloop/perfloop/notify"
	"github.com/perfloop/perfloop/store"
	"github.com/perfloop/perfloop/workflows"
)

// DefaultTaskQueue is where cycles run unless configured otherwise.
const DefaultTaskQueue = "perfloop"

// Options configures a worker.
type Options struct {
	Client    client.Client
	Store     *store.Store
	TaskQueue string
	Log       *slog.Logger
	// Concurrency bounds activities and workflow tasks in flight (0: SDK defaults).
	Concurrency int
	// Mail is the SMTP relay for e-mail notifications (nil: none are sent).
	Mail *notify.SMTP
	// StopTimeout is how long Stop lets activities in flight finish before
	// cancelling them. Without it a rolling deploy abandons them and
	// Temporal retries each only after its start-to-close timeout.
	StopTimeout time.Duration
	// Metrics times scoring and counts scheduled launches (nil: none).
	Metrics *monitoring.Metrics
	// Webhooks says which hosts chat bots and webhooks may reach.
	Webhooks notify.Targets
}

// DefaultStopTimeout fits inside the 30 s a container runtime or Kubernetes
// gives a process between SIGTERM and SIGKILL.
const DefaultStopTimeout = 25 * time.Second

// New registers every workflow and activity on a worker for the task queue.
func New(o Options) sdkworker.Worker {
	if o.TaskQueue == "" {
		o.TaskQueue = DefaultTaskQueue
	}
	// A workflow task that does not yield for a second is reported as a
	// deadlock; on a loaded two-core box fanning out thousands of members
	// that happened without any deadlock, so the bound is wider.
	//
	// A stage opening for thousands of members puts thousands of first
	// workflow tasks on the queue at once; the SDK's default two pollers
	// left them waiting minutes (measured with `perfloop bench`), so the
	// worker polls wider.
	wo := sdkworker.Options{
		DeadlockDetectionTimeout:         10 * time.Second,
		MaxConcurrentWorkflowTaskPollers: 8,
		MaxConcurrentActivityTaskPollers: 8,
		WorkerStopTimeout:                o.StopTimeout,
	}
	if o.Metrics != nil {
		wo.Interceptors = []interceptor.WorkerInterceptor{o.Metrics.Scoring(engine.ComputeScores.String())}
	}
	if o.Concurrency > 0 {
		wo.MaxConcurrentActivityExecutionSize = o.Concurrency
		wo.MaxConcurrentWorkflowTaskExecutionSize = o.Concurrency
	}
	w := sdkworker.New(o.Client, o.TaskQueue, wo)
	Register(w, &activities.Activities{Store: o.Store, Client: o.Client, TaskQueue: o.TaskQueue, Log: o.Log, Mail: o.Mail, Webhooks: o.Webhooks})
	w.RegisterActivity(&cycles.Launcher{Service: &cycles.Service{Store: o.Store, Client: o.Client, TaskQueue: o.TaskQueue, Log: o.Log, Metrics: o.Metrics}})
	return w
}

// StartDelivery starts the notification sender unless it runs already;
// every worker calls it at start, and exactly one instance runs.
func StartDelivery(ctx context.Context, c client.Client, taskQueue string) error {
	if taskQueue == "" {
		taskQueue = DefaultTaskQueue
	}
	_, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID: engine.DeliveryWorkflowID, TaskQueue: taskQueue,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
	}, engine.DeliveryWorkflow.String(), workflows.DeliveryInput{})
	if err != nil {
		return fmt.Errorf("start delivery workflow: %w", err)
	}
	return nil
}

// WorkflowRegistry is what a worker, the test environment and a replayer
// all offer.
type WorkflowRegistry interface {
	RegisterWorkflowWithOptions(w interface{}, options workflow.RegisterOptions)
}

// Registry is what a worker and the test environment both offer.
type Registry interface {
	WorkflowRegistry
	RegisterActivity(a interface{})
}

// Register adds the workflows under their stable names and the activities.
func Register(r Registry, acts *activities.Activities) {
	RegisterWorkflows(r)
	r.RegisterActivity(acts)
}

// RegisterWorkflows adds the workflows under their stable names: the
// names recorded histories carry, so a replayer registers exactly these.
func RegisterWorkflows(r WorkflowRegistry) {
	r.RegisterWorkflowWithOptions(workflows.CycleWorkflow, workflow.RegisterOptions{Name: engine.CycleWorkflow.String()})
	r.RegisterWorkflowWithOptions(workflows.MemberWorkflow, workflow.RegisterOptions{Name: engine.MemberWorkflow.String()})
	r.RegisterWorkflowWithOptions(workflows.IDPWorkflow, workflow.RegisterOptions{Name: engine.IDPWorkflow.String()})
	r.RegisterWorkflowWithOptions(workflows.LaunchWorkflow, workflow.RegisterOptions{Name: engine.LaunchWorkflow.String()})
	r.RegisterWorkflowWithOptions(workflows.DeliveryWorkflow, workflow.RegisterOptions{Name: engine.DeliveryWorkflow.String()})
}

// FetchHistory reads a workflow run's whole history (runID "" = latest run).
func FetchHistory(ctx context.Context, c client.Client, workflowID, runID string) (*historypb.History, error) {
	it := c.GetWorkflowHistory(ctx, workflowID, runID, false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	h := &historypb.History{}
	for it.HasNext() {
		ev, err := it.Next()
		if err != nil {
			return nil, err
		}
		h.Events = append(h.Events, ev)
	}
	return h, nil
}
