package api

import (
	"context"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/perfloop/perfloop/cycles"
	"github.com/perfloop/perfloop/monitoring"
	"github.com/perfloop/perfloop/notify"
	"github.com/perfloop/perfloop/store"
)

// Check is one readiness probe (database, Temporal) named for /readyz.
type Check struct {
	Name string
	Func func(ctx context.Context) error
}

// Deps is what the API needs from the rest of the process.
type Deps struct {
	Store  *store.Store
	Log    *slog.Logger
	Checks []Check
	// Extra lets later parts of the product (engine routes, UI) hang routes on
	// the authenticated /api/v1 group and the root router without api importing them.
	Extra []func(r *gin.Engine, authed *gin.RouterGroup)
	// Cycles is the engine; without it the engine's routes answer 503.
	Cycles *cycles.Service
	// OIDC, when set, also accepts SSO tokens verified against a JWKS.
	OIDC *OIDC
	// SSO, when set, signs browsers in through the company's OpenID
	// Connect provider (/auth/login) into a session cookie.
	SSO *SSO
	// Metrics records request latencies; it is served on its own listener.
	Metrics *monitoring.Metrics
	// Webhooks says which hosts a channel's URL may name.
	Webhooks notify.Targets
}

// Server holds the handlers' dependencies.
type Server struct {
	store  *store.Store
	log    *slog.Logger
	checks []Check
	cycles *cycles.Service
	oidc   *OIDC
	sso    *SSO
	hooks  notify.Targets
	auth   *authLimiter
}

// New builds the HTTP handler.
func New(d Deps) http.Handler {
	gin.SetMode(gin.ReleaseMode)
	if d.Log == nil {
		d.Log = slog.New(slog.DiscardHandler)
	}
	s := &Server{store: d.Store, log: d.Log, checks: d.Checks, cycles: d.Cycles, oidc: d.OIDC, sso: d.SSO, hooks: d.Webhooks, auth: newAuthLimiter()}
	r := gin.New()
	r.HandleMethodNotAllowed = true
	if err := r.SetTrustedProxies(trustedProxies); err != nil {
		panic(err) // a constant list
	}
	r.Use(observeRequests(d.Metrics), s.requestContext, s.recoverPanics, securityHeaders)
	r.NoRoute(func(c *gin.Context) {
		writeError(c, &Error{Status: http.StatusNotFound, Code: "not_found", Message: "no route " + c.Request.Method + " " + c.Request.URL.Path})
	})
	r.NoMethod(func(c *gin.Context) {
		writeError(c, &Error{Status: http.StatusMethodNotAllowed, Code: "method_not_allowed", Message: c.Request.Method + " is not allowed on " + c.Request.URL.Path})
	})
	r.GET("/healthz", s.healthz)
	r.GET("/readyz", s.readyz)

	v1 := r.Group("/api/v1")
	v1.GET("/openapi.json", s.openapi)
	r.GET("/api/docs", s.openapiPage)
	authed := v1.Group("", s.authenticate)
	authed.GET("/me", s.me)
	s.teamRoutes(authed)
	s.memberRoutes(authed)
	s.templateRoutes(authed)
	s.backtestRoutes(authed)
	authed.POST("/org/import", s.requireRole(store.RoleAdmin), s.importOrg)
	authed.GET("/audit", s.requireRole(store.RoleAdmin), s.listAudit)
	s.cycleRoutes(authed)
	s.spreadsheetRoutes(authed)
	s.scheduleRoutes(authed)
	s.boardRoutes(authed)
	s.nominationRoutes(authed)
	s.interviewRoutes(authed)
	s.accessRoutes(authed)
	s.deliveryRoutes(authed)
	s.personalDataRoutes(authed)
	s.uiRoutes(v1, authed)
	s.ssoRoutes(r)
	documentCoreRoutes()
	documentSSORoutes()
	documentCycleRoutes()
	documentSpreadsheetRoutes()
	documentScheduleRoutes()
	documentBoardRoutes()
	documentNominationRoutes()
	documentInterviewRoutes()
	documentBacktestRoutes()
	documentAccessRoutes()
	documentDeliveryRoutes()
	documentPersonalDataRoutes()
	documentUIRoutes()
	for _, extra := range d.Extra {
		extra(r, authed)
	}
	return r
}

func (s *Server) healthz(c *gin.Context) {
	c.JSON(http.StatusOK, gin.H{"status": "ok"})
}

