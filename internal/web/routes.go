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
		{http.MethodPost, "/auth/token", s.PostToken, true},
		{http.MethodPost, "/auth/logout", s.PostLogout, false},
		{http.MethodGet, "/me", s.GetMe, false},
		{http.MethodPost, "/me/password", s.PostPassword, false},
		{http.MethodPost, "/api-tokens", s.PostAPIToken, false},
		{http.MethodGet, "/api-tokens", s.GetAPITokens, false},
		{http.MethodDelete, "/api-tokens/:id", s.DeleteAPIToken, false},
		{http.MethodPost, "/orgs", s.PostOrg, false},
		{http.MethodGet, "/orgs", s.GetOrgs, false},
		{http.MethodPost, "/users", s.PostUser, false},
		{http.MethodGet, "/users", s.GetUsers, false},
		{http.MethodPatch, "/users/:id", s.PatchUser, false},
		{http.MethodGet, "/approvals", s.GetApprovals, false},
		{http.MethodPost, "/approvals/:id/approve", s.PostApprove, false},
		{http.MethodPost, "/approvals/:id/reject", s.PostReject, false},
		{http.MethodGet, "/audit", s.GetAudit, false},

		{http.MethodPost, "/cases", s.PostCase, false},
		{http.MethodGet, "/cases", s.GetCases, false},
		{http.MethodGet, "/cases/:id", s.GetCase, false},
		{http.MethodPatch, "/cases/:id", s.PatchCase, false},
		{http.MethodDelete, "/cases/:id", s.DeleteCase, false},
		{http.MethodPost, "/cases/:id/submit", s.PostSubmit, false},
		{http.MethodPost, "/cases/:id/assign", s.PostAssign, false},
		{http.MethodPost, "/cases/:id/attest-no-conflict", s.PostAttest, false},
		{http.MethodPost, "/cases/:id/declare-conflict", s.PostDeclareConflict, false},
		{http.MethodPost, "/cases/:id/info-requests", s.PostInfoRequest, false},
		{http.MethodGet, "/cases/:id/info-requests", s.GetInfoRequests, false},
		{http.MethodPost, "/info-requests/:id/answer", s.PostAnswer, false},
		{http.MethodPost, "/info-requests/:id/cancel", s.PostCancelRequest, false},
		{http.MethodPost, "/cases/:id/decision", s.PostDecision, false},
		{http.MethodPost, "/cases/:id/withdraw", s.PostWithdraw, false},
		{http.MethodGet, "/cases/:id/clock", s.GetClock, false},
		{http.MethodGet, "/cases/:id/audit", s.GetCaseAudit, false},
		{http.MethodGet, "/dashboard", s.GetDashboard, false},
		{http.MethodGet, "/dashboard.csv", s.GetDashboardCSV, false},

		{http.MethodPost, "/cases/:id/findings", s.PostFinding, false},
		{http.MethodGet, "/cases/:id/findings", s.GetFindings, false},
		{http.MethodGet, "/findings/:id", s.GetFinding, false},
		{http.MethodPatch, "/findings/:id", s.PatchFinding, false},
		{http.MethodPost, "/findings/:id/share", s.PostShareFinding, false},
		{http.MethodPost, "/findings/:id/respond", s.PostRespondFinding, false},
		{http.MethodPost, "/findings/:id/resolve", s.PostResolveFinding, false},
		{http.MethodPost, "/cases/:id/comments", s.PostComment, false},
		{http.MethodGet, "/cases/:id/comments", s.GetComments, false},
		{http.MethodPost, "/cases/:id/attachments", s.PostCaseAttachment, false},
		{http.MethodPost, "/findings/:id/attachments", s.PostFindingAttachment, false},
		{http.MethodGet, "/attachments/:id", s.GetAttachment, false},
		{http.MethodGet, "/attachments/:id/content", s.GetAttachmentContent, false},

		{http.MethodGet, "/inbox", s.GetInbox, false},
		{http.MethodPost, "/inbox/:id/read", s.PostInboxRead, false},
		{http.MethodPost, "/notifications/:id/ack", s.PostAck, false},
		{http.MethodGet, "/notifications/forecast", s.GetForecast, false},

		{http.MethodPost, "/webhooks", s.PostWebhook, false},
		{http.MethodGet, "/webhooks", s.GetWebhooks, false},
		{http.MethodDelete, "/webhooks/:id", s.DeleteWebhook, false},
		{http.MethodGet, "/admin/deliveries", s.GetDeliveries, false},
		{http.MethodPost, "/admin/deliveries/:id/retry", s.PostRetryDelivery, false},
		{http.MethodPost, "/calendar-url", s.PostCalendarURL, false},
		{http.MethodGet, "/calendar-url", s.GetCalendarURL, false},
		{http.MethodDelete, "/calendar-url", s.DeleteCalendarURL, false},

		{http.MethodPost, "/cases/:id/amendments", s.PostAmendment, false},
		{http.MethodGet, "/cases/:id/amendments", s.GetAmendments, false},
		{http.MethodPost, "/amendments/:id/resolve", s.PostResolveAmendment, false},
		{http.MethodGet, "/benchmarks", s.GetBenchmarks, false},
		{http.MethodPost, "/cases/:id/benchmark-results", s.PostBenchmarkResult, false},
		{http.MethodGet, "/cases/:id/benchmark-results", s.GetBenchmarkResults, false},
		{http.MethodPost, "/findings/:id/publish", s.PostPublishFinding, false},
		{http.MethodGet, "/clearinghouse", s.GetClearinghouse, false},
		{http.MethodGet, "/clearinghouse.csv", s.GetClearinghouseCSV, false},
		{http.MethodGet, "/clearinghouse/schema.json", s.GetClearinghouseSchema, false},
		{http.MethodGet, "/cases/:id/statement", s.GetStatement, false},
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
	e.GET("/api/openapi.json", s.ServeOpenAPI)
	// The token is in the path: the request log and the metrics record the pattern only.
	e.GET("/calendar/:token", s.GetCalendarFeed)
	e.GET("/metrics", s.getMetrics)
	e.GET("/.well-known/jwks.json", s.GetJWKS)
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
