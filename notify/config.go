package notify

import (
	"encoding/json"
	"fmt"
	"net"
	"net/mail"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strings"
)

// Channels a notification can go out on besides the in-app inbox.
const (
	ChannelInApp    = "inapp"
	ChannelEmail    = "email"
	ChannelWeCom    = "wecom"
	ChannelDingTalk = "dingtalk"
	ChannelFeishu   = "feishu"
	ChannelSlack    = "slack"
	ChannelWebhook  = "webhook"
)

// Channels lists every channel; External those a sender delivers.
var (
	Channels = []string{ChannelInApp, ChannelEmail, ChannelWeCom, ChannelDingTalk, ChannelFeishu, ChannelSlack, ChannelWebhook}
	External = []string{ChannelEmail, ChannelWeCom, ChannelDingTalk, ChannelFeishu, ChannelSlack, ChannelWebhook}
)

// ChannelConfig is how an organisation (or one team) reaches people on a
// channel. Secret is a reference, never the secret itself.
type ChannelConfig struct {
	Channel string `json:"channel"`
	URL     string `json:"url,omitempty"`    // chat bots and webhooks
	Secret  string `json:"secret,omitempty"` // env:NAME or file:/path
	From    string `json:"from,omitempty"`   // e-mail: overrides the server's sender
}

// FieldError names what is wrong where: a JSON pointer into the submitted
// document, the value found and what is expected instead.
type FieldError struct {
	Path    string `json:"path"`
	Value   string `json:"value"`
	Message string `json:"message"`
}

func (e FieldError) Error() string { return fmt.Sprintf("%s %q: %s", e.Path, e.Value, e.Message) }

var (
	secretEnv  = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
	tokenParam = regexp.MustCompile(`(key|access_token|token|sign)=[^&#\s]*`)
)

// Validate checks a channel configuration before it is stored, so a
// mistyped webhook fails when an admin saves it rather than at 3 a.m.,
// and one aimed inside the network fails at all (see Targets).
func (c ChannelConfig) Validate(t Targets) []FieldError {
	var out []FieldError
	add := func(path, value, msg string) { out = append(out, FieldError{Path: path, Value: value, Message: msg}) }
	if !slices.Contains(External, c.Channel) {
		add("/channel", c.Channel, "expected one of "+strings.Join(External, ", "))
		return out
	}
	if c.Secret != "" {
		if msg := checkSecretRef(c.Secret); msg != "" {
			add("/secret", mask(c.Secret), msg)
		}
	}
	switch c.Channel {
	case ChannelEmail:
		if c.URL != "" {
			add("/url", c.URL, "an e-mail channel has no URL; the SMTP server is set with --smtp")
		}
		if c.From != "" {
			if _, err := mail.ParseAddress(c.From); err != nil {
				add("/from", c.From, "expected an e-mail address such as \"Perfloop <hr@example.com>\"")
			}
		}
		if c.Secret != "" {
			add("/secret", mask(c.Secret), "the SMTP password is set with --smtp-password-file, not per organisation")
		}
		return out
	case ChannelWeCom, ChannelSlack:
		if c.Secret != "" {
			add("/secret", mask(c.Secret), "this bot carries its key in the URL and signs nothing; leave secret out")
		}
	case ChannelWebhook:
		if c.Secret == "" {
			add("/secret", "", "a generic webhook is signed: expected env:NAME or file:/path naming the HMAC secret")
		}
	}
	if c.From != "" {
		add("/from", c.From, "only e-mail channels have a sender")
	}
	if msg := checkURL(c.Channel, c.URL, t); msg != "" {
		add("/url", maskURL(c.URL), msg)
	}
	return out
}

// expected is the URL shape each channel's vendor documents.
var expected = map[string]string{
	ChannelWeCom:    "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…",
	ChannelDingTalk: "https://oapi.dingtalk.com/robot/send?access_token=…",
	ChannelFeishu:   "https://open.feishu.cn/open-apis/bot/v2/hook/… (or open.larksuite.com)",
	ChannelSlack:    "https://hooks.slack.com/services/…",
	ChannelWebhook:  "an absolute https:// URL",
}

