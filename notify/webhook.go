package notify

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// Webhook posts messages to a chat bot or a generic JSON endpoint, signed
// the way each vendor documents.
type Webhook struct {
	Channel string // wecom, dingtalk, feishu, slack or webhook
	URL     string
	Secret  string       // a reference (env:NAME, file:/path); resolved per send
	Client  *http.Client // nil: Targets.Client()
	Targets Targets
	Now     func() time.Time
}

// Headers every webhook request carries, and the generic webhook's
// signature headers.
const (
	HeaderIdempotencyKey = "Idempotency-Key"
	HeaderSignature      = "X-Perfloop-Signature"
	HeaderTimestamp      = "X-Perfloop-Timestamp"
)

// DingTalkSign is DingTalk's robot signature: base64 of HMAC-SHA256 keyed
// with the secret over "timestamp\nsecret", timestamp in milliseconds.
func DingTalkSign(timestampMillis int64, secret string) string {
	mac := hmac.New(sha256.New, []byte(secret))
	fmt.Fprintf(mac, "%d\n%s", timestampMillis, secret)
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// FeishuSign is Feishu/Lark's bot signature: base64 of HMAC-SHA256 keyed
// with "timestamp\nsecret" over an empty message, timestamp in seconds.
func FeishuSign(timestampSeconds int64, secret string) string {
	mac := hmac.New(sha256.New, []byte(fmt.Sprintf("%d\n%s", timestampSeconds, secret)))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// WebhookSign is the generic webhook's signature header value:
// "sha256=" + hex HMAC-SHA256 keyed with the secret over "timestamp.body".
func WebhookSign(timestampSeconds int64, body []byte, secret string) string {
	mac := hmac.New(sha256.New, []byte(secret))
	fmt.Fprintf(mac, "%d.", timestampSeconds)
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

// Payload is the request body a channel gets for a message (no secrets
// in it: DingTalk signs in the URL, the generic webhook in headers).
func Payload(channel string, m Message, c Content) ([]byte, error) {
	var v any
	switch channel {
	case ChannelWeCom:
		v = map[string]any{"msgtype": "markdown", "markdown": map[string]string{"content": c.Markdown}}
	case ChannelDingTalk:
		v = map[string]any{"msgtype": "markdown", "markdown": map[string]string{"title": c.Subject, "text": c.Markdown}}
	case ChannelFeishu:
		v = map[string]any{"msg_type": "text", "content": map[string]string{"text": c.Subject + "\n" + c.Text}}
	case ChannelSlack:
		v = map[string]any{"text": c.Subject + "\n" + c.Text}
	case ChannelWebhook:
		v = webhookBody{ID: m.Key, Recipient: webhookRecipient{ID: m.To.ID, Name: m.To.Name, Email: m.To.Email, Locale: m.To.Locale},
			Subject: c.Subject, Text: c.Text, Events: m.Events, Resend: m.Resend}
	default:
		return nil, permanent("unknown channel %q", channel)
	}
	// Markdown quotes (>) and links (&) stay readable in the body.
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(b.Bytes(), "\n"), nil
}

type webhookBody struct {
	ID        string           `json:"id"`
	Recipient webhookRecipient `json:"recipient"`
	Subject   string           `json:"subject"`
	Text      string           `json:"text"`
	Events    []Event          `json:"events"`
	Resend    bool             `json:"resend,omitempty"`
}

type webhookRecipient struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	Email  string `json:"email,omitempty"`
	Locale string `json:"locale,omitempty"`
}

// Send renders and posts one message.
func (w *Webhook) Send(ctx context.Context, m Message) error {
	c, err := Render(m)
	if err != nil {
		return permanent("render: %v", err)
	}
	body, err := Payload(w.Channel, m, c)
	if err != nil {
		return err
	}
	secret := ""
	if w.Secret != "" {
		if secret, err = ResolveSecret(w.Secret); err != nil {
			return err
		}
	}
	now := time.Now
	if w.Now != nil {
		now = w.Now
	}
	t := now()
	target := w.URL
	switch w.Channel {
	case ChannelDingTalk:
		if secret != "" {
			ms := t.UnixMilli()
			u, err := url.Parse(target)
			if err != nil {
				return permanent("dingtalk url: %v", err)
			}
			q := u.Query()
			q.Set("timestamp", strconv.FormatInt(ms, 10))
			q.Set("sign", DingTalkSign(ms, secret))
			u.RawQuery = q.Encode()
			target = u.String()
		}
	case ChannelFeishu:
		if secret != "" {
			var v map[string]any
			_ = json.Unmarshal(body, &v)
			v["timestamp"] = strconv.FormatInt(t.Unix(), 10)
			v["sign"] = FeishuSign(t.Unix(), secret)
			body, _ = json.Marshal(v)
		}
	}
	u, err := url.Parse(target)
	if err != nil {
		return permanent("%s url: %v", w.Channel, redact(err, target))
	}
	if err := w.Targets.checkHost(u); err != nil {
		return fmt.Errorf("%w: %s: %w", ErrPermanent, w.Channel, err)
	}
	if u.Scheme == "http" && loopback(u.Hostname()) {
		ctx = context.WithValue(ctx, plainLocalKey{}, true)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		return permanent("%s url: %v", w.Channel, redact(err, target))
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	req.Header.Set(HeaderIdempotencyKey, m.Key)
	if w.Channel == ChannelWebhook {
		req.Header.Set(HeaderTimestamp, strconv.FormatInt(t.Unix(), 10))
		req.Header.Set(HeaderSignature, WebhookSign(t.Unix(), body, secret))
	}
	client := w.Targets.Client()
	if w.Client != nil {
		// A caller's client keeps its transport, never its redirect policy.
		c := *w.Client
		c.CheckRedirect = noRedirects
		client = &c
	}
	resp, err := client.Do(req)
	if err != nil {
		// The error may quote the URL, whose query carries the bot's key.
		if errors.Is(err, ErrPrivateTarget) {
			return fmt.Errorf("%w: %s: %w", ErrPermanent, w.Channel, ErrPrivateTarget)
		}
		return fmt.Errorf("%s post: %s", w.Channel, redact(err, target))
	}
	defer resp.Body.Close()
	reply, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	// The failure list shows what we say, not what the remote answered:
	// its body (and even its reason phrase) is the remote's to fill.
	status := fmt.Sprintf("HTTP %d %s", resp.StatusCode, http.StatusText(resp.StatusCode))
	switch {
	case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusRequestTimeout:
		return fmt.Errorf("%s: %s", w.Channel, status)
	case resp.StatusCode >= 400 && resp.StatusCode < 500:
		return permanent("%s: %s", w.Channel, status)
	case resp.StatusCode >= 300 && resp.StatusCode < 400:
		return permanent("%s: %s: redirects are not followed; configure the URL it points to", w.Channel, status)
	case resp.StatusCode >= 300 || resp.StatusCode < 200:
		return fmt.Errorf("%s: %s", w.Channel, status)
	}
	return vendorReply(w.Channel, reply)
}

// vendorReply reads the bots' "200 OK with an error code" answers: WeCom
// and DingTalk say errcode, Feishu says code. Rate limits are retried;
// any other code (a wrong key or signature) is permanent.
func vendorReply(channel string, reply []byte) error {
	if channel != ChannelWeCom && channel != ChannelDingTalk && channel != ChannelFeishu {
		return nil
	}
	var r struct {
		ErrCode *int   `json:"errcode"`
		ErrMsg  string `json:"errmsg"`
		Code    *int   `json:"code"`
		Msg     string `json:"msg"`
	}
	if json.Unmarshal(reply, &r) != nil {
		return nil
	}
	code, msg := 0, r.ErrMsg
	switch {
	case r.ErrCode != nil:
		code = *r.ErrCode
	case r.Code != nil:
		code, msg = *r.Code, r.Msg
	}
	switch code {
	case 0:
		return nil
	case 45009, 130101, 11232, 9499: // WeCom, DingTalk, Feishu: too many requests
		return fmt.Errorf("%s: rate limited: %d %s", channel, code, printable(msg, 100))
	}
	return permanent("%s: %d %s", channel, code, printable(msg, 100))
}

// printable is a vendor's own message cut short and stripped of control
// characters, fit for the failure list.
func printable(s string, n int) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r) {
			return ' '
		}
		return r
	}, s)
	return cutText(s, n)
}

func redact(err error, target string) string {
	s := err.Error()
	if masked := maskURL(target); masked != target {
		s = string(bytes.ReplaceAll([]byte(s), []byte(target), []byte(masked)))
	}
	return s
}
