package activities_test

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"gorm.io/gorm"

	"github.com/perfloop/perfloop/activities"
	"github.com/perfloop/perfloop/engine"
	"github.com/perfloop/perfloop/store"
	"github.com/perfloop/perfloop/store/storetest"
)

func record(t *testing.T, a *activities.Activities, s engine.Submission) (engine.SubmitResult, error) {
	var suite testsuite.WorkflowTestSuite
	env := suite.NewTestActivityEnvironment()
	env.RegisterActivity(a)
	v, err := env.ExecuteActivity(a.RecordSubmission, s)
	var res engine.SubmitResult
	if err == nil {
		require.NoError(t, v.Get(&res))
	}
	return res, err
}

// TestADatabaseFailureWhileRecordingIsRetriedNotRefused: a write that fails
// because the database did (here: every UPDATE errors, as a dropped
// connection does) is an error Temporal retries, not "task closed"; the
// retry records it. Someone else's answer is still a refusal.
func TestADatabaseFailureWhileRecordingIsRetriedNotRefused(t *testing.T) {
	st := storetest.SQLite(t)
	p := seed(t, st)
	task, err := st.EnsureTask(ctx, &store.Task{OrgID: p.org.ID, CycleID: "c1", WorkflowID: "w1", StageKey: "task", Kind: engine.TaskGeneric,
		AssigneeID: p.wang.ID, SubjectID: &p.wang.ID, Title: "任务", TitleEn: "Task", DueAt: time.Now().Add(time.Hour), Payload: "{}", DedupeKey: "c1:task:" + p.wang.ID})
	require.NoError(t, err)
	a := &activities.Activities{Store: st}
	sub := engine.Submission{TaskID: task.ID, By: p.wang.ID, Data: []byte(`{"note":"十月计划"}`)}

	require.NoError(t, st.DB.Callback().Update().Before("gorm:update").Register("test:drop", func(db *gorm.DB) {
		_ = db.AddError(errors.New("invalid connection"))
	}))
	_, err = record(t, a, sub)
	require.Error(t, err)
	var app *temporal.ApplicationError
	require.ErrorAs(t, err, &app)
	require.False(t, app.NonRetryable(), "a database failure must be retried: %v", err)
	require.NotEqual(t, "TaskClosed", app.Type())
	got, err := st.GetTaskByID(ctx, task.ID)
	require.NoError(t, err)
	require.Equal(t, engine.TaskOpen, got.State, "nothing half-written")

	require.NoError(t, st.DB.Callback().Update().Remove("test:drop"))
	res, err := record(t, a, sub)
	require.NoError(t, err)
	require.Equal(t, engine.TaskSubmitted, res.State)
	// The same submission again finds it recorded and answers the same.
	again, err := record(t, a, sub)
	require.NoError(t, err)
	require.Equal(t, res.SubmittedAt, again.SubmittedAt)

	// Someone else's submission of it is refused for good.
	_, err = record(t, a, engine.Submission{TaskID: task.ID, By: p.li.ID, Data: []byte(`{}`)})
	require.ErrorAs(t, err, &app)
	require.Equal(t, "TaskClosed", app.Type())
	require.True(t, app.NonRetryable())
}
