// Package config loads and validates Docket's settings.
//
// Settings come from, strongest first: flag overrides, environment variables,
// the YAML configuration file, and the built-in defaults of [Default]. Every
// setting has a dotted path made of its yaml keys ("review.timezone"); its
// environment variable is DOCKET_ followed by that path in capitals with dots
// as underscores (DOCKET_REVIEW_TIMEZONE). The package holds no state: [Load]
// reads only what it is given, and the caller keeps the [Config] it returns.
package config

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
	_ "time/tzdata" // the review zone must load on hosts without a zoneinfo database
)

// DefaultPath is the configuration file that Load reads, if it exists, when
// it is given no path and DOCKET_CONFIG is unset or empty.
const DefaultPath = "configs/docket.yaml"

// ConfigEnv is the environment variable that names the configuration file
// when Load is given no path.
const ConfigEnv = "DOCKET_CONFIG"

// The values of Auth.SecureCookies.
const (
	SecureCookiesAuto   = "auto"   // Secure when base_url is https
	SecureCookiesAlways = "always" // always Secure (TLS terminated in front of Docket)
	SecureCookiesNever  = "never"  // never Secure (plain HTTP, development only)
)

// Config holds every setting of Docket. The yaml tags name the settings: a
// setting's dotted path is the chain of tags leading to it.
type Config struct {
	Addr     string   `yaml:"addr"`     // listen address, host:port
	DB       string   `yaml:"db"`       // a SQLite path or a postgres:// (postgresql://) URL
	Secret   string   `yaml:"secret"`   // at least 32 bytes; "" lets the caller generate and persist one
	BaseURL  string   `yaml:"base_url"` // absolute http(s) URL; "" lets the caller derive it from Addr
	DataDir  string   `yaml:"data_dir"` // where attachments and other files are kept
	Review   Review   `yaml:"review"`   // the review clock
	Auth     Auth     `yaml:"auth"`     // sign-in, sessions and tokens
	HTTP     HTTP     `yaml:"http"`     // the HTTP server
	Notify   Notify   `yaml:"notify"`   // reminders, escalations and the sweep
	Findings Findings `yaml:"findings"` // findings
	Uploads  Uploads  `yaml:"uploads"`  // attachments
	SMTP     SMTP     `yaml:"smtp"`     // outgoing e-mail
	Mail     Mail     `yaml:"mail"`     // e-mail headers
	Agency   Agency   `yaml:"agency"`   // the agency this deployment serves
	// Clearinghouse: who reads the published vulnerabilities' feeds.
	Clearinghouse Clearinghouse `yaml:"clearinghouse"`
	Webhooks      Webhooks      `yaml:"webhooks"`   // webhook delivery
	Metrics       Metrics       `yaml:"metrics"`    // /metrics
	OIDC          OIDC          `yaml:"oidc"`       // single sign-on
	Benchmarks    string        `yaml:"benchmarks"` // path of the benchmarks file
	Log           Log           `yaml:"log"`        // logging
	// MemoryLimit is the soft limit of the server's Go memory, in bytes
	// (runtime/debug.SetMemoryLimit); 0 leaves the runtime's default.
	MemoryLimit int64 `yaml:"memory_limit"`
}

// Review holds the settings that shape a case's review clock.
type Review struct {
	Timezone           string `yaml:"timezone"`              // IANA zone of the agency; calendar arithmetic happens here
	WindowDays         int    `yaml:"window_days"`           // 1..365
	PauseOnInfoRequest bool   `yaml:"pause_on_info_request"` // stop the clock while an information request is open
	DueSoonDays        int    `yaml:"due_soon_days"`         // band due_soon at or below this many days left; >= 1
	CriticalDays       int    `yaml:"critical_days"`         // band critical at or below this many days left; 0 <= critical < due_soon
}

