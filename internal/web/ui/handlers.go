// Package ui serves Docket's pages: server-rendered HTML from the embedded
// templates, with no inline script or style, that work without JavaScript.
// The handlers hang off small types by area (CasePages, FindingPages,
// ReviewPages, DashboardPages, InboxPages, AccountPages, AdminPages,
// ApprovalPages), each holding only the narrow service interfaces it calls
// (handlers.go). How the pages look is the view package's (web/ui/view): the
// Renderer, which parses the templates once and renders every page, the
// error page and the sign-in form, the layout's data, the labels and the
// wording of a refused form. The route table, the session, the CSRF tokens
// and the error handler are the web package's.
package ui

import (
	"context"
	"log/slog"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/docket/docket/internal/app"
	"github.com/docket/docket/internal/docket"
	"github.com/docket/docket/internal/web/httpx"
	"github.com/docket/docket/internal/web/ui/view"
)

// CasePages serves a case's page and the forms of its life: filing, editing,
// submitting, assigning, attesting, information requests, the decision,
// withdrawing and deleting.
type CasePages struct {
	r       *view.Renderer
	present *casePresenter
	cases   casePagesCasesCalls
}

// FindingPages serves the forms of a case's work: findings, comments and
// attachments (uploads and downloads).
type FindingPages struct {
	r        *view.Renderer
	present  *casePresenter
	findings findingPagesFindingsCalls
	// uploads receives attachments.
	uploads httpx.Uploads
}

// ReviewPages serves what leaves a review: amendments, benchmark results,
// publishing to the Clearinghouse and its page, and the signed statement.
type ReviewPages struct {
	r             *view.Renderer
	present       *casePresenter
	cases         reviewPagesCasesCalls
	evidence      reviewPagesEvidenceCalls
	clearinghouse reviewPagesClearinghouseCalls
}

// DashboardPages serves each role's home, the lists of cases and the
// countdown board with its CSV.
type DashboardPages struct {
	r     *view.Renderer
	cases dashboardPagesCasesCalls
	// users is the administrators' home (AdminPages.Users).
	users echo.HandlerFunc
}

// InboxPages serves the inbox and the forecast of notifications.
type InboxPages struct {
	r        *view.Renderer
	cases    inboxPagesCasesCalls
	delivery inboxPagesDeliveryCalls
}

// AccountPages serves the signed-in user's own settings: password, API
// tokens and the calendar address.
type AccountPages struct {
	r        *view.Renderer
	cases    accountPagesCasesCalls
	accounts accountPagesAccountsCalls
	factors  accountFactorsCalls
	passkeys PasskeyService
	// baseURL is Docket's address for links ("": the request's host).
	baseURL string
	// tokenMaxTTL is the longest lifetime of an API token.
	tokenMaxTTL time.Duration
	// repeatsInDigest: escalations' repeats wait for the daily digest.
	repeatsInDigest bool
	// endSession forgets the page session's cookie.
	endSession func(echo.Context)
}

// AdminPages serves the administrators' pages: users, organisations and
// deliveries.
type AdminPages struct {
	r         *view.Renderer
	accounts  adminPagesAccountsCalls
	delivery  adminPagesDeliveryCalls
	approvals adminPagesApprovalsCalls
}

// ApprovalPages serves the changes to accounts that wait for a review lead.
type ApprovalPages struct {
	r         *view.Renderer
	approvals approvalPagesApprovalsCalls
}

// casePresenter builds the case page, which the case's, the findings' and
// the review's forms all show again when they fail.
type casePresenter struct {
	r        *view.Renderer
	cases    casePresenterCasesCalls
	findings casePresenterFindingsCalls
	evidence casePresenterEvidenceCalls
	// evaluations lists the Inspect logs imported on a case (nil: none shown).
	evaluations EvaluationService
	// responseDays is the lab's time to respond to a finding, by severity.
	responseDays map[string]int
	// maxBytes is the largest attachment an upload may carry.
	maxBytes int64
	// baseURL is Docket's address for links ("": the request's host).
	baseURL string
}

