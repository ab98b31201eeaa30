package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net"
	netmail "net/mail"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/wneessen/go-mail"

	"github.com/docket/docket/internal/app"
	"github.com/docket/docket/internal/docket"
)

// EmailOptions configure the e-mail channel.
type EmailOptions struct {
	// SMTPURL is smtp://user:pass@host:port?tls=none|starttls|tls; "" logs
	// the messages instead of sending them.
	SMTPURL  string
	From     string
	BaseURL  string
	Location *time.Location
	Logger   *slog.Logger
	// Timeout bounds one connection to the server (default 10 s).
	Timeout time.Duration
	// GiveUpAfter is how long a message is retried before it is parked as
	// failed (smtp.give_up_after); 0: never.
	GiveUpAfter time.Duration
	// RepeatsInDigest says escalations' repeats wait for the daily digest
	// (notify.repeats_in_digest), which the footer tells.
	RepeatsInDigest bool
}

// Email sends one message per recipient per batch over SMTP, or writes it to
// the log when no server is configured. A message names case numbers, what is
// due and when, and links to the case: never finding text, evidence, answers
// or attachments.
type Email struct {
	from   string
	domain string
	base   string
	loc    *time.Location
	log    *slog.Logger
	client *mail.Client // nil: the log
	giveUp time.Duration
	// repeatsInDigest: escalations' repeats wait for the daily digest.
	repeatsInDigest bool
}

// NewEmail builds the e-mail channel; a bad SMTP URL is an error.
func NewEmail(o EmailOptions) (*Email, error) {
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Location == nil {
		o.Location = time.UTC
	}
	if o.Timeout <= 0 {
		o.Timeout = 10 * time.Second
	}
	from, err := netmail.ParseAddress(o.From)
	if err != nil {
		return nil, fmt.Errorf("mail.from: %w", err)
	}
	e := &Email{from: o.From, base: trimBase(o.BaseURL), loc: o.Location, log: o.Logger, domain: "docket.invalid",
		giveUp: o.GiveUpAfter, repeatsInDigest: o.RepeatsInDigest}
	if _, d, ok := strings.Cut(from.Address, "@"); ok && d != "" {
		e.domain = d
	}
	if o.SMTPURL == "" {
		return e, nil
	}
	e.client, err = smtpClient(o.SMTPURL, o.Timeout)
	if err != nil {
		return nil, fmt.Errorf("smtp.url: %w", err)
	}
	return e, nil
}

// smtpClient reads smtp://user:pass@host:port?tls=none|starttls|tls.
func smtpClient(raw string, timeout time.Duration) (*mail.Client, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "smtp" || u.Hostname() == "" {
		return nil, errors.New("want smtp://user:pass@host:port?tls=none|starttls|tls")
	}
	port, err := strconv.Atoi(u.Port())
	if err != nil {
		return nil, errors.New("no port")
	}
	opts := []mail.Option{mail.WithPort(port), mail.WithTimeout(timeout)}
	switch u.Query().Get("tls") {
	case "none":
		opts = append(opts, mail.WithTLSPolicy(mail.NoTLS))
	case "tls":
		opts = append(opts, mail.WithSSL())
	default: // starttls, the default: never send in the clear to a server that offers nothing
		opts = append(opts, mail.WithTLSPolicy(mail.TLSMandatory))
	}
	if u.User != nil {
		pass, _ := u.User.Password()
		opts = append(opts, mail.WithSMTPAuth(mail.SMTPAuthAutoDiscover), mail.WithUsername(u.User.Username()),
			mail.WithPassword(pass))
	}
	return mail.NewClient(u.Hostname(), opts...)
}

// Name is the channel's name in the deliveries table.
func (e *Email) Name() string { return docket.ChannelEmail }

// Retry keeps trying while the server is away, backing off to half an hour,
// for smtp.give_up_after; then, or at once on a permanent refusal (5xx), the
// message is parked as failed, where an administrator sees it and can retry.
func (e *Email) Retry() app.RetryPolicy {
	p := app.RetryPolicy{Base: 30 * time.Second, Max: 30 * time.Minute}
	if e.giveUp > 0 {
		p.MaxAttempts = p.AttemptsWithin(e.giveUp)
	}
	return p
}

// emailPayload is a rendered message as stored, so that every attempt sends
// the same bytes under the same Message-ID.
type emailPayload struct {
	To      string `json:"to"`
	Subject string `json:"subject"`
	Text    string `json:"text"`
	HTML    string `json:"html"`
	Date    string `json:"date"`
}