// readyz answers 200 only when every backing service answers, so a load
// balancer stops sending traffic to a replica that cannot serve it.
func (s *Server) readyz(c *gin.Context) {
	ctx, cancel := context.WithTimeout(c.Request.Context(), 3*time.Second)
	defer cancel()
	status := http.StatusOK
	out := gin.H{}
	checks := append([]Check{{Name: "database", Func: s.store.Ping}}, s.checks...)
	for _, ch := range checks {
		if err := ch.Func(ctx); err != nil {
			out[ch.Name] = err.Error()
			status = http.StatusServiceUnavailable
		} else {
			out[ch.Name] = "ok"
		}
	}
	if status != http.StatusOK {
		c.Header("Retry-After", "5")
	}
	c.JSON(status, out)
}

// list is the envelope of every list response.
type list[T any] struct {
	Items  []T   `json:"items"`
	Total  int64 `json:"total"`
	Limit  int   `json:"limit"`
	Offset int   `json:"offset"`
}

// wholeList answers every row at once (lists that are not paged: a
// cycle's targets, an organisation's channels): its limit is its length,
// so a client that pages by limit and total stops after one page instead
// of asking for offset 500 and getting the same rows again.
func wholeList[T any](items []T) list[T] {
	if items == nil {
		items = []T{}
	}
	return list[T]{Items: items, Total: int64(len(items)), Limit: len(items)}
}

func newList[T any](items []T, total int64, p store.Page) list[T] {
	if items == nil {
		items = []T{}
	}
	limit := p.Limit
	if limit <= 0 {
		limit = store.DefaultLimit
	}
	return list[T]{Items: items, Total: total, Limit: min(limit, store.MaxLimit), Offset: p.Offset}
}

// pageFrom reads ?limit=&offset=&sort= and rejects nonsense with the parameter named.
func pageFrom(c *gin.Context) (store.Page, error) {
	var p store.Page
	for _, q := range []struct {
		name string
		dst  *int
	}{{"limit", &p.Limit}, {"offset", &p.Offset}} {
		raw := c.Query(q.name)
		if raw == "" {
			continue
		}
		n, err := strconv.Atoi(raw)
		if err != nil || n < 0 {
			return p, badRequest("bad query parameter "+q.name, Detail{Path: "?" + q.name, Value: raw, Message: "a whole number ≥ 0 is expected"})
		}
		*q.dst = n
	}
	p.Sort = c.Query("sort")
	return p, nil
}

// ifMatch reads the expected version from If-Match ("3" or W/"3"), 0 when absent.
func ifMatch(c *gin.Context) (int, error) {
	raw := c.GetHeader("If-Match")
	if raw == "" {
		return 0, nil
	}
	v := raw
	if len(v) > 2 && v[:2] == "W/" {
		v = v[2:]
	}
	if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' {
		v = v[1 : len(v)-1]
	}
	n, err := strconv.Atoi(v)
	if err != nil || n <= 0 {
		return 0, badRequest("bad If-Match header", Detail{Path: "If-Match", Value: raw, Message: `the version from the ETag is expected, e.g. "3"`})
	}
	return n, nil
}

func etag(c *gin.Context, version int) {
	c.Header("ETag", `"`+strconv.Itoa(version)+`"`)
}

