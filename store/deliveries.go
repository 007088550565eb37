package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"gorm.io/gorm"
)

// NotificationSending is a claim: a sender took the notification and may
// have delivered it. A sender that finds its own claim after a crash
// sends again under the same batch id, which the receiver recognises.
const NotificationSending = "sending"

// Delivery is a notification as the sender sees it: when it may go out,
// who claimed it, which message (batch) it travels in, and the event it
// describes as JSON for rendering in the reader's language.
type Delivery struct {
	Notification `gorm:"embedded"`
	NotBefore    *time.Time `json:"notBefore,omitempty"`
	ClaimedAt    *time.Time `json:"claimedAt,omitempty"`
	BatchID      *string    `json:"batchId,omitempty"`
	Payload      *string    `json:"-"`
}

func (Delivery) TableName() string { return "notifications" }

// EnqueueDelivery inserts a notification with its send time and payload
// unless its dedupe key exists; created says whether this call wrote it.
func (s *Store) EnqueueDelivery(ctx context.Context, d *Delivery) (bool, error) {
	var count int64
	if err := s.DB.WithContext(ctx).Model(&Notification{}).Where("dedupe_key = ?", d.DedupeKey).Count(&count).Error; err != nil {
		return false, fmt.Errorf("enqueue delivery: %w", err)
	}
	if count > 0 {
		return false, nil
	}
	if d.ID == "" {
		d.ID = NewID()
	}
	if d.State == "" {
		d.State = NotificationPending
	}
	d.Subject = cut(d.Subject, 500)
	if err := s.DB.WithContext(ctx).Create(d).Error; err != nil {
		if isUniqueViolation(err) {
			return false, nil
		}
		return false, fmt.Errorf("enqueue delivery: %w", err)
	}
	return true, nil
}

// Batch is one message a sender owes: every claimed notification to one
// recipient on one channel that fell due together (a digest when more
// than one). ID is derived from their dedupe keys, so it is the same
// whoever claims them and however often.
type Batch struct {
	ID          string
	OrgID       string
	RecipientID string
	Channel     string
	// Resend says these were claimed before and never recorded as sent or
	// failed: a sender stopped between sending and recording.
	Resend bool
	Rows   []Delivery
}

// ClaimDue claims the notifications on external channels whose time has
// come (and earlier claims older than lease, left by a sender that
// stopped), groups them per recipient and channel, and marks them
// sending. At most limit notifications are claimed per call.
func (s *Store) ClaimDue(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]Batch, error) {
	if limit <= 0 || limit > MaxLimit {
		limit = DefaultLimit
	}
	now = now.UTC()
	var out []Batch
	err := s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var rows []Delivery
		q := s.locked(tx).Where("channel <> ?", ChannelInApp).
			Where("(state = ? AND (not_before IS NULL OR not_before <= ?)) OR (state = ? AND claimed_at < ?)",
				NotificationPending, now, NotificationSending, now.Add(-lease))
		if err := q.Order("created_at").Order("id").Limit(limit).Find(&rows).Error; err != nil {
			return fmt.Errorf("claim due: %w", err)
		}
		groups := map[string]*Batch{}
		var order []string
		for _, r := range rows {
			key := r.RecipientID + "\x00" + r.Channel
			resend := r.State == NotificationSending && r.BatchID != nil
			if resend {
				key = "claimed\x00" + *r.BatchID
			}
			b := groups[key]
			if b == nil {
				b = &Batch{OrgID: r.OrgID, RecipientID: r.RecipientID, Channel: r.Channel, Resend: resend}
				if resend {
					b.ID = *r.BatchID
				}
				groups[key] = b
				order = append(order, key)
			}
			b.Rows = append(b.Rows, r)
		}
		for _, k := range order {
			b := groups[k]
			if b.ID == "" {
				b.ID = batchID(b.Rows)
			}
			ids := make([]string, len(b.Rows))
			for i, r := range b.Rows {
				ids[i] = r.ID
			}
			err := tx.Model(&Delivery{}).Where("id IN ?", ids).Updates(map[string]any{
				"state": NotificationSending, "claimed_at": now, "batch_id": b.ID,
			}).Error
			if err != nil {
				return fmt.Errorf("claim due: %w", err)
			}
			for i := range b.Rows {
				b.Rows[i].State, b.Rows[i].BatchID = NotificationSending, &b.ID
			}
			out = append(out, *b)
		}
		return nil
	})
	return out, err
}

