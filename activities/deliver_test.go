package activities_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/testsuite"

	"github.com/perfloop/perfloop/activities"
	"github.com/perfloop/perfloop/notify"
	"github.com/perfloop/perfloop/notify/smtptest"
	"github.com/perfloop/perfloop/store"
	"github.com/perfloop/perfloop/store/storetest"
)

var ctx = context.Background()

type people struct {
	org      *store.Organization
	wang, li *store.Member // Shanghai, zh; London, en
}

func seed(t *testing.T, s *store.Store) people {
	p := people{org: &store.Organization{Name: "Demo", Timezone: "Asia/Shanghai", Locale: "zh"}}
	require.NoError(t, s.CreateOrganization(ctx, p.org))
	team := &store.Team{OrgID: p.org.ID, Key: "ops", Name: "运营组"}
	require.NoError(t, s.CreateTeam(ctx, team))
	p.wang = &store.Member{OrgID: p.org.ID, TeamID: &team.ID, Name: "王芳", Email: "wang.fang@example.com", Role: store.RoleEmployee, Level: "junior", Timezone: "Asia/Shanghai", Locale: "zh-CN", Active: true}
	p.li = &store.Member{OrgID: p.org.ID, TeamID: &team.ID, Name: "Li Lei", Email: "li.lei@example.com", Role: store.RoleManager, Level: "senior", Timezone: "Europe/London", Locale: "en", Active: true}
	require.NoError(t, s.CreateMember(ctx, p.wang))
	require.NoError(t, s.CreateMember(ctx, p.li))
	return p
}

func relay(t *testing.T, srv *smtptest.Server) *notify.SMTP {
	pw := filepath.Join(t.TempDir(), "pw")
	require.NoError(t, os.WriteFile(pw, []byte(srv.Password), 0o600))
	return &notify.SMTP{Addr: srv.Addr, From: "Perfloop <perfloop@example.com>", User: srv.User, Password: "file:" + pw, StartTLS: true, TLS: srv.Client}
}

// checkins makes an open IDP for member with mentor, whose check-in
// reminders go through the same path as every other notification.
func checkins(t *testing.T, s *store.Store, p people) string {
	idp, _, err := s.CreateIDP(ctx, &store.IDP{OrgID: p.org.ID, MemberID: p.wang.ID, CycleID: "c1", MentorID: p.li.ID, Items: "[]", TriggerPeriods: "[]",
		DueAt: time.Date(2026, 12, 31, 10, 0, 0, 0, time.UTC), CheckinEveryDays: 14, DedupeKey: "idp:" + p.wang.ID})
	require.NoError(t, err)
	return idp.ID
}

func send(t *testing.T, a *activities.Activities, ref activities.BatchRef) (string, error) {
	var s testsuite.WorkflowTestSuite
	env := s.NewTestActivityEnvironment()
	env.RegisterActivity(a)
	v, err := env.ExecuteActivity(a.SendBatch, ref)
	if err != nil {
		return "", err
	}
	var state string
	require.NoError(t, v.Get(&state))
	return state, nil
}

