package notify_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/perfloop/perfloop/notify"
)

// Each peer below checks a request the way the vendor's documentation
// says the vendor does, computing the signature independently of the
// package under test, and answers the way the vendor answers.

const botSecret = "SEC4f1c2d3e4b5a69788796a5b4c3d2e1f0"

type peer struct {
	mu       sync.Mutex
	requests []*http.Request
	bodies   [][]byte
}

func (p *peer) record(r *http.Request) []byte {
	body, _ := io.ReadAll(r.Body)
	p.mu.Lock()
	defer p.mu.Unlock()
	p.requests = append(p.requests, r)
	p.bodies = append(p.bodies, body)
	return body
}

func jsonReply(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v)
}

func message() notify.Message {
	d := time.Date(2026, 10, 9, 10, 0, 0, 0, time.UTC)
	return notify.Message{Key: "remind-t1-0-bot", To: notify.Recipient{ID: "m1", Name: "王芳", Locale: "zh", Timezone: "Asia/Shanghai"},
		Events: []notify.Event{{Kind: "reminder", Title: notify.Text{Zh: "提交十月自评", En: "Submit your October self-review"}, Due: &d}}}
}

// WeCom group bot: POST /cgi-bin/webhook/send?key=KEY, JSON with msgtype;
// an unknown key answers 200 with errcode 93000.
func TestWeComBotGetsMarkdownAtItsKey(t *testing.T) {
	p := &peer{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body := p.record(r)
		if r.URL.Path != "/cgi-bin/webhook/send" || r.URL.Query().Get("key") != "693a91f6-7xxx" {
			jsonReply(w, map[string]any{"errcode": 93000, "errmsg": "invalid webhook url"})
			return
		}
		var v struct {
			MsgType  string `json:"msgtype"`
			Markdown struct {
				Content string `json:"content"`
			} `json:"markdown"`
		}
		if json.Unmarshal(body, &v) != nil || v.MsgType != "markdown" || v.Markdown.Content == "" {
			jsonReply(w, map[string]any{"errcode": 40008, "errmsg": "invalid message type"})
			return
		}
		jsonReply(w, map[string]any{"errcode": 0, "errmsg": "ok"})
	}))
	defer srv.Close()
	w := &notify.Webhook{Channel: notify.ChannelWeCom, URL: srv.URL + "/cgi-bin/webhook/send?key=693a91f6-7xxx"}
	require.NoError(t, w.Send(ctx, message()))
	require.Contains(t, string(p.bodies[0]), "提交十月自评")
	require.Equal(t, "remind-t1-0-bot", p.requests[0].Header.Get("Idempotency-Key"))

	bad := &notify.Webhook{Channel: notify.ChannelWeCom, URL: srv.URL + "/cgi-bin/webhook/send?key=revoked"}
	err := bad.Send(ctx, message())
	require.True(t, notify.IsPermanent(err), "%v", err)
	require.NotContains(t, err.Error(), "revoked", "the key is a secret")
}

// DingTalk robot with 加签: timestamp (ms) and sign in the query, where
// sign = urlencode(base64(HmacSHA256(key=secret, msg=timestamp+"\n"+secret)))
// and the timestamp must be within an hour of the server's clock.
func TestDingTalkRobotVerifiesItsSignedTimestamp(t *testing.T) {
	p := &peer{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.record(r)
		q := r.URL.Query() // url-decodes sign
		ts, err := strconv.ParseInt(q.Get("timestamp"), 10, 64)
		if err != nil || time.Since(time.UnixMilli(ts)).Abs() > time.Hour {
			jsonReply(w, map[string]any{"errcode": 310000, "errmsg": "invalid timestamp"})
			return
		}
		mac := hmac.New(sha256.New, []byte(botSecret))
		mac.Write([]byte(q.Get("timestamp") + "\n" + botSecret))
		if q.Get("access_token") != "tok123" || q.Get("sign") != base64.StdEncoding.EncodeToString(mac.Sum(nil)) {
			jsonReply(w, map[string]any{"errcode": 310000, "errmsg": "sign not match"})
			return
		}
		jsonReply(w, map[string]any{"errcode": 0, "errmsg": "ok"})
	}))
	defer srv.Close()
	t.Setenv("PERFLOOP_TEST_DINGTALK_SECRET", botSecret)
	w := &notify.Webhook{Channel: notify.ChannelDingTalk, URL: srv.URL + "/robot/send?access_token=tok123", Secret: "env:PERFLOOP_TEST_DINGTALK_SECRET"}
	require.NoError(t, w.Send(ctx, message()))
	require.Contains(t, p.requests[0].URL.RawQuery, "sign=", "sign travels url-encoded in the query")

	t.Setenv("PERFLOOP_TEST_DINGTALK_SECRET", "SECwrong")
	err := w.Send(ctx, message())
	require.True(t, notify.IsPermanent(err), "%v", err)
}

