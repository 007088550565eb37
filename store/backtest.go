package store

import (
	"context"
	"fmt"
)

// BacktestCycles lists a team's cycles whose period lies in [from, to]
// (period keys compare in calendar order: 2026-07 < 2026-10), oldest period
// first, the newest cycle of a period first among several. Cancelled and
// failed cycles are left out: their results, if any, were never final.
func (s *Store) BacktestCycles(ctx context.Context, orgID, teamID, from, to string) ([]Cycle, error) {
	var out []Cycle
	err := s.DB.WithContext(ctx).
		Where("org_id = ? AND scope_team_id = ? AND period >= ? AND period <= ? AND state NOT IN ?", orgID, teamID, from, to, []string{CycleCancelled, CycleFailed}).
		Order("period, created_at DESC, id").Find(&out).Error
	if err != nil {
		return nil, fmt.Errorf("backtest cycles of team %s: %w", teamID, err)
	}
	return out, nil
}

// TeamsByKey finds the teams with a key, in every organisation: the CLI
// names a team by key and has no signed-in organisation.
func (s *Store) TeamsByKey(ctx context.Context, key string) ([]Team, error) {
	var out []Team
	if err := s.DB.WithContext(ctx).Where("team_key = ?", key).Order("org_id, id").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("teams by key %s: %w", key, err)
	}
	return out, nil
}

// CycleRecords is what a cycle recorded that scoring read, and the results
// it wrote: a backtest re-scores the first and compares with the second.
type CycleRecords struct {
	Members     []CycleMember
	Metrics     []MetricPoint
	Targets     []Target
	Evaluations []Evaluation
	Results     []Result
}

// RecordsOf reads a cycle's records with the same reads scoring makes.
func (s *Store) RecordsOf(ctx context.Context, c *Cycle) (*CycleRecords, error) {
	var r CycleRecords
	var err error
	if r.Members, err = s.ListCycleMembers(ctx, c.ID); err != nil {
		return nil, err
	}
	f := MetricFilter{Period: c.Period, OrgID: c.OrgID, CycleID: c.ID, SplitAt: s.MetricReadSplits(MemberIDsOf(r.Members))}
	err = s.EachMetricValue(ctx, f, func(p MetricPoint) {
		r.Metrics = append(r.Metrics, p)
	})
	if err != nil {
		return nil, err
	}
	if r.Targets, err = s.ListTargets(ctx, c.ID, ""); err != nil {
		return nil, err
	}
	if r.Evaluations, err = s.ListEvaluations(ctx, c.ID, "", ""); err != nil {
		return nil, err
	}
	if r.Results, err = s.AllResults(ctx, c.ID); err != nil {
		return nil, err
	}
	return &r, nil
}
