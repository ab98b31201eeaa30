package docket

import "strings"

// RuleWords says in words what a notification is about: one wording per rule
// (and threshold), which the e-mail, the inbox, the forecast and the digest
// all use. It names what is due and when, never any content. The two rules
// of one event (the lab's and the lead's overdue response, the agency's and
// the lab's lapse) read the same.
func RuleWords(rule, threshold string) string {
	switch rule {
	case RuleCaseReminder:
		return "Review deadline in " + thresholdDays(threshold)
	case RuleCaseUnassigned:
		return "Case still unassigned after receipt"
	case RuleCaseLapsed:
		return "Review window elapsed without a decision"
	case RuleReleaseConflict:
		return "Planned release on or before the review deadline"
	case RuleRequestLab, RuleRequestLead:
		return "Information request unanswered for " + thresholdDays(threshold)
	case RuleFindingReminder:
		return "Response to a finding due in " + thresholdDays(threshold)
	case RuleFindingOverdueLab, RuleFindingOverdue:
		return "Response to a finding overdue"
	case RuleRiskCritical:
		return "Risk tier reached critical"
	case RuleCapabilityJump:
		return "Capability jump: a benchmark two tiers or more above the previous version's"
	case RuleAcceptanceExpiring:
		return "Risk acceptance of a finding ends in " + thresholdDays(threshold)
	case RuleAcceptanceExpired:
		return "Risk acceptance of a finding ended: the finding is open again"
	case RuleDigest:
		return "Daily digest"
	case RuleApprovalRequested:
		return "A change to an account waits for a review lead's approval"
	}
	return strings.ReplaceAll(rule, "_", " ")
}

// thresholdDays turns a threshold such as "7d" into "7 days".
func thresholdDays(threshold string) string {
	n := strings.TrimSuffix(threshold, "d")
	if n == "1" {
		return "1 day"
	}
	return n + " days"
}
