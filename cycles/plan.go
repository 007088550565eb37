package cycles

import (
	"context"
	"errors"
	"fmt"

	"github.com/perfloop/perfloop/store"
	"github.com/perfloop/perfloop/templates"
)

// ErrTemplateBroken means a published template no longer validates (the
// rules tightened since it was published); it must be fixed and published
// again before it can launch.
var ErrTemplateBroken = errors.New("the template no longer validates")

// Plan is what a launch would create: the template version, the team, the
// period and the members the cycle reviews. The launch preview shows it
// and Launch writes it, so the two cannot disagree about who is reviewed.
type Plan struct {
	Version  *store.TemplateVersion
	Template *templates.Template
	Team     *store.Team
	Period   Period
	Members  []store.CycleMember
}

// PlanLaunch checks a launch request and works out its plan without
// writing anything: every problem of the request at its path (Invalid),
// ErrTemplateBroken, or a store error.
func PlanLaunch(ctx context.Context, st *store.Store, r LaunchRequest) (*Plan, error) {
	if bad := r.Check(); len(bad) > 0 {
		return nil, bad
	}
	tv, err := st.GetTemplateVersion(ctx, r.OrgID, r.TemplateKey, r.Version)
	if errors.Is(err, store.ErrNotFound) {
		return nil, Invalid{{Path: "/templateKey", Value: r.TemplateKey, Message: "no published template has this key and version"}}
	}
	if err != nil {
		return nil, err
	}
	if tv.Status != store.TemplatePublished {
		return nil, Invalid{{Path: "/version", Value: fmt.Sprint(tv.Version), Message: "this version is " + tv.Status + "; cycles launch from a published version"}}
	}
	t, errs := templates.Parse([]byte(tv.Body))
	if len(errs) > 0 {
		return nil, fmt.Errorf("template %s v%d: %w: %v", tv.Key, tv.Version, ErrTemplateBroken, errs)
	}
	team, err := st.GetTeam(ctx, r.OrgID, r.TeamID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, Invalid{{Path: "/teamId", Value: r.TeamID, Message: "no team has this id"}}
	}
	if err != nil {
		return nil, err
	}
	period, err := ParsePeriod(t.Period, r.Period, t.Timezone)
	if err != nil {
		return nil, Invalid{{Path: "/period", Value: r.Period, Message: err.Error()}}
	}
	members, err := scope(ctx, st, r.OrgID, team)
	if err != nil {
		return nil, err
	}
	if len(members) == 0 {
		return nil, Invalid{{Path: "/teamId", Value: r.TeamID, Message: "the team has no active members to review"}}
	}
	return &Plan{Version: tv, Template: t, Team: team, Period: period, Members: members}, nil
}

// scope lists the members a team's cycle reviews: the active members of the
// team and its sub-teams, but not the team's own manager (reviewed one
// level up) nor admins.
func scope(ctx context.Context, st *store.Store, orgID string, team *store.Team) ([]store.CycleMember, error) {
	ids, err := st.TeamSubtree(ctx, orgID, team.ID)
	if err != nil {
		return nil, err
	}
	ms, err := st.AllMembers(ctx, orgID, store.MemberFilter{TeamIDs: ids})
	if err != nil {
		return nil, err
	}
	var out []store.CycleMember
	for _, m := range ms {
		if m.Role == store.RoleAdmin || (team.ManagerID != nil && *team.ManagerID == m.ID) {
			continue
		}
		mgr := m.ManagerID
		if mgr == nil {
			mgr = team.ManagerID
		}
		out = append(out, store.CycleMember{MemberID: m.ID, TeamID: m.TeamID, ManagerID: mgr, Level: m.Level, JoinedOn: m.JoinedOn})
	}
	return out, nil
}