// Services are the services the pages call, one field per area.
type Services struct {
	Cases         CaseService
	Findings      FindingService
	Accounts      AccountService
	Evidence      EvidenceService
	Clearinghouse ClearinghouseService
	Delivery      DeliveryService
	Approvals     ApprovalService
	Factors       FactorService
	Evaluations   EvaluationService
	Passkeys      PasskeyService
}

// Settings are the settings the pages use.
type Settings struct {
	// Location is the agency's zone, which the pages show instants in.
	Location *time.Location
	// Logger notes what a page leaves out rather than failing (the unread count).
	Logger *slog.Logger
	// BaseURL is Docket's address for links ("": the request's host).
	BaseURL string
	// UploadMaxBytes is the largest attachment an upload may carry.
	UploadMaxBytes int64
	// ResponseDays is the lab's time to respond to a finding, by severity.
	ResponseDays map[string]int
	// APITokenMaxTTL is the longest lifetime of an API token.
	APITokenMaxTTL time.Duration
	// EndSession forgets the page session's cookie (a changed password ends it).
	EndSession func(echo.Context)
	// RepeatsInDigest says escalations' repeats wait for the daily digest
	// (notify.repeats_in_digest), which the account page tells.
	RepeatsInDigest bool
	// SSOName names the single sign-on provider ("": none configured), which
	// the pages offer a reader of TLP:RED content who must sign in again.
	SSOName string
}

// Handlers are the pages' handlers, by area, and their renderer; the route
// table (web) names them.
type Handlers struct {
	Renderer    *view.Renderer
	Cases       *CasePages
	Findings    *FindingPages
	Review      *ReviewPages
	Evaluations *EvaluationPages
	Dashboard   *DashboardPages
	Inbox       *InboxPages
	Account     *AccountPages
	Admin       *AdminPages
	Approvals   *ApprovalPages
	Webhooks    *WebhookPages
}

// New builds the pages' handlers over the services; it fails when a template
// does not parse.
func New(sv Services, st Settings) (*Handlers, error) {
	r, err := view.New(sv.Cases, sv.Delivery, st.Location, st.Logger, st.SSOName)
	if err != nil {
		return nil, err
	}
	present := &casePresenter{r: r, cases: sv.Cases, findings: sv.Findings, evidence: sv.Evidence, evaluations: sv.Evaluations,
		responseDays: st.ResponseDays, maxBytes: st.UploadMaxBytes, baseURL: st.BaseURL}
	admin := &AdminPages{r: r, accounts: sv.Accounts, delivery: sv.Delivery, approvals: sv.Approvals}
	return &Handlers{
		Renderer: r,
		Cases:    &CasePages{r: r, present: present, cases: sv.Cases},
		Findings: &FindingPages{r: r, present: present, findings: sv.Findings,
			uploads: httpx.Uploads{Service: sv.Findings, MaxBytes: st.UploadMaxBytes}},
		Review:      &ReviewPages{r: r, present: present, cases: sv.Cases, evidence: sv.Evidence, clearinghouse: sv.Clearinghouse},
		Evaluations: &EvaluationPages{present: present, evaluations: sv.Evaluations},
		Dashboard:   &DashboardPages{r: r, cases: sv.Cases, users: admin.Users},
		Inbox:       &InboxPages{r: r, cases: sv.Cases, delivery: sv.Delivery},
		Account: &AccountPages{r: r, cases: sv.Cases, accounts: sv.Accounts, factors: sv.Factors, passkeys: sv.Passkeys, baseURL: st.BaseURL,
			tokenMaxTTL: st.APITokenMaxTTL, endSession: st.EndSession, repeatsInDigest: st.RepeatsInDigest},
		Admin:     admin,
		Approvals: &ApprovalPages{r: r, approvals: sv.Approvals},
		Webhooks:  &WebhookPages{r: r, delivery: sv.Delivery},
	}, nil
}

