package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
)

// SaveResults writes computed results, keyed by member; a recomputation
// rewrites the scores but keeps grades a calibration already set.
func (s *Store) SaveResults(ctx context.Context, cycleID string, rows []Result) error {
	return s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var have []Result
		if err := tx.Where("cycle_id = ?", cycleID).Find(&have).Error; err != nil {
			return fmt.Errorf("save results %s: %w", cycleID, err)
		}
		byMember := map[string]*Result{}
		for i := range have {
			byMember[have[i].MemberID] = &have[i]
		}
		var fresh []Result
		now := time.Now().UTC()
		for _, r := range rows {
			r.CycleID = cycleID
			if old, ok := byMember[r.MemberID]; ok {
				up := map[string]any{
					"indicator_scores": r.IndicatorScores, "parts": r.Parts, "adjustments": r.Adjustments, "final_score": r.FinalScore,
					"missing": r.Missing, "explanation": r.Explanation, "blocked": r.Blocked,
					"proposed_grade": r.ProposedGrade, "rank_in_scope": r.Rank, "percentile": r.Percentile, "version": old.Version + 1, "updated_at": now,
				}
				if old.State == ResultComputed {
					up["grade"] = r.Grade
				}
				if err := tx.Model(&Result{}).Where("id = ?", old.ID).Updates(up).Error; err != nil {
					return fmt.Errorf("save results %s: %w", cycleID, err)
				}
				continue
			}
			r.ID, r.Version = NewID(), 1
			if r.State == "" {
				r.State = ResultComputed
			}
			fresh = append(fresh, r)
		}
		if len(fresh) > 0 {
			if err := tx.CreateInBatches(fresh, InsertBatch(tx)).Error; err != nil {
				return writeErr("save results "+cycleID, err)
			}
		}
		return nil
	})
}

var resultSorts = map[string]string{"rank": "rank_in_scope", "score": "final_score", "grade": "grade", "member": "member_id"}

// ListResults lists a cycle's results, by rank unless asked otherwise.
func (s *Store) ListResults(ctx context.Context, cycleID string, p Page) ([]Result, int64, error) {
	q := s.DB.WithContext(ctx).Model(&Result{}).Where("cycle_id = ?", cycleID)
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, fmt.Errorf("count results: %w", err)
	}
	var out []Result
	if err := p.apply(q, resultSorts, "rank_in_scope, member_id").Find(&out).Error; err != nil {
		return nil, 0, fmt.Errorf("list results: %w", err)
	}
	return out, total, nil
}

// GetResult reads one member's result in a cycle.
func (s *Store) GetResult(ctx context.Context, cycleID, memberID string) (*Result, error) {
	var r Result
	if err := s.DB.WithContext(ctx).Take(&r, "cycle_id = ? AND member_id = ?", cycleID, memberID).Error; err != nil {
		return nil, notFound("get result", err)
	}
	return &r, nil
}

// PublishResults makes a cycle's results visible to members, except those
// a missing-data policy withholds.
func (s *Store) PublishResults(ctx context.Context, cycleID string) (int, error) {
	res := s.DB.WithContext(ctx).Model(&Result{}).Where("cycle_id = ? AND state IN ? AND blocked = ''", cycleID, []string{ResultComputed, ResultCalibrated}).
		Updates(map[string]any{"state": ResultPublished, "updated_at": time.Now().UTC(), "version": gorm.Expr("version + 1")})
	if res.Error != nil {
		return 0, fmt.Errorf("publish results %s: %w", cycleID, res.Error)
	}
	return int(res.RowsAffected), nil
}

// SetOutcomes writes bonus and promotion per member.
func (s *Store) SetOutcomes(ctx context.Context, cycleID string, outcomes []Outcome) error {
	return s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		for _, o := range outcomes {
			if err := tx.Model(&Result{}).Where("cycle_id = ? AND member_id = ?", cycleID, o.MemberID).Updates(map[string]any{
				"bonus_amount": o.BonusAmount, "bonus_currency": o.BonusCurrency, "promotion": o.Promotion,
			}).Error; err != nil {
				return fmt.Errorf("set outcomes %s: %w", cycleID, err)
			}
		}
		return nil
	})
}

