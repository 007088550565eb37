package bench

import (
	"context"
	"fmt"

	"github.com/perfloop/perfloop/store"
)

// Squad is a seeded team: a manager and n employees.
type Squad struct {
	Team      *store.Team
	Manager   *store.Member
	Employees []store.Member
}

// SeedTeam adds a team of n employees and its manager to the engine's
// organisation. Employees go in by batch insert, since creating them one by
// one would take longer than the launch being measured.
func (e *Engine) SeedTeam(ctx context.Context, n int) (*Squad, error) {
	e.teams++
	key := fmt.Sprintf("bench%d", e.teams)
	st, org := e.Store, e.Org
	team := &store.Team{OrgID: org.ID, Key: key, Name: fmt.Sprintf("压测组 %d", e.teams), NameEn: fmt.Sprintf("Bench team %d", e.teams)}
	if err := st.CreateTeam(ctx, team); err != nil {
		return nil, fmt.Errorf("seed team %s: %w", key, err)
	}
	mgr := &store.Member{
		OrgID: org.ID, TeamID: &team.ID, Name: "经理 " + key, Email: key + ".manager@bench.perfloop.dev",
		Role: store.RoleManager, Position: "客服主管", Level: "lead", Timezone: org.Timezone, Locale: org.Locale, Active: true,
	}
	if err := st.CreateMember(ctx, mgr); err != nil {
		return nil, fmt.Errorf("seed manager of %s: %w", key, err)
	}
	if _, err := st.UpdateTeam(ctx, org.ID, team.ID, team.Version, func(t *store.Team) error {
		t.ManagerID = &mgr.ID
		return nil
	}); err != nil {
		return nil, fmt.Errorf("seed team %s manager: %w", key, err)
	}
	team, err := st.GetTeam(ctx, org.ID, team.ID)
	if err != nil {
		return nil, err
	}
	ms := make([]store.Member, n)
	for i := range ms {
		level := "junior"
		if i%3 == 0 {
			level = "senior"
		}
		ms[i] = store.Member{
			ID: store.NewID(), OrgID: org.ID, TeamID: &team.ID, Name: fmt.Sprintf("客服 %s-%05d", key, i+1),
			Email: fmt.Sprintf("%s.agent%05d@bench.perfloop.dev", key, i+1), Role: store.RoleEmployee, Position: "客服",
			Level: level, Timezone: org.Timezone, Locale: org.Locale, Active: true, Version: 1,
		}
	}
	if n > 0 {
		if err := st.DB.WithContext(ctx).CreateInBatches(ms, store.InsertBatch(st.DB)).Error; err != nil {
			return nil, fmt.Errorf("seed %d employees of %s: %w", n, key, err)
		}
	}
	return &Squad{Team: team, Manager: mgr, Employees: ms}, nil
}
