package main

import (
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/perfloop/perfloop/api"
	"github.com/perfloop/perfloop/notify"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// config is every setting of every command. Each flag's default comes from
// its PERFLOOP_* environment variable when set, so containers configure by
// env and people by flags; the README's table lists them all.
type config struct {
	HTTP           string
	DataDir        string
	Ephemeral      bool
	TemporalPort   int
	TemporalUIPort int
	DB             string
	Temporal       string
	Namespace      string
	TaskQueue      string
	LogLevel       string
	LogFormat      string
	OIDCJWKS       string
	OIDCIssuer     string
	OIDCAudience   string
	OIDCClientID   string
	OIDCSecretFile string
	OIDCRedirect   string
	OIDCJITDomain  string
	SessionTTL     time.Duration
	SMTP           string
	SMTPFrom       string
	SMTPUser       string
	SMTPPassword   string
	SMTPStartTLS   bool
	DrainDelay     time.Duration
	StopTimeout    time.Duration
	Metrics        string
	WebhookPrivate bool
}

// mail is the SMTP relay for e-mail notifications, nil when --smtp is
// unset. The password is read from a file (or PERFLOOP_SMTP_PASSWORD) at
// send time, never from a flag, so it shows in no process list or log.
func (c config) mail() (*notify.SMTP, error) {
	if c.SMTP == "" {
		return nil, nil
	}
	m := &notify.SMTP{Addr: c.SMTP, From: c.SMTPFrom, User: c.SMTPUser, StartTLS: c.SMTPStartTLS}
	switch {
	case c.SMTPPassword != "":
		abs, err := filepath.Abs(c.SMTPPassword)
		if err != nil {
			return nil, fmt.Errorf("--smtp-password-file %q: %w", c.SMTPPassword, err)
		}
		if _, err := os.Stat(abs); err != nil {
			return nil, fmt.Errorf("--smtp-password-file %q: %w", c.SMTPPassword, err)
		}
		m.Password = "file:" + abs
	case os.Getenv("PERFLOOP_SMTP_PASSWORD") != "":
		m.Password = "env:PERFLOOP_SMTP_PASSWORD"
	}
	if err := m.Check(); err != nil {
		return nil, err
	}
	host, _, _ := net.SplitHostPort(c.SMTP)
	if m.User != "" && !m.StartTLS && host != "localhost" && !net.ParseIP(host).IsLoopback() {
		return nil, fmt.Errorf("--smtp-user %q: credentials would cross the network in clear; add --smtp-starttls", m.User)
	}
	return m, nil
}

func addSMTPFlags(fs *pflag.FlagSet, c *config) {
	addString(fs, &c.SMTP, "smtp", "")
	addString(fs, &c.SMTPFrom, "smtp-from", "Perfloop <perfloop@localhost>")
	addString(fs, &c.SMTPUser, "smtp-user", "")
	addString(fs, &c.SMTPPassword, "smtp-password-file", "")
	addBool(fs, &c.SMTPStartTLS, "smtp-starttls")
}

func (c config) webhooks() notify.Targets { return notify.Targets{AllowPrivate: c.WebhookPrivate} }

func addWebhookFlags(fs *pflag.FlagSet, c *config) {
	addBool(fs, &c.WebhookPrivate, "webhook-allow-private")
}

// oidc is the SSO configuration, nil when no JWKS is set.
func (c config) oidc() *api.OIDC {
	if c.OIDCJWKS == "" {
		return nil
	}
	return &api.OIDC{JWKS: c.OIDCJWKS, Issuer: c.OIDCIssuer, Audience: c.OIDCAudience}
}

// sso is the browser's SSO sign-in, nil when no client id is set. The
// client secret is read from its file (or PERFLOOP_OIDC_CLIENT_SECRET),
// never from a flag, so it shows in no process list.
func (c config) sso() (*api.SSO, error) {
	if c.OIDCClientID == "" {
		return nil, nil
	}
	s := &api.SSO{Issuer: c.OIDCIssuer, ClientID: c.OIDCClientID, RedirectURL: c.OIDCRedirect, JITDomain: c.OIDCJITDomain, SessionTTL: c.SessionTTL}
	switch {
	case c.OIDCSecretFile != "":
		raw, err := os.ReadFile(c.OIDCSecretFile)
		if err != nil {
			return nil, fmt.Errorf("--oidc-client-secret-file %q: %w", c.OIDCSecretFile, err)
		}
		s.ClientSecret = strings.TrimSpace(string(raw))
		if s.ClientSecret == "" {
			return nil, fmt.Errorf("--oidc-client-secret-file %q is empty: it must hold the client secret the provider issued", c.OIDCSecretFile)
		}
	default:
		s.ClientSecret = os.Getenv("PERFLOOP_OIDC_CLIENT_SECRET")
	}
	if err := s.Check(); err != nil {
		return nil, err
	}
	return s, nil
}

func addOIDCFlags(fs *pflag.FlagSet, c *config) {
	addString(fs, &c.OIDCJWKS, "oidc-jwks", "")
	addString(fs, &c.OIDCIssuer, "oidc-issuer", "")
	addString(fs, &c.OIDCAudience, "oidc-audience", "")
	addString(fs, &c.OIDCClientID, "oidc-client-id", "")
	addString(fs, &c.OIDCSecretFile, "oidc-client-secret-file", "")
	addString(fs, &c.OIDCRedirect, "oidc-redirect-url", "")
	addString(fs, &c.OIDCJITDomain, "oidc-jit-domain", "")
	addDuration(fs, &c.SessionTTL, "session-ttl", api.DefaultSessionTTL)
}

type setting struct {
	flag, env, usage string
}

var settings = map[string]setting{
	"http":                    {"http", "PERFLOOP_HTTP", "address the API and UI listen on"},
	"data":                    {"data", "PERFLOOP_DATA", "directory for the embedded Temporal and SQLite files and demo-users.json"},
	"ephemeral":               {"ephemeral", "PERFLOOP_EPHEMERAL", "keep everything in memory; nothing survives a restart"},
	"temporal-port":           {"temporal-port", "PERFLOOP_TEMPORAL_PORT", "gRPC port of the embedded Temporal server"},
	"temporal-ui-port":        {"temporal-ui-port", "PERFLOOP_TEMPORAL_UI_PORT", "port of the Temporal Web UI (0 disables it)"},
	"db":                      {"db", "PERFLOOP_DB_DSN", "database: sqlite:FILE or mysql://user:pass@tcp(host:3306)/db"},
	"temporal":                {"temporal", "PERFLOOP_TEMPORAL", "Temporal frontend host:port"},
	"namespace":               {"namespace", "PERFLOOP_TEMPORAL_NAMESPACE", "Temporal namespace"},
	"task-queue":              {"task-queue", "PERFLOOP_TASK_QUEUE", "Temporal task queue of the Perfloop worker"},
	"log-level":               {"log-level", "PERFLOOP_LOG_LEVEL", "debug, info, warn or error"},
	"log-format":              {"log-format", "PERFLOOP_LOG_FORMAT", "text or json"},
	"oidc-jwks":               {"oidc-jwks", "PERFLOOP_OIDC_JWKS", "SSO: JWKS file or URL; tokens it signs sign members in by their email claim"},
	"oidc-issuer":             {"oidc-issuer", "PERFLOOP_OIDC_ISSUER", "SSO: the provider's issuer URL: tokens must carry it as iss, and the sign-in discovers the provider from it"},
	"oidc-audience":           {"oidc-audience", "PERFLOOP_OIDC_AUDIENCE", "SSO: the audience (aud) tokens must carry"},
	"oidc-client-id":          {"oidc-client-id", "PERFLOOP_OIDC_CLIENT_ID", "SSO sign-in: the client id registered at the provider; turns on the UI's \"Sign in with SSO\" (needs --oidc-issuer, --oidc-client-secret-file, --oidc-redirect-url)"},
	"oidc-client-secret-file": {"oidc-client-secret-file", "PERFLOOP_OIDC_CLIENT_SECRET_FILE", "SSO sign-in: file holding the client secret (or set PERFLOOP_OIDC_CLIENT_SECRET)"},
	"oidc-redirect-url":       {"oidc-redirect-url", "PERFLOOP_OIDC_REDIRECT_URL", "SSO sign-in: this server's callback as registered at the provider, e.g. https://perf.example.com/auth/callback"},
	"oidc-jit-domain":         {"oidc-jit-domain", "PERFLOOP_OIDC_JIT_DOMAIN", "SSO sign-in: a verified e-mail of this domain that no member has becomes an employee on first sign-in (unset: off)"},
	"session-ttl":             {"session-ttl", "PERFLOOP_SESSION_TTL", "SSO sign-in: how long a browser session lasts"},
	"smtp":                    {"smtp", "PERFLOOP_SMTP", "e-mail notifications: SMTP relay host:port (unset: no e-mail)"},
	"smtp-from":               {"smtp-from", "PERFLOOP_SMTP_FROM", "e-mail notifications: sender address"},
	"smtp-user":               {"smtp-user", "PERFLOOP_SMTP_USER", "e-mail notifications: AUTH PLAIN user"},
	"smtp-password-file":      {"smtp-password-file", "PERFLOOP_SMTP_PASSWORD_FILE", "e-mail notifications: file holding the SMTP password (or set PERFLOOP_SMTP_PASSWORD)"},
	"smtp-starttls":           {"smtp-starttls", "PERFLOOP_SMTP_STARTTLS", "e-mail notifications: upgrade with STARTTLS before AUTH (required off loopback)"},
	"org":                     {"org", "PERFLOOP_ORG", "init: the organisation's name"},
	"admin-email":             {"admin-email", "PERFLOOP_ADMIN_EMAIL", "init: the first admin's e-mail; SSO signs them in by it"},
	"admin-name":              {"admin-name", "PERFLOOP_ADMIN_NAME", "init: the first admin's name (default: the e-mail's local part)"},
	"timezone":                {"timezone", "PERFLOOP_ORG_TIMEZONE", "init: the organisation's IANA time zone"},
	"locale":                  {"locale", "PERFLOOP_ORG_LOCALE", "init: the organisation's language, zh or en"},
	"drain-delay":             {"drain-delay", "PERFLOOP_DRAIN_DELAY", "on SIGTERM, how long /readyz answers 503 while requests are still served, so load balancers stop sending them"},
	"metrics":                 {"metrics", "PERFLOOP_METRICS", "address of a separate listener serving Prometheus /metrics, e.g. :9090 (unset: none); keep it off the public network"},
	"shutdown-timeout":        {"shutdown-timeout", "PERFLOOP_SHUTDOWN_TIMEOUT", "on SIGTERM, how long requests (api) or activities (worker) in flight may take to finish"},
	"webhook-allow-private":   {"webhook-allow-private", "PERFLOOP_WEBHOOK_ALLOW_PRIVATE", "let chat bots and webhooks reach private, loopback and link-local addresses over https"},
}

func envString(name, def string) string {
	if v, ok := os.LookupEnv(settings[name].env); ok {
		return v
	}
	return def
}

func addString(fs *pflag.FlagSet, dst *string, name, def string) {
	fs.StringVar(dst, name, envString(name, def), settings[name].usage+" ["+settings[name].env+"]")
}

func addInt(fs *pflag.FlagSet, dst *int, name string, def int) {
	v := def
	if raw, ok := os.LookupEnv(settings[name].env); ok {
		n, err := strconv.Atoi(raw)
		if err != nil {
			// Flags are parsed after this; keep the default and let validate report it.
			envErrors = append(envErrors, fmt.Errorf("%s=%q is not a number", settings[name].env, raw))
		} else {
			v = n
		}
	}
	fs.IntVar(dst, name, v, settings[name].usage+" ["+settings[name].env+"]")
}

func addBool(fs *pflag.FlagSet, dst *bool, name string) {
	v := false
	if raw, ok := os.LookupEnv(settings[name].env); ok {
		b, err := strconv.ParseBool(raw)
		if err != nil {
			envErrors = append(envErrors, fmt.Errorf("%s=%q is not true or false", settings[name].env, raw))
		}
		v = b
	}
	fs.BoolVar(dst, name, v, settings[name].usage+" ["+settings[name].env+"]")
}

func addDuration(fs *pflag.FlagSet, dst *time.Duration, name string, def time.Duration) {
	v := def
	if raw, ok := os.LookupEnv(settings[name].env); ok {
		d, err := time.ParseDuration(raw)
		if err != nil || d < 0 {
			envErrors = append(envErrors, fmt.Errorf("%s=%q is not a duration such as 25s", settings[name].env, raw))
		} else {
			v = d
		}
	}
	fs.DurationVar(dst, name, v, settings[name].usage+" ["+settings[name].env+"]")
}

var envErrors []error

func addLogFlags(fs *pflag.FlagSet, c *config) {
	addString(fs, &c.LogLevel, "log-level", "info")
	addString(fs, &c.LogFormat, "log-format", "text")
}

func addTemporalClientFlags(fs *pflag.FlagSet, c *config) {
	addString(fs, &c.Temporal, "temporal", "127.0.0.1:7233")
	addString(fs, &c.Namespace, "namespace", "default")
	addString(fs, &c.TaskQueue, "task-queue", "perfloop")
}

func (c *config) logger() (*slog.Logger, error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(c.LogLevel)); err != nil {
		return nil, fmt.Errorf("--log-level %q: expected debug, info, warn or error", c.LogLevel)
	}
	opts := &slog.HandlerOptions{Level: level}
	var l *slog.Logger
	switch strings.ToLower(c.LogFormat) {
	case "text":
		l = slog.New(slog.NewTextHandler(logOutput, opts))
	case "json":
		l = slog.New(slog.NewJSONHandler(logOutput, opts))
	default:
		return nil, fmt.Errorf("--log-format %q: expected text or json", c.LogFormat)
	}
	// Libraries that write with the standard log package (net/http's
	// server errors among them) go through the same handler, so a JSON log
	// has no plain-text lines in it.
	slog.SetDefault(l)
	jsonLogs = strings.EqualFold(c.LogFormat, "json")
	return l, nil
}

// jsonLogs tells main to report a command's failure as a JSON line too.
var jsonLogs bool

// logOutput is where every command logs; tests capture it.
var logOutput io.Writer = os.Stderr

func checkPort(name string, p int, allowZero bool) error {
	if p < 0 || p > 65535 || (p == 0 && !allowZero) {
		return fmt.Errorf("--%s %d: expected a port between 1 and 65535", name, p)
	}
	return nil
}

// preRun reports environment variables that did not parse, before any work starts.
func preRun(cmd *cobra.Command, _ []string) error {
	if len(envErrors) > 0 {
		return envErrors[0]
	}
	return nil
}
