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

// TestARatingIsRecordedOnceHoweverOftenItsSubmissionIsRetried: on both
// databases, a self-evaluation recorded, then recorded again (a retry after
// the first attempt committed), and again after its evaluation row went
// missing (written by an older worker that did not keep both together),
// leaves one submitted task with one evaluation; a task that is not there
// is refused for good as NotFound.
func TestARatingIsRecordedOnceHoweverOftenItsSubmissionIsRetried(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		p := seed(t, st)
		task, err := st.EnsureTask(ctx, &store.Task{OrgID: p.org.ID, CycleID: "c1", WorkflowID: "w1", StageKey: "evaluate", Kind: engine.TaskSelfEval,
			AssigneeID: p.wang.ID, SubjectID: &p.wang.ID, Title: "自评", TitleEn: "Self", DueAt: time.Now().Add(time.Hour), Payload: `{"raterKey":"self"}`, DedupeKey: "c1:evaluate:self:" + p.wang.ID})
		require.NoError(t, err)
		a := &activities.Activities{Store: st}
		sub := engine.Submission{TaskID: task.ID, By: p.wang.ID, Data: []byte(`{"scores":{"collaboration":4},"comment":"ok"}`)}
		evaluations := func() []store.Evaluation {
			es, err := st.ListEvaluations(ctx, "c1", p.wang.ID, "")
			require.NoError(t, err)
			return es
		}

		first, err := record(t, a, sub)
		require.NoError(t, err)
		require.Equal(t, engine.TaskSubmitted, first.State)
		require.Len(t, evaluations(), 1)
		require.Equal(t, `{"collaboration":4}`, evaluations()[0].Scores)

		again, err := record(t, a, sub)
		require.NoError(t, err)
		require.Equal(t, first.SubmittedAt, again.SubmittedAt, "a retry answers what the first attempt recorded")
		require.Len(t, evaluations(), 1, "a retry writes no second evaluation")

		require.NoError(t, st.DB.Where("task_id = ?", task.ID).Delete(&store.Evaluation{}).Error)
		_, err = record(t, a, sub)
		require.NoError(t, err)
		require.Len(t, evaluations(), 1, "a retry restores an evaluation that is missing")

		_, err = record(t, a, engine.Submission{TaskID: "no-such-task", By: p.wang.ID, Data: []byte(`{}`)})
		var app *temporal.ApplicationError
		require.ErrorAs(t, err, &app)
		require.Equal(t, "NotFound", app.Type())
		require.True(t, app.NonRetryable())
	})
}
