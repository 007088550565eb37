package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
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

// SaveDraft stores a template's open draft: it rewrites the key's draft if
// the newest version is one, otherwise opens version newest+1. Published
// versions are never touched, so a running cycle never sees an edit.
func (s *Store) SaveDraft(ctx context.Context, key, actorID string, content func(version int) (DraftContent, error)) (*TemplateVersion, bool, error) {
	var out TemplateVersion
	created := false
	err := s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var latest TemplateVersion
		err := tx.Where("template_key = ?", key).Order("version DESC").Take(&latest).Error
		switch {
		case errors.Is(err, gorm.ErrRecordNotFound):
			out = TemplateVersion{Key: key, Version: 1}
		case err != nil:
			return fmt.Errorf("save draft %s: %w", key, err)
		case latest.Status == TemplateDraft:
			out = latest
		default:
			out = TemplateVersion{Key: key, Version: latest.Version + 1}
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

// GetTemplateVersion loads one version; version 0 means the newest published one.
func (s *Store) GetTemplateVersion(ctx context.Context, key string, version int) (*TemplateVersion, error) {
	var tv TemplateVersion
	q := s.DB.WithContext(ctx).Where("template_key = ?", key)
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
	Key    string
	Status string
}

var templateSorts = map[string]string{"key": "template_key", "version": "version", "updatedAt": "updated_at", "status": "status"}

// ListTemplates lists template versions (bodies included; callers drop them for summaries).
func (s *Store) ListTemplates(ctx context.Context, f TemplateFilter, p Page) ([]TemplateVersion, int64, error) {
	q := s.DB.WithContext(ctx).Model(&TemplateVersion{})
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
func (s *Store) PublishTemplate(ctx context.Context, key string, version int, actorID string) (*TemplateVersion, error) {
	return s.transitionTemplate(ctx, key, version, actorID, TemplateDraft, TemplatePublished, ErrTemplateNotDraft)
}

// RetireTemplate stops a published version from launching new cycles; running cycles keep it.
func (s *Store) RetireTemplate(ctx context.Context, key string, version int, actorID string) (*TemplateVersion, error) {
	return s.transitionTemplate(ctx, key, version, actorID, TemplatePublished, TemplateRetired, ErrTemplateNotPublished)
}

func (s *Store) transitionTemplate(ctx context.Context, key string, version int, actorID, from, to string, wrong error) (*TemplateVersion, error) {
	var tv TemplateVersion
	err := s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Where("template_key = ? AND version = ?", key, version).Take(&tv).Error; err != nil {
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
