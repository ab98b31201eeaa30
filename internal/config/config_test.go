package config

import (
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"
)

const shippedFile = "../../configs/docket.yaml"

// env returns a getenv function over m.
func env(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) {
		v, ok := m[k]
		return v, ok
	}
}

// writeFile writes a config file into a fresh directory and returns its path.
func writeFile(t *testing.T, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "docket.yaml")
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestDefaultIsValid(t *testing.T) {
	c := Default()
	if err := c.Validate(); err != nil {
		t.Fatalf("Default().Validate() = %v", err)
	}
	if got := c.Location().String(); got != "America/New_York" {
		t.Errorf("Location() = %s, want America/New_York", got)
	}
	if c.IsPostgres() {
		t.Error("IsPostgres() = true for the default SQLite path")
	}
}

func TestLoadWithNothingIsDefault(t *testing.T) {
	t.Chdir(t.TempDir()) // no configs/docket.yaml here
	got, err := Load("", nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, Default()) {
		t.Errorf("Load with no file, environment or flags:\n got %+v\nwant %+v", got, Default())
	}
}

func TestShippedFileIsDefault(t *testing.T) {
	got, err := Load(shippedFile, env(nil), nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := Default(); !reflect.DeepEqual(got, want) {
		t.Errorf("loading %s:\n got %+v\nwant %+v", shippedFile, got, want)
	}
}

// TestShippedFileDocumentsEverySetting checks that the shipped file names
// every setting, each with a comment, and nothing else.
func TestShippedFileDocumentsEverySetting(t *testing.T) {
	data, err := os.ReadFile(shippedFile)
	if err != nil {
		t.Fatal(err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	list, err := settings()
	if err != nil {
		t.Fatal(err)
	}
	want := make(map[string]bool)
	for _, s := range list {
		want[s.path] = true
	}
	found := make(map[string]bool)
	var walk func(n *yaml.Node, prefix string)
	walk = func(n *yaml.Node, prefix string) {
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			path := joinPath(prefix, k.Value)
			if want[path] {
				found[path] = true
				if strings.TrimSpace(k.HeadComment) == "" {
					t.Errorf("%s: no comment above it", path)
				}
				continue
			}
			if v.Kind != yaml.MappingNode {
				t.Errorf("%s: not a setting", path)
				continue
			}
			walk(v, path)
		}
	}
	walk(doc.Content[0], "")
	for _, s := range list {
		if !found[s.path] {
			t.Errorf("%s: missing from %s", s.path, shippedFile)
		}
	}
}

func TestSettingsAndEnvNames(t *testing.T) {
	list, err := settings()
	if err != nil {
		t.Fatal(err)
	}
	byEnv := make(map[string]string)
	for _, s := range list {
		if prev, dup := byEnv[s.env]; dup {
			t.Errorf("%s and %s share the variable %s", prev, s.path, s.env)
		}
		byEnv[s.env] = s.path
	}
	for env, path := range map[string]string{
		"DOCKET_ADDR":                   "addr",
		"DOCKET_DB":                     "db",
		"DOCKET_SECRET":                 "secret",
		"DOCKET_SMTP_URL":               "smtp.url",
		"DOCKET_REVIEW_TIMEZONE":        "review.timezone",
		"DOCKET_NOTIFY_REMINDER_DAYS":   "notify.reminder_days",
		"DOCKET_FINDINGS_RESPONSE_DAYS": "findings.response_days",
		"DOCKET_AUTH_TRUSTED_PROXIES":   "auth.trusted_proxies",
	} {
		if byEnv[env] != path {
			t.Errorf("%s sets %q, want %q", env, byEnv[env], path)
		}
	}
	if _, ok := byEnv[ConfigEnv]; ok {
		t.Errorf("%s must not be a setting", ConfigEnv)
	}
}

// TestEverySettingIsSettable sets each setting from text, as the environment
// and flags do, so a field added to Config is known to be covered.
func TestEverySettingIsSettable(t *testing.T) {
	list, err := settings()
	if err != nil {
		t.Fatal(err)
	}
	sample := func(t reflect.Type) string {
		switch {
		case t == durationType:
			return "17m"
		case t.Kind() == reflect.String:
			return "changed"
		case t.Kind() == reflect.Bool:
			return "true"
		default:
			return "4"
		}
	}
	for _, s := range list {
		c, d := Default(), Default()
		var text string
		switch s.typ.Kind() {
		case reflect.Slice:
			text = sample(s.typ.Elem()) + "," + sample(s.typ.Elem())
		case reflect.Map:
			text = "zz=" + sample(s.typ.Elem())
		default:
			text = sample(s.typ)
		}
		if s.typ.Kind() == reflect.Bool && field(&d, s).Bool() {
			text = "false"
		}
		if err := setString(field(&c, s), text); err != nil {
			t.Errorf("%s: setting %q: %v", s.path, text, err)
			continue
		}
		if reflect.DeepEqual(field(&c, s).Interface(), field(&d, s).Interface()) {
			t.Errorf("%s: setting %q changed nothing", s.path, text)
		}
	}
}

func TestPrecedence(t *testing.T) {
	file := writeFile(t, `
addr: "127.0.0.1:1111"
db: file.db
log:
  level: debug
review:
  window_days: 10
  timezone: Europe/Paris
notify:
  reminder_days: [5]
`)
	getenv := env(map[string]string{
		"DOCKET_ADDR":                  "127.0.0.1:2222",
		"DOCKET_DB":                    "env.db",
		"DOCKET_REVIEW_WINDOW_DAYS":    "20",
		"DOCKET_AUTH_LOCKOUT":          "1h",
		"DOCKET_NOTIFY_SCHEDULE":       "@every 5m",
		"DOCKET_WEBHOOKS_MAX_ATTEMPTS": "3",
	})
	flags := map[string]string{
		"addr":                  "127.0.0.1:3333",
		"review.timezone":       "Asia/Tokyo",
		"webhooks.max_attempts": "4",
	}
	c, err := Load(file, getenv, flags)
	if err != nil {
		t.Fatal(err)
	}
	def := Default()
	for _, tc := range []struct {
		name      string
		got, want any
	}{
		{"addr (flag > env > file)", c.Addr, "127.0.0.1:3333"},
		{"review.timezone (flag > file)", c.Review.Timezone, "Asia/Tokyo"},
		{"webhooks.max_attempts (flag > env)", c.Webhooks.MaxAttempts, 4},
		{"db (env > file)", c.DB, "env.db"},
		{"review.window_days (env > file)", c.Review.WindowDays, 20},
		{"auth.lockout (env > default)", c.Auth.Lockout, time.Hour},
		{"notify.schedule (env > default)", c.Notify.Schedule, "@every 5m"},
		{"log.level (file > default)", c.Log.Level, "debug"},
		{"notify.reminder_days (file > default)", c.Notify.ReminderDays, []int{5}},
		{"review.due_soon_days (default)", c.Review.DueSoonDays, def.Review.DueSoonDays},
		{"mail.from (default)", c.Mail.From, def.Mail.From},
	} {
		if !reflect.DeepEqual(tc.got, tc.want) {
			t.Errorf("%s = %v, want %v", tc.name, tc.got, tc.want)
		}
	}
	if got := c.Location().String(); got != "Asia/Tokyo" {
		t.Errorf("Location() = %s, want Asia/Tokyo", got)
	}
}

func TestEnvListsAndMaps(t *testing.T) {
	c, err := Load("", env(map[string]string{
		"DOCKET_NOTIFY_REMINDER_DAYS":           "14, 7,1",
		"DOCKET_AUTH_TRUSTED_PROXIES":           "10.0.0.0/8, 192.168.1.7,::1",
		"DOCKET_FINDINGS_RESPONSE_DAYS":         "critical=1, high = 2",
		"DOCKET_REVIEW_PAUSE_ON_INFO_REQUEST":   "false",
		"DOCKET_WEBHOOKS_ALLOW_PRIVATE_TARGETS": "1",
		"DOCKET_UPLOADS_MAX_BYTES":              "1048576",
		"DOCKET_HTTP_READ_HEADER_TIMEOUT":       "1500ms",
		"DOCKET_NOTIFY_INFO_REQUEST_LEAD_DAYS":  "12",
		"DOCKET_SMTP_URL":                       "smtp://u:p@mail.example.org:587?tls=starttls",
		"DOCKET_SECRET":                         strings.Repeat("s", 32),
		"DOCKET_CONFIG":                         "",
		"DOCKET_METRICS_TOKEN":                  "m",
		"DOCKET_BASE_URL":                       "https://docket.example.org/",
		"DOCKET_AUTH_SECURE_COOKIES":            "always",
	}), nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := []int{14, 7, 1}; !slices.Equal(c.Notify.ReminderDays, want) {
		t.Errorf("reminder_days = %v, want %v", c.Notify.ReminderDays, want)
	}
	if want := []string{"10.0.0.0/8", "192.168.1.7", "::1"}; !slices.Equal(c.Auth.TrustedProxies, want) {
		t.Errorf("trusted_proxies = %q, want %q", c.Auth.TrustedProxies, want)
	}
	wantDays := map[string]int{"critical": 1, "high": 2, "medium": 14, "low": 30, "informational": 0}
	if !reflect.DeepEqual(c.Findings.ResponseDays, wantDays) {
		t.Errorf("response_days = %v, want %v (merged over the defaults)", c.Findings.ResponseDays, wantDays)
	}
	if c.Review.PauseOnInfoRequest || !c.Webhooks.AllowPrivateTargets {
		t.Errorf("booleans not applied: pause=%v allow_private=%v", c.Review.PauseOnInfoRequest, c.Webhooks.AllowPrivateTargets)
	}
	if c.Uploads.MaxBytes != 1<<20 || c.HTTP.ReadHeaderTimeout != 1500*time.Millisecond || c.Notify.InfoRequestLeadDays != 12 {
		t.Errorf("scalars not applied: %d %s %d", c.Uploads.MaxBytes, c.HTTP.ReadHeaderTimeout, c.Notify.InfoRequestLeadDays)
	}
	if c.SMTP.URL == "" || c.Metrics.Token != "m" || c.Auth.SecureCookies != "always" {
		t.Errorf("strings not applied: %+v", c)
	}

	// An empty list clears it; an empty map changes nothing.
	c, err = Load("", env(map[string]string{
		"DOCKET_NOTIFY_REMINDER_DAYS":   "",
		"DOCKET_FINDINGS_RESPONSE_DAYS": "",
	}), map[string]string{"auth.trusted_proxies": " "})
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Notify.ReminderDays) != 0 || len(c.Auth.TrustedProxies) != 0 {
		t.Errorf("empty lists: reminder_days=%v trusted_proxies=%q", c.Notify.ReminderDays, c.Auth.TrustedProxies)
	}
	if !reflect.DeepEqual(c.Findings.ResponseDays, Default().Findings.ResponseDays) {
		t.Errorf("empty map changed response_days to %v", c.Findings.ResponseDays)
	}
}

func TestFileListsMapsAndNulls(t *testing.T) {
	file := writeFile(t, `
addr:            # null: keeps the default
secret: ~
review:
  timezone:
auth:
  trusted_proxies: 10.0.0.1, 10.0.0.2   # a list may be one comma-separated string
findings:
  response_days:
    low: 60
notify:
  reminder_days: &days [10, 2]
  digest_time: "07:30"
`)
	c, err := Load(file, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	def := Default()
	if c.Addr != def.Addr || c.Secret != "" || c.Review.Timezone != def.Review.Timezone {
		t.Errorf("nulls changed settings: addr=%q secret=%q timezone=%q", c.Addr, c.Secret, c.Review.Timezone)
	}
	if want := []string{"10.0.0.1", "10.0.0.2"}; !slices.Equal(c.Auth.TrustedProxies, want) {
		t.Errorf("trusted_proxies = %q, want %q", c.Auth.TrustedProxies, want)
	}
	if c.Findings.ResponseDays["low"] != 60 || c.Findings.ResponseDays["critical"] != 3 {
		t.Errorf("response_days = %v, want low 60 merged over the defaults", c.Findings.ResponseDays)
	}
	if want := []int{10, 2}; !slices.Equal(c.Notify.ReminderDays, want) || c.Notify.DigestTime != "07:30" {
		t.Errorf("notify = %+v", c.Notify)
	}
	if !reflect.DeepEqual(Default(), def) {
		t.Error("Load changed the defaults")
	}
}

func TestConfigFileDiscovery(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	if err := os.MkdirAll("configs", 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(DefaultPath, []byte("addr: \"127.0.0.1:1\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	other := filepath.Join(dir, "other.yaml")
	if err := os.WriteFile(other, []byte("addr: \"127.0.0.1:2\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}

	c, err := Load("", nil, nil)
	if err != nil || c.Addr != "127.0.0.1:1" {
		t.Errorf("Load(\"\") = %q, %v; want the address from %s", c.Addr, err, DefaultPath)
	}
	c, err = Load("", env(map[string]string{ConfigEnv: other}), nil)
	if err != nil || c.Addr != "127.0.0.1:2" {
		t.Errorf("Load with %s = %q, %v; want the address from %s", ConfigEnv, c.Addr, err, other)
	}
	c, err = Load(DefaultPath, env(map[string]string{ConfigEnv: other}), nil)
	if err != nil || c.Addr != "127.0.0.1:1" {
		t.Errorf("an explicit path must beat %s: got %q, %v", ConfigEnv, c.Addr, err)
	}

	for name, load := range map[string]func() (Config, error){
		"explicit path": func() (Config, error) { return Load("missing.yaml", nil, nil) },
		ConfigEnv:       func() (Config, error) { return Load("", env(map[string]string{ConfigEnv: "missing.yaml"}), nil) },
	} {
		if _, err := load(); err == nil || !strings.Contains(err.Error(), "missing.yaml") {
			t.Errorf("%s naming a missing file: err = %v, want one naming missing.yaml", name, err)
		}
	}
}

func TestBadValues(t *testing.T) {
	tests := []struct {
		name    string
		file    string            // YAML, if any
		env     map[string]string // environment
		flags   map[string]string // overrides
		want    []string          // substrings of the error
		without string            // must not appear in the error
	}{
		{name: "unknown zone", flags: map[string]string{"review.timezone": "Mars/Base"},
			want: []string{`review.timezone: unknown time zone "Mars/Base"`}},
		{name: "Local zone", file: "review:\n  timezone: Local\n", want: []string{"review.timezone:"}},
		{name: "negative window", env: map[string]string{"DOCKET_REVIEW_WINDOW_DAYS": "-3"},
			want: []string{"review.window_days: must be between 1 and 365, got -3"}},
		{name: "window too long", file: "review:\n  window_days: 366\n", want: []string{"review.window_days:"}},
		{name: "memory limit too small", env: map[string]string{"DOCKET_MEMORY_LIMIT": "1048576"},
			want: []string{"memory_limit: must be 0 (the Go runtime's default) or at least 16777216 bytes (16 MiB), got 1048576"}},
		{name: "negative memory limit", file: "memory_limit: -1\n", want: []string{"memory_limit:"}},
		{name: "zero give-up time", env: map[string]string{"DOCKET_SMTP_GIVE_UP_AFTER": "0s"},
			want: []string{"smtp.give_up_after: must be positive, got 0s"}},
		{name: "window not a number in env", env: map[string]string{"DOCKET_REVIEW_WINDOW_DAYS": "abc"},
			want: []string{`DOCKET_REVIEW_WINDOW_DAYS: not a whole number: "abc"`}},
		{name: "window not a number in flag", flags: map[string]string{"review.window_days": "abc"},
			want: []string{`flag review.window_days: not a whole number: "abc"`}},
		{name: "window not a number in file", file: "review:\n  window_days: thirty\n",
			want: []string{`review.window_days: not a whole number: "thirty"`, "line 2"}},
		{name: "critical not below due soon", file: "review:\n  due_soon_days: 3\n  critical_days: 3\n",
			want: []string{"review.critical_days:"}},
		{name: "short secret", env: map[string]string{"DOCKET_SECRET": "0123456789"},
			want: []string{"secret: must be at least 32 bytes, got 10"}, without: "0123456789"},
		{name: "malformed postgres URL", flags: map[string]string{"db": "postgres://docket:hunter2@db.example.org:port/docket"},
			want: []string{"db: malformed PostgreSQL URL: "}, without: "hunter2"},
		{name: "postgres URL without host", env: map[string]string{"DOCKET_DB": "postgresql:///docket"},
			want: []string{"db: malformed PostgreSQL URL: no host"}},
		{name: "unsupported db scheme", env: map[string]string{"DOCKET_DB": "mysql://h/d"}, want: []string{"db: unsupported"}},
		{name: "bad duration in file", file: "auth:\n  lockout: 15\n",
			want: []string{`auth.lockout: not a duration`, "line 2"}},
		{name: "bad duration in env", env: map[string]string{"DOCKET_AUTH_SESSION_TTL": "soon"},
			want: []string{`DOCKET_AUTH_SESSION_TTL: not a duration`}},
		{name: "bad duration in flag", flags: map[string]string{"http.read_timeout": "10"},
			want: []string{`flag http.read_timeout: not a duration`}},
		{name: "zero duration", env: map[string]string{"DOCKET_AUTH_LOCKOUT": "0s"}, want: []string{"auth.lockout: must be a positive duration"}},
		{name: "escalation too often", env: map[string]string{"DOCKET_NOTIFY_ESCALATION_REPEAT": "23h"},
			want: []string{"notify.escalation_repeat: must be at least 24h (an escalation repeats at most once a day)"}},
		{name: "max delay below base", file: "auth:\n  throttle_base: 2s\n  max_delay: 1s\n", want: []string{"auth.max_delay:"}},
		{name: "bad boolean", env: map[string]string{"DOCKET_REVIEW_PAUSE_ON_INFO_REQUEST": "sometimes"},
			want: []string{`DOCKET_REVIEW_PAUSE_ON_INFO_REQUEST: not true or false: "sometimes"`}},
		{name: "reminder time 25:00", file: "notify:\n  reminder_time: \"25:00\"\n",
			want: []string{`notify.reminder_time: must be a time of day written HH:MM (24 h), got "25:00"`}},
		{name: "digest time without zero", env: map[string]string{"DOCKET_NOTIFY_DIGEST_TIME": "8:00"}, want: []string{"notify.digest_time:"}},
		{name: "reminder day zero", env: map[string]string{"DOCKET_NOTIFY_REMINDER_DAYS": "7,0"},
			want: []string{"notify.reminder_days: item 2: must be at least 1, got 0"}},
		{name: "reminder day twice", file: "notify:\n  reminder_days: [3, 1, 3]\n", want: []string{"notify.reminder_days: item 3: 3 is listed twice"}},
		{name: "reminder day not a number", env: map[string]string{"DOCKET_NOTIFY_REMINDER_DAYS": "7,x"},
			want: []string{`DOCKET_NOTIFY_REMINDER_DAYS: item 2: not a whole number: "x"`}},
		{name: "unknown yaml key", file: "adr: \":80\"\n", want: []string{"adr: unknown setting", "line 1"}},
		{name: "unknown nested yaml key", file: "review:\n  window: 30\n", want: []string{"review.window: unknown setting", "line 2"}},
		{name: "yaml key twice", file: "addr: \":1\"\naddr: \":2\"\n", want: []string{"addr: given twice"}},
		{name: "section given a value", file: "review: 30\n", want: []string{"review: expected a mapping"}},
		{name: "list given a mapping", file: "notify:\n  reminder_days: {a: 1}\n", want: []string{"notify.reminder_days: expected a list"}},
		{name: "malformed yaml", file: "review: [\n", want: []string{"config file"}},
		{name: "unknown severity in file", file: "findings:\n  response_days:\n    urgent: 1\n",
			want: []string{`findings.response_days: unknown severity "urgent"`}},
		{name: "unknown severity in env", env: map[string]string{"DOCKET_FINDINGS_RESPONSE_DAYS": "severe=1"},
			want: []string{`findings.response_days: unknown severity "severe"`}},
		{name: "negative response days", flags: map[string]string{"findings.response_days": "low=-1"},
			want: []string{"findings.response_days.low: must be at least 0"}},
		{name: "response days not key=value", env: map[string]string{"DOCKET_FINDINGS_RESPONSE_DAYS": "critical"},
			want: []string{`DOCKET_FINDINGS_RESPONSE_DAYS: expected key=value, got "critical"`}},
		{name: "bad smtp tls", env: map[string]string{"DOCKET_SMTP_URL": "smtp://u:s3cr3t@mail.example.org:587?tls=maybe"},
			want: []string{`smtp.url: tls must be none, starttls or tls, got "maybe"`}, without: "s3cr3t"},
		{name: "smtp scheme", flags: map[string]string{"smtp.url": "http://mail:25"}, want: []string{"smtp.url: scheme must be smtp"}},
		{name: "smtp without port", file: "smtp:\n  url: smtp://mail.example.org\n", want: []string{"smtp.url: port"}},
		{name: "smtp without host", file: "smtp:\n  url: smtp://:25\n", want: []string{"smtp.url: no host"}},
		{name: "smtp unknown parameter", file: "smtp:\n  url: smtp://mail:25?tsl=tls\n", want: []string{`smtp.url: unknown parameter "tsl"`}},
		{name: "bad trusted proxy", env: map[string]string{"DOCKET_AUTH_TRUSTED_PROXIES": "10.0.0.0/8,10.0.0.0/33"},
			want: []string{`auth.trusted_proxies: item 2: not an IP address or CIDR prefix: "10.0.0.0/33"`}},
		{name: "trusted proxy host name", file: "auth:\n  trusted_proxies: [proxy.local]\n", want: []string{"auth.trusted_proxies: item 1"}},
		{name: "secure cookies", env: map[string]string{"DOCKET_AUTH_SECURE_COOKIES": "yes"}, want: []string{"auth.secure_cookies:"}},
		{name: "relative base url", env: map[string]string{"DOCKET_BASE_URL": "docket.example.org"}, want: []string{"base_url: must be an absolute"}},
		{name: "ftp base url", env: map[string]string{"DOCKET_BASE_URL": "ftp://docket.example.org"}, want: []string{"base_url:"}},
		{name: "bad addr", flags: map[string]string{"addr": "localhost"}, want: []string{"addr: must be host:port"}},
		{name: "bad mail from", env: map[string]string{"DOCKET_MAIL_FROM": "Docket"}, want: []string{"mail.from:"}},
		{name: "oidc over plain http", env: map[string]string{"DOCKET_OIDC_ISSUER": "http://idp.example", "DOCKET_OIDC_CLIENT_ID": "docket",
			"DOCKET_OIDC_PRIVATE_KEY_FILE": "k.pem"}, want: []string{"oidc.issuer:"}},
		{name: "oidc without a key or client", env: map[string]string{"DOCKET_OIDC_ISSUER": "https://idp.example"},
			want: []string{"oidc.client_id:", "oidc.private_key_file:"}},
		{name: "oidc without openid", env: map[string]string{"DOCKET_OIDC_ISSUER": "http://127.0.0.1:9", "DOCKET_OIDC_CLIENT_ID": "docket",
			"DOCKET_OIDC_PRIVATE_KEY_FILE": "k.pem", "DOCKET_OIDC_SCOPES": "email"}, want: []string{"oidc.scopes:"}},
		{name: "oidc step-up that can be phished", env: map[string]string{"DOCKET_OIDC_ISSUER": "https://idp.example", "DOCKET_OIDC_CLIENT_ID": "docket",
			"DOCKET_OIDC_PRIVATE_KEY_FILE": "k.pem", "DOCKET_OIDC_STEP_UP_ACR_VALUES": "http://idmanagement.gov/ns/assurance/aal/2"},
			want: []string{"oidc.step_up_acr_values: must ask for a phishing-resistant sign-in"}},
		{name: "tlp red setting not a boolean", env: map[string]string{"DOCKET_AUTH_TLP_RED_REQUIRES_PHISHING_RESISTANT": "sometimes"},
			want: []string{"DOCKET_AUTH_TLP_RED_REQUIRES_PHISHING_RESISTANT:"}},
		{name: "bad log level", env: map[string]string{"DOCKET_LOG_LEVEL": "verbose"}, want: []string{"log.level:"}},
		{name: "zero upload size", env: map[string]string{"DOCKET_UPLOADS_MAX_BYTES": "0"}, want: []string{"uploads.max_bytes:"}},
		{name: "no webhook attempts", env: map[string]string{"DOCKET_WEBHOOKS_MAX_ATTEMPTS": "0"}, want: []string{"webhooks.max_attempts:"}},
		{name: "negative secret overlap", env: map[string]string{"DOCKET_WEBHOOKS_SECRET_OVERLAP": "-1h"}, want: []string{"webhooks.secret_overlap: must be from 0"}},
		{name: "secret overlap over 30 days", file: "webhooks:\n  secret_overlap: 721h\n", want: []string{"webhooks.secret_overlap: must be from 0"}},
		{name: "empty schedule", env: map[string]string{"DOCKET_NOTIFY_SCHEDULE": " "}, want: []string{"notify.schedule:"}},
		{name: "empty data dir", flags: map[string]string{"data_dir": ""}, want: []string{"data_dir:"}},
		{name: "unknown flag", flags: map[string]string{"review.window": "3"}, want: []string{"flag review.window: unknown setting"}},
		{name: "several at once", env: map[string]string{"DOCKET_REVIEW_WINDOW_DAYS": "0", "DOCKET_SECRET": "short"},
			want: []string{"review.window_days:", "secret:"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Chdir(t.TempDir()) // keep any configs/docket.yaml out of it
			path := ""
			if tc.file != "" {
				path = writeFile(t, tc.file)
			}
			c, err := Load(path, env(tc.env), tc.flags)
			if err == nil {
				t.Fatalf("Load succeeded with %+v; want an error containing %q", c, tc.want)
			}
			msg := err.Error()
			for _, w := range tc.want {
				if !strings.Contains(msg, w) {
					t.Errorf("error %q does not contain %q", msg, w)
				}
			}
			if tc.without != "" && strings.Contains(msg, tc.without) {
				t.Errorf("error %q reveals %q", msg, tc.without)
			}
			if !reflect.DeepEqual(c, Config{}) {
				t.Errorf("Load returned a non-zero Config with its error")
			}
		})
	}
}

func TestValidateReportsMissingSeverity(t *testing.T) {
	c := Default()
	c.Findings.ResponseDays = map[string]int{"critical": 3}
	err := c.Validate()
	if err == nil || !strings.Contains(err.Error(), `findings.response_days: missing severity "high"`) {
		t.Errorf("Validate() = %v, want the missing severities named", err)
	}
}

func TestGoodValues(t *testing.T) {
	for _, tc := range []struct {
		name  string
		flags map[string]string
	}{
		{"postgres URL", map[string]string{"db": "postgres://docket:pw@db.example.org:5432/docket?sslmode=require"}},
		{"postgresql URL with socket host", map[string]string{"db": "postgresql:///docket?host=/var/run/postgresql"}},
		{"sqlite path", map[string]string{"db": "/var/lib/docket/docket.db"}},
		{"sqlite file URI", map[string]string{"db": "file:///var/lib/docket/docket.db?_foreign_keys=on"}},
		{"port 0", map[string]string{"addr": "127.0.0.1:0"}},
		{"all interfaces", map[string]string{"addr": ":8080"}},
		{"smtp without tls parameter", map[string]string{"smtp.url": "smtp://mail.example.org:25"}},
		{"smtp tls", map[string]string{"smtp.url": "smtp://user:p%40ss@mail.example.org:465?tls=tls"}},
		{"no throttle", map[string]string{"auth.throttle_base": "0s"}},
		{"no reminders", map[string]string{"notify.reminder_days": ""}},
		{"https base url", map[string]string{"base_url": "https://docket.example.org/sub/"}},
		{"utc", map[string]string{"review.timezone": "UTC"}},
		{"midnight digest", map[string]string{"notify.digest_time": "00:00", "notify.reminder_time": "23:59"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Chdir(t.TempDir())
			if _, err := Load("", nil, tc.flags); err != nil {
				t.Errorf("Load(%v) = %v", tc.flags, err)
			}
		})
	}
}

func TestIsPostgres(t *testing.T) {
	for db, want := range map[string]bool{
		"docket.db":                        false,
		"/var/lib/docket/postgres.db":      false,
		"file:///var/lib/docket/docket.db": false,
		"postgres://h/d":                   true,
		"postgresql://h/d":                 true,
		"POSTGRES://h/d":                   true,
	} {
		c := Default()
		c.DB = db
		if got := c.IsPostgres(); got != want {
			t.Errorf("IsPostgres(%q) = %v, want %v", db, got, want)
		}
	}
}

func TestLocationFallsBackToUTC(t *testing.T) {
	c := Default()
	c.Review.Timezone = "Mars/Base"
	if got := c.Location(); got != time.UTC {
		t.Errorf("Location() = %v, want UTC for an invalid zone", got)
	}
}
