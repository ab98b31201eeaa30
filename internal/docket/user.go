package docket

import (
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"
)

// Role is what a user does in Docket.
type Role string

// The five roles of DESIGN.md.
const (
	RoleLabMember    Role = "lab_member"
	RoleReviewer     Role = "reviewer"
	RoleReviewLead   Role = "review_lead"
	RoleCompliance   Role = "compliance_officer"
	RoleAdmin        Role = "admin"
	OrgKindLab            = "lab"
	OrgKindAgency         = "agency"
	MaxPasswordBytes      = 1024
	MinPasswordChars      = 12
)

// Roles lists every role, in the order pages show them.
var Roles = []Role{RoleLabMember, RoleReviewer, RoleReviewLead, RoleCompliance, RoleAdmin}

// Valid reports whether r is one of the five roles.
func (r Role) Valid() bool {
	for _, x := range Roles {
		if r == x {
			return true
		}
	}
	return false
}

// OrgKind is the kind of organisation the role belongs in.
func (r Role) OrgKind() string {
	if r == RoleLabMember {
		return OrgKindLab
	}
	return OrgKindAgency
}

// IsAgency reports whether the role belongs to the agency.
func (r Role) IsAgency() bool { return r.Valid() && r != RoleLabMember }

// Org is a lab or an office of the agency.
type Org struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	Kind      string    `json:"kind"`
	CreatedAt time.Time `json:"created_at"`
}

// User is a person who signs in to Docket.
type User struct {
	ID           string
	OrgID        string
	Email        string
	Name         string
	Role         Role
	PasswordHash string
	// PasswordByAdmin: the current password was set by an administrator (at
	// creation or by a reset) and the user has not changed it since.
	PasswordByAdmin bool
	Disabled        bool
	TokenVersion    int
	// MFAEnrolled: the user has a confirmed second factor.
	MFAEnrolled bool
	// SSOOnly: the account signs in by single sign-on only; its password does not work.
	SSOOnly bool
	// EmailDelivery is how notifications reach the user by e-mail: one of
	// EmailDeliveries (MailOf).
	EmailDelivery string
	CreatedAt     time.Time
	UpdatedAt     time.Time
	Org           Org
}

// Actor is who performs an action: the signed-in user and where the request came from.
type Actor struct {
	UserID    string
	Role      Role
	OrgID     string
	OrgKind   string
	RequestID string
	ClientIP  string
	SessionID string
	// APIToken says the actor signed in with a program's API token, not a session.
	APIToken bool
	// Scope is what that API token may do.
	Scope Scope
	// AMR is how the session (or the session an API token was made from)
	// was made: pwd, otp, hwk (a passkey), sso.
	AMR []string
	// SecondFactor: the session used a second factor (otp, hwk, or a single
	// sign-on whose acr shows one); PhishingResistant: a passkey, or a
	// single sign-on whose acr says phishing-resistant.
	SecondFactor      bool
	PhishingResistant bool
	// ACR is a single sign-on provider's acr; AuthenticatedAt when the person authenticated.
	ACR             string
	AuthenticatedAt time.Time
	// MFARequired: the actor's role must use a second factor (auth.mfa_required_roles).
	MFARequired bool
	// RedNeedsPhishingResistant: TLP:RED content needs a phishing-resistant
	// session (auth.tlp_red_requires_phishing_resistant); see StepUpRequired.
	RedNeedsPhishingResistant bool
}

// Scope limits what an API token may do.
type Scope string

// API token scopes.
const (
	// ScopeRead allows reads only (GET).
	ScopeRead Scope = "read"
	// ScopeWrite allows everything the user's role allows.
	ScopeWrite Scope = "write"
)

// Valid reports whether s is a scope an API token can have.
func (s Scope) Valid() bool { return s == ScopeRead || s == ScopeWrite }

// CanWrite reports whether the actor may change anything: every session, and
// an API token of scope write.
func (a Actor) CanWrite() bool { return !a.APIToken || a.Scope == ScopeWrite }

// System is the actor for work Docket does by itself (the scheduler, the demo).
func System() Actor { return Actor{Role: "system"} }

// ValidateOrg checks a new organisation's fields.
func ValidateOrg(name, kind string) error {
	if err := validName("name", name, 200); err != nil {
		return err
	}
	if kind != OrgKindLab && kind != OrgKindAgency {
		return Unacceptable("kind", "must be %q or %q", OrgKindLab, OrgKindAgency)
	}
	return nil
}

// NormalizeEmail returns the canonical form of an e-mail address (lower
// case), or a 422 naming field. Addresses are ASCII, an internationalised
// domain in its xn-- form, so that no look-alike of a real address (a dotless
// ı, a Cyrillic а, a fullwidth letter) can sit beside it; compared in lower
// case, no two addresses differ only in case.
func NormalizeEmail(field, email string) (string, error) {
	email = strings.TrimSpace(email)
	if email == "" {
		return "", Unacceptable(field, "is required")
	}
	if len(email) > 254 {
		return "", Unacceptable(field, "is longer than 254 characters")
	}
	for i := 0; i < len(email); i++ {
		if c := email[i]; c <= ' ' || c > '~' {
			return "", Unacceptable(field, "must be written in ASCII letters, digits and punctuation (an internationalised domain in its xn-- form)")
		}
	}
	a, err := mail.ParseAddress(email)
	if err != nil || a.Address != email || a.Name != "" {
		return "", Unacceptable(field, "is not an e-mail address")
	}
	return strings.ToLower(email), nil
}

// CheckRoleInOrg enforces that lab_member lives only in labs and every other role only in the agency.
func CheckRoleInOrg(role Role, orgKind string) error {
	if !role.Valid() {
		return Unacceptable("role", "must be one of lab_member, reviewer, review_lead, compliance_officer, admin")
	}
	if role.OrgKind() != orgKind {
		return Unacceptable("role", "%s exists only in %s organisations", role, role.OrgKind())
	}
	return nil
}

// CheckPassword enforces the password rules: at least MinPasswordChars characters, at most MaxPasswordBytes bytes.
func CheckPassword(field, pw string) error {
	if utf8.RuneCountInString(pw) < MinPasswordChars {
		return Unacceptable(field, "must be at least %d characters", MinPasswordChars)
	}
	if len(pw) > MaxPasswordBytes {
		return Unacceptable(field, "must be at most %d bytes", MaxPasswordBytes)
	}
	return nil
}

// validName checks a required free-text name.
func validName(field, s string, max int) error {
	if strings.TrimSpace(s) == "" {
		return Unacceptable(field, "is required")
	}
	if utf8.RuneCountInString(s) > max {
		return Unacceptable(field, "must be at most %d characters", max)
	}
	if !utf8.ValidString(s) || hasControl(s) {
		return Unacceptable(field, "contains control characters")
	}
	return nil
}

// ValidateName checks a required free-text name of at most max characters.
func ValidateName(field, s string, max int) error { return validName(field, s, max) }

func hasControl(s string) bool {
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			return true
		}
	}
	return false
}