// Auth holds the settings of sign-in, sessions and API tokens.
type Auth struct {
	Issuer         string        `yaml:"issuer"`            // the iss of every token
	SessionTTL     time.Duration `yaml:"session_ttl"`       // > 0
	APITokenMaxTTL time.Duration `yaml:"api_token_max_ttl"` // > 0
	MaxFailures    int           `yaml:"max_failures"`      // failures before an account locks; >= 1
	Lockout        time.Duration `yaml:"lockout"`           // > 0
	ThrottleBase   time.Duration `yaml:"throttle_base"`     // first delay after a failure, doubling; >= 0
	MaxDelay       time.Duration `yaml:"max_delay"`         // >= ThrottleBase
	TrustedProxies []string      `yaml:"trusted_proxies"`   // IP addresses or CIDR prefixes
	SecureCookies  string        `yaml:"secure_cookies"`    // SecureCookiesAuto, SecureCookiesAlways or SecureCookiesNever
	// MFARequiredRoles are the roles that must sign in with a second factor;
	// ["none"] for no role.
	MFARequiredRoles []string `yaml:"mfa_required_roles"`
	// TLPRedRequiresPhishingResistant: reading a TLP:RED finding, its
	// attachments or its answers, and sharing or labelling a finding TLP:RED,
	// need a session made with a passkey or a phishing-resistant single
	// sign-on (403 step_up_required otherwise).
	TLPRedRequiresPhishingResistant bool `yaml:"tlp_red_requires_phishing_resistant"`
}

// MFARequired reports whether users of the role must use a second factor.
func (a Auth) MFARequired(role string) bool {
	for _, r := range a.MFARequiredRoles {
		if r == role {
			return true
		}
	}
	return false
}

// NoMFARoles is the value of auth.mfa_required_roles that requires no second factor of anyone.
var NoMFARoles = []string{"none"}

// HTTP holds the settings of the HTTP server; all are positive.
type HTTP struct {
	ReadHeaderTimeout time.Duration `yaml:"read_header_timeout"`
	ReadTimeout       time.Duration `yaml:"read_timeout"`
	WriteTimeout      time.Duration `yaml:"write_timeout"`
	IdleTimeout       time.Duration `yaml:"idle_timeout"`
	MaxHeaderBytes    int           `yaml:"max_header_bytes"`
}

// Notify holds the settings of the scheduler, reminders and escalations.
type Notify struct {
	Schedule            string        `yaml:"schedule"`               // cron spec of the sweep; checked by the scheduler, here only non-empty
	DigestTime          string        `yaml:"digest_time"`            // HH:MM, 24 h, agency time
	ReminderTime        string        `yaml:"reminder_time"`          // HH:MM, 24 h, agency time
	ReminderDays        []int         `yaml:"reminder_days"`          // days before a deadline; each >= 1, no duplicates
	UnassignedAfter     time.Duration `yaml:"unassigned_after"`       // > 0
	InfoRequestLabDays  int           `yaml:"info_request_lab_days"`  // >= 1
	InfoRequestLeadDays int           `yaml:"info_request_lead_days"` // >= 1
	EscalationRepeat    time.Duration `yaml:"escalation_repeat"`      // >= 24h: an escalation repeats at most once a day
	LeaseTTL            time.Duration `yaml:"lease_ttl"`              // > 0
	// RepeatsInDigest: an escalation's repeats, after its first message, go
	// into each recipient's daily digest rather than a message of their own.
	RepeatsInDigest bool `yaml:"repeats_in_digest"`
}

// OIDC holds the settings of single sign-on through an OpenID provider
// (Login.gov or the agency's own): off while Issuer is "".
type OIDC struct {
	// Issuer is the provider's issuer URL: https, or http on a loopback
	// address (tests); its discovery document names the endpoints.
	Issuer string `yaml:"issuer"`
	// ClientID is Docket's client id at the provider.
	ClientID string `yaml:"client_id"`
	// PrivateKeyFile is the PEM RSA private key whose public half is
	// registered with the provider: Docket authenticates with private_key_jwt.
	PrivateKeyFile string `yaml:"private_key_file"`
	// Scopes asked for; openid and email at least.
	Scopes []string `yaml:"scopes"`
	// ACRValues is sent as acr_values ("" sends none).
	ACRValues string `yaml:"acr_values"`
	// StepUpACRValues is sent as acr_values by a sign-in started to read
	// TLP:RED content: it must ask for a phishing-resistant sign-in
	// (phishing_resistant=true or hspd12=true, as Login.gov writes them).
	StepUpACRValues string `yaml:"step_up_acr_values"`
	// DisplayName names the provider on the sign-in page.
	DisplayName string `yaml:"display_name"`
}

// Enabled reports whether single sign-on is configured.
func (o OIDC) Enabled() bool { return o.Issuer != "" }

// Findings holds the settings of findings.
type Findings struct {
	// ResponseDays maps each severity (critical, high, medium, low,
	// informational) to the days the lab has to respond; 0 means no deadline.
	ResponseDays map[string]int `yaml:"response_days"`
	// MaxRiskAcceptanceDays bounds how far ahead a risk acceptance may run.
	MaxRiskAcceptanceDays int `yaml:"max_risk_acceptance_days"`
	// AcceptanceWarningDays is how many days before a risk acceptance ends
	// the case lead is told.
	AcceptanceWarningDays int `yaml:"acceptance_warning_days"`
}