func TestAReminderDueAtNightIsHeldUntilEachRecipientsWorkingMorning(t *testing.T) {
	s := storetest.SQLite(t)
	p := seed(t, s)
	mail := smtptest.Start(t)
	require.NoError(t, s.SaveChannelConfig(ctx, &store.ChannelConfig{OrgID: p.org.ID, Channel: store.ChannelEmail}))
	// Friday 22:33 in Shanghai is 15:33 in London.
	now := time.Date(2026, 10, 9, 14, 33, 0, 0, time.UTC)
	a := &activities.Activities{Store: s, Mail: relay(t, mail), Now: func() time.Time { return now }}
	open, err := a.IDPCheckinReminder(ctx, checkins(t, s, p), 1)
	require.NoError(t, err)
	require.True(t, open)

	var rows []store.Delivery
	require.NoError(t, s.DB.Where("channel = ?", store.ChannelEmail).Order("recipient_id").Find(&rows).Error)
	require.Len(t, rows, 2)
	at := map[string]time.Time{}
	for _, r := range rows {
		at[r.RecipientID] = r.NotBefore.UTC()
	}
	require.Equal(t, time.Date(2026, 10, 12, 1, 0, 0, 0, time.UTC), at[p.wang.ID], "Monday 09:00 in Shanghai")
	require.Equal(t, time.Date(2026, 10, 9, 14, 40, 0, 0, time.UTC), at[p.li.ID], "London is at work: the next digest slot")
	var inapp int64
	require.NoError(t, s.DB.Model(&store.Notification{}).Where("channel = ? AND state = ?", store.ChannelInApp, store.NotificationSent).Count(&inapp).Error)
	require.EqualValues(t, 2, inapp, "the inbox has both at once")

	now = time.Date(2026, 10, 9, 15, 0, 0, 0, time.UTC)
	due, err := a.ClaimDeliveries(ctx, 10)
	require.NoError(t, err)
	require.Len(t, due, 1, "only London's is due on Friday afternoon")
	state, err := send(t, a, due[0])
	require.NoError(t, err)
	require.Equal(t, store.NotificationSent, state)
	require.Len(t, mail.Mails(), 1)
	require.Equal(t, []string{"li.lei@example.com"}, mail.Mails()[0].To)

	now = time.Date(2026, 10, 12, 1, 0, 0, 0, time.UTC)
	due, err = a.ClaimDeliveries(ctx, 10)
	require.NoError(t, err)
	require.Len(t, due, 1, "Shanghai's goes out on Monday morning")
}

func TestTheTemplateOrOrganisationDecidesWhichChannelsAnEventUses(t *testing.T) {
	s := storetest.SQLite(t)
	p := seed(t, s)
	require.NoError(t, s.SaveChannelConfig(ctx, &store.ChannelConfig{OrgID: p.org.ID, Channel: store.ChannelEmail}))
	require.NoError(t, s.SaveChannelConfig(ctx, &store.ChannelConfig{OrgID: p.org.ID, Channel: store.ChannelWeCom, URL: "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k"}))
	a := &activities.Activities{Store: s, Mail: &notify.SMTP{Addr: "127.0.0.1:1", From: "p@x.dev"}}
	channels := func() []string {
		var out []string
		require.NoError(t, s.DB.Model(&store.Notification{}).Where("recipient_id = ?", p.wang.ID).Order("channel").Pluck("channel", &out).Error)
		return out
	}
	_, err := a.IDPCheckinReminder(ctx, checkins(t, s, p), 1)
	require.NoError(t, err)
	require.Equal(t, []string{"email", "inapp", "wecom"}, channels(), "no routing: every configured channel")

	require.NoError(t, s.SaveDeliveryPolicy(ctx, p.org.ID, `{"window":{"start":"09:00","end":"21:00","days":[1,2,3,4,5]},"digestMinutes":10,"events":{"reminder":["wecom"]}}`))
	_, err = a.IDPCheckinReminder(ctx, checkins(t, s, p), 2)
	require.NoError(t, err)
	require.Equal(t, []string{"email", "inapp", "inapp", "wecom", "wecom"}, channels(), "the organisation's default sends reminders to WeCom only")
}

