package notify_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"mime"
	"mime/multipart"
	"net"
	netmail "net/mail"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/docket/docket/internal/app"
	"github.com/docket/docket/internal/auth"
	"github.com/docket/docket/internal/config"
	"github.com/docket/docket/internal/docket"
	"github.com/docket/docket/internal/files"
	"github.com/docket/docket/internal/notify"
)

// mailbox is an SMTP server in the test process that keeps what it receives.
type mailbox struct {
	mu   sync.Mutex
	msgs []mailed
	addr string
	srv  *smtp.Server
	ln   net.Listener
}

type mailed struct {
	From string
	To   []string
	Data []byte
}

func (m *mailbox) NewSession(*smtp.Conn) (smtp.Session, error) { return &session{m: m}, nil }

type session struct {
	m    *mailbox
	from string
	to   []string
}

func (s *session) Mail(from string, _ *smtp.MailOptions) error { s.from = from; return nil }
func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error   { s.to = append(s.to, to); return nil }
func (s *session) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.m.mu.Lock()
	defer s.m.mu.Unlock()
	s.m.msgs = append(s.m.msgs, mailed{From: s.from, To: s.to, Data: b})
	return nil
}
func (s *session) Reset()        { s.from, s.to = "", nil }
func (s *session) Logout() error { return nil }

// startMailbox listens on addr ("127.0.0.1:0" for a new port).
func startMailbox(t *testing.T, m *mailbox, addr string) {
	t.Helper()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	m.addr = ln.Addr().String()
	srv := smtp.NewServer(m)
	srv.Domain = "localhost"
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	m.srv, m.ln = srv, ln
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { m.stop() })
}

func (m *mailbox) stop() {
	if m.srv != nil {
		m.ln.Close() // Close alone may miss a listener that Serve has not registered yet
		m.srv.Close()
		m.srv, m.ln = nil, nil
	}
}

func (m *mailbox) received() []mailed {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]mailed{}, m.msgs...)
}

// parsed is a received message read back: headers, the text and HTML parts.
type parsed struct {
	Header    netmail.Header
	Subject   string
	MessageID string
	Text      string
	HTML      string
}

func parse(t *testing.T, raw []byte) parsed {
	t.Helper()
	msg, err := netmail.ReadMessage(strings.NewReader(string(raw)))
	if err != nil {
		t.Fatal(err)
	}
	subject, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	if err != nil {
		t.Fatal(err)
	}
	p := parsed{Header: msg.Header, Subject: subject, MessageID: msg.Header.Get("Message-Id")}
	mt, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/alternative" {
		t.Fatalf("content type %q (%v): want multipart/alternative, plain text and HTML", msg.Header.Get("Content-Type"), err)
	}
	mr := multipart.NewReader(msg.Body, params["boundary"])
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(part)
		switch ct, _, _ := mime.ParseMediaType(part.Header.Get("Content-Type")); ct {
		case "text/plain":
			p.Text = string(b)
		case "text/html":
			p.HTML = string(b)
		}
	}
	return p
}

func smtpConfig(m *mailbox) func(*config.Config) {
	return func(c *config.Config) { c.SMTP.URL = "smtp://" + m.addr + "?tls=none" }
}

func (e *env) channels(mutate ...func(*notify.Options)) []app.Channel {
	e.t.Helper()
	o := notify.Options{Config: e.cfg, BaseURL: e.cfg.BaseURL, Targets: e.svc.Delivery, Now: e.clock.Now,
		Logger: slog.New(slog.NewTextHandler(e.logs, nil))}
	for _, m := range mutate {
		m(&o)
	}
	chs, err := notify.Channels(o)
	e.must(err)
	return chs
}

var seven = time.Date(2026, 6, 25, 13, 0, 0, 0, time.UTC) // 09:00 EDT, seven days before the due date