// accountPagesAccountsCalls is what the AccountPages handlers call of the accounts service.
type accountPagesAccountsCalls interface {
	CalendarURL(ctx context.Context, a docket.Actor) (*docket.CalendarFeed, error)
	ChangePassword(ctx context.Context, a docket.Actor, current string, next string) error
	CreateAPIToken(ctx context.Context, a docket.Actor, name string, scope docket.Scope, expiresAt *time.Time) (*app.Session, *app.Token, error)
	CreateCalendarURL(ctx context.Context, a docket.Actor) (string, time.Time, error)
	DeleteAPIToken(ctx context.Context, a docket.Actor, id string) error
	DeleteCalendarURL(ctx context.Context, a docket.Actor) error
	ListAPITokens(ctx context.Context, a docket.Actor) ([]app.Token, error)
	Me(ctx context.Context, a docket.Actor) (*docket.User, error)
	SetEmailDelivery(ctx context.Context, a docket.Actor, choice string) (*docket.User, error)
}

// accountPagesCasesCalls is what the AccountPages handlers call of the cases service.
type accountPagesCasesCalls interface {
	Now() time.Time
}

// adminPagesAccountsCalls is what the AdminPages handlers call of the accounts service.
type adminPagesAccountsCalls interface {
	CreateOrg(ctx context.Context, a docket.Actor, name string, kind string) (*docket.Org, error)
	CreateUser(ctx context.Context, a docket.Actor, in app.NewUser) (app.UserChange, error)
	ListOrgs(ctx context.Context, a docket.Actor, p app.Page) ([]docket.Org, string, error)
	ListUsers(ctx context.Context, a docket.Actor, f app.UserFilter, p app.Page) ([]docket.User, string, error)
	UpdateUser(ctx context.Context, a docket.Actor, id string, p app.UserPatch) (app.UserChange, error)
	RemoveFactors(ctx context.Context, a docket.Actor, id string) (app.UserChange, error)
}

// adminPagesApprovalsCalls is what the AdminPages handlers call of the approvals service.
type adminPagesApprovalsCalls interface {
	List(ctx context.Context, a docket.Actor, f app.ApprovalFilter, pg app.Page) ([]docket.Approval, string, error)
}

// adminPagesDeliveryCalls is what the AdminPages handlers call of the delivery service.
type adminPagesDeliveryCalls interface {
	ListDeliveries(ctx context.Context, a docket.Actor, f app.DeliveryFilter, p app.Page) ([]docket.Delivery, string, error)
	RetryDelivery(ctx context.Context, a docket.Actor, id string) (*docket.Delivery, error)
}

// webhookPagesDeliveryCalls is what the WebhookPages handlers call of the delivery service.
type webhookPagesDeliveryCalls interface {
	ListWebhookDeliveries(ctx context.Context, a docket.Actor, id string, p app.Page) ([]docket.Delivery, string, error)
	ListWebhooks(ctx context.Context, a docket.Actor, p app.Page) ([]docket.Webhook, string, error)
	PingWebhook(ctx context.Context, a docket.Actor, id string) error
	Webhook(ctx context.Context, a docket.Actor, id string) (*docket.Webhook, error)
}

// approvalPagesApprovalsCalls is what the ApprovalPages handlers call of the approvals service.
type approvalPagesApprovalsCalls interface {
	Approve(ctx context.Context, a docket.Actor, id string) (*docket.Approval, error)
	List(ctx context.Context, a docket.Actor, f app.ApprovalFilter, pg app.Page) ([]docket.Approval, string, error)
	Reject(ctx context.Context, a docket.Actor, id string) (*docket.Approval, error)
}

// casePagesCasesCalls is what the CasePages handlers call of the cases service.
type casePagesCasesCalls interface {
	AnswerInfoRequest(ctx context.Context, a docket.Actor, reqID string, answer string) (*docket.InfoRequest, error)
	Assign(ctx context.Context, a docket.Actor, id string, reviewerIDs []string, leadID string) (*app.CaseView, error)
	Attest(ctx context.Context, a docket.Actor, id string) (*app.CaseView, error)
	CancelInfoRequest(ctx context.Context, a docket.Actor, reqID string) (*docket.InfoRequest, error)
	CreateCase(ctx context.Context, a docket.Actor, in docket.CaseInput) (*app.CaseView, error)
	Decide(ctx context.Context, a docket.Actor, id string, in app.DecisionInput) (*app.CaseView, error)
	DeclareConflict(ctx context.Context, a docket.Actor, id string, reason string) (*app.CaseView, error)
	DeleteCase(ctx context.Context, a docket.Actor, id string) error
	GetCase(ctx context.Context, a docket.Actor, id string) (*app.CaseView, error)
	RequestInfo(ctx context.Context, a docket.Actor, id string, question string) (*docket.InfoRequest, error)
	SubmitCase(ctx context.Context, a docket.Actor, id string) (*app.CaseView, error)
	UpdateCase(ctx context.Context, a docket.Actor, id string, in docket.CaseInput) (*app.CaseView, error)
	Withdraw(ctx context.Context, a docket.Actor, id string, reason string) (*app.CaseView, error)
}

