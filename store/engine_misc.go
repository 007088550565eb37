package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// SaveMeeting records a cycle's calibration meeting once.
func (s *Store) SaveMeeting(ctx context.Context, m *CalibrationMeeting) error {
	if _, err := s.GetMeeting(ctx, m.CycleID); err == nil {
		return nil
	}
	if m.ID == "" {
		m.ID = NewID()
	}
	if err := s.DB.WithContext(ctx).Create(m).Error; err != nil && !isUniqueViolation(err) {
		return fmt.Errorf("save meeting %s: %w", m.CycleID, err)
	}
	return nil
}

// GetMeeting reads a cycle's calibration meeting.
func (s *Store) GetMeeting(ctx context.Context, cycleID string) (*CalibrationMeeting, error) {
	var m CalibrationMeeting
	if err := s.DB.WithContext(ctx).Take(&m, "cycle_id = ?", cycleID).Error; err != nil {
		return nil, notFound("get meeting "+cycleID, err)
	}
	return &m, nil
}

// ListMeetingsOverlapping lists meetings in [from, to) any of the people
// attend (as facilitator or participant); a cancelled one keeps nobody busy.
func (s *Store) ListMeetingsOverlapping(ctx context.Context, people []string, from, to time.Time) ([]CalibrationMeeting, error) {
	var all []CalibrationMeeting
	if err := s.DB.WithContext(ctx).Where("starts_at < ? AND ends_at > ? AND state <> ?", to.UTC(), from.UTC(), MeetingCancelled).Find(&all).Error; err != nil {
		return nil, fmt.Errorf("list meetings: %w", err)
	}
	want := map[string]bool{}
	for _, p := range people {
		want[p] = true
	}
	var out []CalibrationMeeting
	for _, m := range all {
		if want[m.FacilitatorID] || containsAny(m.Participants, want) {
			out = append(out, m)
		}
	}
	return out, nil
}

func containsAny(jsonList string, want map[string]bool) bool {
	for p := range want {
		if p != "" && len(jsonList) > 0 && contains(jsonList, `"`+p+`"`) {
			return true
		}
	}
	return false
}

func contains(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return true
		}
	}
	return false
}

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

// EnqueueNotification inserts a notification unless its dedupe key exists;
// created says whether this call wrote it.
func (s *Store) EnqueueNotification(ctx context.Context, n *Notification) (bool, error) {
	var count int64
	if err := s.DB.WithContext(ctx).Model(&Notification{}).Where("dedupe_key = ?", n.DedupeKey).Count(&count).Error; err != nil {
		return false, fmt.Errorf("enqueue notification: %w", err)
	}
	if count > 0 {
		return false, nil
	}
	if n.ID == "" {
		n.ID = NewID()
	}
	if n.State == "" {
		n.State = "pending"
		if n.Channel == "inapp" {
			n.State = "sent"
			now := time.Now().UTC()
			n.SentAt = &now
		}
	}
	n.Subject = cut(n.Subject, 500)
	if err := s.DB.WithContext(ctx).Create(n).Error; err != nil {
		if isUniqueViolation(err) {
			return false, nil
		}
		return false, fmt.Errorf("enqueue notification: %w", err)
	}
	return true, nil
}

func cut(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// ListNotifications lists a person's notifications, newest first.
func (s *Store) ListNotifications(ctx context.Context, recipientID string, unreadOnly bool, p Page) ([]Notification, int64, error) {
	q := s.DB.WithContext(ctx).Model(&Notification{}).Where("recipient_id = ?", recipientID)
	if unreadOnly {
		q = q.Where("read_at IS NULL")
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, fmt.Errorf("count notifications: %w", err)
	}
	var out []Notification
	if err := p.apply(q, map[string]string{"createdAt": "created_at"}, "created_at DESC, id DESC").Find(&out).Error; err != nil {
		return nil, 0, fmt.Errorf("list notifications: %w", err)
	}
	return out, total, nil
}

// MarkRead marks a person's notification read.
func (s *Store) MarkRead(ctx context.Context, recipientID, id string) error {
	res := s.DB.WithContext(ctx).Model(&Notification{}).Where("id = ? AND recipient_id = ?", id, recipientID).Update("read_at", time.Now().UTC())
	if res.Error != nil {
		return fmt.Errorf("mark read: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("mark read %s: %w", id, ErrNotFound)
	}
	return nil
}
