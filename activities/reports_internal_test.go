package activities

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/perfloop/perfloop/engine"
)

// TestReportsToOneCycleShareSignalsAndEachIsSentOnce: 200 members report at
// once to two cycles while each signal takes a while. Every report reaches
// its own cycle exactly once, each caller returns only after its report
// went out, no two signals to one cycle overlap, and the burst costs each
// cycle a handful of signals rather than one per member.
func TestReportsToOneCycleShareSignalsAndEachIsSentOnce(t *testing.T) {
	var b reportBatcher
	var mu sync.Mutex
	got := map[string]map[string]int{} // parent → member → times delivered
	signals := map[string]int{}
	busy := map[string]bool{}
	send := func(_ context.Context, parent string, done []engine.StageDone) error {
		mu.Lock()
		require.False(t, busy[parent], "two signals to %s in flight at once", parent)
		busy[parent] = true
		signals[parent]++
		mu.Unlock()
		time.Sleep(20 * time.Millisecond)
		mu.Lock()
		defer mu.Unlock()
		busy[parent] = false
		if got[parent] == nil {
			got[parent] = map[string]int{}
		}
		for _, d := range done {
			got[parent][d.MemberID]++
		}
		return nil
	}
	var wg sync.WaitGroup
	errs := make([]error, 200)
	for i := range 200 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			parent := fmt.Sprintf("cycle-c%d", i%2)
			member := fmt.Sprintf("m%03d", i)
			errs[i] = b.report(context.Background(), engine.DoneReport{ParentID: parent, Done: engine.StageDone{StageKey: "evaluate", MemberID: member}}, send)
			mu.Lock()
			defer mu.Unlock()
			require.Equal(t, 1, got[parent][member], "returned before its report was sent")
		}()
	}
	wg.Wait()
	for i, err := range errs {
		require.NoError(t, err, "report %d", i)
	}
	for _, parent := range []string{"cycle-c0", "cycle-c1"} {
		require.Len(t, got[parent], 100)
		require.Less(t, signals[parent], 20, "100 reports arriving together should share signals")
		require.GreaterOrEqual(t, signals[parent], 1)
	}
	b.mu.Lock()
	require.Empty(t, b.queues, "an idle batcher keeps no queue")
	b.mu.Unlock()
}

// TestAFailedSignalFailsEveryReportItCarriedAndALaterOneIsSentAfresh: the
// reports in a signal the server refused all get its error (their local
// activities retry), and the next report starts a new signal.
func TestAFailedSignalFailsEveryReportItCarriedAndALaterOneIsSentAfresh(t *testing.T) {
	var b reportBatcher
	down := errors.New("connection refused")
	release := make(chan struct{})
	calls := 0
	var mu sync.Mutex
	send := func(_ context.Context, _ string, done []engine.StageDone) error {
		mu.Lock()
		calls++
		first := calls == 1
		mu.Unlock()
		if first {
			<-release
			return down
		}
		return nil
	}
	r := func(m string) engine.DoneReport {
		return engine.DoneReport{ParentID: "cycle-c1", Done: engine.StageDone{StageKey: "evaluate", MemberID: m}}
	}
	first := make(chan error, 1)
	go func() { first <- b.report(context.Background(), r("m1"), send) }()
	require.Eventually(t, func() bool { mu.Lock(); defer mu.Unlock(); return calls == 1 }, time.Second, time.Millisecond)
	// Queued behind the failing signal: it goes in the next one and succeeds.
	second := make(chan error, 1)
	go func() { second <- b.report(context.Background(), r("m2"), send) }()
	require.Eventually(t, func() bool { b.mu.Lock(); defer b.mu.Unlock(); return len(b.queues["cycle-c1"]) == 1 }, time.Second, time.Millisecond)
	close(release)
	require.ErrorIs(t, <-first, down)
	require.NoError(t, <-second)
	require.NoError(t, b.report(context.Background(), r("m1"), send), "a retry after the failure is sent afresh")
	require.Equal(t, 3, calls)

	// A caller that gives up returns at once with its context's error.
	block := make(chan struct{})
	defer close(block)
	slow := func(context.Context, string, []engine.StageDone) error { <-block; return nil }
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	require.ErrorIs(t, b.report(ctx, r("m3"), slow), context.DeadlineExceeded)
}

// TestASenderThatPanicsFailsItsReportsNotTheWorker: the sender runs on its
// own goroutine, so a panic there (a worker built without a Temporal
// client) comes back to every waiting report as an error, and the next
// report to that cycle starts a fresh sender.
func TestASenderThatPanicsFailsItsReportsNotTheWorker(t *testing.T) {
	var b reportBatcher
	a := &Activities{} // no client: sendReports panics on the nil interface
	err := b.report(context.Background(), engine.DoneReport{ParentID: "cycle-1"}, a.sendReports)
	require.ErrorContains(t, err, "signal 1 stage report(s) to cycle-1")
	err = b.report(context.Background(), engine.DoneReport{ParentID: "cycle-1"}, func(context.Context, string, []engine.StageDone) error { return nil })
	require.NoError(t, err)
}
