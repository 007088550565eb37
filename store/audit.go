package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// Audit appends an entry; pass a transaction's *gorm.DB so the entry commits
// with the change it describes.
func Audit(db *gorm.DB, actorID, action, entity, entityID string, detail any) error {
	body, err := json.Marshal(detail)
	if err != nil {
		return fmt.Errorf("audit %s: %w", action, err)
	}
	e := AuditEntry{ID: NewID(), At: time.Now().UTC(), ActorID: actorID, Action: action, Entity: entity, EntityID: entityID, Detail: string(body)}
	if err := db.Create(&e).Error; err != nil {
		return fmt.Errorf("audit %s: %w", action, err)
	}
	return nil
}

type actorKey struct{}

// AsActor marks ctx as acting for a member. Every write the store makes
// to members, teams and tokens with such a context leaves an audit entry
// naming them, with the record before and after; the API marks each
// authenticated request, so no handler can forget. Writes without an
// actor (seeding, the org import's own entry) are not audited one by one.
func AsActor(ctx context.Context, memberID string) context.Context {
	return context.WithValue(ctx, actorKey{}, memberID)
}

// auditChange records a write made inside tx when its context names an actor.
func auditChange(tx *gorm.DB, action, entity, entityID string, before, after any) error {
	actor, _ := tx.Statement.Context.Value(actorKey{}).(string)
	if actor == "" {
		return nil
	}
	return Audit(tx, actor, action, entity, entityID, map[string]any{"before": before, "after": after})
}

// AuditFilter narrows ListAudit.
type AuditFilter struct {
	// OrgID keeps the entries whose actor is a member of the organisation;
	// the API always sets it, so no admin reads another organisation's log.
	OrgID    string
	Entity   string
	EntityID string
	ActorID  string
}

// ListAudit returns audit entries, newest first.
func (s *Store) ListAudit(ctx context.Context, f AuditFilter, p Page) ([]AuditEntry, int64, error) {
	q := s.DB.WithContext(ctx).Model(&AuditEntry{})
	if f.OrgID != "" {
		q = q.Where("actor_id IN (?)", s.DB.Model(&Member{}).Select("id").Where("org_id = ?", f.OrgID))
	}
	if f.Entity != "" {
		q = q.Where("entity = ?", f.Entity)
	}
	if f.EntityID != "" {
		q = q.Where("entity_id = ?", f.EntityID)
	}
	if f.ActorID != "" {
		q = q.Where("actor_id = ?", f.ActorID)
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, fmt.Errorf("count audit: %w", err)
	}
	var out []AuditEntry
	if err := p.apply(q, map[string]string{"at": "at"}, "at DESC").Find(&out).Error; err != nil {
		return nil, 0, fmt.Errorf("list audit: %w", err)
	}
	return out, total, nil
}
