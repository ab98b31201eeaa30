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
		{http.MethodPost, "/logout", s.pageLogout, false},
		{http.MethodGet, "/", s.pageHome, false},

		{http.MethodGet, "/dashboard", s.pageDashboard, false},
		{http.MethodGet, "/dashboard.csv", s.pageDashboardCSV, false},

		{http.MethodGet, "/cases", s.pageCases, false},
		{http.MethodGet, "/cases/new", s.pageNewCase, false},
		{http.MethodPost, "/cases/new", s.pageCreateCase, false},
		{http.MethodGet, "/cases/:id", s.pageCase, false},
		{http.MethodGet, "/cases/:id/edit", s.pageEditCase, false},
		{http.MethodPost, "/cases/:id/edit", s.pageUpdateCase, false},
		{http.MethodPost, "/cases/:id/submit", s.pageSubmit, false},
		{http.MethodGet, "/cases/:id/delete", s.pageConfirmDelete, false},
		{http.MethodPost, "/cases/:id/delete", s.pageDelete, false},
		{http.MethodPost, "/cases/:id/assign", s.pageAssign, false},
		{http.MethodPost, "/cases/:id/attest-no-conflict", s.pageAttest, false},
		{http.MethodPost, "/cases/:id/declare-conflict", s.pageDeclareConflict, false},
		{http.MethodPost, "/cases/:id/info-requests", s.pageRequestInfo, false},
		{http.MethodPost, "/info-requests/:id/answer", s.pageAnswer, false},
		{http.MethodPost, "/info-requests/:id/cancel", s.pageCancelRequest, false},
		{http.MethodPost, "/cases/:id/decision", s.pageDecide, false},
		{http.MethodGet, "/cases/:id/withdraw", s.pageConfirmWithdraw, false},
		{http.MethodPost, "/cases/:id/withdraw", s.pageWithdraw, false},

		{http.MethodPost, "/cases/:id/findings", s.pageCreateFinding, false},
		{http.MethodPost, "/findings/:id/edit", s.pageEditFinding, false},
		{http.MethodPost, "/findings/:id/share", s.pageShareFinding, false},
		{http.MethodPost, "/findings/:id/respond", s.pageRespondFinding, false},
		{http.MethodPost, "/findings/:id/resolve", s.pageResolveFinding, false},
		{http.MethodPost, "/cases/:id/comments", s.pageCreateComment, false},
		{http.MethodPost, "/cases/:id/attachments", s.pageCaseUpload, false},
		{http.MethodPost, "/findings/:id/attachments", s.pageFindingUpload, false},
		{http.MethodGet, "/attachments/:id", s.pageDownload, false},

		{http.MethodGet, "/inbox", s.pageInbox, false},
		{http.MethodPost, "/inbox/:id/read", s.pageMarkRead, false},
		{http.MethodPost, "/notifications/:id/ack", s.pageAcknowledge, false},
		{http.MethodGet, "/forecast", s.pageForecast, false},

		{http.MethodGet, "/account", s.pageAccount, false},
		{http.MethodPost, "/account/password", s.pageChangePassword, false},
		{http.MethodPost, "/account/api-tokens", s.pageCreateAPIToken, false},
		{http.MethodPost, "/account/api-tokens/:id/revoke", s.pageRevokeAPIToken, false},
		{http.MethodPost, "/account/calendar-url", s.pageCreateCalendarURL, false},
		{http.MethodPost, "/account/calendar-url/delete", s.pageDeleteCalendarURL, false},

		{http.MethodGet, "/cases/:id/statement", s.pageStatement, false},
		{http.MethodPost, "/cases/:id/amendments", s.pageAmend, false},
		{http.MethodPost, "/amendments/:id/resolve", s.pageResolveAmendment, false},
		{http.MethodPost, "/cases/:id/benchmark-results", s.pageRecordResult, false},
		{http.MethodPost, "/findings/:id/publish", s.pagePublish, false},
		{http.MethodGet, "/clearinghouse", s.pageClearinghouse, false},
		{http.MethodGet, "/clearinghouse.csv", s.pageClearinghouseCSV, false},

		{http.MethodGet, "/admin/users", s.pageUsers, false},
		{http.MethodPost, "/admin/users", s.pageCreateUser, false},
		{http.MethodPost, "/admin/users/:id", s.pageUpdateUser, false},
		{http.MethodGet, "/admin/orgs", s.pageOrgs, false},
		{http.MethodPost, "/admin/orgs", s.pageCreateOrg, false},
		{http.MethodGet, "/admin/deliveries", s.pageDeliveries, false},
		{http.MethodPost, "/admin/deliveries/:id/retry", s.pageRetryDelivery, false},

		{http.MethodGet, "/approvals", s.pageApprovals, false},
		{http.MethodPost, "/approvals/:id/approve", s.pageApprove, false},
		{http.MethodPost, "/approvals/:id/reject", s.pageReject, false},
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
