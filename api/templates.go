package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/perfloop/perfloop/catalog"
	"github.com/perfloop/perfloop/store"
	"github.com/perfloop/perfloop/templates"
)

// MaxTemplate bounds a template body; the largest built-in is about 20 KB.
const MaxTemplate = 512 << 10

func templateRoutes() []route {
	paging := []string{"limit", "offset", "sort"}
	return []route{
		{"GET", "/api/v1/templates/schema", anyMember, (*Server).templateSchema, Doc{Tag: "templates", Summary: "JSON Schema 2020-12 of the template DSL", Responses: map[int]any{200: map[string]any{}}}},
		{"GET", "/api/v1/templates", anyMember, (*Server).listTemplates, Doc{Tag: "templates", Summary: "List template versions", Query: append([]string{"key", "status"}, paging...), Responses: map[int]any{200: list[templateSummary]{}}}},
		{"GET", "/api/v1/templates/:key/versions/:version", anyMember, (*Server).getTemplate, Doc{Tag: "templates", Summary: "One version with its body (version may be latest = newest published)", Responses: map[int]any{200: templateView{}}}},
		{"GET", "/api/v1/templates/:key/diff", anyMember, (*Server).diffTemplates, Doc{Tag: "templates", Summary: "Field-level changes between two versions", Query: []string{"from", "to"}, Responses: map[int]any{200: templateDiff{}}}},
		{"POST", "/api/v1/templates/validate", adminOnly, (*Server).validateTemplate, Doc{Tag: "templates", Summary: "Validate a template without saving (200 with valid=false and every error), with each rater group's effective share of the final score per level (effective)", Request: map[string]any{}, Responses: map[int]any{200: validation{}}}},
		{"POST", "/api/v1/templates", adminOnly, (*Server).saveTemplate, Doc{Tag: "templates", Summary: "Save the key's open draft (201 when a new version opens)", Request: map[string]any{}, Responses: map[int]any{200: templateView{}, 201: templateView{}}}},
		{"POST", "/api/v1/templates/:key/versions/:version/publish", adminOnly, (*Server).publishTemplate, Doc{Tag: "templates", Summary: "Publish a draft (422 with every error when it is invalid)", Responses: map[int]any{200: templateView{}}}},
		{"POST", "/api/v1/templates/:key/versions/:version/retire", adminOnly, (*Server).retireTemplate, Doc{Tag: "templates", Summary: "Retire a published version", Responses: map[int]any{200: templateView{}}}},
	}
}

func (s *Server) templateSchema(c *gin.Context) {
	c.Data(http.StatusOK, "application/schema+json", templates.Schema())
}

// templateDetails turns validation errors into the API's details, in the
// same order and words as `perfloop template validate` prints them.
func templateDetails(errs templates.Errors) []Detail {
	out := make([]Detail, 0, len(errs))
	for _, e := range errs {
		d := Detail{Path: e.Path, Message: e.Message}
		// Value is an interface, so an empty string would still be sent as "value": "".
		if e.Value != "" {
			d.Value = e.Value
		}
		out = append(out, d)
	}
	return out
}

type validation struct {
	Valid  bool     `json:"valid"`
	Errors []Detail `json:"errors"`
	// Effective is each rater group's share of the final score, for the
	// template's own indicator weights (level "") and for each level that
	// sets its own, as scoring applies them (templates.EffectiveWeights):
	// the builder shows it live while the template is edited, valid or not.
	Effective []levelRaterWeights `json:"effective,omitempty"`
}

// levelRaterWeights is the effective rater weights for members of one level.
type levelRaterWeights struct {
	Level  string                  `json:"level"`
	Raters []templates.RaterWeight `json:"raters"`
}

