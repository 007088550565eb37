package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// ErrCycleExists refuses a second live cycle for the same template, scope
// and period.
var ErrCycleExists = errors.New("a cycle of this template for this team and period already exists; cancel it first or pick another period")

// CreateCycle writes a cycle and its members in one transaction. With an
// idempotency key that was used before, it returns the earlier cycle and
// created=false, so a retried launch never starts two cycles.
func (s *Store) CreateCycle(ctx context.Context, c *Cycle, members []CycleMember) (*Cycle, bool, error) {
	var out *Cycle
	created := false
	err := s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if c.IdempotencyKey != nil {
			var prev Cycle
			err := tx.Take(&prev, "org_id = ? AND idempotency_key = ?", c.OrgID, *c.IdempotencyKey).Error
			if err == nil {
				out = &prev
				return nil
			}
			if !errors.Is(err, gorm.ErrRecordNotFound) {
				return fmt.Errorf("create cycle: %w", err)
			}
		}
		var live []Cycle
		if err := tx.Where("org_id = ? AND template_key = ? AND scope_team_id = ? AND period = ?", c.OrgID, c.TemplateKey, c.ScopeTeamID, c.Period).
			Order("generation DESC").Find(&live).Error; err != nil {
			return fmt.Errorf("create cycle: %w", err)
		}
		for _, l := range live {
			if l.State != CycleCancelled && l.State != CycleFailed {
				return fmt.Errorf("create cycle: %w: %w (cycle %s)", ErrConflict, ErrCycleExists, l.ID)
			}
		}
		if len(live) > 0 {
			c.Generation = live[0].Generation + 1
		}
		if c.ID == "" {
			c.ID = NewID()
		}
		if c.State == "" {
			c.State = CyclePending
		}
		c.Version = 1
		if err := tx.Create(c).Error; err != nil {
			return writeErr("create cycle", err)
		}
		for i := range members {
			members[i].CycleID = c.ID
		}
		if len(members) > 0 {
			if err := tx.CreateInBatches(members, InsertBatch(tx)).Error; err != nil {
				return writeErr("add cycle members", err)
			}
		}
		out, created = c, true
		return Audit(tx, c.LaunchedBy, "cycle.launch", "cycle", c.ID, map[string]any{"template": c.TemplateKey, "version": c.TemplateVersion, "period": c.Period, "members": len(members)})
	})
	return out, created, err
}

// GetCycle reads a cycle of an organisation.
func (s *Store) GetCycle(ctx context.Context, orgID, id string) (*Cycle, error) {
	var c Cycle
	if err := s.DB.WithContext(ctx).Take(&c, "org_id = ? AND id = ?", orgID, id).Error; err != nil {
		return nil, notFound("get cycle "+id, err)
	}
	return &c, nil
}

// GetCycleByID reads a cycle by id alone, for activities.
func (s *Store) GetCycleByID(ctx context.Context, id string) (*Cycle, error) {
	return s.getCycle(ctx, id)
}

// GetCycleHeadByID reads a cycle as GetCycleByID does but for its
// template body, left empty: the largest column, written once at launch,
// so a caller holding it already need not read it again (every member's
// first task read a 5,000-member cycle's body once per member).
func (s *Store) GetCycleHeadByID(ctx context.Context, id string) (*Cycle, error) {
	return s.getCycle(ctx, id, "template_body")
}

// getCycle reads a cycle by id without the columns omit names.
func (s *Store) getCycle(ctx context.Context, id string, omit ...string) (*Cycle, error) {
	var c Cycle
	if err := s.DB.WithContext(ctx).Omit(omit...).Take(&c, "id = ?", id).Error; err != nil {
		return nil, notFound("get cycle "+id, err)
	}
	return &c, nil
}

// CycleFilter narrows ListCycles.
type CycleFilter struct {
	TeamIDs     []string
	State       string
	TemplateKey string
	Period      string
	MemberID    string // cycles the member is in
	// AlsoFor widens TeamIDs with the cycles this member is reviewed in or
	// launched, whatever their team: a manager's view of the cycles.
	AlsoFor string
}

var cycleSorts = map[string]string{"createdAt": "created_at", "period": "period", "state": "state"}

