package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// AcceptProposedGrades settles results nobody calibrated.
func (s *Store) AcceptProposedGrades(ctx context.Context, cycleID string) error {
	err := s.DB.WithContext(ctx).Model(&Result{}).Where("cycle_id = ? AND state = ?", cycleID, ResultComputed).
		Updates(map[string]any{"grade": gorm.Expr("proposed_grade"), "state": ResultCalibrated, "version": gorm.Expr("version + 1")}).Error
	if err != nil {
		return fmt.Errorf("accept proposed grades %s: %w", cycleID, err)
	}
	return nil
}

// ApplyCalibration applies one calibration submission in one transaction:
// the changes with their reasons, the new grades and the audit entries. A
// submission id already applied is not applied again (applied=false).
// versions, when given, must match each result's version (else ErrConflict).
func (s *Store) ApplyCalibration(ctx context.Context, cycleID, submissionID string, changes []CalibrationChange, actor string, versions map[string]int) (bool, error) {
	applied := false
	err := s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var n int64
		if err := tx.Model(&CalibrationChange{}).Where("cycle_id = ? AND submission_id = ?", cycleID, submissionID).Count(&n).Error; err != nil {
			return fmt.Errorf("apply calibration: %w", err)
		}
		var audits int64
		if err := tx.Model(&AuditEntry{}).Where("entity = ? AND entity_id = ? AND action = ?", "calibration", cycleID+":"+submissionID, "calibration.submit").Count(&audits).Error; err != nil {
			return fmt.Errorf("apply calibration: %w", err)
		}
		if n > 0 || audits > 0 {
			return nil
		}
		now := time.Now().UTC()
		for _, ch := range changes {
			var r Result
			if err := s.locked(tx).Take(&r, "cycle_id = ? AND member_id = ?", cycleID, ch.MemberID).Error; err != nil {
				return notFound("apply calibration: result of "+ch.MemberID, err)
			}
			if v, ok := versions[ch.MemberID]; ok && v != r.Version {
				return fmt.Errorf("apply calibration: %w: the result of %s changed (version %d, you had %d)", ErrConflict, ch.MemberID, r.Version, v)
			}
			ch.ID, ch.CycleID, ch.ChangedBy, ch.SubmissionID, ch.CreatedAt = NewID(), cycleID, actor, submissionID, now
			if ch.FromGrade == "" {
				ch.FromGrade = r.Grade
			}
			if err := tx.Create(&ch).Error; err != nil {
				return fmt.Errorf("apply calibration: %w", err)
			}
			if err := tx.Model(&Result{}).Where("id = ?", r.ID).Updates(map[string]any{"grade": ch.ToGrade, "state": ResultCalibrated, "version": r.Version + 1, "updated_at": now}).Error; err != nil {
				return fmt.Errorf("apply calibration: %w", err)
			}
			if err := Audit(tx, actor, "calibration.change", "result", r.ID, map[string]any{"member": ch.MemberID, "from": ch.FromGrade, "to": ch.ToGrade, "reason": ch.Reason}); err != nil {
				return err
			}
		}
		// Members nobody moved keep their proposed grade.
		if err := tx.Model(&Result{}).Where("cycle_id = ? AND state = ?", cycleID, ResultComputed).
			Updates(map[string]any{"grade": gorm.Expr("proposed_grade"), "state": ResultCalibrated, "version": gorm.Expr("version + 1")}).Error; err != nil {
			return fmt.Errorf("apply calibration: %w", err)
		}
		applied = true
		return Audit(tx, actor, "calibration.submit", "calibration", cycleID+":"+submissionID, map[string]any{"changes": len(changes)})
	})
	return applied, err
}

// ListCalibrationChanges lists a cycle's grade changes in order.
func (s *Store) ListCalibrationChanges(ctx context.Context, cycleID string) ([]CalibrationChange, error) {
	var out []CalibrationChange
	if err := s.DB.WithContext(ctx).Where("cycle_id = ?", cycleID).Order("created_at, id").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("list calibration changes: %w", err)
	}
	return out, nil
}

// Placing is a result's rank and percentile in its cycle.
type Placing struct {
	Rank       int
	Percentile float64
}

// WaiveResults writes the scores of results a missing-data waiver releases
// (each row carries the member's fresh scores, grade and explanation) and
// every result's new placing, in one transaction. A result no longer
// withheld is left alone, so a retry changes nothing; each release is
// recorded as a calibration change of the submission and audited.
func (s *Store) WaiveResults(ctx context.Context, cycleID, submissionID, actor string, released []Result, reasons map[string]string, placings map[string]Placing) error {
	return s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		now := time.Now().UTC()
		for _, w := range released {
			var r Result
			if err := s.locked(tx).Take(&r, "cycle_id = ? AND member_id = ?", cycleID, w.MemberID).Error; err != nil {
				return notFound("waive result of "+w.MemberID, err)
			}
			if r.Blocked == "" {
				continue
			}
			if err := tx.Model(&Result{}).Where("id = ?", r.ID).Updates(map[string]any{
				"indicator_scores": w.IndicatorScores, "parts": w.Parts, "adjustments": w.Adjustments, "missing": w.Missing, "explanation": w.Explanation,
				"blocked": "", "final_score": w.FinalScore, "proposed_grade": w.ProposedGrade, "grade": w.Grade, "version": r.Version + 1, "updated_at": now,
			}).Error; err != nil {
				return fmt.Errorf("waive result %s: %w", w.MemberID, err)
			}
			ch := CalibrationChange{ID: NewID(), CycleID: cycleID, MemberID: w.MemberID, ToGrade: w.Grade, Reason: reasons[w.MemberID], ChangedBy: actor, SubmissionID: submissionID, CreatedAt: now}
			if err := tx.Create(&ch).Error; err != nil {
				return fmt.Errorf("waive result %s: %w", w.MemberID, err)
			}
			if err := Audit(tx, actor, "result.waive", "result", r.ID, map[string]any{"member": w.MemberID, "grade": w.Grade, "score": w.FinalScore, "reason": reasons[w.MemberID], "withheld": r.Blocked}); err != nil {
				return err
			}
		}
		for member, p := range placings {
			if err := tx.Model(&Result{}).Where("cycle_id = ? AND member_id = ?", cycleID, member).
				Updates(map[string]any{"rank_in_scope": p.Rank, "percentile": p.Percentile}).Error; err != nil {
				return fmt.Errorf("waive results %s: %w", cycleID, err)
			}
		}
		return nil
	})
}

// CalibrationChange is one grade moved in calibration, with its reason.
type CalibrationChange struct {
	ID           string    `gorm:"primaryKey" json:"id"`
	CycleID      string    `json:"cycleId"`
	MemberID     string    `json:"memberId"`
	FromGrade    string    `json:"from"`
	ToGrade      string    `json:"to"`
	Reason       string    `json:"reason"`
	ChangedBy    string    `json:"changedBy"`
	SubmissionID string    `json:"submissionId"`
	CreatedAt    time.Time `json:"createdAt"`
}
