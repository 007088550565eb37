package workflows_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/workflow"

	"github.com/perfloop/perfloop/activities"
	"github.com/perfloop/perfloop/engine"
	"github.com/perfloop/perfloop/workflows"
)

// TestAnUnansweredIDPReviewExpiresWhenItsTaskIsDue: a compressed plan
// (a day is a minute) is due after two check-ins; the mentor's review
// task says it is due 14 compressed days later, and the workflow expires
// it then, not after a real week.
func TestAnUnansweredIDPReviewExpiresWhenItsTaskIsDue(t *testing.T) {
	env := newEnv(t)
	env.RegisterWorkflowWithOptions(workflows.IDPWorkflow, workflow.RegisterOptions{Name: engine.IDPWorkflow.String()})
	day := time.Minute
	start := env.Now()
	due := start.Add(30 * day)
	reviewDue := due.Add(14 * day)
	env.OnActivity(a.IDPCheckinReminder, mock.Anything, "p1", mock.Anything).Return(true, nil).Times(2)
	env.OnActivity(a.EnsureIDPReview, mock.Anything, "p1").Return(&engine.TaskRef{TaskID: "r1", AssigneeID: "mentor", State: "open", Due: reviewDue}, nil).Once()
	var expiredAt time.Time
	env.OnActivity(a.ExpireTasks, mock.Anything, activities.ExpireRequest{StageKey: "idp:p1"}).Return(func(context.Context, activities.ExpireRequest) (int, error) {
		expiredAt = env.Now()
		return 1, nil
	}).Once()
	env.ExecuteWorkflow(workflows.IDPWorkflow, engine.IDPInput{IDPID: "p1", Due: due, CheckinEvery: 14 * day})
	require.NoError(t, env.GetWorkflowError())
	require.WithinDuration(t, reviewDue, expiredAt, time.Second, "the review expires on its task's due date")
	env.AssertExpectations(t)
}
