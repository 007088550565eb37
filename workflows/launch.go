package workflows

import (
	"time"

	"github.com/perfloop/perfloop/engine"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// LaunchWorkflow is what a recurring schedule starts each period: one
// activity that launches the period's cycle (idempotently). It takes the
// schedule's input as it is and names the activity by string, so the
// schedule's owner (package cycles) is not imported here.
func LaunchWorkflow(ctx workflow.Context, in any) (string, error) {
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 5 * time.Minute,
		RetryPolicy:         &temporal.RetryPolicy{InitialInterval: 5 * time.Second, MaximumInterval: 5 * time.Minute, MaximumAttempts: 50},
	})
	var id string
	err := workflow.ExecuteActivity(ctx, engine.LaunchScheduledCycle.String(), in).Get(ctx, &id)
	return id, err
}
