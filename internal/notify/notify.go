// Package notify holds Docket's delivery channels outside the in-app inbox:
// e-mail over SMTP (or the log, when no SMTP server is configured) and
// signed webhooks, with the address guard that keeps webhooks from reaching
// inward. Channels plan messages with stable ids from the outbox and send
// them; the app package stores them, records each attempt and retries with
// backoff on its injected clock.
package notify

import (
	"log/slog"
	"strings"
	"time"

	"github.com/docket/docket/internal/app"
	"github.com/docket/docket/internal/config"
)

// Options are what the channels need.
type Options struct {
	Config config.Config
	// BaseURL is Docket's address, for links (no trailing slash needed).
	BaseURL string
	// Targets looks up webhook targets (the app service).
	Targets WebhookSource
	// Now is the injected clock, for webhook timestamps.
	Now    func() time.Time
	Logger *slog.Logger
	// Guard is the address guard webhooks dial through (main passes the one
	// the server checks URLs with); nil: one built from
	// webhooks.allow_private_targets.
	Guard *Guard
}

// Channels builds the e-mail and webhook channels from the configuration.
func Channels(o Options) ([]app.Channel, error) {
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	email, err := NewEmail(EmailOptions{SMTPURL: o.Config.SMTP.URL, From: o.Config.Mail.From, BaseURL: o.BaseURL,
		Location: o.Config.Location(), Logger: o.Logger, GiveUpAfter: o.Config.SMTP.GiveUpAfter,
		RepeatsInDigest: o.Config.Notify.RepeatsInDigest})
	if err != nil {
		return nil, err
	}
	g := o.Guard
	if g == nil {
		g = NewGuard(o.Config.Webhooks.AllowPrivateTargets)
	}
	hooks := NewWebhooks(WebhookOptions{Targets: o.Targets, Guard: g, Timeout: o.Config.Webhooks.Timeout,
		MaxAttempts: o.Config.Webhooks.MaxAttempts, Now: o.Now})
	return []app.Channel{email, hooks}, nil
}

// ts renders an instant as the API does: RFC 3339 UTC with milliseconds.
func ts(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

func trimBase(base string) string { return strings.TrimRight(base, "/") }