// A worker sends a message and stops before recording it. After the
// claim's lease another worker claims the same batch, sends it again under
// the same key (Idempotency-Key, Message-ID) and records it: the receiver,
// which drops keys it has seen, shows the message once.
func TestASendInterruptedBeforeItsRecordIsResentUnderTheSameKey(t *testing.T) {
	dir := t.TempDir()
	open := func() *store.Store {
		s, err := store.Open(ctx, "sqlite:"+filepath.Join(dir, "perfloop.db"), nil)
		require.NoError(t, err)
		_, err = s.Migrate(ctx, nil)
		require.NoError(t, err)
		return s
	}
	first := open()
	p := seed(t, first)
	var mu sync.Mutex
	var keys []string
	delivered := map[string]bool{}
	var crash func()
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		mu.Lock()
		defer mu.Unlock()
		key := r.Header.Get("Idempotency-Key")
		keys = append(keys, key)
		delivered[key] = true
		w.WriteHeader(http.StatusNoContent)
		if crash != nil {
			crash() // the worker dies right after the receiver accepted
			crash = nil
		}
	}))
	defer hook.Close()
	t.Setenv("PERFLOOP_TEST_HOOK_SECRET", "s3cr3t")
	require.NoError(t, first.SaveChannelConfig(ctx, &store.ChannelConfig{OrgID: p.org.ID, Channel: store.ChannelWebhook, URL: hook.URL + "/hook", SecretRef: "env:PERFLOOP_TEST_HOOK_SECRET"}))
	now := time.Date(2026, 10, 6, 10, 0, 0, 0, time.UTC) // Tuesday 18:00 in Shanghai, 11:00 in London
	clock := func() time.Time { return now }
	a := &activities.Activities{Store: first, Now: clock}
	_, err := a.IDPCheckinReminder(ctx, checkins(t, first, p), 1)
	require.NoError(t, err)
	now = now.Add(10 * time.Minute)
	due, err := a.ClaimDeliveries(ctx, 10)
	require.NoError(t, err)
	require.Len(t, due, 2)
	crash = func() { first.Close() }
	_, err = send(t, a, due[0])
	require.Error(t, err, "the record after the send failed")

	second := open()
	defer second.Close()
	b := &activities.Activities{Store: second, Now: clock}
	again, err := b.ClaimDeliveries(ctx, 10)
	require.NoError(t, err)
	require.Empty(t, again, "the claim holds while its lease runs")
	now = now.Add(2 * time.Hour)
	again, err = b.ClaimDeliveries(ctx, 10)
	require.NoError(t, err)
	var resent activities.BatchRef
	for _, r := range again {
		if r.ID == due[0].ID {
			resent = r
		}
	}
	require.True(t, resent.Resend, "the new worker knows it may be a resend")
	for _, r := range again {
		state, err := send(t, b, r)
		require.NoError(t, err)
		require.Equal(t, store.NotificationSent, state)
	}
	require.Len(t, keys, 3, "the interrupted message went twice on the wire, the other once")
	require.Equal(t, keys[0], keys[1+indexOf(keys[1:], keys[0])])
	require.Len(t, delivered, 2, "the receiver shows each message once")
	state, err := send(t, b, resent)
	require.NoError(t, err)
	require.Equal(t, store.NotificationSent, state, "sending a recorded batch again does nothing")
	require.Len(t, keys, 3)
}

func indexOf(xs []string, x string) int {
	for i, v := range xs {
		if v == x {
			return i
		}
	}
	return -100
}

func TestRemindersDueTogetherReachAPersonAsOneDigestEmail(t *testing.T) {
	s := storetest.SQLite(t)
	p := seed(t, s)
	mail := smtptest.Start(t)
	require.NoError(t, s.SaveChannelConfig(ctx, &store.ChannelConfig{OrgID: p.org.ID, Channel: store.ChannelEmail, Sender: "HR 绩效 <hr@example.com>"}))
	now := time.Date(2026, 10, 6, 10, 1, 0, 0, time.UTC) // Tuesday 18:01 in Shanghai, 11:01 in London
	a := &activities.Activities{Store: s, Mail: relay(t, mail), Now: func() time.Time { return now }}
	idp := checkins(t, s, p)
	for n := 1; n <= 3; n++ {
		_, err := a.IDPCheckinReminder(ctx, idp, n)
		require.NoError(t, err)
		now = now.Add(3 * time.Minute)
	}
	now = now.Add(10 * time.Minute)
	due, err := a.ClaimDeliveries(ctx, 10)
	require.NoError(t, err)
	require.Len(t, due, 2, "one message per person")
	for _, r := range due {
		_, err := send(t, a, r)
		require.NoError(t, err)
	}
	mails := mail.Mails()
	require.Len(t, mails, 2)
	require.Equal(t, "hr@example.com", mails[0].From, "the organisation's sender")
	var zh string
	for _, m := range mails {
		if m.To[0] == "wang.fang@example.com" {
			zh = string(m.Data)
		}
	}
	require.Contains(t, zh, "Subject: =?UTF-8?b?")
	require.Contains(t, zh, "Message-ID: <digest.")
}
