package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

var (
	// ErrTemplateNotDraft refuses to edit or publish a version that is no longer a draft.
	ErrTemplateNotDraft = errors.New("only a draft can be changed or published; edit the template to open a new draft version")
	// ErrTemplateNotPublished refuses to retire or launch from a version that is not published.
	ErrTemplateNotPublished = errors.New("template version is not published")
)

// DraftContent is what SaveDraft needs from the caller for a given version
// number (the caller writes the number into the body before checksumming).
type DraftContent struct {
	Name, NameEn, Body, Checksum string
}

// Templates belong to an organisation (OrgID) or to the shared catalogue
// every organisation reads (SharedCatalogue: the built-ins and what the CLI
// publishes). An organisation reads its own versions and the shared ones,
// launches its own newest published version of a key before the shared
// one, and changes only its own: another organisation's are not there.
const SharedCatalogue = ""

// SaveDraft stores a template's open draft in an organisation (or the
// shared catalogue): it rewrites the key's draft if the newest version is
// one, otherwise opens version newest+1, counting the shared versions of
// the key too so an organisation's own version of a built-in follows it.
// Published versions are never touched, so a running cycle never sees an edit.
func (s *Store) SaveDraft(ctx context.Context, orgID, key, actorID string, content func(version int) (DraftContent, error)) (*TemplateVersion, bool, error) {
	var out TemplateVersion
	created := false
	err := s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var latest, shared TemplateVersion
		err := tx.Where("org_id = ? AND template_key = ?", orgID, key).Order("version DESC").Take(&latest).Error
		if errors.Is(err, gorm.ErrRecordNotFound) && orgID != SharedCatalogue {
			err = tx.Where("org_id = ? AND template_key = ?", SharedCatalogue, key).Order("version DESC").Take(&shared).Error
			if err == nil {
				latest, err = TemplateVersion{Version: shared.Version, Status: TemplatePublished}, nil
			}
		}
		switch {
		case errors.Is(err, gorm.ErrRecordNotFound):
			out = TemplateVersion{OrgID: orgID, Key: key, Version: 1}
		case err != nil:
			return fmt.Errorf("save draft %s: %w", key, err)
		case latest.Status == TemplateDraft:
			out = latest
		default:
			out = TemplateVersion{OrgID: orgID, Key: key, Version: latest.Version + 1}
		}
		c, err := content(out.Version)
		if err != nil {
			return err
		}
		out.Name, out.NameEn, out.Body, out.Checksum, out.CreatedBy = c.Name, c.NameEn, c.Body, c.Checksum, actorID
		out.Status = TemplateDraft
		if out.ID == "" {
			out.ID = NewID()
			created = true
			if err := tx.Create(&out).Error; err != nil {
				return writeErr(fmt.Sprintf("create template %s v%d", key, out.Version), err)
			}
		} else if err := tx.Model(&TemplateVersion{}).Where("id = ? AND status = ?", out.ID, TemplateDraft).
			Select("name", "name_en", "body", "checksum", "created_by", "updated_at").Updates(&out).Error; err != nil {
			return writeErr(fmt.Sprintf("update template %s v%d", key, out.Version), err)
		}
		return Audit(tx, actorID, "template.save", "template", fmt.Sprintf("%s@%d", key, out.Version), map[string]any{"checksum": out.Checksum, "created": created})
	})
	if err != nil {
		return nil, false, err
	}
	return &out, created, nil
}

// GetTemplateVersion loads one version an organisation reads, its own
// before the shared catalogue's; version 0 means the newest published one.
func (s *Store) GetTemplateVersion(ctx context.Context, orgID, key string, version int) (*TemplateVersion, error) {
	var tv TemplateVersion
	q := s.DB.WithContext(ctx).Where("org_id IN (?, ?) AND template_key = ?", orgID, SharedCatalogue, key).
		Order(clause.OrderByColumn{Column: clause.Column{Name: "org_id"}, Desc: true})
	if version == 0 {
		q = q.Where("status = ?", TemplatePublished).Order("version DESC")
	} else {
		q = q.Where("version = ?", version)
	}
	if err := q.Take(&tv).Error; err != nil {
		return nil, notFound(fmt.Sprintf("template %s v%d", key, version), err)
	}
	return &tv, nil
}

