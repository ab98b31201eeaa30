package config

import (
	"errors"
	"fmt"
	"maps"
	"net"
	"net/mail"
	"net/netip"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/docket/docket/internal/docket"
)

// Validate checks every setting and reports each unacceptable one, joined
// with errors.Join. Each error begins with the setting's dotted path and says
// why, for example
//
//	review.window_days: must be between 1 and 365, got -3
//
// Errors never repeat a secret, nor a URL that may carry a password.
func (c Config) Validate() error {
	var v validator

	v.check(c.Addr != "", "addr", "must not be empty")
	if c.Addr != "" {
		v.err("addr", checkAddr(c.Addr))
	}
	v.err("db", checkDB(c.DB))
	if n := len(c.Secret); c.Secret != "" && n < 32 {
		v.add("secret", "must be at least 32 bytes, got %d", n)
	}
	if c.BaseURL != "" {
		v.err("base_url", checkBaseURL(c.BaseURL))
	}
	v.check(c.DataDir != "", "data_dir", "must not be empty")

	_, err := loadZone(c.Review.Timezone)
	v.err("review.timezone", err)
	v.check(c.Review.WindowDays >= 1 && c.Review.WindowDays <= 365,
		"review.window_days", "must be between 1 and 365, got %d", c.Review.WindowDays)
	v.check(c.Review.DueSoonDays >= 1, "review.due_soon_days", "must be at least 1, got %d", c.Review.DueSoonDays)
	v.check(c.Review.CriticalDays >= 0 && c.Review.CriticalDays < c.Review.DueSoonDays,
		"review.critical_days", "must be at least 0 and less than review.due_soon_days (%d), got %d",
		c.Review.DueSoonDays, c.Review.CriticalDays)

	v.check(strings.TrimSpace(c.Auth.Issuer) != "", "auth.issuer", "must not be empty")
	v.positive("auth.session_ttl", c.Auth.SessionTTL)
	v.positive("auth.api_token_max_ttl", c.Auth.APITokenMaxTTL)
	v.check(c.Auth.MaxFailures >= 1, "auth.max_failures", "must be at least 1, got %d", c.Auth.MaxFailures)
	v.positive("auth.lockout", c.Auth.Lockout)
	v.check(c.Auth.ThrottleBase >= 0, "auth.throttle_base", "must not be negative, got %s", c.Auth.ThrottleBase)
	v.check(c.Auth.MaxDelay >= c.Auth.ThrottleBase, "auth.max_delay",
		"must be at least auth.throttle_base (%s), got %s", c.Auth.ThrottleBase, c.Auth.MaxDelay)
	for i, p := range c.Auth.TrustedProxies {
		if err := checkProxy(p); err != nil {
			v.add("auth.trusted_proxies", "item %d: %v", i+1, err)
		}
	}
	switch roles := c.Auth.MFARequiredRoles; {
	case len(roles) == 1 && roles[0] == "none":
	case len(roles) == 0:
		v.add("auth.mfa_required_roles", `must name roles, or be ["none"] for no role`)
	default:
		for i, r := range roles {
			if !mfaRoles[r] {
				v.add("auth.mfa_required_roles", "item %d: %q is not a role (lab_member, reviewer, review_lead, compliance_officer, admin), and none stands alone", i+1, r)
			}
		}
	}
	if c.OIDC.Enabled() {
		checkOIDC(&v, c.OIDC)
	}
	switch c.Auth.SecureCookies {
	case SecureCookiesAuto, SecureCookiesAlways, SecureCookiesNever:
	default:
		v.add("auth.secure_cookies", "must be auto, always or never, got %q", c.Auth.SecureCookies)
	}

	v.positive("http.read_header_timeout", c.HTTP.ReadHeaderTimeout)
	v.positive("http.read_timeout", c.HTTP.ReadTimeout)
	v.positive("http.write_timeout", c.HTTP.WriteTimeout)
	v.positive("http.idle_timeout", c.HTTP.IdleTimeout)
	v.check(c.HTTP.MaxHeaderBytes > 0, "http.max_header_bytes", "must be positive, got %d", c.HTTP.MaxHeaderBytes)

	v.check(strings.TrimSpace(c.Notify.Schedule) != "", "notify.schedule", "must not be empty")
	v.err("notify.digest_time", checkClockTime(c.Notify.DigestTime))
	v.err("notify.reminder_time", checkClockTime(c.Notify.ReminderTime))
	for i, d := range c.Notify.ReminderDays {
		switch {
		case d < 1:
			v.add("notify.reminder_days", "item %d: must be at least 1, got %d", i+1, d)
		case slices.Index(c.Notify.ReminderDays, d) < i:
			v.add("notify.reminder_days", "item %d: %d is listed twice", i+1, d)
		}
	}
	v.positive("notify.unassigned_after", c.Notify.UnassignedAfter)
	v.check(c.Notify.InfoRequestLabDays >= 1, "notify.info_request_lab_days",
		"must be at least 1, got %d", c.Notify.InfoRequestLabDays)
	v.check(c.Notify.InfoRequestLeadDays >= 1, "notify.info_request_lead_days",
		"must be at least 1, got %d", c.Notify.InfoRequestLeadDays)
	v.check(c.Notify.EscalationRepeat >= 24*time.Hour, "notify.escalation_repeat",
		"must be at least 24h (an escalation repeats at most once a day), got %s", c.Notify.EscalationRepeat)
	v.positive("notify.lease_ttl", c.Notify.LeaseTTL)

	v.checkResponseDays(c.Findings.ResponseDays)
	v.check(c.Findings.MaxRiskAcceptanceDays >= 1, "findings.max_risk_acceptance_days",
		"must be at least 1, got %d", c.Findings.MaxRiskAcceptanceDays)
	v.check(c.Findings.AcceptanceWarningDays >= 1, "findings.acceptance_warning_days",
		"must be at least 1, got %d", c.Findings.AcceptanceWarningDays)

	v.check(c.Uploads.MaxBytes > 0, "uploads.max_bytes", "must be positive, got %d", c.Uploads.MaxBytes)

	v.check(c.SMTP.GiveUpAfter > 0, "smtp.give_up_after", "must be positive, got %s", c.SMTP.GiveUpAfter)
	if c.SMTP.URL != "" {
		v.err("smtp.url", checkSMTPURL(c.SMTP.URL))
	}
	if n := len([]rune(strings.TrimSpace(c.Agency.Name))); n == 0 || n > 200 {
		v.add("agency.name", "must name the agency in 1 to 200 characters")
	}
	if _, err := mail.ParseAddress(c.Mail.From); err != nil {
		v.add("mail.from", "not an e-mail address (such as Docket <docket@example.org>): %q", c.Mail.From)
	}

	v.check(c.Webhooks.MaxAttempts >= 1, "webhooks.max_attempts", "must be at least 1, got %d", c.Webhooks.MaxAttempts)
	v.positive("webhooks.timeout", c.Webhooks.Timeout)
	v.check(c.Webhooks.SecretOverlap >= 0 && c.Webhooks.SecretOverlap <= 30*24*time.Hour, "webhooks.secret_overlap",
		"must be from 0 (the old secret stops at once) to 720h (30 days), got %s", c.Webhooks.SecretOverlap)

	v.check(c.Benchmarks != "", "benchmarks", "must not be empty")
	v.check(c.MemoryLimit == 0 || c.MemoryLimit >= 16<<20, "memory_limit",
		"must be 0 (the Go runtime's default) or at least 16777216 bytes (16 MiB), got %d", c.MemoryLimit)
	switch c.Log.Level {
	case "debug", "info", "warn", "error":
	default:
		v.add("log.level", "must be debug, info, warn or error, got %q", c.Log.Level)
	}

	return errors.Join(v.errs...)
}

