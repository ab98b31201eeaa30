// Package api serves Docket's JSON API under /api/v1 and its OpenAPI document:
// the handlers, by area (Cases, Findings, Accounts, Evidence, Clearinghouse,
// Delivery, Approvals), each holding only the narrow service interfaces it
// calls (handlers.go), and the JSON views and encoders they answer with. The
// route table, authentication and errors are the web package's.
package api

import (
	"context"
	"net/mail"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/docket/docket/internal/app"
	"github.com/docket/docket/internal/docket"
	"github.com/docket/docket/internal/statement"
	"github.com/docket/docket/internal/web/httpx"
)

// accountsAccountsCalls is what the Accounts handlers call of the accounts service.
type accountsAccountsCalls interface {
	CalendarFeed(ctx context.Context, token string) (*app.Calendar, error)
	CalendarURL(ctx context.Context, a docket.Actor) (*docket.CalendarFeed, error)
	ChangePassword(ctx context.Context, a docket.Actor, current string, next string) error
	CreateAPIToken(ctx context.Context, a docket.Actor, name string, scope docket.Scope, expiresAt *time.Time) (*app.Session, *app.Token, error)
	CreateCalendarURL(ctx context.Context, a docket.Actor) (string, time.Time, error)
	CreateOrg(ctx context.Context, a docket.Actor, name string, kind string) (*docket.Org, error)
	CreateUser(ctx context.Context, a docket.Actor, in app.NewUser) (app.UserChange, error)
	DeleteAPIToken(ctx context.Context, a docket.Actor, id string) error
	DeleteCalendarURL(ctx context.Context, a docket.Actor) error
	ListAPITokens(ctx context.Context, a docket.Actor) ([]app.Token, error)
	ListOrgs(ctx context.Context, a docket.Actor, p app.Page) ([]docket.Org, string, error)
	ListUsers(ctx context.Context, a docket.Actor, f app.UserFilter, p app.Page) ([]docket.User, string, error)
	Logout(ctx context.Context, a docket.Actor) error
	Me(ctx context.Context, a docket.Actor) (*docket.User, error)
	SetEmailDelivery(ctx context.Context, a docket.Actor, choice string) (*docket.User, error)
	SignInWithCode(ctx context.Context, email, password, code string, a docket.Actor) (*app.Session, error)
	UpdateUser(ctx context.Context, a docket.Actor, id string, p app.UserPatch) (app.UserChange, error)
	RemoveFactors(ctx context.Context, a docket.Actor, id string) (app.UserChange, error)
}

// accountsAuditCalls is what the Accounts handlers call of the audit service.
type accountsAuditCalls interface {
	ListAllAudit(ctx context.Context, a docket.Actor, p app.Page) ([]docket.AuditEvent, string, error)
}

// Accounts serves the accounts routes of the API; it holds what its handlers call.
type Accounts struct {
	accounts accountsAccountsCalls
	audit    accountsAuditCalls
	// baseURL is Docket's address for links ("": the request's host).
	baseURL string
	// location is the zone the calendar feed writes dates in.
	location *time.Location
	// organizer is the calendar feed's ORGANIZER, the agency (mail.from).
	organizer *mail.Address
}

// Approvals serves the approvals routes of the API; it holds what its handlers call.
type Approvals struct {
	approvals ApprovalService
}

// casesAuditCalls is what the Cases handlers call of the audit service.
type casesAuditCalls interface {
	ListCaseAudit(ctx context.Context, a docket.Actor, caseID string, p app.Page) ([]docket.AuditEvent, string, error)
}

