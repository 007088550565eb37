package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// CreateIDP inserts an IDP unless one with its dedupe key exists.
func (s *Store) CreateIDP(ctx context.Context, p *IDP) (*IDP, bool, error) {
	var got IDP
	err := s.DB.WithContext(ctx).Take(&got, "dedupe_key = ?", p.DedupeKey).Error
	if err == nil {
		return &got, false, nil
	}
	if !errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, false, fmt.Errorf("create idp: %w", err)
	}
	if p.ID == "" {
		p.ID = NewID()
	}
	if p.State == "" {
		p.State = IDPOpen
	}
	if err := s.DB.WithContext(ctx).Create(p).Error; err != nil {
		if isUniqueViolation(err) {
			if err := s.DB.WithContext(ctx).Take(&got, "dedupe_key = ?", p.DedupeKey).Error; err == nil {
				return &got, false, nil
			}
		}
		return nil, false, fmt.Errorf("create idp: %w", err)
	}
	return p, true, nil
}

// GetIDP reads an IDP.
func (s *Store) GetIDP(ctx context.Context, id string) (*IDP, error) {
	var p IDP
	if err := s.DB.WithContext(ctx).Take(&p, "id = ?", id).Error; err != nil {
		return nil, notFound("get idp "+id, err)
	}
	return &p, nil
}

// IDPFilter narrows ListIDPs.
type IDPFilter struct {
	MemberIDs []string
	MentorID  string
	State     string
}

// ListIDPs lists an organisation's IDPs, newest first.
func (s *Store) ListIDPs(ctx context.Context, orgID string, f IDPFilter, p Page) ([]IDP, int64, error) {
	q := s.DB.WithContext(ctx).Model(&IDP{}).Where("org_id = ?", orgID)
	if len(f.MemberIDs) > 0 {
		q = q.Where("member_id IN ?", f.MemberIDs)
	}
	if f.MentorID != "" {
		q = q.Where("mentor_id = ?", f.MentorID)
	}
	if f.State != "" {
		q = q.Where("state = ?", f.State)
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, fmt.Errorf("count idps: %w", err)
	}
	var out []IDP
	if err := p.apply(q, map[string]string{"createdAt": "created_at", "dueAt": "due_at"}, "created_at DESC").Find(&out).Error; err != nil {
		return nil, 0, fmt.Errorf("list idps: %w", err)
	}
	return out, total, nil
}

// CloseIDP closes an open IDP.
func (s *Store) CloseIDP(ctx context.Context, id string) error {
	if err := s.DB.WithContext(ctx).Model(&IDP{}).Where("id = ? AND state = ?", id, IDPOpen).
		Updates(map[string]any{"state": IDPClosed, "updated_at": time.Now().UTC()}).Error; err != nil {
		return fmt.Errorf("close idp %s: %w", id, err)
	}
	return nil
}

// AddCheckin records a check-in note on an IDP.
func (s *Store) AddCheckin(ctx context.Context, c *IDPCheckin) error {
	if c.ID == "" {
		c.ID = NewID()
	}
	if c.At.IsZero() {
		c.At = time.Now().UTC()
	}
	if err := s.DB.WithContext(ctx).Create(c).Error; err != nil {
		return fmt.Errorf("add check-in: %w", err)
	}
	return nil
}

// ListCheckins lists an IDP's check-ins in order.
func (s *Store) ListCheckins(ctx context.Context, idpID string) ([]IDPCheckin, error) {
	var out []IDPCheckin
	if err := s.DB.WithContext(ctx).Where("idp_id = ?", idpID).Order("at, id").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("list check-ins: %w", err)
	}
	return out, nil
}

// IDP states.
const (
	IDPOpen   = "open"
	IDPClosed = "closed"
)

// IDP is an individual development plan.
type IDP struct {
	ID               string    `gorm:"primaryKey" json:"id"`
	OrgID            string    `json:"-"`
	MemberID         string    `json:"memberId"`
	CycleID          string    `json:"cycleId"`
	TriggerPeriods   string    `json:"-"` // JSON []IDPTrigger; read it with Triggers
	Items            string    `json:"-"`
	MentorID         string    `json:"mentorId"`
	DueAt            time.Time `json:"dueAt"`
	CheckinEveryDays int       `json:"checkinEveryDays"`
	State            string    `json:"state"`
	DedupeKey        string    `json:"-"`
	CreatedAt        time.Time `json:"createdAt"`
	UpdatedAt        time.Time `json:"updatedAt"`
}

func (IDP) TableName() string { return "idps" }

// IDPCheckin is a note on an IDP's progress.
type IDPCheckin struct {
	ID    string    `gorm:"primaryKey" json:"id"`
	IDPID string    `gorm:"column:idp_id" json:"idpId"`
	At    time.Time `json:"at"`
	Note  string    `json:"note"`
	ByID  string    `json:"by"`
}

func (IDPCheckin) TableName() string { return "idp_checkins" }