// Feishu/Lark bot with signature check: body fields timestamp (seconds,
// as a string) and sign = base64(HmacSHA256(key=timestamp+"\n"+secret, msg="")).
func TestFeishuBotVerifiesTheSignatureInTheBody(t *testing.T) {
	p := &peer{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body := p.record(r)
		var v struct {
			Timestamp string `json:"timestamp"`
			Sign      string `json:"sign"`
			MsgType   string `json:"msg_type"`
			Content   struct {
				Text string `json:"text"`
			} `json:"content"`
		}
		if json.Unmarshal(body, &v) != nil || v.MsgType != "text" || v.Content.Text == "" {
			jsonReply(w, map[string]any{"code": 9499, "msg": "Bad Request"})
			return
		}
		mac := hmac.New(sha256.New, []byte(v.Timestamp+"\n"+botSecret))
		ts, _ := strconv.ParseInt(v.Timestamp, 10, 64)
		if v.Sign != base64.StdEncoding.EncodeToString(mac.Sum(nil)) || time.Since(time.Unix(ts, 0)).Abs() > time.Hour {
			jsonReply(w, map[string]any{"code": 19021, "msg": "sign match fail or timestamp is not within one hour from current time"})
			return
		}
		jsonReply(w, map[string]any{"code": 0, "msg": "success", "data": map[string]any{}})
	}))
	defer srv.Close()
	secretFile := t.TempDir() + "/feishu"
	require.NoError(t, writeFile(secretFile, botSecret+"\n"))
	w := &notify.Webhook{Channel: notify.ChannelFeishu, URL: srv.URL + "/open-apis/bot/v2/hook/0f4e-hook", Secret: "file:" + secretFile}
	require.NoError(t, w.Send(ctx, message()))
	require.Contains(t, string(p.bodies[0]), "提交十月自评")

	require.NoError(t, writeFile(secretFile, "other"))
	require.True(t, notify.IsPermanent(w.Send(ctx, message())))
}

// Slack incoming webhook: JSON {"text": …}; a revoked hook answers 404 no_service.
func TestSlackIncomingWebhookGetsText(t *testing.T) {
	p := &peer{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body := p.record(r)
		var v struct {
			Text string `json:"text"`
		}
		if r.URL.Path != "/services/T000/B000/XXXX" {
			http.Error(w, "no_service", http.StatusNotFound)
			return
		}
		if json.Unmarshal(body, &v) != nil || v.Text == "" {
			http.Error(w, "invalid_payload", http.StatusBadRequest)
			return
		}
		io.WriteString(w, "ok")
	}))
	defer srv.Close()
	en := message()
	en.To.Locale = "en"
	w := &notify.Webhook{Channel: notify.ChannelSlack, URL: srv.URL + "/services/T000/B000/XXXX"}
	require.NoError(t, w.Send(ctx, en))
	require.Contains(t, string(p.bodies[0]), "Submit your October self-review")

	gone := &notify.Webhook{Channel: notify.ChannelSlack, URL: srv.URL + "/services/T000/B000/GONE"}
	require.True(t, notify.IsPermanent(gone.Send(ctx, en)))
}