// casesCasesCalls is what the Cases handlers call of the cases service.
type casesCasesCalls interface {
	Amend(ctx context.Context, a docket.Actor, caseID string, in docket.AmendmentInput) (*docket.Amendment, error)
	AnswerInfoRequest(ctx context.Context, a docket.Actor, reqID string, answer string) (*docket.InfoRequest, error)
	Assign(ctx context.Context, a docket.Actor, id string, reviewerIDs []string, leadID string) (*app.CaseView, error)
	Attest(ctx context.Context, a docket.Actor, id string) (*app.CaseView, error)
	CancelInfoRequest(ctx context.Context, a docket.Actor, reqID string) (*docket.InfoRequest, error)
	CreateCase(ctx context.Context, a docket.Actor, in docket.CaseInput) (*app.CaseView, error)
	Dashboard(ctx context.Context, a docket.Actor, f app.CaseFilter, p app.Page) (*app.Dashboard, error)
	Decide(ctx context.Context, a docket.Actor, id string, in app.DecisionInput) (*app.CaseView, error)
	DeclareConflict(ctx context.Context, a docket.Actor, id string, reason string) (*app.CaseView, error)
	DeleteCase(ctx context.Context, a docket.Actor, id string) error
	GetCase(ctx context.Context, a docket.Actor, id string) (*app.CaseView, error)
	GetClock(ctx context.Context, a docket.Actor, id string) (*app.ClockDetail, error)
	ListAmendments(ctx context.Context, a docket.Actor, caseID string) ([]docket.Amendment, error)
	ListCases(ctx context.Context, a docket.Actor, f app.CaseFilter, p app.Page) ([]*app.CaseView, string, error)
	ListInfoRequests(ctx context.Context, a docket.Actor, caseID string) ([]docket.InfoRequest, error)
	RequestInfo(ctx context.Context, a docket.Actor, id string, question string) (*docket.InfoRequest, error)
	ReviewTeam(ctx context.Context, a docket.Actor) ([]app.TeamMember, error)
	ResolveAmendment(ctx context.Context, a docket.Actor, id string, r docket.AmendmentResolution) (*docket.Amendment, error)
	SubmitCase(ctx context.Context, a docket.Actor, id string) (*app.CaseView, error)
	UpdateCase(ctx context.Context, a docket.Actor, id string, in docket.CaseInput) (*app.CaseView, error)
	Withdraw(ctx context.Context, a docket.Actor, id string, reason string) (*app.CaseView, error)
}

// Cases serves the cases routes of the API; it holds what its handlers call.
type Cases struct {
	audit casesAuditCalls
	cases casesCasesCalls
}

// clearinghouseCasesCalls is what the Clearinghouse handlers call of the cases service.
type clearinghouseCasesCalls interface {
	Now() time.Time
}

// clearinghouseClearinghouseCalls is what the Clearinghouse handlers call of the clearinghouse service.
type clearinghouseClearinghouseCalls interface {
	Clearinghouse(ctx context.Context, a docket.Actor, q string) (*app.Catalog, error)
	KEV(ctx context.Context, a docket.Actor) (*app.Catalog, error)
	PublishFinding(ctx context.Context, a docket.Actor, id string, in docket.PublishInput) (*app.FindingView, error)
}

// Clearinghouse serves the clearinghouse routes of the API; it holds what its handlers call.
type Clearinghouse struct {
	cases         clearinghouseCasesCalls
	clearinghouse clearinghouseClearinghouseCalls
	// feeds are the encoded feeds (feed.go).
	feeds *feeds
	// baseURL is Docket's address for links and ids ("": the request's host);
	// agency is the agency's name, the feeds' publisher.
	baseURL, agency string
}