// severities lists the finding severities, most severe first: the keys of
// findings.response_days.
func severities() []string {
	return []string{"critical", "high", "medium", "low", "informational"}
}

type validator struct{ errs []error }

func (v *validator) add(path, format string, args ...any) {
	v.errs = append(v.errs, fmt.Errorf("%s: %s", path, fmt.Sprintf(format, args...)))
}

func (v *validator) check(ok bool, path, format string, args ...any) {
	if !ok {
		v.add(path, format, args...)
	}
}

func (v *validator) err(path string, err error) {
	if err != nil {
		v.errs = append(v.errs, fmt.Errorf("%s: %w", path, err))
	}
}

func (v *validator) positive(path string, d time.Duration) {
	v.check(d > 0, path, "must be a positive duration, got %s", d)
}

func (v *validator) checkResponseDays(m map[string]int) {
	const path = "findings.response_days"
	sev := severities()
	for _, k := range slices.Sorted(maps.Keys(m)) {
		if !slices.Contains(sev, k) {
			v.add(path, "unknown severity %q (want %s)", k, strings.Join(sev, ", "))
		} else if m[k] < 0 {
			v.add(path+"."+k, "must be at least 0 (0 means no deadline), got %d", m[k])
		}
	}
	for _, s := range sev {
		if _, ok := m[s]; !ok {
			v.add(path, "missing severity %q", s)
		}
	}
}

func checkAddr(addr string) error {
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("must be host:port, such as 127.0.0.1:8080, got %q", addr)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		return fmt.Errorf("port must be a number from 0 to 65535, got %q", port)
	}
	return nil
}

