package store

import (
	"context"
	"fmt"
	"time"

	"github.com/perfloop/perfloop/notify"
)

// Notification channels, as notify names them (one vocabulary for the
// rows and the senders). In-app notifications are delivered by being
// stored; every other channel waits as pending for a sender.
const (
	ChannelInApp    = notify.ChannelInApp
	ChannelEmail    = notify.ChannelEmail
	ChannelWeCom    = notify.ChannelWeCom
	ChannelDingTalk = notify.ChannelDingTalk
	ChannelFeishu   = notify.ChannelFeishu
	ChannelSlack    = notify.ChannelSlack
	ChannelWebhook  = notify.ChannelWebhook
)

// Notification states. A failed notification is retried until it has used
// its attempts, then it is a permanent failure and nobody retries it.
const (
	NotificationPending          = "pending"
	NotificationSent             = "sent"
	NotificationFailed           = "failed"
	NotificationPermanentFailure = "permanent_failure"
)

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

// Notification is one message to one person on one channel; DedupeKey makes
// sending it idempotent.
type Notification struct {
	ID          string     `gorm:"primaryKey" json:"id"`
	OrgID       string     `json:"-"`
	RecipientID string     `json:"recipientId"`
	Channel     string     `json:"channel"`
	Kind        string     `json:"kind"`
	Subject     string     `json:"subject"`
	Body        string     `json:"body"`
	DedupeKey   string     `json:"-"`
	State       string     `json:"state"`
	Attempts    int        `json:"attempts"`
	LastError   string     `json:"lastError,omitempty"`
	SentAt      *time.Time `json:"sentAt"`
	ReadAt      *time.Time `json:"readAt"`
	CreatedAt   time.Time  `json:"createdAt"`
}