// deliveryDeliveryCalls is what the Delivery handlers call of the delivery service.
type deliveryDeliveryCalls interface {
	Acknowledge(ctx context.Context, a docket.Actor, id string) (*docket.Notification, error)
	CreateWebhook(ctx context.Context, a docket.Actor, in app.WebhookInput, guard app.URLGuard) (*docket.Webhook, string, error)
	DeleteWebhook(ctx context.Context, a docket.Actor, id string) error
	Forecast(ctx context.Context, a docket.Actor, until time.Time) ([]app.Occurrence, error)
	Inbox(ctx context.Context, a docket.Actor, p app.Page) ([]docket.Notification, string, error)
	ListDeliveries(ctx context.Context, a docket.Actor, f app.DeliveryFilter, p app.Page) ([]docket.Delivery, string, error)
	ListWebhookDeliveries(ctx context.Context, a docket.Actor, id string, p app.Page) ([]docket.Delivery, string, error)
	ListWebhooks(ctx context.Context, a docket.Actor, p app.Page) ([]docket.Webhook, string, error)
	MarkRead(ctx context.Context, a docket.Actor, inboxID string) (*docket.Notification, error)
	PingWebhook(ctx context.Context, a docket.Actor, id string) error
	RetryDelivery(ctx context.Context, a docket.Actor, id string) (*docket.Delivery, error)
	RotateWebhookSecret(ctx context.Context, a docket.Actor, id string) (*docket.Webhook, string, error)
	UnreadCount(ctx context.Context, a docket.Actor) (int, error)
	UpdateWebhook(ctx context.Context, a docket.Actor, id string, in docket.WebhookUpdate) (*docket.Webhook, error)
}

// Delivery serves the delivery routes of the API; it holds what its handlers call.
type Delivery struct {
	delivery deliveryDeliveryCalls
	// guard checks webhook URLs when saved.
	guard app.URLGuard
}

// evidenceEvidenceCalls is what the Evidence handlers call of the evidence service.
type evidenceEvidenceCalls interface {
	GetStatement(ctx context.Context, a docket.Actor, caseID string) (*docket.Statement, error)
	JWKS(ctx context.Context) (statement.JWKS, error)
	ListBenchmarkResults(ctx context.Context, a docket.Actor, caseID string) ([]docket.BenchmarkResult, error)
	ListBenchmarks(a docket.Actor) ([]docket.Benchmark, error)
	RecordBenchmarkResult(ctx context.Context, a docket.Actor, caseID string, in docket.BenchmarkResultInput) (*docket.BenchmarkResult, error)
	VerifyStatement(ctx context.Context, token string) (*app.Verification, error)
}

// Evidence serves the evidence routes of the API; it holds what its handlers call.
type Evidence struct {
	evidence evidenceEvidenceCalls
}

// findingsCasesCalls is what the Findings handlers call of the cases service.
type findingsCasesCalls interface {
	Now() time.Time
}

// findingsFindingsCalls is what the Findings handlers call of the findings service.
type findingsFindingsCalls interface {
	// StageUpload and CreateAttachment, which uploads call.
	httpx.UploadService
	AttachmentContent(ctx context.Context, a docket.Actor, id string) (*docket.Attachment, []byte, error)
	CheckAttach(ctx context.Context, a docket.Actor, t app.AttachTarget) error
	CreateComment(ctx context.Context, a docket.Actor, caseID string, body string, visibility string) (*docket.Comment, error)
	CreateFinding(ctx context.Context, a docket.Actor, caseID string, in docket.FindingInput) (*app.FindingView, error)
	GetAttachment(ctx context.Context, a docket.Actor, id string) (*docket.Attachment, error)
	GetFinding(ctx context.Context, a docket.Actor, id string) (*app.FindingView, error)
	ListComments(ctx context.Context, a docket.Actor, caseID string, p app.Page) ([]docket.Comment, string, error)
	ListFindings(ctx context.Context, a docket.Actor, caseID string, f app.FindingFilter, p app.Page) ([]*app.FindingView, string, error)
	ResolveFinding(ctx context.Context, a docket.Actor, id string, resolution string, note string, acceptedUntil string) (*app.FindingView, error)
	RespondFinding(ctx context.Context, a docket.Actor, id string, response string) (*app.FindingView, error)
	ShareFinding(ctx context.Context, a docket.Actor, id string, recipientIDs []string) (*app.FindingView, error)
	UpdateFinding(ctx context.Context, a docket.Actor, id string, in docket.FindingInput) (*app.FindingView, error)
}

// Findings serves the findings routes of the API; it holds what its handlers call.
type Findings struct {
	cases    findingsCasesCalls
	findings findingsFindingsCalls
	// uploads receives attachments.
	uploads httpx.Uploads
}