// TemplateFilter narrows ListTemplates.
type TemplateFilter struct {
	// OrgID lists the organisation's own versions and the shared ones.
	OrgID  string
	Key    string
	Status string
}

var templateSorts = map[string]string{"key": "template_key", "version": "version", "updatedAt": "updated_at", "status": "status"}

// ListTemplates lists template versions (bodies included; callers drop them for summaries).
func (s *Store) ListTemplates(ctx context.Context, f TemplateFilter, p Page) ([]TemplateVersion, int64, error) {
	q := s.DB.WithContext(ctx).Model(&TemplateVersion{}).Where("org_id IN (?, ?)", f.OrgID, SharedCatalogue)
	if f.Key != "" {
		q = q.Where("template_key = ?", f.Key)
	}
	if f.Status != "" {
		q = q.Where("status = ?", f.Status)
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, fmt.Errorf("count templates: %w", err)
	}
	var out []TemplateVersion
	if p.Sort == "" {
		q = q.Order("template_key")
		p.Sort = "-version"
	}
	if err := p.apply(q, templateSorts, "version DESC").Find(&out).Error; err != nil {
		return nil, 0, fmt.Errorf("list templates: %w", err)
	}
	return out, total, nil
}

// PublishTemplate freezes a draft. Publishing an already published version
// with the same checksum is a no-op, so a retried publish succeeds.
func (s *Store) PublishTemplate(ctx context.Context, orgID, key string, version int, actorID string) (*TemplateVersion, error) {
	return s.transitionTemplate(ctx, orgID, key, version, actorID, TemplateDraft, TemplatePublished, ErrTemplateNotDraft)
}

// RetireTemplate stops a published version from launching new cycles; running cycles keep it.
// Only the organisation's own versions change; the shared catalogue's are
// not found (an organisation publishes a version of its own instead).
func (s *Store) RetireTemplate(ctx context.Context, orgID, key string, version int, actorID string) (*TemplateVersion, error) {
	return s.transitionTemplate(ctx, orgID, key, version, actorID, TemplatePublished, TemplateRetired, ErrTemplateNotPublished)
}

func (s *Store) transitionTemplate(ctx context.Context, orgID, key string, version int, actorID, from, to string, wrong error) (*TemplateVersion, error) {
	var tv TemplateVersion
	err := s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Where("org_id = ? AND template_key = ? AND version = ?", orgID, key, version).Take(&tv).Error; err != nil {
			return notFound(fmt.Sprintf("template %s v%d", key, version), err)
		}
		if tv.Status == to {
			return nil
		}
		if tv.Status != from {
			return fmt.Errorf("template %s v%d is %s: %w: %w", key, version, tv.Status, ErrConflict, wrong)
		}
		now := time.Now().UTC()
		updates := map[string]any{"status": to, "updated_at": now}
		if to == TemplatePublished {
			updates["published_at"] = now
			tv.PublishedAt = &now
		} else {
			updates["retired_at"] = now
			tv.RetiredAt = &now
		}
		res := tx.Model(&TemplateVersion{}).Where("id = ? AND status = ?", tv.ID, from).Updates(updates)
		if res.Error != nil {
			return fmt.Errorf("%s template %s v%d: %w", to, key, version, res.Error)
		}
		if res.RowsAffected == 0 {
			return fmt.Errorf("template %s v%d: %w: changed meanwhile", key, version, ErrConflict)
		}
		tv.Status, tv.UpdatedAt = to, now
		return Audit(tx, actorID, "template."+to, "template", fmt.Sprintf("%s@%d", key, version), map[string]any{"checksum": tv.Checksum})
	})
	if err != nil {
		return nil, err
	}
	return &tv, nil
}