// dashboardPagesCasesCalls is what the DashboardPages handlers call of the cases service.
type dashboardPagesCasesCalls interface {
	AttestedOn(ctx context.Context, a docket.Actor, caseIDs []string) (map[string]bool, error)
	Board(ctx context.Context, a docket.Actor, f app.CaseFilter, order string, offset int, limit int) (*app.Board, error)
	ClockStops(ctx context.Context, a docket.Actor, caseIDs []string) (map[string][]docket.ClockStop, error)
	ListCases(ctx context.Context, a docket.Actor, f app.CaseFilter, p app.Page) ([]*app.CaseView, string, error)
	Now() time.Time
	ReviewTeam(ctx context.Context, a docket.Actor) ([]app.TeamMember, error)
}

// findingPagesFindingsCalls is what the FindingPages handlers call of the findings service.
type findingPagesFindingsCalls interface {
	// StageUpload and CreateAttachment, which uploads call.
	httpx.UploadService
	AttachmentContent(ctx context.Context, a docket.Actor, id string) (*docket.Attachment, []byte, error)
	CheckAttach(ctx context.Context, a docket.Actor, t app.AttachTarget) error
	CreateComment(ctx context.Context, a docket.Actor, caseID string, body string, visibility string) (*docket.Comment, error)
	CreateFinding(ctx context.Context, a docket.Actor, caseID string, in docket.FindingInput) (*app.FindingView, error)
	ResolveFinding(ctx context.Context, a docket.Actor, id string, resolution string, note string, acceptedUntil string) (*app.FindingView, error)
	RespondFinding(ctx context.Context, a docket.Actor, id string, response string) (*app.FindingView, error)
	ShareFinding(ctx context.Context, a docket.Actor, id string, recipientIDs []string) (*app.FindingView, error)
	UpdateFinding(ctx context.Context, a docket.Actor, id string, in docket.FindingInput) (*app.FindingView, error)
}

// inboxPagesCasesCalls is what the InboxPages handlers call of the cases service.
type inboxPagesCasesCalls interface {
	AcknowledgedOf(ctx context.Context, a docket.Actor, ns []docket.Notification) (map[string]bool, error)
	Now() time.Time
	RecipientNames(ctx context.Context, a docket.Actor, ids []string) (map[string]string, error)
}

// inboxPagesDeliveryCalls is what the InboxPages handlers call of the delivery service.
type inboxPagesDeliveryCalls interface {
	Acknowledge(ctx context.Context, a docket.Actor, id string) (*docket.Notification, error)
	DigestsOf(ctx context.Context, a docket.Actor, ns []docket.Notification) (map[string][]docket.Notification, error)
	Forecast(ctx context.Context, a docket.Actor, until time.Time) ([]app.Occurrence, error)
	InboxGroups(ctx context.Context, a docket.Actor, p app.Page) ([]app.InboxGroup, string, error)
	MarkGroupRead(ctx context.Context, a docket.Actor, inboxID string) (int, error)
}

// reviewPagesCasesCalls is what the ReviewPages handlers call of the cases service.
type reviewPagesCasesCalls interface {
	Amend(ctx context.Context, a docket.Actor, caseID string, in docket.AmendmentInput) (*docket.Amendment, error)
	GetCase(ctx context.Context, a docket.Actor, id string) (*app.CaseView, error)
	ResolveAmendment(ctx context.Context, a docket.Actor, id string, r docket.AmendmentResolution) (*docket.Amendment, error)
}

