package store

import (
	"context"
	"fmt"
	"math"
	"time"

	"gorm.io/gorm"
)

// UpsertTargets writes a cycle's targets keyed by (member or team,
// indicator); rewriting the same values is a no-op.
func (s *Store) UpsertTargets(ctx context.Context, cycleID string, rows []Target) error {
	return s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var have []Target
		if err := tx.Where("cycle_id = ?", cycleID).Find(&have).Error; err != nil {
			return fmt.Errorf("upsert targets %s: %w", cycleID, err)
		}
		byKey := map[string]*Target{}
		for i := range have {
			byKey[have[i].MemberKey+"|"+have[i].IndicatorKey] = &have[i]
		}
		var fresh []Target
		for _, r := range rows {
			r.CycleID = cycleID
			if old, ok := byKey[r.MemberKey+"|"+r.IndicatorKey]; ok {
				if old.Value == r.Value && old.Method == r.Method && old.ProRata == r.ProRata {
					continue
				}
				if err := tx.Model(&Target{}).Where("id = ?", old.ID).Updates(map[string]any{
					"value": r.Value, "method": r.Method, "pro_rata": r.ProRata, "version": old.Version + 1, "updated_at": time.Now().UTC(),
				}).Error; err != nil {
					return fmt.Errorf("upsert targets %s: %w", cycleID, err)
				}
				continue
			}
			r.ID, r.Version = NewID(), 1
			fresh = append(fresh, r)
		}
		if len(fresh) > 0 {
			if err := tx.CreateInBatches(fresh, InsertBatch(tx)).Error; err != nil {
				return writeErr("upsert targets "+cycleID, err)
			}
		}
		return nil
	})
}

// ListTargets lists a cycle's targets, of one member when memberID is set.
func (s *Store) ListTargets(ctx context.Context, cycleID, memberID string) ([]Target, error) {
	q := s.DB.WithContext(ctx).Where("cycle_id = ?", cycleID)
	if memberID != "" {
		q = q.Where("member_id = ?", memberID)
	}
	var out []Target
	if err := q.Order("indicator_key, member_key").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("list targets %s: %w", cycleID, err)
	}
	return out, nil
}

// ErrTargetSum refuses member targets that no longer add up to the team's.
type ErrTargetSum struct {
	Indicator string
	Want, Got float64
}

func (e *ErrTargetSum) Error() string {
	return fmt.Sprintf("member targets for %s add up to %g but the team target is %g (%+g)", e.Indicator, e.Got, e.Want, e.Got-e.Want)
}

// AdjustTargets changes member targets of one indicator by hand. Every row
// must still be at the version the caller read (else ErrConflict) and the
// member targets must still add up to the team target (else *ErrTargetSum).
// A cycle that is over keeps the targets it was judged against (ErrConflict).
func (s *Store) AdjustTargets(ctx context.Context, cycleID, indicator, actor string, values map[string]float64, versions map[string]int) ([]Target, error) {
	var out []Target
	err := s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var cy Cycle
		if err := tx.Select("state").Take(&cy, "id = ?", cycleID).Error; err != nil {
			return notFound("adjust targets of cycle "+cycleID, err)
		}
		if cy.State != CyclePending && cy.State != CycleRunning {
			return fmt.Errorf("adjust targets: %w: the cycle is %s; its targets are final", ErrConflict, cy.State)
		}
		var rows []Target
		if err := s.locked(tx).Where("cycle_id = ? AND indicator_key = ?", cycleID, indicator).Order("member_key").Find(&rows).Error; err != nil {
			return fmt.Errorf("adjust targets: %w", err)
		}
		if len(rows) == 0 {
			return fmt.Errorf("adjust targets %s/%s: %w", cycleID, indicator, ErrNotFound)
		}
		team, sum := math.NaN(), 0.0
		for i := range rows {
			r := &rows[i]
			if r.MemberID == nil {
				team = r.Value
				continue
			}
			if v, ok := values[*r.MemberID]; ok {
				if want, ok := versions[*r.MemberID]; ok && want != r.Version {
					return fmt.Errorf("adjust targets: %w: the target of %s changed (version %d, you had %d); reload", ErrConflict, *r.MemberID, r.Version, want)
				}
				r.Value, r.Source, r.Version = v, "manual", r.Version+1
			}
			sum += r.Value
		}
		for id := range values {
			found := false
			for _, r := range rows {
				if r.MemberID != nil && *r.MemberID == id {
					found = true
				}
			}
			if !found {
				return fmt.Errorf("adjust targets: member %s has no target for %s: %w", id, indicator, ErrNotFound)
			}
		}
		if !math.IsNaN(team) && math.Abs(sum-team) > 1e-9*math.Max(1, math.Abs(team)) {
			return &ErrTargetSum{Indicator: indicator, Want: team, Got: sum}
		}
		now := time.Now().UTC()
		for _, r := range rows {
			if r.MemberID == nil || r.Source != "manual" {
				continue
			}
			if _, ok := values[*r.MemberID]; !ok {
				continue
			}
			if err := tx.Model(&Target{}).Where("id = ?", r.ID).Updates(map[string]any{"value": r.Value, "source": "manual", "version": r.Version, "updated_at": now}).Error; err != nil {
				return fmt.Errorf("adjust targets: %w", err)
			}
		}
		out = rows
		return Audit(tx, actor, "targets.adjust", "cycle", cycleID, map[string]any{"indicator": indicator, "values": values})
	})
	return out, err
}

// TeamTargetKey marks a team's own target row.
const TeamTargetKey = "team"

// Target is a member's (or, with MemberID nil, the team's) target for an
// indicator in a cycle.
type Target struct {
	ID           string    `gorm:"primaryKey" json:"id"`
	CycleID      string    `json:"cycleId"`
	MemberID     *string   `json:"memberId"`
	MemberKey    string    `json:"-"`
	IndicatorKey string    `json:"indicator"`
	Period       string    `json:"period"`
	Value        float64   `json:"value"`
	Unit         string    `json:"unit"`
	Method       string    `json:"method"`
	ProRata      float64   `json:"proRata"`
	Source       string    `json:"source"`
	Objective    string    `json:"objective"`
	Version      int       `json:"version"`
	CreatedAt    time.Time `json:"createdAt"`
	UpdatedAt    time.Time `json:"updatedAt"`
}
