package cycles_test

import (
	"context"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/api/enums/v1"

	"github.com/perfloop/perfloop/engine"
	"github.com/perfloop/perfloop/enginetest"
	"github.com/perfloop/perfloop/store"
	"github.com/perfloop/perfloop/store/storetest"
)

// TestLargeCycleKeepsEveryHistoryUnderTheWarning runs a whole cycle of
// PERFLOOP_SCALE members (say 5000) on the embedded server with nobody
// submitting, then walks every run of the cycle's workflow and one
// member's workflow and asserts each history stays under Temporal's
// 10,240-event warning. It takes minutes, so it runs only when asked:
// PERFLOOP_SCALE=5000 go test ./cycles/ -run TestLargeCycle -timeout 60m -v
func TestLargeCycleKeepsEveryHistoryUnderTheWarning(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("PERFLOOP_SCALE"))
	if n == 0 {
		t.Skip("set PERFLOOP_SCALE=5000 to run the large cycle")
	}
	st := storetest.SQLite(t)
	e := enginetest.Start(t, st, n)
	start := time.Now()
	c := e.Launch("cs-ops-monthly", "2026-10", 30*time.Second)
	e.WaitState(c.ID, store.CycleCompleted, 50*time.Minute)
	t.Logf("%d members: cycle completed in %s", n, time.Since(start).Round(time.Second))
	ctx := context.Background()
	runs, largest := 0, 0
	runID := ""
	for {
		it := e.Client.GetWorkflowHistory(ctx, c.WorkflowID, runID, false, enums.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
		count, prev := 0, ""
		for it.HasNext() {
			ev, err := it.Next()
			require.NoError(t, err)
			if count == 0 {
				prev = ev.GetWorkflowExecutionStartedEventAttributes().GetContinuedExecutionRunId()
			}
			count++
		}
		runs++
		largest = max(largest, count)
		if prev == "" {
			break
		}
		runID = prev
	}
	ms, err := st.ListCycleMembers(ctx, c.ID)
	require.NoError(t, err)
	it := e.Client.GetWorkflowHistory(ctx, engine.MemberWorkflowID(c.ID, ms[0].MemberID), "", false, enums.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	member := 0
	for it.HasNext() {
		_, err := it.Next()
		require.NoError(t, err)
		member++
	}
	t.Logf("cycle workflow: %d runs, largest run %d events; a member workflow: %d events", runs, largest, member)
	require.Less(t, largest, 10240)
	require.Less(t, member, 10240)
}
