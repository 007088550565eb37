package api

import (
	"github.com/gin-gonic/gin"

	"github.com/perfloop/perfloop/store"
)

// route is one HTTP route, declared once: the router serves it and the
// OpenAPI document describes it from the same row, so neither can exist
// without the other, and the roles the document names are the roles the
// router checks.
type route struct {
	Method  string
	Path    string // the full path, in Gin's :param syntax
	Access  authz
	Handler func(*Server, *gin.Context)
	Doc     Doc
}

// authz is who a route lets through to its handler. The handler's own
// checks (cycleaccess.go: whose cycle, whose task) come after it.
type authz struct {
	public bool     // no token needed
	roles  []string // empty: any signed-in member
}

var (
	public    = authz{public: true}
	anyMember = authz{}
	adminOnly = authz{roles: []string{store.RoleAdmin}}
	leadsOnly = authz{roles: []string{store.RoleAdmin, store.RoleHRBP, store.RoleManager}}
)

// routes is every route of the API, area by area, in the order they are
// registered.
func routes() [][]route {
	return [][]route{
		coreRoutes(),
		teamRoutes(),
		memberRoutes(),
		templateRoutes(),
		backtestRoutes(),
		orgRoutes(),
		cycleRoutes(),
		spreadsheetRoutes(),
		scheduleRoutes(),
		boardRoutes(),
		nominationRoutes(),
		interviewRoutes(),
		accessRoutes(),
		deliveryRoutes(),
		personalDataRoutes(),
		uiRoutes(),
		ssoRoutes(),
	}
}

// mount registers every route on r behind its authorization rule.
func (s *Server) mount(r *gin.Engine) {
	for _, area := range routes() {
		for _, rt := range area {
			r.Handle(rt.Method, rt.Path, s.chain(rt)...)
		}
	}
}

// chain is what runs for a route: authentication unless it is public, the
// role check when it names roles, then its handler.
func (s *Server) chain(rt route) []gin.HandlerFunc {
	var hs []gin.HandlerFunc
	if !rt.Access.public {
		hs = append(hs, s.authenticate)
	}
	if len(rt.Access.roles) > 0 {
		hs = append(hs, s.requireRole(rt.Access.roles...))
	}
	handler := rt.Handler
	return append(hs, func(c *gin.Context) { handler(s, c) })
}
