package notify_test

import (
	"bytes"
	"context"
	"io"
	"mime"
	"mime/multipart"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/perfloop/perfloop/notify"
	"github.com/perfloop/perfloop/notify/smtptest"
)

var ctx = context.Background()

func relay(t *testing.T, srv *smtptest.Server) *notify.SMTP {
	t.Helper()
	pw := filepath.Join(t.TempDir(), "smtp-password")
	require.NoError(t, os.WriteFile(pw, []byte(srv.Password+"\n"), 0o600))
	s := &notify.SMTP{Addr: srv.Addr, From: "Perfloop <perfloop@example.com>", User: srv.User, Password: "file:" + pw, StartTLS: true, TLS: srv.Client}
	require.NoError(t, s.Check())
	return s
}

func due(t *testing.T) *time.Time {
	d := time.Date(2026, 10, 9, 10, 0, 0, 0, time.UTC) // 18:00 in Shanghai
	return &d
}

func reminder(t *testing.T, to notify.Recipient) notify.Message {
	return notify.Message{Key: "remind-task42-0-email", To: to, Events: []notify.Event{{
		Kind: notify.EventReminder, Title: notify.Text{Zh: "提交十月自评", En: "Submit your October self-review"}, Due: due(t),
	}}}
}

// parsed is a received message taken apart the way a mail client would.
type parsed struct {
	header mail.Header
	parts  map[string]string // content type (without parameters) → decoded body
	params map[string]map[string]string
}

func parse(t *testing.T, raw []byte) parsed {
	t.Helper()
	m, err := mail.ReadMessage(bytes.NewReader(raw))
	require.NoError(t, err)
	p := parsed{header: m.Header, parts: map[string]string{}, params: map[string]map[string]string{}}
	var walk func(ctype string, body io.Reader)
	walk = func(ctype string, body io.Reader) {
		mt, params, err := mime.ParseMediaType(ctype)
		require.NoError(t, err)
		if strings.HasPrefix(mt, "multipart/") {
			r := multipart.NewReader(body, params["boundary"])
			for {
				part, err := r.NextPart() // decodes quoted-printable itself
				if err == io.EOF {
					return
				}
				require.NoError(t, err)
				if part.Header.Get("Content-Transfer-Encoding") == "base64" {
					data, err := io.ReadAll(part)
					require.NoError(t, err)
					dec, err := io.ReadAll(base64Reader(data))
					require.NoError(t, err)
					walk(part.Header.Get("Content-Type"), bytes.NewReader(dec))
					continue
				}
				walk(part.Header.Get("Content-Type"), part)
			}
		}
		data, err := io.ReadAll(body)
		require.NoError(t, err)
		if _, seen := p.parts[mt]; !seen {
			p.parts[mt] = string(data)
			p.params[mt] = params
		}
	}
	walk(m.Header.Get("Content-Type"), m.Body)
	return p
}

func subject(t *testing.T, p parsed) string {
	s, err := new(mime.WordDecoder).DecodeHeader(p.header.Get("Subject"))
	require.NoError(t, err)
	return s
}

func TestAReminderEmailGoesOverStartTLSWithAuthAsTextAndHTMLInTheReadersLanguage(t *testing.T) {
	srv := smtptest.Start(t)
	s := relay(t, srv)
	zh := notify.Recipient{ID: "m1", Name: "王芳", Email: "wang.fang@example.com", Locale: "zh-CN", Timezone: "Asia/Shanghai"}
	en := notify.Recipient{ID: "m2", Name: "Alex Chen", Email: "alex@example.com", Locale: "en-GB", Timezone: "Europe/London"}
	require.NoError(t, s.Send(ctx, reminder(t, zh), ""))
	m2 := reminder(t, en)
	m2.Key = "remind-task43-0-email"
	require.NoError(t, s.Send(ctx, m2, ""))

	mails := srv.Mails()
	require.Len(t, mails, 2)
	for _, m := range mails {
		require.True(t, m.TLS, "the session must be upgraded before AUTH")
		require.Equal(t, srv.User, m.User)
		require.Equal(t, "perfloop@example.com", m.From)
	}
	require.Equal(t, []string{"wang.fang@example.com"}, mails[0].To)

	cn := parse(t, mails[0].Data)
	require.Equal(t, "[Perfloop] 待办提醒：提交十月自评", subject(t, cn))
	require.Equal(t, "<remind-task42-0-email@example.com>", cn.header.Get("Message-ID"))
	require.Contains(t, cn.parts["text/plain"], "王芳，你好")
	require.Contains(t, cn.parts["text/plain"], "截止 2026-10-09 18:00 Asia/Shanghai")
	require.Contains(t, cn.parts["text/html"], "<strong>待办提醒</strong>")
	require.Equal(t, "UTF-8", cn.params["text/html"]["charset"])

	gb := parse(t, mails[1].Data)
	require.Equal(t, "[Perfloop] Reminder: Submit your October self-review", subject(t, gb))
	require.Contains(t, gb.parts["text/plain"], "Hello Alex Chen")
	require.Contains(t, gb.parts["text/plain"], "due Fri 9 Oct 2026 11:00 (Europe/London)")
	require.Contains(t, gb.parts["text/html"], "<html lang=\"en\">")
}

