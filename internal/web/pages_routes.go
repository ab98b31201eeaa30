package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/docket/docket/static"
)

// pageRoutes is every page route, in one table; the page access tests walk
// it. Every route but the sign-in form needs the session cookie, and every
// route that is not a GET needs the session's CSRF token as well. GET never
// changes anything.
func (s *Server) pageRoutes() []Route {
	return []Route{
		{http.MethodGet, "/login", s.pageLoginForm, true},
		{http.MethodPost, "/login", s.pageLogin, true},
		{http.MethodPost, "/login/second-factor", s.pageSecondStep, true},
		{http.MethodPost, "/login/passkey/options", s.passkeyLimit(s.pagePasskeyOptions), true},
		{http.MethodPost, "/login/passkey", s.passkeyLimit(s.pagePasskeySignIn), true},
		{http.MethodGet, "/auth/oidc/start", s.oidcStart, true},
		{http.MethodGet, "/auth/oidc/callback", s.oidcCallback, true},
		{http.MethodPost, "/logout", s.pageLogout, false},
		// Anyone checks a review statement: bounded, limited per address, no write.
		{http.MethodGet, "/verify", s.ui.Review.Verify, true},
		{http.MethodPost, "/verify", s.verifyLimit(s.ui.Review.VerifyPost), true},
		{http.MethodGet, "/", s.ui.Dashboard.Home, false},

		{http.MethodGet, "/dashboard", s.ui.Dashboard.Dashboard, false},
		{http.MethodGet, "/dashboard.csv", s.ui.Dashboard.DashboardCSV, false},

		{http.MethodGet, "/cases", s.ui.Dashboard.Cases, false},
		{http.MethodGet, "/cases/new", s.ui.Cases.NewCase, false},
		{http.MethodPost, "/cases/new", s.ui.Cases.CreateCase, false},
		{http.MethodGet, "/cases/:id", s.ui.Cases.Case, false},
		{http.MethodGet, "/cases/:id/edit", s.ui.Cases.EditCase, false},
		{http.MethodPost, "/cases/:id/edit", s.ui.Cases.UpdateCase, false},
		{http.MethodPost, "/cases/:id/submit", s.ui.Cases.Submit, false},
		{http.MethodGet, "/cases/:id/delete", s.ui.Cases.ConfirmDelete, false},
		{http.MethodPost, "/cases/:id/delete", s.ui.Cases.Delete, false},
		{http.MethodPost, "/cases/:id/assign", s.ui.Cases.Assign, false},
		{http.MethodPost, "/cases/:id/attest-no-conflict", s.ui.Cases.Attest, false},
		{http.MethodPost, "/cases/:id/declare-conflict", s.ui.Cases.DeclareConflict, false},
		{http.MethodPost, "/cases/:id/info-requests", s.ui.Cases.RequestInfo, false},
		{http.MethodPost, "/info-requests/:id/answer", s.ui.Cases.Answer, false},
		{http.MethodPost, "/info-requests/:id/cancel", s.ui.Cases.CancelRequest, false},
		{http.MethodPost, "/cases/:id/decision", s.ui.Cases.Decide, false},
		{http.MethodGet, "/cases/:id/withdraw", s.ui.Cases.ConfirmWithdraw, false},
		{http.MethodPost, "/cases/:id/withdraw", s.ui.Cases.Withdraw, false},

		{http.MethodPost, "/cases/:id/findings", s.ui.Findings.CreateFinding, false},
		{http.MethodPost, "/findings/:id/edit", s.ui.Findings.EditFinding, false},
		{http.MethodPost, "/findings/:id/share", s.ui.Findings.ShareFinding, false},
		{http.MethodPost, "/findings/:id/respond", s.ui.Findings.RespondFinding, false},
		{http.MethodPost, "/findings/:id/resolve", s.ui.Findings.ResolveFinding, false},
		{http.MethodPost, "/cases/:id/comments", s.ui.Findings.CreateComment, false},
		{http.MethodPost, "/cases/:id/attachments", s.ui.Findings.CaseUpload, false},
		{http.MethodPost, "/findings/:id/attachments", s.ui.Findings.FindingUpload, false},
		{http.MethodGet, "/attachments/:id", s.ui.Findings.Download, false},

		{http.MethodGet, "/inbox", s.ui.Inbox.Inbox, false},
		{http.MethodPost, "/inbox/:id/read", s.ui.Inbox.MarkRead, false},
		{http.MethodPost, "/notifications/:id/ack", s.ui.Inbox.Acknowledge, false},
		{http.MethodGet, "/forecast", s.ui.Inbox.Forecast, false},

		{http.MethodGet, "/account", s.ui.Account.Account, false},
		{http.MethodPost, "/account/password", s.ui.Account.ChangePassword, false},
		{http.MethodPost, "/account/mfa/totp", s.ui.Account.EnrolTOTP, false},
		{http.MethodPost, "/account/mfa/:id/confirm", s.ui.Account.ConfirmTOTP, false},
		{http.MethodPost, "/account/mfa/:id/remove", s.ui.Account.RemoveFactor, false},
		{http.MethodPost, "/account/mfa/recovery-codes", s.ui.Account.RecoveryCodes, false},
		{http.MethodPost, "/account/passkeys/options", s.ui.Account.PasskeyOptions, false},
		{http.MethodPost, "/account/passkeys", s.ui.Account.AddPasskey, false},
		{http.MethodPost, "/account/api-tokens", s.ui.Account.CreateAPIToken, false},
		{http.MethodPost, "/account/api-tokens/:id/revoke", s.ui.Account.RevokeAPIToken, false},
		{http.MethodPost, "/account/calendar-url", s.ui.Account.CreateCalendarURL, false},
		{http.MethodPost, "/account/calendar-url/delete", s.ui.Account.DeleteCalendarURL, false},

		{http.MethodGet, "/cases/:id/statement", s.ui.Review.Statement, false},
		{http.MethodPost, "/cases/:id/amendments", s.ui.Review.Amend, false},
		{http.MethodPost, "/amendments/:id/resolve", s.ui.Review.ResolveAmendment, false},
		{http.MethodPost, "/cases/:id/benchmark-results", s.ui.Review.RecordResult, false},
		{http.MethodPost, "/cases/:id/evaluations", s.ui.Evaluations.Import, false},
		{http.MethodPost, "/findings/:id/publish", s.ui.Review.Publish, false},
		{http.MethodGet, "/clearinghouse", s.ui.Review.Clearinghouse, false},
		{http.MethodGet, "/clearinghouse.csv", s.ui.Review.ClearinghouseCSV, false},

		{http.MethodGet, "/admin/users", s.ui.Admin.Users, false},
		{http.MethodPost, "/admin/users", s.ui.Admin.CreateUser, false},
		{http.MethodPost, "/admin/users/:id", s.ui.Admin.UpdateUser, false},
		{http.MethodPost, "/admin/users/:id/mfa/remove", s.ui.Admin.RemoveFactors, false},
		{http.MethodGet, "/admin/orgs", s.ui.Admin.Orgs, false},
		{http.MethodPost, "/admin/orgs", s.ui.Admin.CreateOrg, false},
		{http.MethodGet, "/admin/deliveries", s.ui.Admin.Deliveries, false},
		{http.MethodPost, "/admin/deliveries/:id/retry", s.ui.Admin.RetryDelivery, false},

		{http.MethodGet, "/webhooks", s.ui.Webhooks.Webhooks, false},
		{http.MethodGet, "/webhooks/:id/deliveries", s.ui.Webhooks.Deliveries, false},
		{http.MethodPost, "/webhooks/:id/ping", s.ui.Webhooks.Ping, false},

		{http.MethodGet, "/approvals", s.ui.Approvals.Approvals, false},
		{http.MethodPost, "/approvals/:id/approve", s.ui.Approvals.Approve, false},
		{http.MethodPost, "/approvals/:id/reject", s.ui.Approvals.Reject, false},
	}
}

// PageRoutes lists the pages' routes (method and path), for tests.
func (s *Server) PageRoutes() []Route { return s.pageRoutes() }

// registerPages adds the page routes and the static files to the router.
// Every route that is not a GET passes the cross-origin check first, the
// public sign-in form included.
func (s *Server) registerPages(e *echo.Echo) {
	for _, r := range s.pageRoutes() {
		switch {
		case r.Method == http.MethodGet && r.Public:
			e.Add(r.Method, r.Path, r.Handler)
		case r.Public:
			e.Add(r.Method, r.Path, r.Handler, s.checkOrigin)
		case r.Method == http.MethodGet:
			e.Add(r.Method, r.Path, r.Handler, s.requireSession)
		case uploadPaths[r.Path]:
			// A multipart upload: its token is its first part, checked before the file is read.
			e.Add(r.Method, r.Path, r.Handler, s.checkOrigin, s.requireSession, s.checkUploadCSRF)
		default:
			e.Add(r.Method, r.Path, r.Handler, s.checkOrigin, s.requireSession, s.checkCSRF)
		}
	}
	e.StaticFS("/static", static.FS)
}
