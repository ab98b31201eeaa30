package web

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

// Route is one entry of the route table; the access-matrix tests walk it.
type Route struct {
	Method  string
	Path    string
	Handler echo.HandlerFunc
	// Public routes need no sign-in.
	Public bool
}

// apiRoutes is every JSON route under /api/v1, in one table.
func (s *Server) apiRoutes() []Route {
	return []Route{
		{http.MethodPost, "/auth/token", s.postToken, true},
		{http.MethodPost, "/auth/logout", s.postLogout, false},
		{http.MethodGet, "/me", s.getMe, false},
		{http.MethodPost, "/me/password", s.postPassword, false},
		{http.MethodPost, "/api-tokens", s.postAPIToken, false},
		{http.MethodGet, "/api-tokens", s.getAPITokens, false},
		{http.MethodDelete, "/api-tokens/:id", s.deleteAPIToken, false},
		{http.MethodPost, "/orgs", s.postOrg, false},
		{http.MethodGet, "/orgs", s.getOrgs, false},
		{http.MethodPost, "/users", s.postUser, false},
		{http.MethodGet, "/users", s.getUsers, false},
		{http.MethodPatch, "/users/:id", s.patchUser, false},
		{http.MethodGet, "/approvals", s.getApprovals, false},
		{http.MethodPost, "/approvals/:id/approve", s.postApprove, false},
		{http.MethodPost, "/approvals/:id/reject", s.postReject, false},
		{http.MethodGet, "/audit", s.getAudit, false},

		{http.MethodPost, "/cases", s.postCase, false},
		{http.MethodGet, "/cases", s.getCases, false},
		{http.MethodGet, "/cases/:id", s.getCase, false},
		{http.MethodPatch, "/cases/:id", s.patchCase, false},
		{http.MethodDelete, "/cases/:id", s.deleteCase, false},
		{http.MethodPost, "/cases/:id/submit", s.postSubmit, false},
		{http.MethodPost, "/cases/:id/assign", s.postAssign, false},
		{http.MethodPost, "/cases/:id/attest-no-conflict", s.postAttest, false},
		{http.MethodPost, "/cases/:id/declare-conflict", s.postDeclareConflict, false},
		{http.MethodPost, "/cases/:id/info-requests", s.postInfoRequest, false},
		{http.MethodGet, "/cases/:id/info-requests", s.getInfoRequests, false},
		{http.MethodPost, "/info-requests/:id/answer", s.postAnswer, false},
		{http.MethodPost, "/info-requests/:id/cancel", s.postCancelRequest, false},
		{http.MethodPost, "/cases/:id/decision", s.postDecision, false},
		{http.MethodPost, "/cases/:id/withdraw", s.postWithdraw, false},
		{http.MethodGet, "/cases/:id/clock", s.getClock, false},
		{http.MethodGet, "/cases/:id/audit", s.getCaseAudit, false},
		{http.MethodGet, "/dashboard", s.getDashboard, false},
		{http.MethodGet, "/dashboard.csv", s.getDashboardCSV, false},

		{http.MethodPost, "/cases/:id/findings", s.postFinding, false},
		{http.MethodGet, "/cases/:id/findings", s.getFindings, false},
		{http.MethodGet, "/findings/:id", s.getFinding, false},
		{http.MethodPatch, "/findings/:id", s.patchFinding, false},
		{http.MethodPost, "/findings/:id/share", s.postShareFinding, false},
		{http.MethodPost, "/findings/:id/respond", s.postRespondFinding, false},
		{http.MethodPost, "/findings/:id/resolve", s.postResolveFinding, false},
		{http.MethodPost, "/cases/:id/comments", s.postComment, false},
		{http.MethodGet, "/cases/:id/comments", s.getComments, false},
		{http.MethodPost, "/cases/:id/attachments", s.postCaseAttachment, false},
		{http.MethodPost, "/findings/:id/attachments", s.postFindingAttachment, false},
		{http.MethodGet, "/attachments/:id", s.getAttachment, false},
		{http.MethodGet, "/attachments/:id/content", s.getAttachmentContent, false},

		{http.MethodGet, "/inbox", s.getInbox, false},
		{http.MethodPost, "/inbox/:id/read", s.postInboxRead, false},
		{http.MethodPost, "/notifications/:id/ack", s.postAck, false},
		{http.MethodGet, "/notifications/forecast", s.getForecast, false},

		{http.MethodPost, "/webhooks", s.postWebhook, false},
		{http.MethodGet, "/webhooks", s.getWebhooks, false},
		{http.MethodDelete, "/webhooks/:id", s.deleteWebhook, false},
		{http.MethodGet, "/admin/deliveries", s.getDeliveries, false},
		{http.MethodPost, "/admin/deliveries/:id/retry", s.postRetryDelivery, false},
		{http.MethodPost, "/calendar-url", s.postCalendarURL, false},
		{http.MethodGet, "/calendar-url", s.getCalendarURL, false},
		{http.MethodDelete, "/calendar-url", s.deleteCalendarURL, false},

		{http.MethodPost, "/cases/:id/amendments", s.postAmendment, false},
		{http.MethodGet, "/cases/:id/amendments", s.getAmendments, false},
		{http.MethodPost, "/amendments/:id/resolve", s.postResolveAmendment, false},
		{http.MethodGet, "/benchmarks", s.getBenchmarks, false},
		{http.MethodPost, "/cases/:id/benchmark-results", s.postBenchmarkResult, false},
		{http.MethodGet, "/cases/:id/benchmark-results", s.getBenchmarkResults, false},
		{http.MethodPost, "/findings/:id/publish", s.postPublishFinding, false},
		{http.MethodGet, "/clearinghouse", s.getClearinghouse, false},
		{http.MethodGet, "/clearinghouse.csv", s.getClearinghouseCSV, false},
		{http.MethodGet, "/clearinghouse/schema.json", s.getClearinghouseSchema, false},
		{http.MethodGet, "/cases/:id/statement", s.getStatement, false},
	}
}