// Uploads holds the settings of attachments.
type Uploads struct {
	MaxBytes int64 `yaml:"max_bytes"` // > 0
}

// SMTP holds the settings of outgoing e-mail.
type SMTP struct {
	// URL is smtp://user:pass@host:port?tls=none|starttls|tls, or "" to log
	// messages instead of sending them.
	URL string `yaml:"url"`
	// GiveUpAfter is how long a message that cannot be sent is retried
	// before it is parked as failed (an administrator can retry it); > 0.
	GiveUpAfter time.Duration `yaml:"give_up_after"`
}

// Mail holds the headers of outgoing e-mail.
type Mail struct {
	From string `yaml:"from"` // an RFC 5322 address
}

// Agency names the agency this deployment serves.
type Agency struct {
	// Name is the agency's name, as the review statements, the CSAF
	// documents and the STIX bundle name their issuer.
	Name string `yaml:"name"`
}

// Clearinghouse holds the settings of the Clearinghouse's feeds.
type Clearinghouse struct {
	// Public lets anyone, signed in or not, read the TLP:CLEAR entries
	// through every feed (the Docket feed, KEV, CSAF and STIX).
	Public bool `yaml:"public"`
}

// Webhooks holds the settings of webhook delivery.
type Webhooks struct {
	MaxAttempts         int           `yaml:"max_attempts"`          // >= 1
	Timeout             time.Duration `yaml:"timeout"`               // > 0
	AllowPrivateTargets bool          `yaml:"allow_private_targets"` // allow loopback, private and link-local targets
	// SecretOverlap is how long, after a secret is rotated, the previous one
	// still signs each delivery beside the new one; 0 to 30 days.
	SecretOverlap time.Duration `yaml:"secret_overlap"`
}

// Metrics holds the settings of /metrics.
type Metrics struct {
	Token string `yaml:"token"` // "" answers on loopback only; otherwise the bearer token required
}

// Log holds the settings of logging.
type Log struct {
	Level string `yaml:"level"` // debug, info, warn or error
}

// Default returns the built-in settings. Each call returns fresh slices and
// maps, so callers may change them.
func Default() Config {
	return Config{
		Addr:    "127.0.0.1:8080",
		DB:      "docket.db",
		DataDir: "data",
		Review: Review{
			Timezone:           "America/New_York",
			WindowDays:         30,
			PauseOnInfoRequest: true,
			DueSoonDays:        7,
			CriticalDays:       2,
		},
		Auth: Auth{
			Issuer:         "docket",
			SessionTTL:     12 * time.Hour,
			APITokenMaxTTL: 8760 * time.Hour,
			MaxFailures:    10,
			Lockout:        15 * time.Minute,
			ThrottleBase:   time.Second,
			MaxDelay:       30 * time.Second,
			TrustedProxies: []string{},
			SecureCookies:  SecureCookiesAuto,
			// Every agency role: federal staff sign in with a second factor.
			MFARequiredRoles: []string{"reviewer", "review_lead", "compliance_officer", "admin"},
			// What matters most is read only in a session that cannot be phished.
			TLPRedRequiresPhishingResistant: true,
		},
		OIDC: OIDC{Scopes: []string{"openid", "email"}, DisplayName: "Login.gov",
			StepUpACRValues: "http://idmanagement.gov/ns/assurance/aal/2?phishing_resistant=true"},
		MemoryLimit: 48 << 20,
		HTTP: HTTP{
			ReadHeaderTimeout: 5 * time.Second,
			ReadTimeout:       30 * time.Second,
			WriteTimeout:      60 * time.Second,
			IdleTimeout:       120 * time.Second,
			MaxHeaderBytes:    64 << 10,
		},
		Notify: Notify{
			Schedule:            "@every 1m",
			DigestTime:          "08:00",
			ReminderTime:        "09:00",
			ReminderDays:        []int{7, 3, 1},
			UnassignedAfter:     48 * time.Hour,
			InfoRequestLabDays:  5,
			InfoRequestLeadDays: 10,
			EscalationRepeat:    24 * time.Hour,
			RepeatsInDigest:     true,
			LeaseTTL:            30 * time.Second,
		},
		Findings: Findings{
			MaxRiskAcceptanceDays: 365,
			AcceptanceWarningDays: 14,
			ResponseDays: map[string]int{
				"critical":      3,
				"high":          7,
				"medium":        14,
				"low":           30,
				"informational": 0,
			},
		},
		Uploads:       Uploads{MaxBytes: 50 << 20},
		Mail:          Mail{From: "Docket <docket@localhost>"},
		Agency:        Agency{Name: "AI Cybersecurity Clearinghouse agency"},
		Clearinghouse: Clearinghouse{Public: true},
		SMTP:          SMTP{GiveUpAfter: 72 * time.Hour},
		Webhooks:      Webhooks{MaxAttempts: 8, Timeout: 10 * time.Second, SecretOverlap: 24 * time.Hour},
		Benchmarks:    "configs/benchmarks.yaml",
		Log:           Log{Level: "info"},
	}
}

