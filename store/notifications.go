package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

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

// DefaultNotificationAttempts bounds MarkFailed when the caller gives no bound.
const DefaultNotificationAttempts = 5

// PendingNotifications lists notifications a sender still owes, oldest
// first: pending ones and failed ones with attempts left. With channels
// given, only those channels.
func (s *Store) PendingNotifications(ctx context.Context, channels []string, limit int) ([]Notification, error) {
	if limit <= 0 || limit > MaxLimit {
		limit = DefaultLimit
	}
	q := s.DB.WithContext(ctx).Where("state IN ?", []string{NotificationPending, NotificationFailed})
	if len(channels) > 0 {
		q = q.Where("channel IN ?", channels)
	}
	var out []Notification
	if err := q.Order("created_at").Order("id").Limit(limit).Find(&out).Error; err != nil {
		return nil, fmt.Errorf("pending notifications: %w", err)
	}
	return out, nil
}

// MarkSent records a delivery. Marking a sent notification again changes
// nothing, so a sender that crashed after delivering can safely retry.
func (s *Store) MarkSent(ctx context.Context, id string) error {
	return s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var n Notification
		if err := s.locked(tx).Take(&n, "id = ?", id).Error; err != nil {
			return notFound("mark sent "+id, err)
		}
		if n.State == NotificationSent {
			return nil
		}
		err := tx.Model(&Notification{}).Where("id = ?", id).Updates(map[string]any{
			"state": NotificationSent, "sent_at": time.Now().UTC(), "attempts": n.Attempts + 1, "last_error": "",
		}).Error
		if err != nil {
			return fmt.Errorf("mark sent %s: %w", id, err)
		}
		return nil
	})
}

// MarkFailed records a failed delivery attempt and returns the state the
// notification is left in: failed while attempts remain, permanent_failure
// once maxAttempts (DefaultNotificationAttempts when zero) are used. A
// notification already sent or given up on is left as it is.
func (s *Store) MarkFailed(ctx context.Context, id, reason string, maxAttempts int) (string, error) {
	if maxAttempts <= 0 {
		maxAttempts = DefaultNotificationAttempts
	}
	state := ""
	err := s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var n Notification
		if err := s.locked(tx).Take(&n, "id = ?", id).Error; err != nil {
			return notFound("mark failed "+id, err)
		}
		state = n.State
		if n.State == NotificationSent || n.State == NotificationPermanentFailure {
			return nil
		}
		attempts := n.Attempts + 1
		state = NotificationFailed
		if attempts >= maxAttempts {
			state = NotificationPermanentFailure
		}
		err := tx.Model(&Notification{}).Where("id = ?", id).Updates(map[string]any{
			"state": state, "attempts": attempts, "last_error": cut(reason, 1000),
		}).Error
		if err != nil {
			return fmt.Errorf("mark failed %s: %w", id, err)
		}
		return nil
	})
	return state, err
}