func TestEmailGoesToEachRecipientWithoutConfidentialContent(t *testing.T) {
	m := &mailbox{}
	startMailbox(t, m, "127.0.0.1:0")
	e := newEnv(t, smtpConfig(m))
	c := e.submit(received, "Atlas")
	e.clock.Set(seven)
	e.sweep(e.svc)
	chs := e.channels()
	n, err := e.svc.Delivery.Deliver(ctx, chs)
	e.must(err)
	got := m.received()
	if n != 3 || len(got) != 3 {
		t.Fatalf("sent %d, received %d: want the reviewer's and the lead's reminders, the compliance officer's digest", n, len(got))
	}
	byRcpt := map[string]mailed{}
	for _, g := range got {
		if len(g.To) != 1 {
			t.Fatalf("one message to several recipients: %v", g.To)
		}
		byRcpt[g.To[0]] = g
		if g.From != "docket@agency.example.gov" {
			t.Errorf("envelope from %q", g.From)
		}
	}
	for _, who := range []string{"rev", "lead"} {
		raw, ok := byRcpt[e.email[who]]
		if !ok {
			t.Fatalf("nothing for %s: %v", who, byRcpt)
		}
		p := parse(t, raw.Data)
		if p.Subject != "[Docket] DKT-2026-0001: "+docket.RuleWords(docket.RuleCaseReminder, "7d") {
			t.Errorf("subject %q", p.Subject)
		}
		if want := "<" + docket.MessageID(e.keysOf(who)...) + "@agency.example.gov>"; p.MessageID != want {
			t.Errorf("Message-ID %q, want %q (from the outbox keys)", p.MessageID, want)
		}
		if p.Header.Get("To") != "<"+e.email[who]+">" && p.Header.Get("To") != e.email[who] {
			t.Errorf("To %q", p.Header.Get("To"))
		}
		link := "https://docket.agency.example.gov/cases/" + c.ID
		for _, want := range []string{"DKT-2026-0001: Review deadline in 7 days", "Due Thu 2 Jul 2026 23:59 EDT (2026-07-03 03:59 UTC)", link} {
			if !strings.Contains(p.Text, want) {
				t.Errorf("the text lacks %q:\n%s", want, p.Text)
			}
		}
		if !strings.Contains(p.HTML, `href="`+link+`"`) || !strings.Contains(p.HTML, "DKT-2026-0001") {
			t.Errorf("the HTML part lacks the case or its link:\n%s", p.HTML)
		}
		for _, secret := range []string{"Atlas", "Secret summary", "sha256:"} {
			if strings.Contains(string(raw.Data), secret) {
				t.Errorf("the message carries %q", secret)
			}
		}
	}
	if p := parse(t, byRcpt[e.email["co"]].Data); p.Subject != "[Docket] Daily digest: nothing held back since the last one" ||
		!strings.Contains(p.Text, "https://docket.agency.example.gov/dashboard") {
		t.Errorf("digest: %q\n%s", p.Subject, p.Text)
	}
	// Delivered once: the next runs send nothing more.
	e.clock.Advance(time.Hour)
	e.sweep(e.svc)
	if n, _ := e.svc.Delivery.Deliver(ctx, chs); n != 0 || len(m.received()) != 3 {
		t.Fatalf("a second run sent %d more", n)
	}
	for _, d := range e.deliveries("") {
		if d.State != docket.DeliveryDelivered || d.Attempts != 1 {
			t.Errorf("delivery %+v", d)
		}
	}
}