// AccountService is all the API calls of the accounts service.
type AccountService interface {
	accountsAccountsCalls
}

// AuditService is all the API calls of the audit service.
type AuditService interface {
	accountsAuditCalls
	casesAuditCalls
}

// CaseService is all the API calls of the cases service.
type CaseService interface {
	casesCasesCalls
	clearinghouseCasesCalls
	findingsCasesCalls
}

// ClearinghouseService is all the API calls of the clearinghouse service.
type ClearinghouseService interface {
	clearinghouseClearinghouseCalls
}

// DeliveryService is all the API calls of the delivery service.
type DeliveryService interface {
	deliveryDeliveryCalls
}

// EvidenceService is all the API calls of the evidence service.
type EvidenceService interface {
	evidenceEvidenceCalls
}

// FindingService is all the API calls of the findings service.
type FindingService interface {
	findingsFindingsCalls
}

// Services are the services the API calls, one field per area.
type Services struct {
	Accounts      AccountService
	Audit         AuditService
	Cases         CaseService
	Clearinghouse ClearinghouseService
	Delivery      DeliveryService
	Evidence      EvidenceService
	Findings      FindingService
	Approvals     ApprovalService
	Factors       FactorService
	Provider      ProviderService
	Evaluations   EvaluationService
}

// Settings are the settings the API's handlers use.
type Settings struct {
	// BaseURL is Docket's address for links ("": the request's host).
	BaseURL string
	// Location is the zone of the calendar feed's dates.
	Location *time.Location
	// UploadMaxBytes is the largest attachment an upload may carry.
	UploadMaxBytes int64
	// Guard checks webhook URLs when saved.
	Guard app.URLGuard
	// Organizer is the agency's address (mail.from), the calendar feed's ORGANIZER.
	Organizer *mail.Address
	// AgencyName is the agency's name (agency.name), the Clearinghouse feeds' publisher.
	AgencyName string
	// Contact is the agency's address (mail.from), security.txt's contact.
	Contact string
}

// Handlers are the API's handlers, by area; the route table (web) names them.
type Handlers struct {
	Accounts      *Accounts
	Approvals     *Approvals
	Cases         *Cases
	Clearinghouse *Clearinghouse
	Delivery      *Delivery
	Evidence      *Evidence
	Evaluations   *Evaluations
	Findings      *Findings
	Factors       *Factors
	Provider      *Provider
	// OpenAPI serves the deployment's OpenAPI document (Served).
	OpenAPI echo.HandlerFunc
}

// New builds the API's handlers over the services.
func New(sv Services, st Settings) (*Handlers, error) {
	doc, err := Served(st)
	if err != nil {
		return nil, err
	}
	return &Handlers{
		Accounts:  &Accounts{accounts: sv.Accounts, audit: sv.Audit, baseURL: st.BaseURL, location: st.Location, organizer: st.Organizer},
		Approvals: &Approvals{approvals: sv.Approvals},
		Cases:     &Cases{audit: sv.Audit, cases: sv.Cases},
		Clearinghouse: &Clearinghouse{cases: sv.Cases, clearinghouse: sv.Clearinghouse, feeds: &feeds{}, baseURL: st.BaseURL,
			agency: st.AgencyName},
		Delivery:    &Delivery{delivery: sv.Delivery, guard: st.Guard},
		Evidence:    &Evidence{evidence: sv.Evidence},
		Evaluations: &Evaluations{evaluations: sv.Evaluations, uploads: httpx.Uploads{MaxBytes: st.UploadMaxBytes}},
		Findings:    &Findings{cases: sv.Cases, findings: sv.Findings, uploads: httpx.Uploads{Service: sv.Findings, MaxBytes: st.UploadMaxBytes}},
		Factors:     &Factors{factors: sv.Factors},
		Provider:    newProvider(sv.Provider, st),
		OpenAPI:     serveOpenAPI(doc),
	}, nil
}
