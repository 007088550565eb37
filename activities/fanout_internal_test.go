package activities

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/testsuite"
)

// TestFanoutCallsEachIDOnceWithinItsWidthAndStopsAtAnError runs fanout as
// a real activity (heartbeats included): every id from start on is called
// exactly once, never more than Fanout at a time, and a failure is
// returned naming its member.
func TestFanoutCallsEachIDOnceWithinItsWidthAndStopsAtAnError(t *testing.T) {
	var s testsuite.WorkflowTestSuite
	ids := make([]string, 300)
	for i := range ids {
		ids[i] = fmt.Sprintf("m%03d", i)
	}
	run := func(start int, failAt string) (map[string]int, int64, error) {
		a := &Activities{Fanout: 7}
		var mu sync.Mutex
		calls := map[string]int{}
		var inFlight, peak atomic.Int64
		env := s.NewTestActivityEnvironment()
		env.RegisterActivityWithOptions(func(ctx context.Context) error {
			return a.fanout(ctx, ids, start, func(ctx context.Context, id string) error {
				n := inFlight.Add(1)
				defer inFlight.Add(-1)
				for p := peak.Load(); n > p; p = peak.Load() {
					if peak.CompareAndSwap(p, n) {
						break
					}
				}
				mu.Lock()
				calls[id]++
				mu.Unlock()
				if id == failAt {
					return errors.New("signal refused")
				}
				return nil
			})
		}, activity.RegisterOptions{Name: "fanoutProbe"})
		_, err := env.ExecuteActivity("fanoutProbe")
		return calls, peak.Load(), err
	}

	calls, peak, err := run(0, "")
	require.NoError(t, err)
	require.Len(t, calls, 300)
	for id, n := range calls {
		require.Equal(t, 1, n, id)
	}
	require.LessOrEqual(t, peak, int64(7))

	calls, _, err = run(250, "")
	require.NoError(t, err)
	require.Len(t, calls, 50, "a retry resumes at its heartbeaten index")
	require.Contains(t, calls, "m250")
	require.NotContains(t, calls, "m249")

	_, _, err = run(0, "m042")
	require.ErrorContains(t, err, "member m042: signal refused")
}