func batchID(rows []Delivery) string {
	keys := make([]string, len(rows))
	for i, r := range rows {
		keys[i] = r.DedupeKey
	}
	sort.Strings(keys)
	if len(keys) == 1 && len(keys[0]) <= 64 && !strings.ContainsAny(keys[0], " <>@\"") {
		return strings.NewReplacer(":", ".", "|", ".").Replace(keys[0])
	}
	sum := sha256.Sum256([]byte(strings.Join(keys, "\n")))
	if len(keys) == 1 {
		return "n." + hex.EncodeToString(sum[:16])
	}
	return "digest." + hex.EncodeToString(sum[:16])
}

// BatchRows reads the notifications of a claimed batch.
func (s *Store) BatchRows(ctx context.Context, batchID string) ([]Delivery, error) {
	var rows []Delivery
	if err := s.DB.WithContext(ctx).Where("batch_id = ?", batchID).Order("created_at").Order("id").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("batch %s: %w", batchID, err)
	}
	if len(rows) == 0 {
		return nil, fmt.Errorf("batch %s: %w", batchID, ErrNotFound)
	}
	return rows, nil
}

// MarkBatchSent records a batch delivered. Rows already recorded (sent,
// or given up on) are left as they are, so recording twice is harmless.
func (s *Store) MarkBatchSent(ctx context.Context, batchID string) error {
	now := time.Now().UTC()
	err := s.DB.WithContext(ctx).Model(&Delivery{}).Where("batch_id = ? AND state = ?", batchID, NotificationSending).
		Updates(map[string]any{"state": NotificationSent, "sent_at": now, "attempts": gorm.Expr("attempts + 1"), "last_error": ""}).Error
	if err != nil {
		return fmt.Errorf("mark batch %s sent: %w", batchID, err)
	}
	return nil
}

// MarkBatchAttempt records a failed attempt. A permanent failure ends the
// batch's notifications as permanent_failure; otherwise they stay claimed
// (the claim renewed) for the sender's next retry.
func (s *Store) MarkBatchAttempt(ctx context.Context, batchID, reason string, permanent bool) error {
	up := map[string]any{"attempts": gorm.Expr("attempts + 1"), "last_error": cut(reason, 1000), "claimed_at": time.Now().UTC()}
	if permanent {
		up["state"] = NotificationPermanentFailure
	}
	err := s.DB.WithContext(ctx).Model(&Delivery{}).Where("batch_id = ? AND state = ?", batchID, NotificationSending).Updates(up).Error
	if err != nil {
		return fmt.Errorf("mark batch %s failed: %w", batchID, err)
	}
	return nil
}

// DeliveryFailures lists an organisation's notifications that could not
// be delivered (given up on, or failing and still retried), newest first.
func (s *Store) DeliveryFailures(ctx context.Context, orgID string, p Page) ([]Delivery, int64, error) {
	q := s.DB.WithContext(ctx).Model(&Delivery{}).Where("org_id = ?", orgID).
		Where("state = ? OR (state IN ? AND last_error <> '')", NotificationPermanentFailure, []string{NotificationFailed, NotificationSending})
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, fmt.Errorf("count delivery failures: %w", err)
	}
	var out []Delivery
	if err := p.apply(q, map[string]string{"createdAt": "created_at"}, "created_at DESC, id DESC").Find(&out).Error; err != nil {
		return nil, 0, fmt.Errorf("list delivery failures: %w", err)
	}
	return out, total, nil
}

// ChannelConfig is how an organisation, or one of its teams, reaches
// people on a channel. SecretRef names where the secret lives
// (env:NAME or file:/path); the secret itself is never stored.
type ChannelConfig struct {
	ID        string    `gorm:"primaryKey" json:"id"`
	OrgID     string    `json:"-"`
	TeamID    *string   `json:"teamId"`
	ScopeKey  string    `json:"-"` // the team id, or "" for the whole organisation
	Channel   string    `json:"channel"`
	URL       string    `gorm:"column:url" json:"url"`
	SecretRef string    `json:"secret"`
	Sender    string    `json:"from"`
	CreatedBy string    `json:"createdBy"`
	CreatedAt time.Time `json:"createdAt"`
	UpdatedAt time.Time `json:"updatedAt"`
}