func TestOneMessagePerRecipientPerSweep(t *testing.T) {
	m := &mailbox{}
	startMailbox(t, m, "127.0.0.1:0")
	e := newEnv(t, smtpConfig(m))
	e.submit(received, "Atlas")
	e.submit(received.Add(time.Hour), "Boreas") // the same due date: both reminders fall at one sweep
	e.clock.Set(seven)
	e.sweep(e.svc)
	_, err := e.svc.Delivery.Deliver(ctx, e.channels())
	e.must(err)
	var forRev []parsed
	for _, g := range m.received() {
		if g.To[0] == e.email["rev"] {
			forRev = append(forRev, parse(t, g.Data))
		}
	}
	if len(forRev) != 1 {
		t.Fatalf("the reviewer got %d messages, want one for both cases", len(forRev))
	}
	p := forRev[0]
	keys := e.keysOf("rev")
	sort.Strings(keys)
	if len(keys) != 2 || p.MessageID != "<"+docket.MessageID(keys...)+"@agency.example.gov>" {
		t.Fatalf("Message-ID %q for keys %v", p.MessageID, keys)
	}
	if p.Subject != "[Docket] 2 notifications: DKT-2026-0001, DKT-2026-0002" {
		t.Errorf("subject %q", p.Subject)
	}
	if !strings.Contains(p.Text, "DKT-2026-0001") || !strings.Contains(p.Text, "DKT-2026-0002") {
		t.Errorf("text %s", p.Text)
	}
}

// TestTheMailServerDownForAWhile: while the server refuses connections the
// messages wait, retried on the injected clock with growing delays; after a
// restart of Docket and the server's return they go out once, with the
// Message-IDs they were planned with.
func TestTheMailServerDownForAWhile(t *testing.T) {
	m := &mailbox{}
	startMailbox(t, m, "127.0.0.1:0")
	addr := m.addr
	m.stop() // the port now refuses connections
	e := newEnv(t, smtpConfig(m))
	e.submit(received, "Atlas")
	e.clock.Set(seven)
	e.sweep(e.svc)
	chs := e.channels()
	if n, err := e.svc.Delivery.Deliver(ctx, chs); n != 0 || err != nil {
		t.Fatalf("sent %d to a server that is down (%v)", n, err)
	}
	pending := e.deliveries(docket.DeliveryPending)
	if len(pending) != 3 {
		t.Fatalf("%d pending, want 3 (two reminders, a digest)", len(pending))
	}
	wantIDs := map[string]bool{}
	var gaps []time.Duration
	for _, d := range pending {
		wantIDs["<"+d.MessageID+"@agency.example.gov>"] = true
		if d.Attempts != 1 || d.LastError != "the mail server could not be reached" {
			t.Fatalf("after one attempt: %+v", d)
		}
		gaps = append(gaps, d.NextAttemptAt.Sub(*d.LastAttemptAt))
	}
	for _, g := range gaps {
		if g < 30*time.Second || g >= 38*time.Second {
			t.Fatalf("first backoff %s, want 30 s plus jitter", g)
		}
	}
	// Not due yet: another run makes no attempt.
	e.clock.Advance(20 * time.Second)
	e.svc.Delivery.Deliver(ctx, chs)
	if d := e.deliveries(docket.DeliveryPending)[0]; d.Attempts != 1 {
		t.Fatalf("an attempt before the backoff ended: %+v", d)
	}
	// Due: a second attempt fails, and waits longer.
	e.clock.Advance(20 * time.Second)
	e.svc.Delivery.Deliver(ctx, chs)
	for _, d := range e.deliveries(docket.DeliveryPending) {
		g := d.NextAttemptAt.Sub(*d.LastAttemptAt)
		if d.Attempts != 2 || g < 60*time.Second || g >= 76*time.Second {
			t.Fatalf("second backoff: attempts %d, wait %s", d.Attempts, g)
		}
	}
	// Docket restarts (a new service and channels on the same database); the server comes back.
	again := e.service()
	e.svc = again
	startMailbox(t, m, addr)
	e.clock.Advance(2 * time.Minute)
	n, err := again.Delivery.Deliver(ctx, e.channels())
	e.must(err)
	got := m.received()
	if n != 3 || len(got) != 3 {
		t.Fatalf("after the return: sent %d, received %d", n, len(got))
	}
	for _, g := range got {
		if id := parse(t, g.Data).MessageID; !wantIDs[id] {
			t.Errorf("Message-ID %q is not the one planned (%v)", id, wantIDs)
		}
	}
	e.clock.Advance(time.Hour)
	if n, _ := again.Delivery.Deliver(ctx, e.channels()); n != 0 || len(m.received()) != 3 {
		t.Fatal("sent again")
	}
}