// Load builds the configuration from, weakest first: Default, the YAML file,
// the environment, and overrides, then validates it.
//
// The file is path; when path is "" it is the file named by DOCKET_CONFIG, and
// when that is unset or empty it is DefaultPath if that exists, otherwise none.
// A file that was named (by path or DOCKET_CONFIG) but cannot be read is an
// error. Unknown keys in the file are errors, as are keys given twice; a key
// with an empty (null) value leaves the setting as it was.
//
// getenv looks up environment variables (os.LookupEnv in production; nil
// means an empty environment). Each setting is read from DOCKET_ + its dotted
// path in capitals with dots as underscores; lists are comma-separated
// ("7,3,1"), maps are comma-separated key=value pairs ("critical=3,high=7"),
// durations use Go syntax ("15m"), booleans strconv.ParseBool.
//
// overrides maps dotted setting paths ("addr", "review.timezone") to values
// written as in the environment; they typically come from command-line flags.
// An unknown path is an error.
//
// Map settings (findings.response_days) are merged key by key at each step;
// every other setting is replaced whole. Every error names the setting (or
// the environment variable or flag it came from); Load reports all the errors
// it finds, joined, and then returns a zero Config.
func Load(path string, getenv func(string) (string, bool), overrides map[string]string) (Config, error) {
	if getenv == nil {
		getenv = func(string) (string, bool) { return "", false }
	}
	list, err := settings()
	if err != nil {
		return Config{}, err
	}
	c := Default()

	file, named := path, path != ""
	if !named {
		if p, ok := getenv(ConfigEnv); ok && p != "" {
			file, named = p, true
		}
	}
	if !named {
		file = DefaultPath
	}
	data, err := os.ReadFile(file)
	switch {
	case err == nil:
		if err := decodeFile(&c, list, file, data); err != nil {
			return Config{}, err
		}
	case !named && errors.Is(err, fs.ErrNotExist):
		// No file: defaults and environment only.
	default:
		return Config{}, fmt.Errorf("config file: %w", err)
	}

	if err := applyEnv(&c, list, getenv); err != nil {
		return Config{}, err
	}
	if err := applyOverrides(&c, list, overrides); err != nil {
		return Config{}, err
	}
	if err := c.Validate(); err != nil {
		return Config{}, err
	}
	return c, nil
}

// Location returns the agency's time zone, review.timezone. It falls back to
// UTC only for a zone that Validate would reject.
func (c Config) Location() *time.Location {
	loc, err := loadZone(c.Review.Timezone)
	if err != nil {
		return time.UTC
	}
	return loc
}

// AttachmentsDir returns the directory that keeps attachments' files: the
// folder "attachments" in data_dir.
func (c Config) AttachmentsDir() string { return filepath.Join(c.DataDir, "attachments") }

// IsPostgres reports whether DB is a PostgreSQL URL (postgres:// or
// postgresql://) rather than a SQLite path.
func (c Config) IsPostgres() bool {
	scheme, _, ok := strings.Cut(c.DB, "://")
	if !ok {
		return false
	}
	scheme = strings.ToLower(scheme)
	return scheme == "postgres" || scheme == "postgresql"
}

// loadZone loads an IANA zone by name. Unlike time.LoadLocation it refuses
// "" and "Local", which would make the agency zone depend on the host.
func loadZone(name string) (*time.Location, error) {
	switch name {
	case "":
		return nil, errors.New("must name a time zone, such as America/New_York")
	case "Local":
		return nil, errors.New(`must name a time zone, such as America/New_York, not "Local"`)
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, fmt.Errorf("unknown time zone %q", name)
	}
	return loc, nil
}