func TestAnUnknownMailboxIsAPermanentFailureAndABusyRelayIsNot(t *testing.T) {
	srv := smtptest.Start(t)
	s := relay(t, srv)
	gone := notify.Recipient{ID: "m9", Name: "离职员工", Email: "left@example.com"}
	srv.Reject("left@example.com", 550)
	err := s.Send(ctx, reminder(t, gone), "")
	require.Error(t, err)
	require.True(t, notify.IsPermanent(err), "%v", err)

	srv.FailNext(1)
	ok := notify.Recipient{ID: "m1", Name: "王芳", Email: "wang.fang@example.com"}
	err = s.Send(ctx, reminder(t, ok), "")
	require.Error(t, err)
	require.False(t, notify.IsPermanent(err), "451 is worth retrying: %v", err)
	require.NoError(t, s.Send(ctx, reminder(t, ok), ""))
	require.Len(t, srv.Mails(), 1)
}

func TestAWrongSMTPPasswordIsPermanentAndNeverQuoted(t *testing.T) {
	srv := smtptest.Start(t)
	s := relay(t, srv)
	t.Setenv("PERFLOOP_TEST_SMTP_PW", "not-the-password")
	s.Password = "env:PERFLOOP_TEST_SMTP_PW"
	err := s.Send(ctx, reminder(t, notify.Recipient{Name: "王芳", Email: "wang.fang@example.com"}), "")
	require.True(t, notify.IsPermanent(err), "%v", err)
	require.NotContains(t, err.Error(), "not-the-password")
	require.Empty(t, srv.Mails())
}

func TestARelayWithoutStartTLSGetsNoCredentials(t *testing.T) {
	srv := smtptest.Start(t)
	s := relay(t, srv)
	s.StartTLS = false
	err := s.Send(ctx, reminder(t, notify.Recipient{Name: "王芳", Email: "wang.fang@example.com"}), "")
	require.Error(t, err, "the relay refuses AUTH on a plain connection")
	require.Empty(t, srv.Mails())
}

func TestADigestIsOneMailListingEveryReminder(t *testing.T) {
	srv := smtptest.Start(t)
	s := relay(t, srv)
	to := notify.Recipient{ID: "m1", Name: "王芳", Email: "wang.fang@example.com", Locale: "zh"}
	m := notify.Message{Key: "digest-1", To: to, Events: []notify.Event{
		{Kind: "reminder", Title: notify.Text{Zh: "提交计划"}, Due: due(t)},
		{Kind: "reminder", Title: notify.Text{Zh: "完成自评"}, Due: due(t), Overdue: true},
		{Kind: "escalation", Title: notify.Text{Zh: "李雷 的计划审批"}},
	}}
	require.NoError(t, s.Send(ctx, m, ""))
	p := parse(t, srv.Mails()[0].Data)
	require.Equal(t, "[Perfloop] 你有 3 条提醒", subject(t, p))
	for _, want := range []string{"待办提醒：提交计划", "已逾期：完成自评", "逾期升级：李雷 的计划审批"} {
		require.Contains(t, p.parts["text/plain"], want)
	}
}

func TestACalibrationInviteIsAttachedAsACalendarRequest(t *testing.T) {
	srv := smtptest.Start(t)
	s := relay(t, srv)
	in := invite()
	to := notify.Recipient{ID: "m1", Name: "王芳", Email: "wang.fang@example.com"}
	m := notify.Message{Key: "meeting-c1-m1-0", To: to, Events: []notify.Event{{Kind: "meeting", Title: notify.Text{Zh: in.Summary}, Calendar: in.ICS(), CalendarMethod: in.Method()}}}
	require.NoError(t, s.Send(ctx, m, ""))
	p := parse(t, srv.Mails()[0].Data)
	require.Equal(t, "multipart/mixed", mediaType(t, p.header.Get("Content-Type")))
	require.Equal(t, "REQUEST", p.params["text/calendar"]["method"])
	require.Contains(t, p.parts["text/calendar"], "UID:calibration-c1@perfloop")
	require.Contains(t, p.parts["text/plain"], "校准会邀请")
	require.Contains(t, string(srv.Mails()[0].Data), "filename=invite.ics")
}

func TestTheSameKeyGivesTheSameMessageID(t *testing.T) {
	require.Equal(t, notify.MessageID("remind:t1:0:email", "x.dev"), notify.MessageID("remind:t1:0:email", "x.dev"))
	require.NotEqual(t, notify.MessageID("remind:t1:0:email", "x.dev"), notify.MessageID("remind:t1:1:email", "x.dev"))
}

func mediaType(t *testing.T, v string) string {
	mt, _, err := mime.ParseMediaType(v)
	require.NoError(t, err)
	return mt
}
