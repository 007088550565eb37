package store

import (
	"context"
	"fmt"
	"time"
)

// RecordEvaluation stores the rating a submitted task carries, once.
func (s *Store) RecordEvaluation(ctx context.Context, e *Evaluation) error {
	var n int64
	if err := s.DB.WithContext(ctx).Model(&Evaluation{}).Where("task_id = ?", e.TaskID).Count(&n).Error; err != nil {
		return fmt.Errorf("record evaluation %s: %w", e.TaskID, err)
	}
	if n > 0 {
		return nil
	}
	if e.ID == "" {
		e.ID = NewID()
	}
	if e.SubmittedAt.IsZero() {
		e.SubmittedAt = time.Now().UTC()
	}
	if err := s.DB.WithContext(ctx).Create(e).Error; err != nil && !isUniqueViolation(err) {
		return fmt.Errorf("record evaluation %s: %w", e.TaskID, err)
	}
	return nil
}

// ListEvaluations lists a cycle's evaluations, optionally of one ratee or by one rater.
func (s *Store) ListEvaluations(ctx context.Context, cycleID, rateeID, raterID string) ([]Evaluation, error) {
	q := s.DB.WithContext(ctx).Where("cycle_id = ?", cycleID)
	if rateeID != "" {
		q = q.Where("ratee_id = ?", rateeID)
	}
	if raterID != "" {
		q = q.Where("rater_id = ?", raterID)
	}
	var out []Evaluation
	if err := q.Order("ratee_id, rater_role, id").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("list evaluations %s: %w", cycleID, err)
	}
	return out, nil
}

// Evaluation is one rating of a member, per indicator, from a submitted task.
type Evaluation struct {
	ID          string    `gorm:"primaryKey" json:"id"`
	CycleID     string    `json:"cycleId"`
	TaskID      string    `json:"taskId"`
	RaterID     string    `json:"raterId"`
	RaterRole   string    `json:"raterRole"`
	RaterKey    string    `json:"raterKey"`
	RateeID     string    `json:"rateeId"`
	Scores      string    `json:"-"`
	Comment     string    `json:"comment"`
	Anonymous   bool      `json:"anonymous"`
	SubmittedAt time.Time `json:"submittedAt"`
}