// effectiveWeights lays out templates.EffectiveWeights for the template's
// own weights and each level's, rounded to hundredths; nothing when the
// template has no raters or its formula does not compile.
func effectiveWeights(t *templates.Template) []levelRaterWeights {
	if t == nil || len(t.Raters) == 0 {
		return nil
	}
	levels := []string{""}
	for l := range t.LevelWeights {
		levels = append(levels, l)
	}
	sort.Strings(levels[1:])
	var out []levelRaterWeights
	for _, l := range levels {
		ws := templates.EffectiveWeights(t, l)
		if ws == nil {
			return nil
		}
		for i := range ws {
			ws[i].Final, ws[i].Behaviour = round2(ws[i].Final), round2(ws[i].Behaviour)
		}
		out = append(out, levelRaterWeights{Level: l, Raters: ws})
	}
	return out
}

// validateTemplate checks a body without saving; an invalid template is a
// successful answer (200, valid=false), as an editor's live check expects.
func (s *Server) validateTemplate(c *gin.Context) {
	data, err := readBody(c, MaxTemplate)
	if err != nil {
		writeError(c, err)
		return
	}
	t, errs := templates.Parse(data)
	c.JSON(http.StatusOK, validation{Valid: len(errs) == 0, Errors: templateDetails(errs), Effective: effectiveWeights(t)})
}

type templateDiff struct {
	Changes []templates.Change `json:"changes"`
}

// templateSummary is a list row: the version without its body. Shared
// marks the catalogue every organisation reads (the built-ins): it can be
// launched and edited into a version of the organisation's own, but not
// retired, so a client can say so instead of offering it.
type templateSummary struct {
	*store.TemplateVersion
	Shared bool `json:"shared"`
}

func summarise(tv *store.TemplateVersion) templateSummary {
	return templateSummary{TemplateVersion: tv, Shared: tv.OrgID == store.SharedCatalogue}
}

type templateView struct {
	templateSummary
	Body       json.RawMessage `json:"body,omitempty"`
	Validation *validation     `json:"validation,omitempty"`
}

// saveTemplate stores the body as the key's open draft (creating version
// newest+1 when the newest is published). Drafts may be incomplete: the
// response carries the validation result, and publishing demands a clean one.
func (s *Server) saveTemplate(c *gin.Context) {
	data, err := readBody(c, MaxTemplate)
	if err != nil {
		writeError(c, err)
		return
	}
	key, err := templateKey(data)
	if err != nil {
		writeError(c, err)
		return
	}
	d, err := catalog.SaveDraft(c.Request.Context(), s.store, caller(c).OrgID, key, data, caller(c).ID)
	if errors.Is(err, catalog.ErrNotObject) {
		err = badRequest(err.Error())
	}
	if err != nil {
		writeError(c, err)
		return
	}
	status := http.StatusOK
	if d.Created {
		status = http.StatusCreated
	}
	tv := d.Version
	c.Header("Location", fmt.Sprintf("/api/v1/templates/%s/versions/%d", tv.Key, tv.Version))
	c.JSON(status, templateView{templateSummary: summarise(tv), Body: json.RawMessage(tv.Body), Validation: &validation{Valid: len(d.Errors) == 0, Errors: templateDetails(d.Errors)}})
}

// templateKey reads just the key, so a half-written draft can still be saved under its name.
func templateKey(data []byte) (string, error) {
	var head struct {
		Key any `json:"key"`
	}
	if err := json.Unmarshal(data, &head); err != nil {
		return "", jsonError(err)
	}
	key, ok := head.Key.(string)
	if !ok || !validKey(key) {
		return "", badRequest("the template needs a key", Detail{Path: "/key", Value: head.Key, Message: "a key of letters, digits, - and _ is required, e.g. cs-ops-monthly"})
	}
	return key, nil
}

