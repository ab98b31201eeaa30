package docket

import "strings"

// Step-up for what matters most: with auth.tlp_red_requires_phishing_resistant,
// TLP:RED content (a finding, its attachments, the lab's answer and the
// lead's note on it) is read, shared and labelled only in a session made with
// a passkey or a phishing-resistant single sign-on, whoever reads it: the
// agency, and the lab users a TLP:RED finding names alike.

// StepUpRequired reports whether content labelled tlp needs a stronger
// sign-in than the one the actor's session was made with: TLP:RED, while the
// setting holds (a.RedNeedsPhishingResistant), for a session made with
// neither a passkey nor a phishing-resistant single sign-on. An API token
// counts as the session it was made from.
func StepUpRequired(a Actor, tlp string) bool {
	return tlp == TLPRed && a.RedNeedsPhishingResistant && !a.PhishingResistant
}

// CheckStepUp answers 403 step_up_required when StepUpRequired, nil otherwise.
func CheckStepUp(a Actor, tlp string) error {
	if !StepUpRequired(a, tlp) {
		return nil
	}
	return &Error{Code: EStepUp, Message: "TLP:RED content needs a session made with a passkey or a phishing-resistant single sign-on; " +
		"this one was made another way: sign in again with one"}
}

// ACRPhishingResistant reports whether a single sign-on provider's acr says
// the person signed in in a way that cannot be phished, as Login.gov writes
// it: phishing_resistant=true, or hspd12=true (a PIV or CAC card).
func ACRPhishingResistant(acr string) bool {
	return strings.Contains(acr, "phishing_resistant=true") || strings.Contains(acr, "hspd12=true")
}
