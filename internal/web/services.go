package web

import (
	"context"

	"github.com/docket/docket/internal/app"
	"github.com/docket/docket/internal/auth"
	"github.com/docket/docket/internal/docket"
	"github.com/docket/docket/internal/web/api"
	"github.com/docket/docket/internal/web/ui"
)

// OpenAPI is the API's OpenAPI 3 description, served at /api/openapi.json and
// checked against every response in the API tests.
var OpenAPI = api.OpenAPI

// ClearinghouseSchema is the JSON Schema (draft 2020-12) of the Clearinghouse
// feed, served at /api/v1/clearinghouse/schema.json.
var ClearinghouseSchema = api.ClearinghouseSchema

// The services the handlers call, one interface per area of the use-case
// layer: each is the union of what the API (web/api), the pages (web/ui) and
// the server itself (sessions, CSRF keys, the error handler) call of that
// area, so that the handlers hold only what they call.
type (
	// CaseService is what the handlers call of the case service.
	CaseService interface {
		api.CaseService
		ui.CaseService
	}
	// FindingService is what the handlers call of the findings service.
	FindingService interface {
		api.FindingService
		ui.FindingService
	}
	// AccountService is what the handlers call of the accounts service.
	AccountService interface {
		api.AccountService
		ui.AccountService
		serverAccountsCalls
	}
	// EvidenceService is what the handlers call of the review evidence service.
	EvidenceService interface {
		api.EvidenceService
		ui.EvidenceService
	}
	// EvaluationService is what the handlers call of the evaluations service.
	EvaluationService interface {
		api.EvaluationService
		ui.EvaluationService
	}
	// ClearinghouseService is what the handlers call of the Clearinghouse service.
	ClearinghouseService interface {
		api.ClearinghouseService
		ui.ClearinghouseService
	}
	// DeliveryService is what the handlers call of the delivery service.
	DeliveryService interface {
		api.DeliveryService
		ui.DeliveryService
	}
	// AuditService is what the handlers call of the audit service.
	AuditService interface {
		api.AuditService
		serverAuditCalls
	}
	// ApprovalService is what the approvals' routes and page call (app.Approvals).
	ApprovalService interface {
		api.ApprovalService
		ui.ApprovalService
	}
	// FactorService is what the handlers call of the second factors' service.
	FactorService interface {
		api.FactorService
		ui.FactorService
	}
)

// serverAccountsCalls is what the server itself calls of the accounts
// service: authenticating sessions and tokens, signing in and out from the
// pages, and the key of the CSRF tokens.
type serverAccountsCalls interface {
	Authenticate(ctx context.Context, kind auth.Kind, raw string, a docket.Actor) (docket.Actor, *docket.User, error)
	DerivedKey(purpose string) []byte
	Logout(ctx context.Context, a docket.Actor) error
	SignInPage(ctx context.Context, email string, password string, a docket.Actor) (*app.Session, error)
	SecondStep(ctx context.Context, pending, code string, a docket.Actor) (*app.Session, error)
	SignInSSO(ctx context.Context, id app.SSOIdentity, a docket.Actor) (*app.Session, error)
}

// serverAuditCalls is what the error handler calls of the audit service.
type serverAuditCalls interface {
	AuditDenied(ctx context.Context, a docket.Actor, method string, path string, status int, code string)
}

// Services are the services the handlers call, one field per area.
type Services struct {
	Cases         CaseService
	Findings      FindingService
	Accounts      AccountService
	Evidence      EvidenceService
	Clearinghouse ClearinghouseService
	Delivery      DeliveryService
	Audit         AuditService
	Approvals     ApprovalService
	Factors       FactorService
	Provider      api.ProviderService
	Evaluations   EvaluationService
}

// servicesOf is the one place the handlers' services are wired: each area's
// handlers get that area's service.
func servicesOf(svc *app.Services, approvals ApprovalService) Services {
	return Services{Cases: svc.Cases, Findings: svc.Findings, Accounts: svc.Accounts, Evidence: svc.Evidence,
		Clearinghouse: svc.Clearinghouse, Delivery: svc.Delivery, Audit: svc.AuditTrail, Approvals: approvals,
		Factors: svc.Factors, Provider: svc.Provider, Evaluations: svc.Evaluations}
}
