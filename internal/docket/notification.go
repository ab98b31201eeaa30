package docket

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
	"time"
)

// Notification kinds.
const (
	KindReminder   = "reminder"
	KindEscalation = "escalation"
	KindDigest     = "digest"
	// KindApproval is an account change that waits for a review lead's
	// approval: an item of the inbox and an e-mail, never a webhook call.
	KindApproval = "approval"
)

// Notification rules.
const (
	RuleCaseReminder      = "case.reminder"
	RuleCaseUnassigned    = "case.unassigned"
	RuleCaseLapsed        = "case.lapsed"
	RuleReleaseConflict   = "case.release_conflict"
	RuleRequestLab        = "info_request.unanswered_lab"
	RuleRequestLead       = "info_request.unanswered_lead"
	RuleFindingReminder   = "finding.response_reminder"
	RuleFindingOverdueLab = "finding.overdue_lab"
	RuleFindingOverdue    = "finding.overdue_lead"
	RuleRiskCritical      = "case.risk_critical"
	// RuleCapabilityJump: a result two tiers or more above the line's
	// previous version's (docket.CapabilityJump).
	RuleCapabilityJump = "case.capability_jump"
	// RuleAcceptanceExpiring warns the case lead before a risk acceptance
	// ends; RuleAcceptanceExpired tells the lab and the case lead that it
	// ended and the finding reopened.
	RuleAcceptanceExpiring = "finding.acceptance_expiring"
	RuleAcceptanceExpired  = "finding.acceptance_expired"
	RuleDigest             = "digest.daily"
	// RuleApprovalRequested tells leads and compliance officers that an
	// account change waits for approval (docket.Approval).
	RuleApprovalRequested = "approval.requested"
)

// Notification is one row of the outbox: one recipient, one key. It never
// carries confidential content: the case number, what is due and when.
type Notification struct {
	ID          string
	InboxID     string
	Key         string
	GroupKey    string
	Rule        string
	Kind        string
	SubjectType string
	SubjectID   string
	CaseID      string
	CaseNumber  string
	RecipientID string
	DeadlineAt  time.Time // the deadline instant the key was computed for
	DueAt       time.Time // the deadline shown to the recipient
	Threshold   string
	Repeat      int
	CreatedAt   time.Time
	ReadAt      *time.Time
	State       string
	DeliveredAt *time.Time
	// Mail is how the notification reaches its recipient by e-mail, decided
	// when it is made (MailOf): EmailEach on its own, EmailDigest in the
	// recipient's next daily digest, EmailNone not at all. "" reads as EmailEach.
	Mail string
}

// NotificationKey is the identity of a notification: rule, subject, the
// deadline instant it was computed for, threshold, repeat number, recipient.
func NotificationKey(rule, subjectID string, deadline time.Time, threshold string, repeat int, recipient string) string {
	return strings.Join([]string{groupKey(rule, subjectID, deadline, threshold), strconv.Itoa(repeat), recipient}, "|")
}

// GroupKey identifies the escalation a notification belongs to, whatever its
// repeat and recipient: acknowledging one acknowledges the group.
func GroupKey(rule, subjectID string, deadline time.Time, threshold string) string {
	return groupKey(rule, subjectID, deadline, threshold)
}

func groupKey(rule, subjectID string, deadline time.Time, threshold string) string {
	return strings.Join([]string{rule, subjectID, strconv.FormatInt(deadline.UnixMilli(), 10), threshold}, "|")
}

// MessageID derives a stable message id from one or more keys, so that a
// receiver can drop a resend after a crash.
func MessageID(keys ...string) string {
	h := sha256.New()
	for _, k := range keys {
		h.Write([]byte(k))
		h.Write([]byte{0})
	}
	return "msg_" + hex.EncodeToString(h.Sum(nil))[:40]
}
