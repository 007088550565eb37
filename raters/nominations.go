package raters

import (
	"context"
	"fmt"

	"github.com/perfloop/perfloop/store"
	"github.com/perfloop/perfloop/templates"
)

// NominationProblem says why one nominated rater may not rate.
type NominationProblem struct {
	Index   int // in the list named
	RaterID string
	Message string
}

// CheckNominations checks the raters a lead names for subject's group r by
// the rule the automatic pick keeps: not the member, nobody in their
// management chain, no HRBP or admin, active members only, each once, at
// most the group's max.
func CheckNominations(ctx context.Context, st *store.Store, orgID, subject string, r templates.Rater, raterIDs []string) ([]NominationProblem, error) {
	ro, err := Load(ctx, st, orgID)
	if err != nil {
		return nil, err
	}
	m := ro.ByID[subject]
	if m == nil {
		return nil, fmt.Errorf("nominate raters for member %s, who is not an active member: %w", subject, store.ErrNotFound)
	}
	chain := ro.ChainAbove(m)
	var out []NominationProblem
	seen := map[string]bool{}
	for i, id := range raterIDs {
		o := ro.ByID[id]
		msg := ""
		switch {
		case id == subject:
			msg = "is the member themself; a member does not rate their own review here"
		case seen[id]:
			msg = "is named twice"
		case o == nil:
			msg = "is not an active member of the organisation"
		case o.Role == store.RoleAdmin:
			msg = "is an admin account, which the automatic pick never asks to rate either"
		case chain[id]:
			msg = "is in the member's management chain, who rates or decides on them already"
		case !Independent(o, chain):
			msg = "is an HRBP, who facilitates calibration and must not judge ratings they gave"
		}
		seen[id] = true
		if msg != "" {
			out = append(out, NominationProblem{Index: i, RaterID: id, Message: msg})
		}
	}
	if len(raterIDs) > r.Max {
		out = append(out, NominationProblem{Index: -1, Message: fmt.Sprintf("names %d raters; group %s takes at most %d", len(raterIDs), r.Key, r.Max)})
	}
	return out, nil
}
