package devstack_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/mail"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/perfloop/perfloop/devstack"
	"github.com/perfloop/perfloop/notify"
	"github.com/perfloop/perfloop/notify/smtptest"
	"github.com/perfloop/perfloop/store"
)

type client struct {
	t    *testing.T
	base string
	tok  map[string]string
}

func (c client) do(method, path, who string, body any) (int, map[string]any) {
	c.t.Helper()
	var rd io.Reader
	if body != nil {
		raw, err := json.Marshal(body)
		require.NoError(c.t, err)
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, c.base+path, rd)
	require.NoError(c.t, err)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+c.tok[who])
	res, err := http.DefaultClient.Do(req)
	require.NoError(c.t, err)
	defer res.Body.Close()
	var out map[string]any
	raw, _ := io.ReadAll(res.Body)
	_ = json.Unmarshal(raw, &out)
	return res.StatusCode, out
}

// TestPerfloopDevSendsRemindNowToALocalSMTPSink runs the stack as
// `perfloop dev --smtp` does, against a real SMTP server on loopback
// (STARTTLS, AUTH PLAIN): a compressed cycle's evaluation falls overdue, a
// manager presses "remind now", and the e-mail lands in the sink without
// waiting for the sender's next round.
func TestPerfloopDevSendsRemindNowToALocalSMTPSink(t *testing.T) {
	sink := smtptest.Start(t)
	t.Setenv("PERFLOOP_TEST_SMTP_PASSWORD", sink.Password)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	stack, err := devstack.Start(ctx, devstack.Options{
		HTTPAddr: "127.0.0.1:0", Ephemeral: true, TaskQueue: "devstack-" + t.Name(), Log: log,
		Mail: &notify.SMTP{Addr: sink.Addr, From: "Perfloop <perfloop@localhost>", User: sink.User, Password: "env:PERFLOOP_TEST_SMTP_PASSWORD", StartTLS: true, TLS: sink.Client},
	})
	require.NoError(t, err)
	t.Cleanup(func() {
		stopCtx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		stack.Stop(stopCtx)
	})
	c := client{t: t, base: stack.URL, tok: map[string]string{}}
	emails := map[string]string{} // member id → address
	for _, u := range stack.Users {
		c.tok[strings.Split(u.Email, "@")[0]] = u.Token
	}
	org, err := stack.Store.FirstOrganization(ctx)
	require.NoError(t, err)
	ms, _, err := stack.Store.ListMembers(ctx, org.ID, store.MemberFilter{}, store.Page{Limit: store.MaxLimit})
	require.NoError(t, err)
	var cs string
	for _, m := range ms {
		emails[m.ID] = m.Email
		if m.Email == "chen.jing@demo.perfloop.dev" && m.TeamID != nil {
			cs = *m.TeamID
		}
	}
	require.NotEmpty(t, cs)

	// Messages may go out at any hour, one by one; e-mail is on because
	// the stack has an SMTP relay.
	status, body := c.do("PUT", "/api/v1/notifications/policy", "admin", map[string]any{"window": map[string]any{"start": "00:00", "end": "23:59", "days": []int{1, 2, 3, 4, 5, 6, 7}}, "digestMinutes": 0})
	require.Equal(t, 200, status, body)
	status, body = c.do("GET", "/api/v1/channels", "admin", nil)
	require.Equal(t, 200, status, body)
	require.Contains(t, mustJSON(t, body), `"channel":"email"`, "perfloop dev with --smtp turns e-mail on for the demo organisation")

	// A day lasts a second: evaluation opens at once (the period is over)
	// and is overdue three seconds later.
	period := time.Now().AddDate(0, -2, 0).Format("2006-01")
	status, body = c.do("POST", "/api/v1/cycles", "chen.jing", map[string]any{"templateKey": "cs-ops-monthly", "teamId": cs, "period": period, "compress": 86400})
	require.Equal(t, 201, status, body)
	id := body["id"].(string)

	require.Eventually(t, func() bool {
		status, body = c.do("POST", "/api/v1/cycles/"+id+"/remind", "chen.jing", nil)
		require.Equal(t, 200, status, body)
		return body["deliveries"].(float64) > 0
	}, 60*time.Second, 100*time.Millisecond, "an overdue task owes an e-mail reminder")

	var owed []store.Delivery
	require.NoError(t, stack.Store.DB.Where("dedupe_key LIKE ? AND channel = ?", "remind-now:%", store.ChannelEmail).Find(&owed).Error)
	require.NotEmpty(t, owed)
	// The sender's round is a minute; "remind now" nudges it, so the
	// reminder is sent well within that.
	require.Eventually(t, func() bool {
		var sent int64
		require.NoError(t, stack.Store.DB.Model(&store.Delivery{}).Where("dedupe_key LIKE ? AND channel = ? AND state = ?", "remind-now:%", store.ChannelEmail, store.NotificationSent).Count(&sent).Error)
		return int(sent) == len(owed)
	}, 15*time.Second, 100*time.Millisecond, "every remind-now e-mail is sent within 15 s of the press, not at the next minute round")

	// Each reminder went out in the message its batch names (alone, or in
	// a digest with the stage's other reminders to the same person), to
	// the recipient's address, with a subject in their language.
	require.NoError(t, stack.Store.DB.Where("dedupe_key LIKE ? AND channel = ?", "remind-now:%", store.ChannelEmail).Find(&owed).Error)
	var dec mime.WordDecoder
	for _, d := range owed {
		to := emails[d.RecipientID]
		require.NotNil(t, d.BatchID)
		want := notify.MessageID(*d.BatchID, "localhost")
		var got *mail.Message
		for _, m := range sink.Mails() {
			msg, err := mail.ReadMessage(bytes.NewReader(m.Data))
			require.NoError(t, err)
			if msg.Header.Get("Message-ID") == want {
				require.Equal(t, []string{to}, m.To)
				require.True(t, m.TLS, "sent over STARTTLS")
				got = msg
			}
		}
		require.NotNil(t, got, "the reminder to %s (%s) is in the sink", to, want)
		require.Contains(t, got.Header.Get("To"), to)
		subject, err := dec.DecodeHeader(got.Header.Get("Subject"))
		require.NoError(t, err)
		zh := strings.HasPrefix(subject, "[Perfloop] 已逾期：") || strings.HasPrefix(subject, "[Perfloop] 你有 ")
		en := strings.HasPrefix(subject, "[Perfloop] Overdue: ") || strings.HasPrefix(subject, "[Perfloop] You have ")
		require.True(t, zh || en, "a zh or en reminder subject, got %q", subject)
	}
}

func mustJSON(t *testing.T, v any) string {
	raw, err := json.Marshal(v)
	require.NoError(t, err)
	return string(raw)
}
