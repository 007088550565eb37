package activities

import (
	"context"
	"errors"
	"fmt"

	"go.temporal.io/sdk/temporal"

	"github.com/perfloop/perfloop/outbox"
	"github.com/perfloop/perfloop/scorecard"
	"github.com/perfloop/perfloop/store"
)

// ErrTypeScoringData is the application error type of scoring that cannot
// compute from the cycle's data. Retrying reads the same data and fails the
// same way, so the activity does not retry: the cycle blocks until someone
// corrects the data and resumes it.
const ErrTypeScoringData = "ScoringData"

// ErrTypeCycleData is the application error type of any other stage step
// that cannot go on from the cycle's data (a team target that cannot be
// split across its members). Like scoring, it blocks the cycle.
const ErrTypeCycleData = "CycleData"

// scoringDataError stops retries of scoring that failed on its data.
func scoringDataError(err error) error {
	msg := err.Error()
	var se *scorecard.ScoreError
	if errors.As(err, &se) {
		msg = se.Error()
	}
	return temporal.NewNonRetryableApplicationError(msg, ErrTypeScoringData, err)
}

// maxBlockedReason keeps a reason within its column, in whole runes.
const maxBlockedReason = 1000

// BlockRequest says a cycle is blocked at a stage (its scoring, or a stage
// step missing a row), and why. Round counts the blocks of the workflow
// run, so a second block after a resume notifies again instead of being
// taken for a retry of the first.
type BlockRequest struct {
	CycleID  string
	StageKey string
	Reason   string
	Round    int
}

// BlockCycle marks the cycle blocked with the reason and tells its manager,
// whoever launched it and the HRBPs what to correct.
func (a *Activities) BlockCycle(ctx context.Context, req BlockRequest) error {
	reason := req.Reason
	if r := []rune(reason); len(r) > maxBlockedReason {
		reason = string(r[:maxBlockedReason-1]) + "…"
	}
	if err := a.Store.BlockCycle(ctx, req.CycleID, req.StageKey, reason); err != nil {
		return notFound(err)
	}
	c, err := a.Store.GetCycleByID(ctx, req.CycleID)
	if err != nil {
		return notFound(err)
	}
	if c.State != store.CycleBlocked {
		return nil // cancelled meanwhile: nobody needs to correct anything
	}
	to := []string{}
	seen := map[string]bool{}
	add := func(ids ...string) {
		for _, id := range ids {
			if id != "" && !seen[id] {
				seen[id] = true
				to = append(to, id)
			}
		}
	}
	for _, role := range []string{"manager", store.RoleHRBP} {
		ids, err := a.holders(ctx, c, role)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return err // a team gone (maybe why the cycle blocks) leaves the others to tell
		}
		add(ids...)
	}
	if _, err := a.Store.GetMember(ctx, c.OrgID, c.LaunchedBy); err == nil {
		add(c.LaunchedBy)
	}
	m := outbox.CycleBlocked(c, reason)
	for _, id := range to {
		n := m.To(c.OrgID, id, dedupe("blocked", c.ID, req.StageKey, fmt.Sprint(req.Round), id))
		if _, err := a.notify(ctx, n, m.Event, a.routeFor(ctx, c.ID, req.StageKey)); err != nil {
			return err
		}
	}
	return nil
}