// ListCycles returns a page of cycles, newest first by default.
func (s *Store) ListCycles(ctx context.Context, orgID string, f CycleFilter, p Page) ([]Cycle, int64, error) {
	q := s.DB.WithContext(ctx).Model(&Cycle{}).Where("org_id = ?", orgID)
	switch {
	case len(f.TeamIDs) > 0 && f.AlsoFor != "":
		q = q.Where("(scope_team_id IN ? OR launched_by = ? OR id IN (?))", f.TeamIDs, f.AlsoFor,
			s.DB.Model(&CycleMember{}).Select("cycle_id").Where("member_id = ?", f.AlsoFor))
	case len(f.TeamIDs) > 0:
		q = q.Where("scope_team_id IN ?", f.TeamIDs)
	}
	if f.State != "" {
		q = q.Where("state = ?", f.State)
	}
	if f.TemplateKey != "" {
		q = q.Where("template_key = ?", f.TemplateKey)
	}
	if f.Period != "" {
		q = q.Where("period = ?", f.Period)
	}
	if f.MemberID != "" {
		q = q.Where("id IN (?)", s.DB.Model(&CycleMember{}).Select("cycle_id").Where("member_id = ?", f.MemberID))
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, fmt.Errorf("count cycles: %w", err)
	}
	var out []Cycle
	if err := p.apply(q, cycleSorts, "created_at DESC").Find(&out).Error; err != nil {
		return nil, 0, fmt.Errorf("list cycles: %w", err)
	}
	return out, total, nil
}

// SetCycleStage records the workflow's stage and state; it is idempotent
// and stamps started/finished times once.
func (s *Store) SetCycleStage(ctx context.Context, id, stage, state string) error {
	return s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var c Cycle
		if err := s.locked(tx).Take(&c, "id = ?", id).Error; err != nil {
			return notFound("set cycle stage "+id, err)
		}
		if c.State == CycleCancelled && state != CycleCancelled {
			return nil // a late step of a cancelled cycle changes nothing
		}
		now := time.Now().UTC()
		up := map[string]any{"state": state, "updated_at": now, "version": c.Version + 1}
		if c.BlockedReason != "" && state != CycleBlocked {
			up["blocked_reason"] = "" // moving on, the fault is no longer the cycle's
		}
		if stage != "" || state == CycleCompleted {
			up["current_stage"] = stage
		}
		if c.StartedAt == nil && state == CycleRunning {
			up["started_at"] = now
		}
		if c.FinishedAt == nil && (state == CycleCompleted || state == CycleCancelled || state == CycleFailed) {
			up["finished_at"] = now
		}
		if c.State == state && c.CurrentStage == stage {
			return nil
		}
		if err := tx.Model(&Cycle{}).Where("id = ?", id).Updates(up).Error; err != nil {
			return fmt.Errorf("set cycle stage %s: %w", id, err)
		}
		return nil
	})
}

// BlockCycle marks a live cycle blocked at stage, with why. A cycle already
// over stays as it is: a block reported after a cancel changes nothing.
func (s *Store) BlockCycle(ctx context.Context, id, stage, reason string) error {
	return s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var c Cycle
		if err := s.locked(tx).Take(&c, "id = ?", id).Error; err != nil {
			return notFound("block cycle "+id, err)
		}
		if c.State == CycleCompleted || c.State == CycleCancelled || c.State == CycleFailed {
			return nil
		}
		if c.State == CycleBlocked && c.CurrentStage == stage && c.BlockedReason == reason {
			return nil
		}
		up := map[string]any{"state": CycleBlocked, "current_stage": stage, "blocked_reason": reason, "updated_at": time.Now().UTC(), "version": c.Version + 1}
		if err := tx.Model(&Cycle{}).Where("id = ?", id).Updates(up).Error; err != nil {
			return fmt.Errorf("block cycle %s: %w", id, err)
		}
		return nil
	})
}

// MarkCycleCancelling records who cancelled and why, before the workflow
// closes the tasks.
func (s *Store) MarkCycleCancelling(ctx context.Context, orgID, id, actor, reason string) (*Cycle, error) {
	var out Cycle
	err := s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := s.locked(tx).Take(&out, "org_id = ? AND id = ?", orgID, id).Error; err != nil {
			return notFound("cancel cycle "+id, err)
		}
		if out.State == CycleCompleted || out.State == CycleCancelled || out.State == CycleFailed {
			return fmt.Errorf("cancel cycle %s: %w: the cycle is %s", id, ErrConflict, out.State)
		}
		out.CancelReason = reason
		if err := tx.Model(&Cycle{}).Where("id = ?", id).Updates(map[string]any{"cancel_reason": reason, "updated_at": time.Now().UTC()}).Error; err != nil {
			return fmt.Errorf("cancel cycle %s: %w", id, err)
		}
		return Audit(tx, actor, "cycle.cancel", "cycle", id, map[string]any{"reason": reason})
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// locked takes a row lock on MySQL; SQLite's immediate transactions
// already serialise writers.
func (s *Store) locked(tx *gorm.DB) *gorm.DB { return lockRows(s.Dialect, tx) }

// lockRows makes tx's read lock the rows it reads until the transaction
// ends: SELECT … FOR UPDATE on MySQL; SQLite's write transaction
// (BEGIN IMMEDIATE) holds the whole database already.
func lockRows(d Dialect, tx *gorm.DB) *gorm.DB {
	if d == MySQL {
		return tx.Clauses(clause.Locking{Strength: "UPDATE"})
	}
	return tx
}

// ListCycleMembers returns a cycle's members in a stable order.
func (s *Store) ListCycleMembers(ctx context.Context, cycleID string) ([]CycleMember, error) {
	var out []CycleMember
	if err := s.DB.WithContext(ctx).Where("cycle_id = ?", cycleID).Order("member_id").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("list cycle members %s: %w", cycleID, err)
	}
	return out, nil
}

