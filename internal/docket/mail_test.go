package docket

import (
	"strings"
	"testing"
)

func TestMailOf(t *testing.T) {
	reminder := Notification{Rule: RuleCaseReminder, Kind: KindReminder}
	first := Notification{Rule: RuleRiskCritical, Kind: KindEscalation}
	repeat := Notification{Rule: RuleRiskCritical, Kind: KindEscalation, Repeat: 2}
	lapse := Notification{Rule: RuleCaseLapsed, Kind: KindEscalation}
	lapseRepeat := Notification{Rule: RuleCaseLapsed, Kind: KindEscalation, Repeat: 1}
	approval := Notification{Rule: RuleApprovalRequested, Kind: KindApproval}
	for _, c := range []struct {
		choice  string
		n       Notification
		repeats bool
		want    string
	}{
		{EmailEach, reminder, true, EmailEach},
		{EmailEach, first, true, EmailEach},
		{EmailEach, repeat, true, EmailDigest},
		{EmailEach, repeat, false, EmailEach},
		{"", repeat, true, EmailDigest}, // unset reads as each
		{EmailDigest, reminder, true, EmailDigest},
		{EmailDigest, approval, false, EmailDigest},
		{EmailNone, reminder, true, EmailNone},
		{EmailNone, repeat, false, EmailNone},
		// A lapse cannot be turned off: mailed as for each.
		{EmailNone, lapse, true, EmailEach},
		{EmailDigest, lapse, true, EmailEach},
		{EmailNone, lapseRepeat, true, EmailDigest},
		{EmailNone, lapseRepeat, false, EmailEach},
	} {
		if got := MailOf(c.choice, c.n, c.repeats); got != c.want {
			t.Errorf("MailOf(%q, %s repeat %d, %v) = %s, want %s", c.choice, c.n.Rule, c.n.Repeat, c.repeats, got, c.want)
		}
	}
	if DigestMail(EmailNone, false) != EmailNone || DigestMail(EmailNone, true) != EmailEach ||
		DigestMail(EmailEach, false) != EmailEach || DigestMail(EmailDigest, false) != EmailEach {
		t.Error("DigestMail")
	}
	for _, v := range EmailDeliveries {
		if ValidEmailDelivery(v) != nil {
			t.Errorf("%s refused", v)
		}
	}
	if err := ValidEmailDelivery("weekly"); ErrorCode(err) != EUnprocessable || !strings.Contains(err.Error(), "email_delivery") {
		t.Errorf("weekly: %v", err)
	}
}

// TestRuleWords: every rule has a wording of its own (not the fallback), the
// two rules of one event read the same, and a threshold's days are spelled.
func TestRuleWords(t *testing.T) {
	rules := []string{RuleCaseReminder, RuleCaseUnassigned, RuleCaseLapsed, RuleReleaseConflict, RuleRequestLab, RuleRequestLead,
		RuleFindingReminder, RuleFindingOverdueLab, RuleFindingOverdue, RuleRiskCritical, RuleCapabilityJump,
		RuleAcceptanceExpiring, RuleAcceptanceExpired, RuleDigest, RuleApprovalRequested}
	for _, r := range rules {
		w := RuleWords(r, "3d")
		if w == "" || strings.Contains(w, ".") || strings.Contains(w, "_") || strings.ToUpper(w[:1]) != w[:1] {
			t.Errorf("%s reads %q", r, w)
		}
	}
	same := [][2]string{{RuleFindingOverdueLab, RuleFindingOverdue}, {RuleRequestLab, RuleRequestLead}}
	for _, p := range same {
		if RuleWords(p[0], "5d") != RuleWords(p[1], "5d") {
			t.Errorf("%s and %s read differently", p[0], p[1])
		}
	}
	if RuleWords(RuleCaseLapsed, "lapsed") != RuleWords(RuleCaseLapsed, "lapsed-lab") {
		t.Error("the agency's and the lab's lapse read differently")
	}
	if got := RuleWords(RuleCaseReminder, "1d"); got != "Review deadline in 1 day" {
		t.Errorf("1d: %q", got)
	}
	if got := RuleWords(RuleCaseReminder, "7d"); got != "Review deadline in 7 days" {
		t.Errorf("7d: %q", got)
	}
}