// failAfterSend sends, then reports a failure, as a crash between the send
// and the commit of its outcome would: the message is sent again later.
type failAfterSend struct{ app.Channel }

func (f failAfterSend) Send(ctx context.Context, d docket.Delivery) error {
	if err := f.Channel.Send(ctx, d); err != nil {
		return err
	}
	return errors.New("lost before the commit")
}

func TestAResendCarriesTheSameMessageID(t *testing.T) {
	m := &mailbox{}
	startMailbox(t, m, "127.0.0.1:0")
	e := newEnv(t, smtpConfig(m))
	e.submit(received, "Atlas")
	e.clock.Set(seven)
	e.sweep(e.svc)
	email := e.channels()[0]
	e.svc.Delivery.Deliver(ctx, []app.Channel{failAfterSend{email}})
	e.clock.Advance(time.Minute)
	e.svc.Delivery.Deliver(ctx, []app.Channel{email})
	ids := map[string]int{}
	for _, g := range m.received() {
		ids[parse(t, g.Data).MessageID]++
	}
	if len(ids) != 3 {
		t.Fatalf("message ids %v: want three recipients, each sent twice under one id", ids)
	}
	for id, n := range ids {
		if n != 2 {
			t.Errorf("%s sent %d times", id, n)
		}
	}
}

func TestWithoutSMTPMessagesGoToTheLog(t *testing.T) {
	e := newEnv(t)
	e.submit(received, "Atlas")
	e.clock.Set(seven)
	e.sweep(e.svc)
	n, err := e.svc.Delivery.Deliver(ctx, e.channels())
	e.must(err)
	logs := e.logs.String()
	if n != 3 || strings.Count(logs, "e-mail (no SMTP server configured)") != 3 {
		t.Fatalf("sent %d; log:\n%s", n, logs)
	}
	if !strings.Contains(logs, "DKT-2026-0001: Review deadline in 7 days") || !strings.Contains(logs, "message_id=<msg_") ||
		strings.Contains(logs, "Atlas") {
		t.Fatalf("log:\n%s", logs)
	}
}

// TestTheMailServerGoneForDays: a message the server never takes is retried,
// backing off to every half hour, for smtp.give_up_after (72 hours), then
// parked as failed; an administrator sends it again, and it gets the whole
// time again.
func TestTheMailServerGoneForDays(t *testing.T) {
	m := &mailbox{}
	startMailbox(t, m, "127.0.0.1:0")
	addr := m.addr
	m.stop()
	e := newEnv(t, smtpConfig(m))
	policy := app.RetryPolicy{Base: 30 * time.Second, Max: 30 * time.Minute}
	// With the mean jitter (an eighth): 30 s, 1, 2, 4, 8 and 16 min take 35.4 min,
	// then 127 waits of 33.75 min: 72 h are passed at the 134th attempt.
	if n := policy.AttemptsWithin(72 * time.Hour); n != 134 {
		t.Fatalf("AttemptsWithin(72h) = %d, want 134", n)
	}
	e.submit(received, "Atlas")
	e.clock.Set(seven)
	e.sweep(e.svc)
	start := e.clock.Now()
	chs := e.channels()
	for e.clock.Now().Sub(start) < 80*time.Hour {
		e.svc.Delivery.Deliver(ctx, chs)
		e.clock.Advance(time.Minute) // the sweep's schedule
	}
	if p := e.deliveries(docket.DeliveryPending); len(p) != 0 {
		t.Fatalf("%d still pending after 80 hours: attempts %d, last %s, next %s", len(p), p[0].Attempts, p[0].LastAttemptAt.Sub(start), p[0].NextAttemptAt.Sub(start))
	}
	failed := e.deliveries(docket.DeliveryFailed)
	if len(failed) != 3 {
		t.Fatalf("%d parked, want 3", len(failed))
	}
	for _, d := range failed {
		// The jitter is random: 133 waits vary by about 25 min around their mean.
		if d.Attempts != 134 || d.LastAttemptAt.Sub(start) < 70*time.Hour || d.LastAttemptAt.Sub(start) > 77*time.Hour {
			t.Fatalf("parked after %d attempts, the last %s after the first", d.Attempts, d.LastAttemptAt.Sub(start))
		}
	}
	t.Logf("parked after %d attempts, the last %s after the first", failed[0].Attempts, failed[0].LastAttemptAt.Sub(start))
	// Sent again by an administrator: pending with the whole time again, and
	// delivered once the server is back.
	d, err := e.svc.Delivery.RetryDelivery(ctx, e.a["admin"], failed[0].ID)
	e.must(err)
	if d.State != docket.DeliveryPending || d.Attempts != 0 {
		t.Fatalf("retried: %+v", d)
	}
	e.svc.Delivery.Deliver(ctx, chs)
	if d := e.deliveries(docket.DeliveryPending); len(d) != 1 || d[0].Attempts != 1 {
		t.Fatalf("after the retry's first failure: %+v", d)
	}
	startMailbox(t, m, addr)
	e.clock.Advance(time.Hour)
	if n, err := e.svc.Delivery.Deliver(ctx, e.channels()); n != 1 || err != nil || len(m.received()) != 1 {
		t.Fatalf("after the server's return: sent %d (%v), received %d", n, err, len(m.received()))
	}
}

