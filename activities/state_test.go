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
	"github.com/perfloop/perfloop/templates"
)

func setState(a *activities.Activities, ch activities.StateChange) error {
	var suite testsuite.WorkflowTestSuite
	env := suite.NewTestActivityEnvironment()
	env.RegisterActivity(a)
	_, err := env.ExecuteActivity(a.SetCycleState, ch)
	return err
}

// TestACycleWithACancelRecordedDoesNotMoveOn: once the API has recorded a
// cancel, the workflow cannot mark the cycle running in a new stage or
// completed; it is told the reason, so it cancels even if it never heard
// the signal. Marking it blocked (scoring waiting) is still allowed.
func TestACycleWithACancelRecordedDoesNotMoveOn(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		c, p := scoringCycle(t, st, 91)
		a := &activities.Activities{Store: st}
		require.NoError(t, setState(a, activities.StateChange{CycleID: c.ID, State: store.CycleRunning, Stage: "goal"}), "no cancel recorded: moves on")

		_, err := st.MarkCycleCancelling(ctx, p.org.ID, c.ID, p.li.ID, "wrong period")
		require.NoError(t, err)
		for _, state := range []string{store.CycleRunning, store.CycleCompleted} {
			err := setState(a, activities.StateChange{CycleID: c.ID, State: state, Stage: "evaluate"})
			var app *temporal.ApplicationError
			require.ErrorAs(t, err, &app, state)
			require.True(t, app.NonRetryable())
			require.Equal(t, activities.ErrTypeCancelRecorded, app.Type())
			var reason string
			require.NoError(t, app.Details(&reason))
			require.Equal(t, "wrong period", reason)
		}
		got, err := st.GetCycleByID(ctx, c.ID)
		require.NoError(t, err)
		require.Equal(t, "goal", got.CurrentStage, "the refused move wrote nothing")
		require.Equal(t, store.CycleRunning, got.State)
		require.NoError(t, setState(a, activities.StateChange{CycleID: c.ID, State: store.CycleBlocked, Stage: "goal"}))

		// Cancelled while pending, no signal sent: the run that was just
		// starting must not run it.
		require.NoError(t, st.SetCycleStage(ctx, c.ID, "", store.CycleCancelled))
		err = setState(a, activities.StateChange{CycleID: c.ID, State: store.CycleRunning})
		var app *temporal.ApplicationError
		require.ErrorAs(t, err, &app)
		require.Equal(t, activities.ErrTypeCancelRecorded, app.Type())
	})
}

// TestAMemberMissingFromTheOrganisationFailsTheirTasksWithoutRetry: the
// manager of a member who is no longer there cannot be found on any
// retry; opening their evaluation says who is missing and does not retry
// (it retried until the cycle was cancelled). A database failure is still
// retried.
func TestAMemberMissingFromTheOrganisationFailsTheirTasksWithoutRetry(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		c, _ := scoringCycle(t, st, 91)
		a := &activities.Activities{Store: st}
		var suite testsuite.WorkflowTestSuite
		env := suite.NewTestActivityEnvironment()
		env.RegisterActivity(a)
		open := engine.StageOpen{CycleID: c.ID, StageKey: "evaluate", StageType: "evaluate", Index: 1, OpenedAt: time.Now(), Due: time.Now().Add(time.Hour), CloseAt: time.Now().Add(time.Hour)}
		_, err := env.ExecuteActivity(a.EnsureMemberTasks, activities.MemberTasksRequest{MemberID: "m-gone", WorkflowID: "w-gone", Stage: open})
		var app *temporal.ApplicationError
		require.ErrorAs(t, err, &app)
		require.True(t, app.NonRetryable(), "%v", err)
		require.Equal(t, activities.ErrTypeNotFound, app.Type())
		require.Contains(t, app.Message(), "find the manager of member m-gone")

		require.NoError(t, st.DB.Callback().Query().Before("gorm:query").Register("test:drop", func(db *gorm.DB) {
			_ = db.AddError(errors.New("invalid connection"))
		}))
		defer func() { require.NoError(t, st.DB.Callback().Query().Remove("test:drop")) }()
		_, err = env.ExecuteActivity(a.EnsureMemberTasks, activities.MemberTasksRequest{MemberID: "m-gone", WorkflowID: "w-gone", Stage: open})
		require.ErrorAs(t, err, &app)
		require.False(t, app.NonRetryable(), "a database failure must be retried: %v", err)
	})
}

// TestATeamTargetThatCannotBeSplitFailsWithoutRetry: splitting is plain
// arithmetic over the cycle's members, so a split that fails (here: no
// members to carry the target) fails the same on every retry; it says so
// as cycle data to correct, which blocks the cycle, instead of retrying
// until the cycle is cancelled.
func TestATeamTargetThatCannotBeSplitFailsWithoutRetry(t *testing.T) {
	body, err := templates.BuiltinFile("community-quarterly")
	require.NoError(t, err)
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		p := seed(t, st)
		c, _, err := st.CreateCycle(ctx, &store.Cycle{OrgID: p.org.ID, TemplateKey: "community-quarterly", TemplateVersion: 1, TemplateBody: string(body),
			ScopeTeamID: *p.wang.TeamID, Period: "2026-Q3", PeriodStart: time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC), PeriodEnd: time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC),
			Timezone: "Asia/Shanghai", Title: "Q3", State: store.CycleRunning}, nil)
		require.NoError(t, err)
		a := &activities.Activities{Store: st}
		var suite testsuite.WorkflowTestSuite
		env := suite.NewTestActivityEnvironment()
		env.RegisterActivity(a)
		_, err = env.ExecuteActivity(a.BreakdownTargets, c.ID)
		var app *temporal.ApplicationError
		require.ErrorAs(t, err, &app)
		require.True(t, app.NonRetryable(), "%v", err)
		require.Equal(t, activities.ErrTypeCycleData, app.Type())
		require.Contains(t, app.Message(), "split the team target fans")
	})
}

// A cycle's template body is read once: later reads of the cycle take
// the row without it (GetCycleHeadByID) and hand back the body held from
// the first, with every other field as the row holds it now.
func TestACycleIsReadAfreshButItsFrozenTemplateOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		c, _ := scoringCycle(t, st, 92)
		head, err := st.GetCycleHeadByID(ctx, c.ID)
		require.NoError(t, err)
		require.Empty(t, head.TemplateBody)
		require.Equal(t, c.Period, head.Period)
		require.Equal(t, c.OrgID, head.OrgID)

		a := &activities.Activities{Store: st}
		var suite testsuite.WorkflowTestSuite
		env := suite.NewTestActivityEnvironment()
		env.RegisterActivity(a)
		load := func() *engine.CycleSnapshot {
			v, err := env.ExecuteActivity(a.LoadCycle, c.ID)
			require.NoError(t, err)
			var snap engine.CycleSnapshot
			require.NoError(t, v.Get(&snap))
			return &snap
		}
		first := load()
		require.Equal(t, c.TemplateBody, string(first.Template))
		require.NoError(t, st.DB.Model(&store.Cycle{}).Where("id = ?", c.ID).Update("state", store.CycleBlocked).Error)
		second := load()
		require.Equal(t, c.TemplateBody, string(second.Template), "the body held from the first read")
		require.Equal(t, store.CycleBlocked, second.State, "the rest read afresh")
	})
}