func checkURL(channel, raw string, t Targets) string {
	want := "expected " + expected[channel]
	if raw == "" {
		return "is required: " + want
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.Opaque != "" {
		return "is not an absolute URL: " + want
	}
	host := u.Hostname()
	switch {
	case u.Scheme == "https":
	case u.Scheme == "http" && loopback(host):
		// A local sink or test peer; anything that leaves the machine is encrypted.
	default:
		return "must use https (plain http only to localhost): " + want
	}
	if t.checkHost(u) != nil {
		return "is a private, loopback or link-local address, which webhooks may not reach unless an admin starts Perfloop with --webhook-allow-private: " + want
	}
	if u.User != nil {
		return "must not carry a user name or password: " + want
	}
	if u.Fragment != "" {
		return "must not have a #fragment: " + want
	}
	q := u.Query()
	switch channel {
	case ChannelWeCom:
		if q.Get("key") == "" {
			return "has no key parameter: " + want
		}
	case ChannelDingTalk:
		if q.Get("access_token") == "" {
			return "has no access_token parameter: " + want
		}
	case ChannelFeishu:
		if !strings.Contains(u.Path, "/bot/v2/hook/") || strings.HasSuffix(u.Path, "/hook/") {
			return "has no bot hook path: " + want
		}
	case ChannelSlack:
		if len(strings.Trim(u.Path, "/")) == 0 {
			return "has no hook path: " + want
		}
	}
	return ""
}

func loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func checkSecretRef(ref string) string {
	const want = "expected env:NAME (an environment variable) or file:/absolute/path; secrets are never stored"
	kind, rest, ok := strings.Cut(ref, ":")
	switch {
	case !ok:
		return want
	case kind == "env" && secretEnv.MatchString(rest):
		return ""
	case kind == "file" && strings.HasPrefix(rest, "/"):
		return ""
	}
	return want
}

// ResolveSecret reads the secret a reference names: env:NAME from the
// environment, file:/path from a file (a trailing newline dropped). The
// error names the reference, never the value.
func ResolveSecret(ref string) (string, error) {
	kind, rest, _ := strings.Cut(ref, ":")
	switch kind {
	case "env":
		v, ok := os.LookupEnv(rest)
		if !ok || v == "" {
			return "", fmt.Errorf("%w: environment variable %s is not set", ErrSecret, rest)
		}
		return v, nil
	case "file":
		b, err := os.ReadFile(rest)
		if err != nil {
			return "", fmt.Errorf("%w: read %s: %v", ErrSecret, rest, err)
		}
		return strings.TrimRight(string(b), "\r\n"), nil
	}
	return "", fmt.Errorf("%w: %q is not env:NAME or file:/path", ErrSecret, mask(ref))
}

// Masked is the configuration as the API shows it: the secret reference's
// source only, and URL tokens (WeCom key, DingTalk access_token, hook paths)
// cut down to their first characters.
func (c ChannelConfig) Masked() ChannelConfig {
	c.URL = maskURL(c.URL)
	c.Secret = mask(c.Secret)
	return c
}

func mask(s string) string {
	if s == "" {
		return ""
	}
	if kind, _, ok := strings.Cut(s, ":"); ok && (kind == "env" || kind == "file") {
		return kind + ":****"
	}
	return "****"
}

func maskURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		// Still show what was typed, so the admin sees the mistake, but not its token.
		return tokenParam.ReplaceAllStringFunc(raw, func(m string) string {
			k, v, _ := strings.Cut(m, "=")
			return k + "=" + prefix(v) + "****"
		})
	}
	q := u.Query()
	for _, k := range []string{"key", "access_token", "token", "sign"} {
		if v := q.Get(k); v != "" {
			q.Set(k, prefix(v)+"****")
		}
	}
	u.RawQuery = q.Encode()
	parts := strings.Split(u.Path, "/")
	if len(parts) > 2 {
		for i := len(parts) - 1; i >= 1 && i >= len(parts)-3; i-- {
			if len(parts[i]) >= 8 {
				parts[i] = prefix(parts[i]) + "****"
			}
		}
		u.Path = strings.Join(parts, "/")
	}
	u.User = nil
	return u.String()
}

func prefix(s string) string {
	if len(s) > 4 {
		return s[:4]
	}
	return ""
}

// Policy is an organisation's delivery defaults: when messages may go out
// in the recipient's time zone, how long reminders wait to be batched, and
// which channels each event uses when the template does not say.
type Policy struct {
	Window        Window              `json:"window"`
	DigestMinutes int                 `json:"digestMinutes"`
	Events        map[string][]string `json:"events,omitempty"`
}

// DefaultPolicy sends on weekdays from 09:00 to 21:00 local time and
// batches reminders due within ten minutes of each other.
func DefaultPolicy() Policy {
	return Policy{Window: Window{Start: "09:00", End: "21:00", Days: []int{1, 2, 3, 4, 5}}, DigestMinutes: 10}
}

// ParsePolicy reads a stored policy; empty means DefaultPolicy.
func ParsePolicy(raw string) (Policy, []FieldError) {
	p := DefaultPolicy()
	if strings.TrimSpace(raw) == "" {
		return p, nil
	}
	dec := json.NewDecoder(strings.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		return p, []FieldError{{Path: "", Value: cutText(raw, 80), Message: "cannot be read as a delivery policy: " + err.Error()}}
	}
	return p, p.Validate()
}

// Validate checks the window, the digest length and the event routes.
func (p Policy) Validate() []FieldError {
	out := p.Window.validate("/window")
	if p.DigestMinutes < 0 || p.DigestMinutes > 24*60 {
		out = append(out, FieldError{Path: "/digestMinutes", Value: fmt.Sprint(p.DigestMinutes), Message: "expected 0 (no batching) to 1440 minutes"})
	}
	out = append(out, ValidateRoutes("/events", p.Events)...)
	return out
}

// ValidateRoutes checks an event → channels map (an organisation's or a
// template's): known events, known channels, no repeats.
func ValidateRoutes(path string, routes map[string][]string) []FieldError {
	var out []FieldError
	keys := make([]string, 0, len(routes))
	for k := range routes {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, ev := range keys {
		if !slices.Contains(Events, ev) {
			out = append(out, FieldError{Path: path + "/" + ev, Value: ev, Message: "unknown event: expected one of " + strings.Join(Events, ", ")})
			continue
		}
		seen := map[string]bool{}
		for i, ch := range routes[ev] {
			p := fmt.Sprintf("%s/%s/%d", path, ev, i)
			switch {
			case !slices.Contains(Channels, ch):
				out = append(out, FieldError{Path: p, Value: ch, Message: "unknown channel: expected one of " + strings.Join(Channels, ", ")})
			case seen[ch]:
				out = append(out, FieldError{Path: p, Value: ch, Message: "is listed twice"})
			}
			seen[ch] = true
		}
	}
	return out
}

func cutText(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}
