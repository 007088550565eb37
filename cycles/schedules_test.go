package cycles_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"

	"github.com/perfloop/perfloop/cycles"
	"github.com/perfloop/perfloop/enginetest"
	"github.com/perfloop/perfloop/store"
	"github.com/perfloop/perfloop/store/storetest"
)

// TestScheduleLaunchesTheCurrentPeriodOnce: a recurring schedule runs
// monthly in the template's time zone; triggering it twice in a period
// launches one cycle, recorded as launched by who triggered it, and the
// calendar's own run in that period launches nothing more; pause and
// resume are reported back.
func TestScheduleLaunchesTheCurrentPeriodOnce(t *testing.T) {
	st := storetest.SQLite(t)
	e := enginetest.Start(t, st, 2)
	ctx := context.Background()
	sc, err := e.Service.CreateSchedule(ctx, e.Org.ID, "cs-ops-monthly", e.Team.ID, e.Manager.ID)
	require.NoError(t, err)
	require.Equal(t, "Asia/Shanghai", sc.Timezone)
	require.Equal(t, "cs-ops-monthly", sc.TemplateKey)
	require.NotEmpty(t, sc.NextRuns)
	next := sc.NextRuns[0].In(time.FixedZone("CST", 8*3600))
	require.Equal(t, 1, next.Day(), "the first day of a month, Shanghai time")
	require.Equal(t, 0, next.Hour())

	_, err = e.Service.CreateSchedule(ctx, e.Org.ID, "cs-ops-monthly", e.Team.ID, e.Manager.ID)
	require.ErrorIs(t, err, store.ErrConflict)

	_, err = e.Service.SteerSchedule(ctx, e.Org.ID, sc.ID, "trigger", e.HRBP.ID)
	require.NoError(t, err)
	first, _, err := st.ListCycles(ctx, e.Org.ID, store.CycleFilter{TemplateKey: "cs-ops-monthly"}, store.Page{})
	require.NoError(t, err)
	require.Len(t, first, 1)
	p, err := cycles.PeriodOf("monthly", time.Now(), "Asia/Shanghai")
	require.NoError(t, err)
	require.Equal(t, p.Label, first[0].Period)
	require.Equal(t, e.HRBP.ID, first[0].LaunchedBy, "who triggered it launched it, not who made the schedule")

	_, err = e.Service.SteerSchedule(ctx, e.Org.ID, sc.ID, "trigger", e.Manager.ID)
	require.NoError(t, err)
	// The calendar's own run, as at midnight on the first of the month.
	require.NoError(t, e.Client.ScheduleClient().GetHandle(ctx, sc.ID).Trigger(ctx, client.ScheduleTriggerOptions{}))
	require.Eventually(t, func() bool {
		d, err := e.Service.DescribeSchedule(ctx, e.Org.ID, sc.ID)
		return err == nil && d.Launched >= 1
	}, 30*time.Second, 100*time.Millisecond)
	// Wait for both launches to finish before counting cycles.
	d, err := e.Client.ScheduleClient().GetHandle(ctx, sc.ID).Describe(ctx)
	require.NoError(t, err)
	for _, act := range d.Info.RecentActions {
		run := act.StartWorkflowResult
		require.NoError(t, e.Client.GetWorkflow(ctx, run.WorkflowID, run.FirstExecutionRunID).Get(ctx, nil))
	}
	again, _, err := st.ListCycles(ctx, e.Org.ID, store.CycleFilter{TemplateKey: "cs-ops-monthly"}, store.Page{})
	require.NoError(t, err)
	require.Len(t, again, 1, "the same period is launched once")
	require.Equal(t, e.HRBP.ID, again[0].LaunchedBy)

	paused, err := e.Service.SteerSchedule(ctx, e.Org.ID, sc.ID, "pause", e.Manager.ID)
	require.NoError(t, err)
	require.True(t, paused.Paused)
	resumed, err := e.Service.SteerSchedule(ctx, e.Org.ID, sc.ID, "resume", e.Manager.ID)
	require.NoError(t, err)
	require.False(t, resumed.Paused)
	_, err = e.Service.DescribeSchedule(ctx, "another-org", sc.ID)
	require.ErrorIs(t, err, store.ErrNotFound)
}
