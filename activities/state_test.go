package activities_test

import (
	"testing"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"github.com/perfloop/perfloop/activities"
	"github.com/perfloop/perfloop/store"
	"github.com/perfloop/perfloop/store/storetest"
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
	})
}