// item is one notification of a message, in words; a digest's lines say
// what it carries.
type item struct {
	Number string
	What   string
	Due    string
	DueUTC string
	Link   string
	IsCase bool
	Digest bool
	Lines  []digestLine
}

// digestLine is one line of a digest: what, how many, which cases.
type digestLine struct {
	What  string
	Count int
	Cases string
}

// Plan groups the batch's notifications that go by e-mail on their own (not
// those held for a digest or not mailed: docket.MailOf) by recipient: one
// message each, its Message-ID derived from the sorted outbox keys it
// carries. Disabled or unknown recipients get nothing.
func (e *Email) Plan(b app.Batch) ([]docket.Delivery, error) {
	var mailed []docket.Notification
	for _, n := range b.Notifications {
		if n.Mail == "" || n.Mail == docket.EmailEach {
			mailed = append(mailed, n)
		}
	}
	var out []docket.Delivery
	for _, g := range app.GroupByRecipient(mailed) {
		u, ok := b.Users[g.RecipientID]
		if !ok || u.Disabled || u.Email == "" {
			continue
		}
		p := e.render(u.Email, g.Notifications, b.Digests, b.Now)
		payload, err := json.Marshal(p)
		if err != nil {
			return nil, err
		}
		d := docket.Delivery{MessageID: g.MessageID, Type: messageKind(g.Notifications), TargetID: u.ID, OrgID: u.OrgID,
			Payload: payload}
		if c := singleCase(g.Notifications); c != "" {
			d.CaseID = c
		}
		out = append(out, d)
	}
	return out, nil
}

func messageKind(ns []docket.Notification) string {
	kind := docket.KindDigest
	for _, n := range ns {
		switch {
		case n.Kind == docket.KindEscalation:
			return docket.KindEscalation
		case n.Kind == docket.KindReminder:
			kind = docket.KindReminder
		case n.Kind == docket.KindApproval && kind == docket.KindDigest:
			kind = docket.KindApproval
		}
	}
	return kind
}

func singleCase(ns []docket.Notification) string {
	c := ns[0].CaseID
	for _, n := range ns[1:] {
		if n.CaseID != c {
			return ""
		}
	}
	return c
}

var htmlBody = template.Must(template.New("mail").Parse(`<!DOCTYPE html>
<html><body style="font-family: sans-serif; line-height: 1.4">
<p>{{.Intro}}</p>
<ul>
{{- range .Items}}
<li><strong>{{if .Number}}{{.Number}}: {{end}}{{.What}}</strong>
{{- if .Digest}}{{if .Lines}}<ul>{{range .Lines}}<li>{{.What}}: {{.Count}}{{if .Cases}} ({{.Cases}}){{end}}</li>{{end}}</ul>{{else}}<br>{{end}}
{{- else if .IsCase}}<br>Due {{.Due}} ({{.DueUTC}})<br>{{else}}<br>{{end}}<a href="{{.Link}}">{{.Link}}</a></li>
{{- end}}
</ul>
<p style="color: #555">{{.Footer}}</p>
</body></html>
`))

// footer says why the message came and where to choose how e-mail comes.
func (e *Email) footer() string {
	s := "You receive this because Docket tracks these deadlines for you. Escalations repeat until someone acknowledges them in Docket"
	if e.repeatsInDigest {
		s += "; after the first message, their repeats come in your daily digest"
	}
	return s + ". Choose how e-mail reaches you: " + e.base + "/account"
}

