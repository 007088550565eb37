package raters

import (
	"context"
	"time"

	"github.com/perfloop/perfloop/store"
)

// Roster is an organisation's active members and its teams, read at once
// so picking raters for thousands of members reads them once.
type Roster struct {
	Read    time.Time
	Members []store.Member
	ByID    map[string]*store.Member
	Teams   map[string]store.Team
}

// ChainAbove is everyone who manages m, directly or up the teams: m's own
// manager (as ManagerOf finds them), then each one's, through the parent
// teams' managers to the top.
func (r *Roster) ChainAbove(m *store.Member) map[string]bool {
	out := map[string]bool{}
	cur := m
	for cur != nil {
		next := r.ManagerOf(cur)
		if next == "" || next == m.ID || out[next] {
			break
		}
		out[next] = true
		cur = r.ByID[next]
	}
	return out
}

// ManagerOf is m's manager: the one named on the member, else the manager
// of the nearest team up from m's whose manager is not m.
func (r *Roster) ManagerOf(m *store.Member) string {
	if m.ManagerID != nil && *m.ManagerID != "" && *m.ManagerID != m.ID {
		return *m.ManagerID
	}
	seen := map[string]bool{}
	for id := m.TeamID; id != nil && !seen[*id]; {
		seen[*id] = true
		t, ok := r.Teams[*id]
		if !ok {
			break
		}
		if t.ManagerID != nil && *t.ManagerID != "" && *t.ManagerID != m.ID {
			return *t.ManagerID
		}
		id = t.ParentID
	}
	return ""
}

// Independent says whether o may rate a member from outside their line:
// nobody in the member's management chain and no HRBP.
func Independent(o *store.Member, chain map[string]bool) bool {
	return o.Role != store.RoleHRBP && !chain[o.ID]
}

// Load reads the organisation's active members and its teams.
func Load(ctx context.Context, st *store.Store, orgID string) (*Roster, error) {
	all, err := st.AllMembers(ctx, orgID, store.MemberFilter{})
	if err != nil {
		return nil, err
	}
	teams, err := st.AllTeams(ctx, orgID, store.TeamFilter{})
	if err != nil {
		return nil, err
	}
	r := &Roster{Read: time.Now(), Members: all, ByID: make(map[string]*store.Member, len(all)), Teams: make(map[string]store.Team, len(teams))}
	for i := range all {
		r.ByID[all[i].ID] = &all[i]
	}
	for _, t := range teams {
		r.Teams[t.ID] = t
	}
	return r, nil
}