// TestAChangeWaitingForApprovalIsMailed: leads and compliance officers are
// mailed that a change to an account waits, with the link to the approvals
// page and nothing of the change.
func TestAChangeWaitingForApprovalIsMailed(t *testing.T) {
	m := &mailbox{}
	startMailbox(t, m, "127.0.0.1:0")
	e := newEnv(t, smtpConfig(m))
	signer, _ := auth.NewSigner([]byte(e.cfg.Secret), "docket", e.clock.Now)
	e.svc = app.New(e.st, app.Options{Config: e.cfg, Now: e.clock.Now, Signer: signer,
		Hasher: auth.NewHasher(auth.Params{Memory: 64, Time: 1, Threads: 1}), Logger: slog.New(slog.NewTextHandler(e.logs, nil)),
		Approvals: app.NewApprovals(e.st, app.ApprovalOptions{Now: e.clock.Now}), Files: files.New(e.cfg.AttachmentsDir())})
	ch, err := e.svc.Accounts.CreateUser(ctx, e.a["admin"], app.NewUser{Email: "nia@example.org", Name: "Nia Newcomer", Role: "reviewer",
		OrgID: e.a["lead"].OrgID, Password: "a password the admin chose"})
	e.must(err)
	if ch.Pending == nil {
		t.Fatal("the reviewer did not wait")
	}
	n, err := e.svc.Delivery.Deliver(ctx, e.channels())
	e.must(err)
	got := m.received()
	if n != 2 || len(got) != 2 {
		t.Fatalf("sent %d, received %d: want the lead's and the compliance officer's", n, len(got))
	}
	for _, g := range got {
		if g.To[0] != e.email["lead"] && g.To[0] != e.email["co"] {
			t.Errorf("mailed to %v", g.To)
		}
		p := parse(t, g.Data)
		if p.Subject != "[Docket] "+docket.RuleWords(docket.RuleApprovalRequested, "") ||
			!strings.Contains(p.Text, "https://docket.agency.example.gov/approvals") {
			t.Errorf("message: %q\n%s", p.Subject, p.Text)
		}
		for _, secret := range []string{"Nia", "nia@example.org", "a password the admin chose", "argon2"} {
			if strings.Contains(string(g.Data), secret) {
				t.Errorf("the message carries %q", secret)
			}
		}
	}
	for _, d := range e.deliveries("") {
		if d.Channel != docket.ChannelEmail || d.Type != docket.KindApproval {
			t.Errorf("delivery %+v", d)
		}
	}
}