// render writes the message: subject and bodies name case numbers, what is
// due in words (docket.RuleWords), when (agency time and UTC), and links;
// a digest says what it carries, by rule with its cases, and links to the
// dashboard. Nothing else.
func (e *Email) render(to string, ns []docket.Notification, digests map[string][]docket.Notification, now time.Time) emailPayload {
	ns = append([]docket.Notification{}, ns...)
	sort.SliceStable(ns, func(i, j int) bool {
		if ns[i].CaseNumber != ns[j].CaseNumber {
			return ns[i].CaseNumber < ns[j].CaseNumber
		}
		return ns[i].Key < ns[j].Key
	})
	items := make([]item, len(ns))
	for i, n := range ns {
		it := item{Number: n.CaseNumber, What: docket.RuleWords(n.Rule, n.Threshold), Link: e.base + "/dashboard"}
		switch n.Kind {
		case docket.KindEscalation:
			it.What = "Escalation: " + it.What
		case docket.KindApproval:
			it.Link = e.base + "/approvals"
		case docket.KindDigest:
			carries := digests[n.ID]
			it.Digest, it.What = true, app.DigestWords(carries)
			for _, l := range app.DigestLines(carries) {
				numbers := make([]string, len(l.Cases))
				for i, c := range l.Cases {
					numbers[i] = c.Number
				}
				it.Lines = append(it.Lines, digestLine{What: l.Words, Count: l.Count, Cases: strings.Join(numbers, ", ")})
			}
		}
		if n.CaseID != "" {
			it.IsCase = true
			it.Link = e.base + "/cases/" + url.PathEscape(n.CaseID)
			it.Due = n.DueAt.In(e.loc).Format("Mon 2 Jan 2006 15:04 MST")
			it.DueUTC = n.DueAt.UTC().Format("2006-01-02 15:04 UTC")
		}
		items[i] = it
	}
	subject := "[Docket] "
	intro := "Docket: "
	if len(items) == 1 {
		if items[0].Number != "" {
			subject += items[0].Number + ": "
		}
		subject += items[0].What
		intro += "1 notification."
	} else {
		var numbers []string
		seen := map[string]bool{}
		for _, it := range items {
			if it.Number != "" && !seen[it.Number] {
				seen[it.Number] = true
				numbers = append(numbers, it.Number)
			}
		}
		subject += fmt.Sprintf("%d notifications", len(items))
		if len(numbers) > 3 {
			numbers = append(numbers[:3], "…")
		}
		if len(numbers) > 0 {
			subject += ": " + strings.Join(numbers, ", ")
		}
		intro += fmt.Sprintf("%d notifications.", len(items))
	}
	var text strings.Builder
	text.WriteString(intro + "\n\n")
	for _, it := range items {
		if it.Number != "" {
			text.WriteString(it.Number + ": ")
		}
		text.WriteString(it.What + "\n")
		for _, l := range it.Lines {
			text.WriteString(fmt.Sprintf("  - %s: %d", l.What, l.Count))
			if l.Cases != "" {
				text.WriteString(" (" + l.Cases + ")")
			}
			text.WriteString("\n")
		}
		if it.IsCase {
			text.WriteString("  Due " + it.Due + " (" + it.DueUTC + ")\n")
		}
		text.WriteString("  " + it.Link + "\n\n")
	}
	foot := e.footer()
	text.WriteString("-- \n" + foot + "\n")
	var html bytes.Buffer
	_ = htmlBody.Execute(&html, struct {
		Intro, Footer string
		Items         []item
	}{intro, foot, items})
	return emailPayload{To: to, Subject: subject, Text: text.String(), HTML: html.String(), Date: now.UTC().Format(time.RFC3339)}
}

// Send sends one stored message: to the SMTP server, or to the log.
func (e *Email) Send(ctx context.Context, d docket.Delivery) error {
	var p emailPayload
	if err := json.Unmarshal(d.Payload, &p); err != nil {
		return &app.SendError{Reason: "the stored message is unreadable", Permanent: true}
	}
	msgID := d.MessageID + "@" + e.domain
	if e.client == nil {
		e.log.Info("e-mail (no SMTP server configured)", "to", p.To, "subject", p.Subject, "message_id", "<"+msgID+">",
			"body", p.Text)
		return nil
	}
	m := mail.NewMsg()
	if err := m.From(e.from); err != nil {
		return &app.SendError{Reason: "mail.from is not an address", Permanent: true}
	}
	if err := m.To(p.To); err != nil {
		return &app.SendError{Reason: "the recipient's address is not valid", Permanent: true}
	}
	m.Subject(p.Subject)
	m.SetMessageIDWithValue(msgID)
	if at, err := time.Parse(time.RFC3339, p.Date); err == nil {
		m.SetDateWithValue(at)
	} else {
		m.SetDate()
	}
	m.SetGenHeader("Auto-Submitted", "auto-generated")
	m.SetBodyString(mail.TypeTextPlain, p.Text)
	m.AddAlternativeString(mail.TypeTextHTML, p.HTML)
	if err := e.client.DialAndSendWithContext(ctx, m); err != nil {
		return smtpFailure(err)
	}
	return nil
}

// smtpFailure turns a go-mail error into a safe reason: a permanent refusal
// (5xx) parks the message; everything else is tried again.
func smtpFailure(err error) error {
	var se *mail.SendError
	if errors.As(err, &se) {
		code := se.ErrorCode()
		if code >= 500 && code < 600 && !se.IsTemp() {
			return &app.SendError{Reason: fmt.Sprintf("the mail server refused the message (%d)", code), Status: code, Permanent: true}
		}
		if code > 0 {
			return &app.SendError{Reason: fmt.Sprintf("the mail server deferred the message (%d)", code), Status: code}
		}
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return &app.SendError{Reason: "the mail server timed out"}
	}
	return &app.SendError{Reason: "the mail server could not be reached"}
}
