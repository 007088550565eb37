package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// RaterNomination is one rater a lead of the cycle named for a member's
// rater group; Position keeps the order they were named in.
type RaterNomination struct {
	CycleID     string    `gorm:"primaryKey" json:"cycleId"`
	MemberID    string    `gorm:"primaryKey" json:"memberId"`
	RaterKey    string    `gorm:"primaryKey" json:"group"`
	RaterID     string    `gorm:"primaryKey" json:"raterId"`
	Position    int       `json:"position"`
	NominatedBy string    `json:"nominatedBy"`
	CreatedAt   time.Time `json:"createdAt"`
}

// SetNominations replaces a member's nominations for one rater group with
// raterIDs, in one transaction, so a reader never sees half a list; an
// empty list returns the group to the automatic pick.
func (s *Store) SetNominations(ctx context.Context, cycleID, memberID, raterKey, by string, raterIDs []string) error {
	err := s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Where("cycle_id = ? AND member_id = ? AND rater_key = ?", cycleID, memberID, raterKey).Delete(&RaterNomination{}).Error; err != nil {
			return err
		}
		if len(raterIDs) == 0 {
			return nil
		}
		now := time.Now().UTC()
		rows := make([]RaterNomination, len(raterIDs))
		for i, id := range raterIDs {
			rows[i] = RaterNomination{CycleID: cycleID, MemberID: memberID, RaterKey: raterKey, RaterID: id, Position: i, NominatedBy: by, CreatedAt: now}
		}
		return tx.Create(&rows).Error
	})
	if err != nil {
		return fmt.Errorf("set nominations of %s in cycle %s: %w", memberID, cycleID, err)
	}
	return nil
}

// ListNominations lists a member's nominations in a cycle, by group and in
// the order named.
func (s *Store) ListNominations(ctx context.Context, cycleID, memberID string) ([]RaterNomination, error) {
	var out []RaterNomination
	if err := s.DB.WithContext(ctx).Where("cycle_id = ? AND member_id = ?", cycleID, memberID).Order("rater_key, position").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("list nominations of %s in cycle %s: %w", memberID, cycleID, err)
	}
	return out, nil
}