// reviewPagesClearinghouseCalls is what the ReviewPages handlers call of the clearinghouse service.
type reviewPagesClearinghouseCalls interface {
	Clearinghouse(ctx context.Context, a docket.Actor, q string) (*app.Catalog, error)
	PublishFinding(ctx context.Context, a docket.Actor, id string, in docket.PublishInput) (*app.FindingView, error)
}

// reviewPagesEvidenceCalls is what the ReviewPages handlers call of the evidence service.
type reviewPagesEvidenceCalls interface {
	VerifyStatement(ctx context.Context, token string) (*app.Verification, error)
	GetStatement(ctx context.Context, a docket.Actor, caseID string) (*docket.Statement, error)
	RecordBenchmarkResult(ctx context.Context, a docket.Actor, caseID string, in docket.BenchmarkResultInput) (*docket.BenchmarkResult, error)
}

// casePresenterCasesCalls is what the case page calls of the cases service.
type casePresenterCasesCalls interface {
	CaseLabMembers(ctx context.Context, a docket.Actor, caseID string) ([]docket.User, error)
	FindingTally(ctx context.Context, a docket.Actor, caseID string) (*app.FindingTally, error)
	GetCase(ctx context.Context, a docket.Actor, id string) (*app.CaseView, error)
	GetClock(ctx context.Context, a docket.Actor, id string) (*app.ClockDetail, error)
	GetDecision(ctx context.Context, a docket.Actor, id string) (*docket.Decision, error)
	ListAmendments(ctx context.Context, a docket.Actor, caseID string) ([]docket.Amendment, error)
	ListInfoRequests(ctx context.Context, a docket.Actor, caseID string) ([]docket.InfoRequest, error)
	Now() time.Time
	ReviewTeam(ctx context.Context, a docket.Actor) ([]app.TeamMember, error)
}

// casePresenterEvidenceCalls is what the case page calls of the evidence service.
type casePresenterEvidenceCalls interface {
	Benchmarks() []docket.Benchmark
	GetStatement(ctx context.Context, a docket.Actor, caseID string) (*docket.Statement, error)
	ListBenchmarkResults(ctx context.Context, a docket.Actor, caseID string) ([]docket.BenchmarkResult, error)
}

// casePresenterFindingsCalls is what the case page calls of the findings service.
type casePresenterFindingsCalls interface {
	GetFinding(ctx context.Context, a docket.Actor, id string) (*app.FindingView, error)
	ListAttachments(ctx context.Context, a docket.Actor, caseID string) ([]docket.Attachment, error)
	ListComments(ctx context.Context, a docket.Actor, caseID string, p app.Page) ([]docket.Comment, string, error)
	ListFindings(ctx context.Context, a docket.Actor, caseID string, f app.FindingFilter, p app.Page) ([]*app.FindingView, string, error)
}

// teamCalls is what teamNames calls of the cases service.
type teamCalls interface {
	ReviewTeam(ctx context.Context, a docket.Actor) ([]app.TeamMember, error)
}

// AccountService is all the pages call of the accounts service.
type AccountService interface {
	accountPagesAccountsCalls
	adminPagesAccountsCalls
}

// ApprovalService is all the pages call of the approvals service.
type ApprovalService interface {
	adminPagesApprovalsCalls
	approvalPagesApprovalsCalls
}

// CaseService is all the pages call of the cases service.
type CaseService interface {
	accountPagesCasesCalls
	casePagesCasesCalls
	dashboardPagesCasesCalls
	inboxPagesCasesCalls
	view.CaseCalls
	reviewPagesCasesCalls
	casePresenterCasesCalls
	teamCalls
}

// ClearinghouseService is all the pages call of the clearinghouse service.
type ClearinghouseService interface {
	reviewPagesClearinghouseCalls
}

// DeliveryService is all the pages call of the delivery service.
type DeliveryService interface {
	adminPagesDeliveryCalls
	inboxPagesDeliveryCalls
	webhookPagesDeliveryCalls
	view.DeliveryCalls
}

// EvidenceService is all the pages call of the evidence service.
type EvidenceService interface {
	reviewPagesEvidenceCalls
	casePresenterEvidenceCalls
}

// FindingService is all the pages call of the findings service.
type FindingService interface {
	findingPagesFindingsCalls
	casePresenterFindingsCalls
}
