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
		{http.MethodPost, "/auth/token", s.api.Accounts.PostToken, true},
		{http.MethodPost, "/auth/logout", s.api.Accounts.PostLogout, false},
		{http.MethodGet, "/me", s.api.Accounts.GetMe, false},
		{http.MethodPatch, "/me", s.api.Accounts.PatchMe, false},
		{http.MethodPost, "/me/password", s.api.Accounts.PostPassword, false},
		{http.MethodGet, "/me/mfa", s.api.Factors.GetFactors, false},
		{http.MethodPost, "/me/mfa/totp", s.api.Factors.PostTOTP, false},
		{http.MethodPost, "/me/mfa/recovery-codes", s.api.Factors.PostRecoveryCodes, false},
		{http.MethodPost, "/me/mfa/:id/confirm", s.api.Factors.PostConfirm, false},
		{http.MethodDelete, "/me/mfa/:id", s.api.Factors.DeleteFactor, false},
		{http.MethodPost, "/api-tokens", s.api.Accounts.PostAPIToken, false},
		{http.MethodGet, "/api-tokens", s.api.Accounts.GetAPITokens, false},
		{http.MethodDelete, "/api-tokens/:id", s.api.Accounts.DeleteAPIToken, false},
		{http.MethodPost, "/orgs", s.api.Accounts.PostOrg, false},
		{http.MethodGet, "/orgs", s.api.Accounts.GetOrgs, false},
		{http.MethodPost, "/users", s.api.Accounts.PostUser, false},
		{http.MethodGet, "/users", s.api.Accounts.GetUsers, false},
		{http.MethodPatch, "/users/:id", s.api.Accounts.PatchUser, false},
		{http.MethodDelete, "/users/:id/mfa", s.api.Accounts.DeleteUserFactors, false},
		{http.MethodGet, "/approvals", s.api.Approvals.GetApprovals, false},
		{http.MethodPost, "/approvals/:id/approve", s.api.Approvals.PostApprove, false},
		{http.MethodPost, "/approvals/:id/reject", s.api.Approvals.PostReject, false},
		{http.MethodGet, "/audit", s.api.Accounts.GetAudit, false},

		{http.MethodPost, "/cases", s.api.Cases.PostCase, false},
		{http.MethodGet, "/cases", s.api.Cases.GetCases, false},
		{http.MethodGet, "/cases/:id", s.api.Cases.GetCase, false},
		{http.MethodPatch, "/cases/:id", s.api.Cases.PatchCase, false},
		{http.MethodDelete, "/cases/:id", s.api.Cases.DeleteCase, false},
		{http.MethodPost, "/cases/:id/submit", s.api.Cases.PostSubmit, false},
		{http.MethodPost, "/cases/:id/assign", s.api.Cases.PostAssign, false},
		{http.MethodPost, "/cases/:id/attest-no-conflict", s.api.Cases.PostAttest, false},
		{http.MethodPost, "/cases/:id/declare-conflict", s.api.Cases.PostDeclareConflict, false},
		{http.MethodPost, "/cases/:id/info-requests", s.api.Cases.PostInfoRequest, false},
		{http.MethodGet, "/cases/:id/info-requests", s.api.Cases.GetInfoRequests, false},
		{http.MethodPost, "/info-requests/:id/answer", s.api.Cases.PostAnswer, false},
		{http.MethodPost, "/info-requests/:id/cancel", s.api.Cases.PostCancelRequest, false},
		{http.MethodPost, "/cases/:id/decision", s.api.Cases.PostDecision, false},
		{http.MethodPost, "/cases/:id/withdraw", s.api.Cases.PostWithdraw, false},
		{http.MethodGet, "/cases/:id/clock", s.api.Cases.GetClock, false},
		{http.MethodGet, "/cases/:id/audit", s.api.Cases.GetCaseAudit, false},
		{http.MethodGet, "/dashboard", s.api.Cases.GetDashboard, false},
		{http.MethodGet, "/dashboard.csv", s.api.Cases.GetDashboardCSV, false},

		{http.MethodPost, "/cases/:id/findings", s.api.Findings.PostFinding, false},
		{http.MethodGet, "/cases/:id/findings", s.api.Findings.GetFindings, false},
		{http.MethodGet, "/findings/:id", s.api.Findings.GetFinding, false},
		{http.MethodPatch, "/findings/:id", s.api.Findings.PatchFinding, false},
		{http.MethodPost, "/findings/:id/share", s.api.Findings.PostShareFinding, false},
		{http.MethodPost, "/findings/:id/respond", s.api.Findings.PostRespondFinding, false},
		{http.MethodPost, "/findings/:id/resolve", s.api.Findings.PostResolveFinding, false},
		{http.MethodPost, "/cases/:id/comments", s.api.Findings.PostComment, false},
		{http.MethodGet, "/cases/:id/comments", s.api.Findings.GetComments, false},
		{http.MethodPost, "/cases/:id/attachments", s.api.Findings.PostCaseAttachment, false},
		{http.MethodPost, "/findings/:id/attachments", s.api.Findings.PostFindingAttachment, false},
		{http.MethodGet, "/attachments/:id", s.api.Findings.GetAttachment, false},
		{http.MethodGet, "/attachments/:id/content", s.api.Findings.GetAttachmentContent, false},

		{http.MethodGet, "/inbox", s.api.Delivery.GetInbox, false},
		{http.MethodPost, "/inbox/:id/read", s.api.Delivery.PostInboxRead, false},
		{http.MethodPost, "/notifications/:id/ack", s.api.Delivery.PostAck, false},
		{http.MethodGet, "/notifications/forecast", s.api.Delivery.GetForecast, false},

		{http.MethodPost, "/webhooks", s.api.Delivery.PostWebhook, false},
		{http.MethodGet, "/webhooks", s.api.Delivery.GetWebhooks, false},
		{http.MethodPatch, "/webhooks/:id", s.api.Delivery.PatchWebhook, false},
		{http.MethodDelete, "/webhooks/:id", s.api.Delivery.DeleteWebhook, false},
		{http.MethodPost, "/webhooks/:id/rotate-secret", s.api.Delivery.PostRotateSecret, false},
		{http.MethodPost, "/webhooks/:id/ping", s.api.Delivery.PostPing, false},
		{http.MethodGet, "/webhooks/:id/deliveries", s.api.Delivery.GetWebhookDeliveries, false},
		{http.MethodGet, "/admin/deliveries", s.api.Delivery.GetDeliveries, false},
		{http.MethodPost, "/admin/deliveries/:id/retry", s.api.Delivery.PostRetryDelivery, false},
		{http.MethodPost, "/calendar-url", s.api.Accounts.PostCalendarURL, false},
		{http.MethodGet, "/calendar-url", s.api.Accounts.GetCalendarURL, false},
		{http.MethodDelete, "/calendar-url", s.api.Accounts.DeleteCalendarURL, false},

		{http.MethodPost, "/cases/:id/amendments", s.api.Cases.PostAmendment, false},
		{http.MethodGet, "/cases/:id/amendments", s.api.Cases.GetAmendments, false},
		{http.MethodPost, "/amendments/:id/resolve", s.api.Cases.PostResolveAmendment, false},
		{http.MethodGet, "/benchmarks", s.api.Evidence.GetBenchmarks, false},
		{http.MethodPost, "/cases/:id/benchmark-results", s.api.Evidence.PostBenchmarkResult, false},
		{http.MethodGet, "/cases/:id/benchmark-results", s.api.Evidence.GetBenchmarkResults, false},
		{http.MethodPost, "/cases/:id/evaluations", s.api.Evaluations.PostEvaluation, false},
		{http.MethodGet, "/cases/:id/evaluations", s.api.Evaluations.GetEvaluations, false},
		{http.MethodGet, "/evaluations/:id", s.api.Evaluations.GetEvaluation, false},
		{http.MethodPost, "/findings/:id/publish", s.api.Clearinghouse.PostPublishFinding, false},
		// The feeds: every published entry to the signed-in, the TLP:CLEAR
		// ones to anyone (clearinghouse.public).
		{http.MethodGet, "/clearinghouse", s.bearerOrAnon(s.api.Clearinghouse.GetClearinghouse), true},
		{http.MethodGet, "/clearinghouse.csv", s.bearerOrAnon(s.api.Clearinghouse.GetClearinghouseCSV), true},
		{http.MethodGet, "/clearinghouse/schema.json", s.api.Clearinghouse.GetClearinghouseSchema, true},
		{http.MethodGet, "/clearinghouse/kev.json", s.bearerOrAnon(s.api.Clearinghouse.GetKEV), true},
		{http.MethodGet, "/clearinghouse/stix.json", s.bearerOrAnon(s.api.Clearinghouse.GetSTIX), true},
		{http.MethodGet, "/cases/:id/statement", s.api.Evidence.GetStatement, false},
		// Anyone checks a statement: bounded, limited per address, no write.
		{http.MethodPost, "/statements/verify", s.verifyLimit(s.api.Evidence.PostVerifyStatement), true},
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
	v1 := e.Group("/api/v1")
	for _, r := range s.apiRoutes() {
		if r.Public {
			v1.Add(r.Method, r.Path, r.Handler)
		} else {
			v1.Add(r.Method, r.Path, r.Handler, s.requireBearer)
		}
	}
	// Unknown API paths answer the JSON 404, not a page.
	v1.Any("/*", func(echo.Context) error { return echo.ErrNotFound })
	e.GET("/healthz", s.healthz)
	e.GET("/readyz", s.readyz)
	e.GET("/api/openapi.json", s.api.OpenAPI)
	// The token is in the path: the request log and the metrics record the pattern only.
	e.GET("/calendar/:token", s.api.Accounts.GetCalendarFeed)
	e.GET("/metrics", s.getMetrics)
	e.GET("/.well-known/jwks.json", s.api.Evidence.GetJWKS)
	// The CSAF trusted provider: its metadata, keys and security.txt are
	// public; the white folder is anyone's (clearinghouse.public), the green
	// one signed-in users' and API tokens'.
	e.GET("/.well-known/security.txt", s.api.Provider.GetSecurityTxt)
	e.GET("/.well-known/csaf/provider-metadata.json", s.api.Provider.GetProviderMetadata)
	e.GET("/.well-known/csaf/openpgp/:file", s.api.Provider.GetPublicKey)
	e.GET("/.well-known/csaf/:tlp/", s.bearerOrAnon(s.api.Provider.GetFolder))
	e.GET("/.well-known/csaf/:tlp/:name", s.bearerOrAnon(s.api.Provider.GetFolderFile))
	e.GET("/.well-known/csaf/:tlp/:year/", s.bearerOrAnon(s.api.Provider.GetYear))
	e.GET("/.well-known/csaf/:tlp/:year/:file", s.bearerOrAnon(s.api.Provider.GetDocument))
	s.registerPages(e)
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
