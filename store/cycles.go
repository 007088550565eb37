package store

import (
	"context"
	"fmt"

	"gorm.io/gorm"
)

// UpdateCycle runs change on the stored cycle inside one transaction. When
// expectVersion is non-zero and differs from the stored version the update
// is refused with ErrConflict. What identifies the cycle (organisation,
// template, scope, period, generation, idempotency key) and its frozen
// template body are never written back: a launched cycle keeps them.
func (s *Store) UpdateCycle(ctx context.Context, orgID, id string, expectVersion int, change func(*Cycle) error) (*Cycle, error) {
	var out Cycle
	err := s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := s.locked(tx).Take(&out, "org_id = ? AND id = ?", orgID, id).Error; err != nil {
			return notFound("update cycle "+id, err)
		}
		if expectVersion != 0 && out.Version != expectVersion {
			return fmt.Errorf("update cycle %s: %w: version is %d, you sent %d", id, ErrConflict, out.Version, expectVersion)
		}
		if err := change(&out); err != nil {
			return err
		}
		out.Version++
		res := tx.Model(&Cycle{}).Where("id = ? AND version = ?", out.ID, out.Version-1).
			Select("title", "state", "current_stage", "workflow_id", "cancel_reason", "compress", "started_at", "finished_at", "version", "updated_at").
			Updates(&out)
		if res.Error != nil {
			return writeErr("update cycle "+id, res.Error)
		}
		if res.RowsAffected == 0 {
			return fmt.Errorf("update cycle %s: %w: changed by someone else meanwhile", id, ErrConflict)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// AddCycleMembers adds members to a cycle's scope and returns how many were
// new. Members already in the cycle are left as they were frozen, so a
// retried call adds nothing. The cycle's row is locked first, which
// serialises two callers adding to the same cycle on MySQL as SQLite's
// immediate transactions already do.
func (s *Store) AddCycleMembers(ctx context.Context, cycleID string, members []CycleMember) (int, error) {
	added := 0
	err := s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var c Cycle
		if err := s.locked(tx).Select("id").Take(&c, "id = ?", cycleID).Error; err != nil {
			return notFound("add cycle members "+cycleID, err)
		}
		var have []string
		if err := tx.Model(&CycleMember{}).Where("cycle_id = ?", cycleID).Pluck("member_id", &have).Error; err != nil {
			return fmt.Errorf("add cycle members %s: %w", cycleID, err)
		}
		seen := make(map[string]bool, len(have)+len(members))
		for _, id := range have {
			seen[id] = true
		}
		var fresh []CycleMember
		for _, m := range members {
			if seen[m.MemberID] {
				continue
			}
			seen[m.MemberID] = true
			m.CycleID = cycleID
			fresh = append(fresh, m)
		}
		if len(fresh) == 0 {
			return nil
		}
		if err := tx.CreateInBatches(fresh, 500).Error; err != nil {
			return writeErr("add cycle members "+cycleID, err)
		}
		added = len(fresh)
		return nil
	})
	return added, err
}