// TeamRankHistory returns the rankings of c's team in c's template, newest
// period first, for the latest n periods up to c's: c itself and the
// earlier cycles that were neither cancelled nor failed. The list holds only
// periods that had such a cycle, so a caller sees a gap as two periods that
// do not meet.
func (s *Store) TeamRankHistory(ctx context.Context, c *Cycle, n int) ([]PeriodRanking, error) {
	var cycles []Cycle
	err := s.DB.WithContext(ctx).Select("id", "period", "period_start", "period_end").
		Where("org_id = ? AND template_key = ? AND scope_team_id = ? AND period <= ?", c.OrgID, c.TemplateKey, c.ScopeTeamID, c.Period).
		Where("(id = ? OR state NOT IN ?)", c.ID, []string{CycleCancelled, CycleFailed}).
		Order("period DESC").Limit(n).Find(&cycles).Error
	if err != nil {
		return nil, fmt.Errorf("team rank history %s: %w", c.ID, err)
	}
	if len(cycles) == 0 {
		return nil, nil
	}
	ids := make([]string, len(cycles))
	out := make([]PeriodRanking, len(cycles))
	at := make(map[string]int, len(cycles))
	for i, cy := range cycles {
		ids[i], at[cy.ID] = cy.ID, i
		out[i] = PeriodRanking{CycleID: cy.ID, Period: cy.Period, PeriodStart: cy.PeriodStart, PeriodEnd: cy.PeriodEnd}
	}
	var rows []struct {
		CycleID    string
		MemberID   string
		Rank       int `gorm:"column:rank_in_scope"`
		FinalScore float64
	}
	err = s.DB.WithContext(ctx).Model(&Result{}).Select("cycle_id, member_id, rank_in_scope, final_score").
		// A result withheld for missing data has no rank: it is no one's
		// bottom place, and its period is not in the member's run.
		Where("cycle_id IN ? AND blocked = ''", ids).Order("rank_in_scope, member_id").Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("team rank history %s: %w", c.ID, err)
	}
	for _, r := range rows {
		p := &out[at[r.CycleID]]
		p.Ranks = append(p.Ranks, MemberRank{MemberID: r.MemberID, Rank: r.Rank, Score: r.FinalScore})
	}
	return out, nil
}

// AcknowledgeResult records a member's acknowledgement.
func (s *Store) AcknowledgeResult(ctx context.Context, cycleID, memberID string, appeal *string) (*Result, error) {
	var out Result
	err := s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := s.locked(tx).Take(&out, "cycle_id = ? AND member_id = ?", cycleID, memberID).Error; err != nil {
			return notFound("acknowledge result", err)
		}
		if out.State != ResultPublished {
			return fmt.Errorf("acknowledge result: %w: the result is %s", ErrConflict, out.State)
		}
		now := time.Now().UTC()
		up := map[string]any{"acknowledged_at": now, "state": ResultAcknowledged, "version": out.Version + 1}
		if appeal != nil {
			up["appeal"], up["state"] = *appeal, ResultAppealed
		}
		if err := tx.Model(&Result{}).Where("id = ?", out.ID).Updates(up).Error; err != nil {
			return fmt.Errorf("acknowledge result: %w", err)
		}
		return tx.Take(&out, "id = ?", out.ID).Error
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// AllResults returns every result of a cycle by rank, for the work that
// needs the whole cycle at once (outcomes, the agenda, exports).
func (s *Store) AllResults(ctx context.Context, cycleID string) ([]Result, error) {
	var out []Result
	if err := s.DB.WithContext(ctx).Where("cycle_id = ?", cycleID).Order("rank_in_scope, member_id").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("all results %s: %w", cycleID, err)
	}
	return out, nil
}

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

// Result states.
const (
	ResultComputed     = "computed"
	ResultCalibrated   = "calibrated"
	ResultPublished    = "published"
	ResultAcknowledged = "acknowledged"
	ResultAppealed     = "appealed"
)

// Result is a member's score, grade and outcomes in a cycle.
type Result struct {
	ID              string     `gorm:"primaryKey" json:"id"`
	CycleID         string     `json:"cycleId"`
	MemberID        string     `json:"memberId"`
	IndicatorScores string     `json:"-"`
	Parts           string     `json:"-"`
	Adjustments     string     `json:"-"`
	FinalScore      float64    `json:"finalScore"`
	ProposedGrade   string     `json:"proposedGrade"`
	Grade           string     `json:"grade"`
	Rank            int        `gorm:"column:rank_in_scope" json:"rank"`
	Percentile      float64    `json:"percentile"`
	BonusAmount     float64    `json:"bonusAmount"`
	BonusCurrency   string     `json:"bonusCurrency"`
	Promotion       bool       `json:"promotion"`
	AcknowledgedAt  *time.Time `json:"acknowledgedAt"`
	Appeal          *string    `json:"appeal"`
	State           string     `json:"state"`
	Version         int        `json:"version"`
	CreatedAt       time.Time  `json:"createdAt"`
	UpdatedAt       time.Time  `json:"updatedAt"`
	// Missing lists the data scoring found missing and the policy that
	// applied; Explanation is the breakdown of the final score, both JSON
	// written when the result is computed. Blocked is why a missing-data
	// policy withholds the score (empty when scored).
	Missing     string `json:"-"`
	Explanation string `json:"-"`
	Blocked     string `json:"blocked,omitempty"`
}

// Outcome is what ApplyOutcomes sets on a result.
type Outcome struct {
	MemberID      string
	BonusAmount   float64
	BonusCurrency string
	Promotion     bool
}

// PeriodRanking is a team's ranking in one cycle of a template, for rules
// that look back over periods (the IDP's bottom run).
type PeriodRanking struct {
	CycleID     string
	Period      string
	PeriodStart time.Time
	PeriodEnd   time.Time
	// Ranks lists every member ranked in the cycle, best first.
	Ranks []MemberRank
}

// MemberRank is a member's rank and final score in a cycle.
type MemberRank struct {
	MemberID string
	Rank     int
	Score    float64
}
