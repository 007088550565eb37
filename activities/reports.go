package activities

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"go.temporal.io/api/serviceerror"

	"github.com/perfloop/perfloop/engine"
)

// maxReportsPerSignal bounds one SignalStagesDone: a report is about 80
// bytes, so 500 stay far below Temporal's payload limit.
const maxReportsPerSignal = 500

// reportSendTimeout bounds one signal; the caller's retries take it from there.
const reportSendTimeout = 10 * time.Second

// ReportStageDone tells the cycle workflow r.ParentID that a member's part
// of a stage is done. Members call it as a local activity in the workflow
// task that settles their stage, so the report costs the member no history
// event beyond its marker and no second workflow task (a workflow's
// SignalExternalWorkflow did both: the server answers it with an event and
// a workflow task on the sender).
//
// Reports to one cycle that arrive while a signal to it is in flight wait
// and go together in the next one, so a burst of submissions signals the
// cycle a few times rather than once per member (group commit: no added
// wait when the cycle is idle). It returns once its report is delivered.
// A cycle that has ended needs no report. A retry may deliver a report
// twice; the cycle counts each member once.
func (a *Activities) ReportStageDone(ctx context.Context, r engine.DoneReport) error {
	return a.reports.report(ctx, r, a.sendReports)
}

func (a *Activities) sendReports(ctx context.Context, parentID string, done []engine.StageDone) error {
	err := a.Client.SignalWorkflow(ctx, parentID, "", engine.SignalStagesDone.String(), done)
	var nf *serviceerror.NotFound
	if errors.As(err, &nf) {
		a.log().Info("stage reports not delivered: the cycle has ended", "cycle", parentID, "reports", len(done))
		return nil
	}
	return err
}

// reportBatcher queues StageDone reports per cycle workflow; its zero value
// is ready.
type reportBatcher struct {
	mu     sync.Mutex
	queues map[string][]pendingReport // parent → reports not yet sent; present while a sender runs
}

type pendingReport struct {
	done engine.StageDone
	sent chan error
}

type sendFunc func(ctx context.Context, parentID string, done []engine.StageDone) error

// report queues r and waits until a signal carrying it has been answered
// (or ctx ends). The first report to an idle cycle starts a sender, which
// sends what is queued, then what queued meanwhile, until nothing is left.
func (b *reportBatcher) report(ctx context.Context, r engine.DoneReport, send sendFunc) error {
	p := pendingReport{done: r.Done, sent: make(chan error, 1)}
	b.mu.Lock()
	if b.queues == nil {
		b.queues = map[string][]pendingReport{}
	}
	q, busy := b.queues[r.ParentID]
	b.queues[r.ParentID] = append(q, p)
	b.mu.Unlock()
	if !busy {
		go b.drain(r.ParentID, send)
	}
	select {
	case err := <-p.sent:
		return err
	case <-ctx.Done():
		// The report may still go out; a second delivery is harmless.
		return ctx.Err()
	}
}

func (b *reportBatcher) drain(parentID string, send sendFunc) {
	for {
		b.mu.Lock()
		q := b.queues[parentID]
		if len(q) == 0 {
			delete(b.queues, parentID)
			b.mu.Unlock()
			return
		}
		batch := q[:min(len(q), maxReportsPerSignal)]
		b.queues[parentID] = q[len(batch):]
		b.mu.Unlock()
		done := make([]engine.StageDone, len(batch))
		for i, p := range batch {
			done[i] = p.done
		}
		err := sendGuarded(parentID, done, send)
		for _, p := range batch {
			p.sent <- err
		}
	}
}

// sendGuarded sends one batch. The sender runs on its own goroutine, where
// a panic would end the worker process rather than fail one activity, so a
// panic comes back as the batch's error.
func sendGuarded(parentID string, done []engine.StageDone, send sendFunc) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("signal %d stage report(s) to %s: %v", len(done), parentID, r)
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), reportSendTimeout)
	defer cancel()
	return send(ctx, parentID, done)
}