func checkDB(db string) error {
	if db == "" {
		return errors.New("must be a SQLite path or a postgres:// URL, got nothing")
	}
	scheme, _, ok := strings.Cut(db, "://")
	if !ok || strings.ContainsAny(scheme, `/\`) {
		return nil // a SQLite path
	}
	switch strings.ToLower(scheme) {
	case "postgres", "postgresql":
		u, err := url.Parse(db)
		if err != nil {
			return fmt.Errorf("malformed PostgreSQL URL: %v", urlCause(err))
		}
		if u.Hostname() == "" && u.Query().Get("host") == "" {
			return errors.New("malformed PostgreSQL URL: no host")
		}
		return nil
	case "file":
		return nil // a SQLite URI
	default:
		return fmt.Errorf("unsupported URL scheme %q: want a SQLite path or a postgres:// URL", scheme)
	}
}

// urlCause drops the URL from a url.Parse error, since it may hold a password.
func urlCause(err error) error {
	if ue, ok := errors.AsType[*url.Error](err); ok {
		return ue.Err
	}
	return err
}

func checkBaseURL(s string) error {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Hostname() == "" {
		return fmt.Errorf("must be an absolute http or https URL, such as https://docket.example.org, got %q", s)
	}
	if u.User != nil || u.RawQuery != "" || u.Fragment != "" || u.ForceQuery {
		return fmt.Errorf("must not carry user information, a query or a fragment, got %q", s)
	}
	return nil
}

func checkProxy(p string) error {
	var err error
	if strings.Contains(p, "/") {
		_, err = netip.ParsePrefix(p)
	} else {
		_, err = netip.ParseAddr(p)
	}
	if err != nil {
		return fmt.Errorf("not an IP address or CIDR prefix: %q", p)
	}
	return nil
}

// checkClockTime accepts a 24-hour time of day written HH:MM.
func checkClockTime(s string) error {
	bad := fmt.Errorf("must be a time of day written HH:MM (24 h), got %q", s)
	h, m, ok := strings.Cut(s, ":")
	if !ok || len(h) != 2 || len(m) != 2 {
		return bad
	}
	hh, err1 := strconv.ParseUint(h, 10, 8)
	mm, err2 := strconv.ParseUint(m, 10, 8)
	if err1 != nil || err2 != nil || hh > 23 || mm > 59 {
		return bad
	}
	return nil
}

func checkSMTPURL(s string) error {
	const form = "smtp://user:pass@host:port?tls=none|starttls|tls"
	u, err := url.Parse(s)
	if err != nil {
		return fmt.Errorf("malformed URL (want %s): %v", form, urlCause(err))
	}
	if u.Scheme != "smtp" {
		return fmt.Errorf("scheme must be smtp (want %s), got %q", form, u.Scheme)
	}
	if u.Opaque != "" || u.Hostname() == "" {
		return fmt.Errorf("no host (want %s)", form)
	}
	port := u.Port()
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		return fmt.Errorf("port must be a number from 1 to 65535 (want %s), got %q", form, port)
	}
	if u.Path != "" && u.Path != "/" {
		return fmt.Errorf("must not have a path (want %s)", form)
	}
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return fmt.Errorf("malformed query (want %s)", form)
	}
	for k, vals := range q {
		if k != "tls" {
			return fmt.Errorf("unknown parameter %q (want %s)", k, form)
		}
		if len(vals) != 1 {
			return fmt.Errorf("tls given %d times", len(vals))
		}
		switch vals[0] {
		case "none", "starttls", "tls":
		default:
			return fmt.Errorf("tls must be none, starttls or tls, got %q", vals[0])
		}
	}
	return nil
}

// mfaRoles are the roles auth.mfa_required_roles may name.
var mfaRoles = map[string]bool{"lab_member": true, "reviewer": true, "review_lead": true, "compliance_officer": true, "admin": true}

// checkOIDC checks single sign-on's settings: an https issuer (http only on a
// loopback address), a client id, a key file, scopes with openid and email.
func checkOIDC(v *validator, o OIDC) {
	u, err := url.Parse(o.Issuer)
	switch {
	case err != nil || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "":
		v.add("oidc.issuer", "must be an absolute URL without credentials, query or fragment, got %q", o.Issuer)
	case u.Scheme == "https":
	case u.Scheme == "http" && loopbackHost(u.Hostname()):
	default:
		v.add("oidc.issuer", "must be https (http only on a loopback address, for tests), got %q", o.Issuer)
	}
	v.check(strings.TrimSpace(o.ClientID) != "", "oidc.client_id", "is required with oidc.issuer")
	v.check(strings.TrimSpace(o.PrivateKeyFile) != "", "oidc.private_key_file", "is required with oidc.issuer: Docket signs in to the provider with private_key_jwt, never a client secret")
	has := map[string]bool{}
	for _, s := range o.Scopes {
		has[s] = true
	}
	v.check(has["openid"] && has["email"], "oidc.scopes", "must include openid and email, got %v", o.Scopes)
	v.check(strings.TrimSpace(o.DisplayName) != "", "oidc.display_name", "is required with oidc.issuer")
	v.check(docket.ACRPhishingResistant(o.StepUpACRValues), "oidc.step_up_acr_values",
		"must ask for a phishing-resistant sign-in (phishing_resistant=true or hspd12=true), got %q", o.StepUpACRValues)
}

// loopbackHost reports whether host is localhost or a loopback address.
func loopbackHost(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
