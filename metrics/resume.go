package metrics

import (
	"context"
	"errors"
	"log/slog"

	"github.com/perfloop/perfloop/store"
)

// resumeBlocked asks each blocked cycle of the batch's period that reviews
// one of the written members to score again: the write may be the
// correction it waits for, and whoever sends it should not have to find
// the cycle and resume it as well. A cycle the data still cannot score
// blocks again with a fresh reason, so resuming one the write did not fix
// costs a round of scoring, nothing more. The values are written by now,
// so a cycle that cannot be asked is logged, not reported as a failed
// import; POST /cycles/:id/resume still resumes it.
func (im *Import) resumeBlocked(ctx context.Context) {
	s := im.svc
	if s.Resume == nil {
		return
	}
	log := s.Log
	if log == nil {
		log = slog.Default()
	}
	// Blocked cycles of one period are a handful; one page holds them.
	blocked, _, err := s.Store.ListCycles(ctx, im.b.OrgID, store.CycleFilter{State: store.CycleBlocked, Period: im.b.Period}, store.Page{Limit: store.MaxLimit})
	if err != nil {
		log.Warn("blocked cycles not resumed after a metric import", "org", im.b.OrgID, "period", im.b.Period, "err", err)
		return
	}
	written := make(map[string]bool, len(im.rows))
	for _, r := range im.rows {
		written[r.MemberID] = true
	}
	for _, c := range blocked {
		members, err := s.Store.ListCycleMembers(ctx, c.ID)
		if err != nil {
			log.Warn("blocked cycle not resumed after a metric import", "cycle", c.ID, "err", err)
			continue
		}
		for _, m := range members {
			if !written[m.MemberID] {
				continue
			}
			// ErrConflict: it resumed or was cancelled since it was listed.
			if _, err := s.Resume(ctx, c.OrgID, c.ID, im.b.ActorID); err != nil && !errors.Is(err, store.ErrConflict) {
				log.Warn("blocked cycle not resumed after a metric import", "cycle", c.ID, "err", err)
			}
			break
		}
	}
}