func documentCoreRoutes() {
	public := []string{"public"}
	admin := []string{store.RoleAdmin}
	Document("GET", "/healthz", Doc{Tag: "health", Summary: "Liveness", Roles: public, Responses: map[int]any{200: map[string]string{}}})
	Document("GET", "/readyz", Doc{Tag: "health", Summary: "Readiness: database and Temporal reachable (503 with Retry-After otherwise)", Roles: public, Responses: map[int]any{200: map[string]string{}, 503: map[string]string{}}})
	Document("GET", "/api/v1/openapi.json", Doc{Tag: "docs", Summary: "This document", Roles: public, Responses: map[int]any{200: map[string]any{}}})
	Document("GET", "/api/docs", Doc{Tag: "docs", Summary: "Browsable API page (HTML)", Roles: public, Responses: map[int]any{200: nil}})
	Document("GET", "/api/v1/me", Doc{Tag: "organisation", Summary: "The authenticated member", Responses: map[int]any{200: store.Member{}}})
	Document("POST", "/api/v1/org/import", Doc{Tag: "organisation", Summary: "Import teams and members from JSON (OrgImport), CSV (text/csv) or an XLSX workbook (the CSV columns on its first sheet); a bad field imports nothing", Roles: admin, Request: store.OrgImport{}, Query: []string{"dryRun"}, Responses: map[int]any{200: store.ImportReport{}}})
	Document("GET", "/api/v1/audit", Doc{Tag: "organisation", Summary: "Audit log, newest first", Roles: admin, Query: []string{"entity", "entityId", "actorId", "limit", "offset", "sort"}, Responses: map[int]any{200: list[store.AuditEntry]{}}})
	paging := []string{"limit", "offset", "sort"}
	Document("GET", "/api/v1/teams", Doc{Tag: "organisation", Summary: "List teams", Query: append([]string{"q", "parentId"}, paging...), Responses: map[int]any{200: list[store.Team]{}}})
	Document("GET", "/api/v1/teams/:id", Doc{Tag: "organisation", Summary: "One team (ETag carries its version)", Responses: map[int]any{200: store.Team{}}})
	Document("POST", "/api/v1/teams", Doc{Tag: "organisation", Summary: "Create a team", Roles: admin, Request: teamInput{}, Responses: map[int]any{201: store.Team{}}})
	Document("PATCH", "/api/v1/teams/:id", Doc{Tag: "organisation", Summary: "Change a team; If-Match or version guards against lost updates (409)", Roles: admin, Request: teamInput{}, Responses: map[int]any{200: store.Team{}}})
	Document("DELETE", "/api/v1/teams/:id", Doc{Tag: "organisation", Summary: "Delete an empty team (409 while it has members or sub-teams)", Roles: admin, Responses: map[int]any{204: nil}})
	Document("GET", "/api/v1/members", Doc{Tag: "organisation", Summary: "List members", Query: append([]string{"q", "teamId", "subtree", "role", "inactive"}, paging...), Responses: map[int]any{200: list[store.Member]{}}})
	Document("GET", "/api/v1/members/:id", Doc{Tag: "organisation", Summary: "One member", Responses: map[int]any{200: store.Member{}}})
	Document("POST", "/api/v1/members", Doc{Tag: "organisation", Summary: "Create a member", Roles: admin, Request: memberInput{}, Responses: map[int]any{201: store.Member{}}})
	Document("PATCH", "/api/v1/members/:id", Doc{Tag: "organisation", Summary: "Change a member (version-checked)", Roles: admin, Request: memberInput{}, Responses: map[int]any{200: store.Member{}}})
	Document("DELETE", "/api/v1/members/:id", Doc{Tag: "organisation", Summary: "Deactivate a member and revoke their tokens (history is kept)", Roles: admin, Responses: map[int]any{200: store.Member{}}})
	Document("POST", "/api/v1/members/:id/tokens", Doc{Tag: "organisation", Summary: "Issue a bearer token (shown once)", Roles: admin, Request: tokenInput{}, Responses: map[int]any{201: tokenIssued{}}})
	Document("GET", "/api/v1/templates/schema", Doc{Tag: "templates", Summary: "JSON Schema 2020-12 of the template DSL", Responses: map[int]any{200: map[string]any{}}})
	Document("GET", "/api/v1/templates", Doc{Tag: "templates", Summary: "List template versions", Query: append([]string{"key", "status"}, paging...), Responses: map[int]any{200: list[templateSummary]{}}})
	Document("GET", "/api/v1/templates/:key/versions/:version", Doc{Tag: "templates", Summary: "One version with its body (version may be latest = newest published)", Responses: map[int]any{200: templateView{}}})
	Document("GET", "/api/v1/templates/:key/diff", Doc{Tag: "templates", Summary: "Field-level changes between two versions", Query: []string{"from", "to"}, Responses: map[int]any{200: templateDiff{}}})
	Document("POST", "/api/v1/templates/validate", Doc{Tag: "templates", Summary: "Validate a template without saving (200 with valid=false and every error), with each rater group's effective share of the final score per level (effective)", Roles: admin, Request: map[string]any{}, Responses: map[int]any{200: validation{}}})
	Document("POST", "/api/v1/templates", Doc{Tag: "templates", Summary: "Save the key's open draft (201 when a new version opens)", Roles: admin, Request: map[string]any{}, Responses: map[int]any{200: templateView{}, 201: templateView{}}})
	Document("POST", "/api/v1/templates/:key/versions/:version/publish", Doc{Tag: "templates", Summary: "Publish a draft (422 with every error when it is invalid)", Roles: admin, Responses: map[int]any{200: templateView{}}})
	Document("POST", "/api/v1/templates/:key/versions/:version/retire", Doc{Tag: "templates", Summary: "Retire a published version", Roles: admin, Responses: map[int]any{200: templateView{}}})
}
