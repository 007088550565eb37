package store

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"gorm.io/gorm"
)

// ErrAppealNeedsReason refuses an appeal without a reason: the calibration
// committee reviews the reason, not the bare fact of disagreement.
var ErrAppealNeedsReason = errors.New("an appeal needs a reason: say which score or grade is wrong and why")

// UpdateResult runs change on a member's result inside one transaction.
// When expectVersion is non-zero and differs from the stored version the
// update is refused with ErrConflict, so two calibrators never overwrite
// each other. The cycle, member and id are never written back.
func (s *Store) UpdateResult(ctx context.Context, cycleID, memberID string, expectVersion int, change func(*Result) error) (*Result, error) {
	var out Result
	err := s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := s.locked(tx).Take(&out, "cycle_id = ? AND member_id = ?", cycleID, memberID).Error; err != nil {
			return notFound("update result of "+memberID, err)
		}
		if expectVersion != 0 && out.Version != expectVersion {
			return fmt.Errorf("update result of %s: %w: version is %d, you sent %d", memberID, ErrConflict, out.Version, expectVersion)
		}
		if err := change(&out); err != nil {
			return err
		}
		out.Version++
		res := tx.Model(&Result{}).Where("id = ? AND version = ?", out.ID, out.Version-1).
			Select("indicator_scores", "parts", "adjustments", "final_score", "proposed_grade", "grade", "rank_in_scope", "percentile",
				"bonus_amount", "bonus_currency", "promotion", "acknowledged_at", "appeal", "state", "version", "updated_at").
			Updates(&out)
		if res.Error != nil {
			return writeErr("update result of "+memberID, res.Error)
		}
		if res.RowsAffected == 0 {
			return fmt.Errorf("update result of %s: %w: changed by someone else meanwhile", memberID, ErrConflict)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// AppealResult records a member's appeal of a published result; it is
// AcknowledgeResult with a reason, refused (ErrConflict) once answered.
func (s *Store) AppealResult(ctx context.Context, cycleID, memberID, reason string) (*Result, error) {
	if strings.TrimSpace(reason) == "" {
		return nil, fmt.Errorf("appeal result of %s: %w", memberID, ErrAppealNeedsReason)
	}
	return s.AcknowledgeResult(ctx, cycleID, memberID, &reason)
}
