package docket

// How notifications reach a user by e-mail (users' email_delivery), and how
// one notification does (its Mail). The inbox always has every notification.
const (
	// EmailEach: each notification by e-mail on its own (those of one sweep
	// in one message), except an escalation's repeats when
	// notify.repeats_in_digest holds: those wait for the daily digest.
	EmailEach = "each"
	// EmailDigest: everything in one daily digest.
	EmailDigest = "digest"
	// EmailNone: no e-mail, except a lapse's escalation, which nobody can turn off.
	EmailNone = "none"
)

// EmailDeliveries are the choices, in the order pages show them.
var EmailDeliveries = []string{EmailEach, EmailDigest, EmailNone}

// ValidEmailDelivery checks a user's choice of e-mail delivery (422 on email_delivery).
func ValidEmailDelivery(v string) error {
	if !OneOf(v, EmailDeliveries) {
		return Unacceptable("email_delivery", "must be one of each, digest, none")
	}
	return nil
}

// MailOf says how notification n reaches a recipient whose choice is choice:
// EmailEach, EmailDigest or EmailNone. A lapse's escalation is mailed as for
// EmailEach whatever the choice, since nobody can turn it off; with
// repeatsInDigest an escalation's repeats (after its first message) go into
// the daily digest. A digest's own Mail is DigestMail's.
func MailOf(choice string, n Notification, repeatsInDigest bool) string {
	if n.Rule == RuleCaseLapsed {
		choice = EmailEach
	}
	switch choice {
	case EmailNone:
		return EmailNone
	case EmailDigest:
		return EmailDigest
	}
	if repeatsInDigest && n.Kind == KindEscalation && n.Repeat > 0 {
		return EmailDigest
	}
	return EmailEach
}

// DigestMail says whether a recipient's daily digest is e-mailed: always,
// unless the recipient chose no e-mail and it carries nothing held back for
// it (for them, only a lapse's repeats are).
func DigestMail(choice string, carries bool) string {
	if choice == EmailNone && !carries {
		return EmailNone
	}
	return EmailEach
}
