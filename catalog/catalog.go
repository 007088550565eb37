// Package catalog keeps the template catalogue: it turns a template body into
// a stored draft, publishes drafts that validate, and seeds the built-ins.
// The API, the CLI and `perfloop dev` all go through it, so a body gets the
// same version stamping, checksum and validation whichever door it came in by.
//
// catalog joins templates (the DSL) and store (persistence); neither of them
// may import it.
package catalog

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"github.com/perfloop/perfloop/store"
	"github.com/perfloop/perfloop/templates"
)

// ErrInvalid means the template has validation errors; they come alongside.
var ErrInvalid = errors.New("template is invalid")

// Draft is the outcome of saving a body.
type Draft struct {
	Version *store.TemplateVersion
	Created bool
	Errors  templates.Errors // empty when the draft would publish
}

// SaveDraft stores body as the open draft of its key; the stored body's
// "version" is stamped with the version it is saved as. Drafts may be
// incomplete; Errors says what stands between the draft and publishing.
func SaveDraft(ctx context.Context, st *store.Store, orgID, key string, body []byte, actor string) (*Draft, error) {
	d := &Draft{}
	tv, created, err := st.SaveDraft(ctx, orgID, key, actor, func(version int) (store.DraftContent, error) {
		stamped, err := StampVersion(body, version)
		if err != nil {
			return store.DraftContent{}, err
		}
		t, errs := templates.Parse(stamped)
		d.Errors = errs
		dc := store.DraftContent{Body: string(stamped), Checksum: templates.Checksum(stamped)}
		if t != nil {
			dc.Name, dc.NameEn = t.Name.Zh, t.Name.En
		}
		return dc, nil
	})
	if err != nil {
		return nil, err
	}
	d.Version, d.Created = tv, created
	return d, nil
}

// Publish freezes a stored draft after validating it again.
func Publish(ctx context.Context, st *store.Store, orgID, key string, version int, actor string) (*store.TemplateVersion, templates.Errors, error) {
	tv, err := st.GetTemplateVersion(ctx, orgID, key, version)
	if err != nil {
		return nil, nil, err
	}
	if tv.Status == store.TemplateDraft {
		if _, errs := templates.Parse([]byte(tv.Body)); len(errs) > 0 {
			return nil, errs, fmt.Errorf("publish %s v%d: %w", key, version, ErrInvalid)
		}
	}
	tv, err = st.PublishTemplate(ctx, orgID, key, version, actor)
	return tv, nil, err
}

// PublishBody saves body as the next version of its key and publishes it.
// When the newest published version already has this content it is
// returned unchanged, so seeding and re-running a deploy script are no-ops.
//
// Two callers publishing the same new key at once both try to open its draft
// and one gets a duplicate key; by then the winner's draft is committed, so
// trying again rewrites that same draft (or finds it published) instead of
// failing a replica's start.
func PublishBody(ctx context.Context, st *store.Store, orgID string, body []byte, actor string) (*store.TemplateVersion, bool, templates.Errors, error) {
	for attempt := 1; ; attempt++ {
		tv, published, errs, err := publishBody(ctx, st, orgID, body, actor)
		if errors.Is(err, store.ErrConflict) && attempt < 3 {
			continue
		}
		return tv, published, errs, err
	}
}

func publishBody(ctx context.Context, st *store.Store, orgID string, body []byte, actor string) (*store.TemplateVersion, bool, templates.Errors, error) {
	t, errs := templates.Parse(body)
	if len(errs) > 0 {
		return nil, false, errs, ErrInvalid
	}
	if current, err := publishedAlready(ctx, st, orgID, t.Key, body); err != nil || current != nil {
		return current, false, nil, err
	}
	d, err := SaveDraft(ctx, st, orgID, t.Key, body, actor)
	if err != nil {
		return nil, false, nil, err
	}
	if len(d.Errors) > 0 {
		return nil, false, d.Errors, ErrInvalid
	}
	tv, errs, err := Publish(ctx, st, orgID, t.Key, d.Version.Version, actor)
	return tv, true, errs, err
}

// publishedAlready returns the newest published version of key when its
// content is body (stamped with that version), nil when it is not.
func publishedAlready(ctx context.Context, st *store.Store, orgID, key string, body []byte) (*store.TemplateVersion, error) {
	current, err := st.GetTemplateVersion(ctx, orgID, key, 0)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	stamped, err := StampVersion(body, current.Version)
	if err == nil && templates.Checksum(stamped) == current.Checksum {
		return current, nil
	}
	return nil, nil
}

// SeedBuiltins publishes every built-in template whose content is not yet the
// newest published version of its key, and returns how many it published.
// Workers started together seed one after another under a database lock, so
// the later ones find the templates published rather than racing to publish
// (or re-publish as a second version) the same content.
func SeedBuiltins(ctx context.Context, st *store.Store) (int, error) {
	files, err := templates.BuiltinFiles()
	if err != nil {
		return 0, err
	}
	n := 0
	err = st.Exclusively(ctx, "perfloop.seed-builtins", func(locked *store.Store) error {
		for _, f := range files {
			_, published, errs, err := PublishBody(ctx, locked, store.SharedCatalogue, f.Data, "system")
			if err != nil {
				if len(errs) > 0 {
					return fmt.Errorf("built-in %s: %w: %s %s", f.Name, err, errs[0].Path, errs[0].Message)
				}
				return fmt.Errorf("built-in %s: %w", f.Name, err)
			}
			if published {
				n++
			}
		}
		return nil
	})
	return n, err
}

// ErrNotObject means a body is not a JSON object, so it has no version to stamp.
var ErrNotObject = errors.New("a template must be a JSON object")

// StampVersion writes version into the body's top-level "version" member in
// place (or adds it), keeping the author's formatting and key order, so the
// stored body, its checksum and what the author sees all agree.
func StampVersion(body []byte, version int) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	tok, err := dec.Token()
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNotObject, err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, ErrNotObject
	}
	open := dec.InputOffset()
	v := []byte(strconv.Itoa(version))
	for dec.More() {
		keyTok, err := dec.Token()
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrNotObject, err)
		}
		afterKey := dec.InputOffset()
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, fmt.Errorf("%w: %v", ErrNotObject, err)
		}
		if keyTok != "version" {
			continue
		}
		end := dec.InputOffset()
		start := afterKey + int64(bytes.IndexByte(body[afterKey:], ':')) + 1
		for start < end && isSpace(body[start]) {
			start++
		}
		out := append([]byte{}, body[:start]...)
		out = append(out, v...)
		return append(out, body[end:]...), nil
	}
	rest := bytes.TrimSpace(body[open:])
	out := append([]byte{}, body[:open]...)
	out = append(out, `"version": `...)
	out = append(out, v...)
	if len(rest) > 0 && rest[0] != '}' {
		out = append(out, ',')
	}
	return append(out, body[open:]...), nil
}

func isSpace(b byte) bool { return b == ' ' || b == '\n' || b == '\t' || b == '\r' }