// Generic webhook: X-Perfloop-Signature = "sha256=" + hex(HMAC-SHA256(secret,
// timestamp + "." + body)), X-Perfloop-Timestamp, Idempotency-Key; the
// receiver drops a key it has seen. 503 is retried, 4xx is not.
func TestGenericWebhookIsSignedAndIdempotent(t *testing.T) {
	p := &peer{}
	seen := map[string]bool{}
	delivered := 0
	status := http.StatusOK
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body := p.record(r)
		ts := r.Header.Get("X-Perfloop-Timestamp")
		mac := hmac.New(sha256.New, []byte(botSecret))
		mac.Write([]byte(ts + "."))
		mac.Write(body)
		if r.Header.Get("X-Perfloop-Signature") != "sha256="+hex.EncodeToString(mac.Sum(nil)) {
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		if status != http.StatusOK {
			w.WriteHeader(status)
			return
		}
		key := r.Header.Get("Idempotency-Key")
		if !seen[key] {
			seen[key] = true
			delivered++
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	defer srv.Close()
	t.Setenv("PERFLOOP_TEST_HOOK_SECRET", botSecret)
	w := &notify.Webhook{Channel: notify.ChannelWebhook, URL: srv.URL + "/hooks/perfloop", Secret: "env:PERFLOOP_TEST_HOOK_SECRET"}
	status = http.StatusServiceUnavailable
	err := w.Send(ctx, message())
	require.Error(t, err)
	require.False(t, notify.IsPermanent(err))
	status = http.StatusOK
	require.NoError(t, w.Send(ctx, message()))
	require.NoError(t, w.Send(ctx, message()), "a resend after a crash")
	require.Equal(t, 1, delivered)
	var body struct {
		ID     string         `json:"id"`
		Events []notify.Event `json:"events"`
	}
	require.NoError(t, json.Unmarshal(p.bodies[1], &body))
	require.Equal(t, "remind-t1-0-bot", body.ID)
	require.Equal(t, "提交十月自评", body.Events[0].Title.Zh)

	t.Setenv("PERFLOOP_TEST_HOOK_SECRET", "rotated")
	require.True(t, notify.IsPermanent(w.Send(ctx, message())), "401 is permanent")
}

// A receiver that redirects must not get the signed body forwarded to
// wherever it points: the probe's loopback URL redirected 23 posts away.
func TestAWebhookThatRedirectsFailsAndTheBodyGoesNowhereElse(t *testing.T) {
	elsewhere := &peer{}
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		elsewhere.record(r)
		w.WriteHeader(http.StatusNoContent)
	}))
	defer other.Close()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other.URL+"/stolen", http.StatusTemporaryRedirect)
	}))
	defer srv.Close()
	t.Setenv("PERFLOOP_TEST_HOOK_SECRET", botSecret)
	for _, client := range []*http.Client{nil, srv.Client()} {
		w := &notify.Webhook{Channel: notify.ChannelWebhook, URL: srv.URL + "/hook", Secret: "env:PERFLOOP_TEST_HOOK_SECRET", Client: client}
		err := w.Send(ctx, message())
		require.Error(t, err)
		require.Contains(t, err.Error(), "HTTP 307 Temporary Redirect")
	}
	require.Empty(t, elsewhere.requests)
}

// The failure list shows our status line, never what the remote sent.
func TestAFailedWebhookReportsAShortStatusLineNotTheRemoteBody(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "<html>\r\nstack trace at 10.1.2.3 "+strings.Repeat("x", 3000)+"</html>", http.StatusInternalServerError)
	}))
	defer srv.Close()
	t.Setenv("PERFLOOP_TEST_HOOK_SECRET", botSecret)
	w := &notify.Webhook{Channel: notify.ChannelWebhook, URL: srv.URL + "/hook", Secret: "env:PERFLOOP_TEST_HOOK_SECRET"}
	err := w.Send(ctx, message())
	require.EqualError(t, err, "webhook: HTTP 500 Internal Server Error")
	require.False(t, notify.IsPermanent(err))
}

func TestWebhookURLsInsideTheNetworkAreRefusedUnlessAnAdminAllowsThem(t *testing.T) {
	for _, u := range []string{"https://169.254.169.254/latest/meta-data", "https://10.0.0.1/hook", "https://192.168.1.5/hook",
		"https://127.0.0.1:8443/hook", "https://[::1]/hook", "https://localhost/hook", "https://[fe80::1]/hook", "https://0.0.0.0/hook", "https://100.64.0.1/hook"} {
		cfg := notify.ChannelConfig{Channel: notify.ChannelWebhook, URL: u, Secret: "env:HOOK"}
		errs := cfg.Validate(notify.Targets{})
		require.Len(t, errs, 1, u)
		require.Equal(t, "/url", errs[0].Path)
		require.Contains(t, errs[0].Message, "--webhook-allow-private")
		require.Empty(t, cfg.Validate(notify.Targets{AllowPrivate: true}), u)

		w := &notify.Webhook{Channel: notify.ChannelWebhook, URL: u, Secret: "env:HOOK"}
		t.Setenv("HOOK", botSecret)
		err := w.Send(ctx, message())
		require.ErrorIs(t, err, notify.ErrPrivateTarget, u)
		require.True(t, notify.IsPermanent(err))
	}
}

// The address is checked once resolved, when dialling, so a name that
// resolves inward (or is rebound to do so after the URL was saved) is refused.
func TestTheWebhookClientRefusesToDialAPrivateAddressAfterResolution(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) }))
	defer srv.Close()
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	_, err := notify.Targets{}.Client().Get("https://localhost:" + port + "/")
	require.ErrorIs(t, err, notify.ErrPrivateTarget)

	_, err = notify.Targets{AllowPrivate: true}.Client().Get("https://localhost:" + port + "/")
	require.Error(t, err, "the test server's certificate is not trusted")
	require.NotErrorIs(t, err, notify.ErrPrivateTarget, "allowed: it got as far as TLS")
}