// APIRoutes lists the API's routes (method and full path), for tests and the OpenAPI check.
func (s *Server) APIRoutes() []Route {
	out := s.apiRoutes()
	for i := range out {
		out[i].Path = "/api/v1" + out[i].Path
	}
	return out
}

func (s *Server) routes() {
	e := s.echo
	api := e.Group("/api/v1")
	for _, r := range s.apiRoutes() {
		if r.Public {
			api.Add(r.Method, r.Path, r.Handler)
		} else {
			api.Add(r.Method, r.Path, r.Handler, s.requireBearer)
		}
	}
	// Unknown API paths answer the JSON 404, not a page.
	api.Any("/*", func(echo.Context) error { return echo.ErrNotFound })
	e.GET("/healthz", s.healthz)
	e.GET("/readyz", s.readyz)
	e.GET("/api/openapi.json", s.openapi)
	// The token is in the path: the request log and the metrics record the pattern only.
	e.GET("/calendar/:token", s.getCalendarFeed)
	e.GET("/metrics", s.getMetrics)
	e.GET("/.well-known/jwks.json", s.getJWKS)
	s.pages.routes(e)
}

func (s *Server) healthz(c echo.Context) error {
	return c.JSON(http.StatusOK, map[string]string{"status": "ok"})
}

// readyz answers 200 once the database answers and its schema is current.
func (s *Server) readyz(c echo.Context) error {
	if s.health != nil {
		if err := s.health.Ping(c.Request().Context()); err != nil {
			return c.JSON(http.StatusServiceUnavailable, map[string]string{"status": "database unreachable"})
		}
		if n, err := s.health.PendingMigrations(c.Request().Context()); err != nil || n > 0 {
			return c.JSON(http.StatusServiceUnavailable, map[string]string{"status": "migrations pending"})
		}
	}
	return c.JSON(http.StatusOK, map[string]string{"status": "ready"})
}
