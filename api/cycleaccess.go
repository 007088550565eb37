package api

import (
	"context"
	"slices"

	"github.com/gin-gonic/gin"

	"github.com/perfloop/perfloop/store"
)

// cycleAccess is what a caller may do with one cycle.
type cycleAccess struct {
	// Lead: sees everyone's tasks, results, targets, reports and
	// calibration, and steers the cycle.
	Lead bool
	// Member: reviewed in the cycle; sees only their own part of it.
	Member bool
}

// accessTo decides, in one place, who leads a cycle: admins and HRBPs; the
// manager who launched it; the managers of its team or of a team above it.
// Being reviewed in the cycle takes the last two away, so a manager of a
// sub-team reviewed in the parent team's cycle does not judge his own
// review (its targets, calibration, export) nor cancel it.
func (s *Server) accessTo(ctx context.Context, me *store.Member, cy *store.Cycle) (cycleAccess, error) {
	var a cycleAccess
	in, err := s.store.InCycle(ctx, cy.ID, me.ID)
	if err != nil {
		return a, err
	}
	a.Member = in
	switch me.Role {
	case store.RoleAdmin, store.RoleHRBP:
		a.Lead = true
	case store.RoleManager:
		if a.Member {
			break
		}
		if cy.LaunchedBy == me.ID {
			a.Lead = true
			break
		}
		teams, err := s.managedTeams(ctx, me)
		if err != nil {
			return a, err
		}
		a.Lead = slices.Contains(teams, cy.ScopeTeamID)
	}
	return a, nil
}

// visibleCycle loads a cycle the caller leads or is reviewed in; others are
// 404, so ids reveal nothing. Handlers that show a member only their own
// part use cycleFor, which also says whether the caller leads.
func (s *Server) visibleCycle(c *gin.Context) (*store.Cycle, bool) {
	cy, _, ok := s.cycleFor(c)
	return cy, ok
}

// cycleFor loads a visible cycle with what the caller may do with it.
func (s *Server) cycleFor(c *gin.Context) (*store.Cycle, cycleAccess, bool) {
	me := caller(c)
	cy, err := s.store.GetCycle(c.Request.Context(), me.OrgID, c.Param("id"))
	if err != nil {
		writeError(c, err)
		return nil, cycleAccess{}, false
	}
	a, err := s.accessTo(c.Request.Context(), me, cy)
	if err != nil {
		writeError(c, err)
		return nil, a, false
	}
	if !a.Lead && !a.Member {
		writeError(c, notFoundErr("cycle"))
		return nil, a, false
	}
	return cy, a, true
}

// cycleLead loads a cycle for a lead-only route: 404 when the caller may
// not see it, 403 when they are only reviewed in it.
func (s *Server) cycleLead(c *gin.Context) (*store.Cycle, bool) {
	cy, a, ok := s.cycleFor(c)
	if !ok {
		return nil, false
	}
	if !a.Lead {
		writeError(c, forbidden("only the cycle's leads (its launching manager, the managers of its team, HRBP, admins) may do this; members reviewed in a cycle see their own part"))
		return nil, false
	}
	return cy, true
}