func (s *Server) listTemplates(c *gin.Context) {
	p, err := pageFrom(c)
	if err != nil {
		writeError(c, err)
		return
	}
	status := c.Query("status")
	if status != "" && status != store.TemplateDraft && status != store.TemplatePublished && status != store.TemplateRetired {
		writeError(c, badRequest("bad status filter", Detail{Path: "?status", Value: status, Message: "draft, published or retired"}))
		return
	}
	list, total, err := s.store.ListTemplates(c.Request.Context(), store.TemplateFilter{OrgID: caller(c).OrgID, Key: c.Query("key"), Status: status}, p)
	if err != nil {
		writeError(c, err)
		return
	}
	rows := make([]templateSummary, len(list))
	for i := range list {
		rows[i] = summarise(&list[i])
	}
	c.JSON(http.StatusOK, newList(rows, total, p))
}

func versionParam(c *gin.Context, name string) (int, error) {
	raw := c.Param(name)
	if raw == "" {
		raw = c.Query(name)
	}
	if raw == "latest" {
		return 0, nil
	}
	v, err := strconv.Atoi(raw)
	if err != nil || v <= 0 {
		return 0, badRequest("bad template version", Detail{Path: name, Value: raw, Message: "a version number ≥ 1, or latest for the newest published"})
	}
	return v, nil
}

func (s *Server) loadTemplate(c *gin.Context, key, param string) (*store.TemplateVersion, error) {
	v, err := versionParam(c, param)
	if err != nil {
		return nil, err
	}
	return s.store.GetTemplateVersion(c.Request.Context(), caller(c).OrgID, key, v)
}

func (s *Server) getTemplate(c *gin.Context) {
	tv, err := s.loadTemplate(c, c.Param("key"), "version")
	if err != nil {
		writeError(c, err)
		return
	}
	view := templateView{templateSummary: summarise(tv), Body: json.RawMessage(tv.Body)}
	if tv.Status == store.TemplateDraft {
		_, errs := templates.Parse([]byte(tv.Body))
		view.Validation = &validation{Valid: len(errs) == 0, Errors: templateDetails(errs)}
	}
	c.JSON(http.StatusOK, view)
}

// publishTemplate freezes a draft; an invalid draft is 422 with every error.
func (s *Server) publishTemplate(c *gin.Context) {
	v, err := versionParam(c, "version")
	if err != nil {
		writeError(c, err)
		return
	}
	tv, errs, err := catalog.Publish(c.Request.Context(), s.store, caller(c).OrgID, c.Param("key"), v, caller(c).ID)
	if errors.Is(err, catalog.ErrInvalid) {
		err = &Error{Status: http.StatusUnprocessableEntity, Code: "template_invalid",
			Message: fmt.Sprintf("template %s v%d has %d error(s); fix them before publishing", c.Param("key"), v, len(errs)),
			Details: templateDetails(errs)}
	}
	if err != nil {
		writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, templateView{templateSummary: summarise(tv)})
}

func (s *Server) retireTemplate(c *gin.Context) {
	v, err := versionParam(c, "version")
	if err != nil {
		writeError(c, err)
		return
	}
	tv, err := s.store.RetireTemplate(c.Request.Context(), caller(c).OrgID, c.Param("key"), v, caller(c).ID)
	if err != nil {
		writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, templateView{templateSummary: summarise(tv)})
}

// diffTemplates compares two versions field by field: ?from=1&to=2.
func (s *Server) diffTemplates(c *gin.Context) {
	var parsed [2]*templates.Template
	for i, name := range []string{"from", "to"} {
		tv, err := s.loadTemplate(c, c.Param("key"), name)
		if err != nil {
			writeError(c, err)
			return
		}
		t, errs := templates.Parse([]byte(tv.Body))
		if t == nil {
			writeError(c, &Error{Status: http.StatusUnprocessableEntity, Code: "template_invalid",
				Message: fmt.Sprintf("version %d cannot be read, so it cannot be compared", tv.Version), Details: templateDetails(errs)})
			return
		}
		parsed[i] = t
	}
	c.JSON(http.StatusOK, templateDiff{Changes: templates.Diff(parsed[0], parsed[1])})
}
