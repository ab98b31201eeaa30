package web

import (
	"github.com/docket/docket/internal/app"
	"github.com/docket/docket/internal/web/api"
)

// OpenAPI is the API's OpenAPI 3 description, served at /api/openapi.json and
// checked against every response in the API tests.
var OpenAPI = api.OpenAPI

// ClearinghouseSchema is the JSON Schema (draft 2020-12) of the Clearinghouse
// feed, served at /api/v1/clearinghouse/schema.json.
var ClearinghouseSchema = api.ClearinghouseSchema

// The services the handlers call, one interface per area of the use-case
// layer: each is the union of what the API (web/api) and the pages call of
// that area, so that the handlers hold only what they call.
type (
	// CaseService is what the handlers call of the case service.
	CaseService interface{ api.CaseService }
	// FindingService is what the handlers call of the findings service.
	FindingService interface{ api.FindingService }
	// AccountService is what the handlers call of the accounts service.
	AccountService interface{ api.AccountService }
	// EvidenceService is what the handlers call of the review evidence service.
	EvidenceService interface{ api.EvidenceService }
	// ClearinghouseService is what the handlers call of the Clearinghouse service.
	ClearinghouseService interface{ api.ClearinghouseService }
	// DeliveryService is what the handlers call of the delivery service.
	DeliveryService interface{ api.DeliveryService }
	// AuditService is what the handlers call of the audit service.
	AuditService interface{ api.AuditService }
	// ApprovalService is what the approvals' routes and page call (app.Approvals).
	ApprovalService interface{ api.ApprovalService }
)

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
}

// servicesOf is the one place the handlers' services are wired: each area's
// handlers get that area's service.
func servicesOf(svc *app.Services, approvals ApprovalService) Services {
	return Services{Cases: svc.Cases, Findings: svc.Findings, Accounts: svc.Accounts, Evidence: svc.Evidence,
		Clearinghouse: svc.Clearinghouse, Delivery: svc.Delivery, Audit: svc.AuditTrail, Approvals: approvals}
}