// SaveChannelConfig creates or replaces the configuration of a channel
// for an organisation (TeamID nil) or a team.
func (s *Store) SaveChannelConfig(ctx context.Context, c *ChannelConfig) error {
	c.ScopeKey = ""
	if c.TeamID != nil {
		c.ScopeKey = *c.TeamID
	}
	return s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var old ChannelConfig
		err := s.locked(tx).Take(&old, "org_id = ? AND scope_key = ? AND channel = ?", c.OrgID, c.ScopeKey, c.Channel).Error
		switch {
		case err == nil:
			c.ID, c.CreatedAt = old.ID, old.CreatedAt
			if err := tx.Save(c).Error; err != nil {
				return fmt.Errorf("save channel %s: %w", c.Channel, err)
			}
			return nil
		case !errors.Is(err, gorm.ErrRecordNotFound):
			return fmt.Errorf("save channel %s: %w", c.Channel, err)
		}
		if c.ID == "" {
			c.ID = NewID()
		}
		if err := tx.Create(c).Error; err != nil {
			if isUniqueViolation(err) {
				return fmt.Errorf("save channel %s: %w", c.Channel, ErrConflict)
			}
			return fmt.Errorf("save channel %s: %w", c.Channel, err)
		}
		return nil
	})
}

// ListChannelConfigs lists an organisation's channel configurations,
// organisation-wide ones first.
func (s *Store) ListChannelConfigs(ctx context.Context, orgID string) ([]ChannelConfig, error) {
	var out []ChannelConfig
	if err := s.DB.WithContext(ctx).Where("org_id = ?", orgID).Order("scope_key").Order("channel").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("list channels: %w", err)
	}
	return out, nil
}

// DeleteChannelConfig removes one configuration.
func (s *Store) DeleteChannelConfig(ctx context.Context, orgID, id string) error {
	res := s.DB.WithContext(ctx).Where("org_id = ? AND id = ?", orgID, id).Delete(&ChannelConfig{})
	if res.Error != nil {
		return fmt.Errorf("delete channel %s: %w", id, res.Error)
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("delete channel %s: %w", id, ErrNotFound)
	}
	return nil
}

// ChannelsFor returns, per channel, the configuration that reaches a
// member of teamID: the team's own, else the organisation's.
func (s *Store) ChannelsFor(ctx context.Context, orgID string, teamID *string) (map[string]ChannelConfig, error) {
	all, err := s.ListChannelConfigs(ctx, orgID)
	if err != nil {
		return nil, err
	}
	out := map[string]ChannelConfig{}
	for _, c := range all {
		if c.ScopeKey == "" {
			if _, ok := out[c.Channel]; !ok {
				out[c.Channel] = c
			}
		} else if teamID != nil && c.ScopeKey == *teamID {
			out[c.Channel] = c
		}
	}
	return out, nil
}

type deliveryPolicy struct {
	OrgID     string `gorm:"primaryKey"`
	Body      string
	UpdatedAt time.Time
}

func (deliveryPolicy) TableName() string { return "delivery_policies" }

// DeliveryPolicy returns an organisation's delivery policy as JSON, ""
// when it has none (the defaults apply).
func (s *Store) DeliveryPolicy(ctx context.Context, orgID string) (string, error) {
	var p deliveryPolicy
	err := s.DB.WithContext(ctx).Take(&p, "org_id = ?", orgID).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("delivery policy: %w", err)
	}
	return p.Body, nil
}

// SaveDeliveryPolicy replaces an organisation's delivery policy.
func (s *Store) SaveDeliveryPolicy(ctx context.Context, orgID, body string) error {
	return s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var old deliveryPolicy
		if err := tx.Take(&old, "org_id = ?", orgID).Error; err != nil && !errors.Is(err, gorm.ErrRecordNotFound) {
			return fmt.Errorf("save delivery policy: %w", err)
		}
		p := deliveryPolicy{OrgID: orgID, Body: body, UpdatedAt: time.Now().UTC()}
		if err := tx.Save(&p).Error; err != nil {
			return fmt.Errorf("save delivery policy: %w", err)
		}
		return auditChange(tx, "delivery.policy", "organization", orgID, json.RawMessage(nonEmptyJSON(old.Body)), json.RawMessage(body))
	})
}

// nonEmptyJSON is a stored JSON body, or null when there is none.
func nonEmptyJSON(body string) string {
	if body == "" {
		return "null"
	}
	return body
}