// CountCycleMembers counts a cycle's members.
func (s *Store) CountCycleMembers(ctx context.Context, cycleID string) (int, error) {
	var n int64
	if err := s.DB.WithContext(ctx).Model(&CycleMember{}).Where("cycle_id = ?", cycleID).Count(&n).Error; err != nil {
		return 0, fmt.Errorf("count cycle members %s: %w", cycleID, err)
	}
	return int(n), nil
}

// InCycle reports whether a member is in a cycle's scope.
func (s *Store) InCycle(ctx context.Context, cycleID, memberID string) (bool, error) {
	var n int64
	err := s.DB.WithContext(ctx).Model(&CycleMember{}).Where("cycle_id = ? AND member_id = ?", cycleID, memberID).Count(&n).Error
	return n > 0, err
}

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
		if err := tx.CreateInBatches(fresh, InsertBatch(tx)).Error; err != nil {
			return writeErr("add cycle members "+cycleID, err)
		}
		added = len(fresh)
		return nil
	})
	return added, err
}

// Cycle states. A blocked cycle's scoring cannot compute from its data (a
// value outside every band); it waits, cancellable, for the data to be
// corrected and a resume.
const (
	CyclePending   = "pending"
	CycleRunning   = "running"
	CycleBlocked   = "blocked"
	CycleCompleted = "completed"
	CycleCancelled = "cancelled"
	CycleFailed    = "failed"
)

// Cycle is one run of a published template over a team's members for a
// period. TemplateBody is the frozen snapshot the workflow runs on.
// Generation lets a scope and period be relaunched after a cancellation
// while the unique index still refuses two live cycles for the same thing.
type Cycle struct {
	ID              string     `gorm:"primaryKey" json:"id"`
	OrgID           string     `json:"-"`
	TemplateKey     string     `json:"templateKey"`
	TemplateVersion int        `json:"templateVersion"`
	TemplateBody    string     `json:"-"`
	ScopeTeamID     string     `json:"scopeTeamId"`
	Period          string     `json:"period"`
	PeriodStart     time.Time  `json:"periodStart"`
	PeriodEnd       time.Time  `json:"periodEnd"`
	Timezone        string     `json:"timezone"`
	Title           string     `json:"title"`
	State           string     `json:"state"`
	CurrentStage    string     `json:"currentStage"`
	WorkflowID      string     `json:"workflowId"`
	LaunchedBy      string     `json:"launchedBy"`
	IdempotencyKey  *string    `json:"idempotencyKey,omitempty"`
	CancelReason    string     `json:"cancelReason,omitempty"`
	BlockedReason   string     `json:"blockedReason,omitempty"` // while blocked: the member, indicator and value at fault
	Compress        float64    `json:"compress,omitempty"`
	Generation      int        `json:"generation"`
	StartedAt       *time.Time `json:"startedAt"`
	FinishedAt      *time.Time `json:"finishedAt"`
	Version         int        `json:"version"`
	CreatedAt       time.Time  `json:"createdAt"`
	UpdatedAt       time.Time  `json:"updatedAt"`
}

// MemberIDsOf lists the members' ids, in their order.
func MemberIDsOf(ms []CycleMember) []string {
	ids := make([]string, len(ms))
	for i, m := range ms {
		ids[i] = m.MemberID
	}
	return ids
}

// CycleMember is a member in a cycle's scope, frozen at launch.
type CycleMember struct {
	CycleID   string     `gorm:"primaryKey" json:"-"`
	MemberID  string     `gorm:"primaryKey" json:"memberId"`
	TeamID    *string    `json:"teamId"`
	ManagerID *string    `json:"managerId"`
	Level     string     `json:"level"`
	JoinedOn  *time.Time `json:"joinedOn,omitempty"`
}
