package workflows_test

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
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/perfloop/perfloop/activities"
	"github.com/perfloop/perfloop/engine"
	"github.com/perfloop/perfloop/notify"
	"github.com/perfloop/perfloop/notify/smtptest"
	"github.com/perfloop/perfloop/store"
	"github.com/perfloop/perfloop/store/storetest"
	"github.com/perfloop/perfloop/workflows"
)

// flakyHook is a generic webhook receiver that answers 503 a number of
// times before it accepts, and keeps every delivery it accepts once per
// Idempotency-Key, as a receiver that dedupes does.
type flakyHook struct {
	mu        sync.Mutex
	fail      int
	requests  []string // Idempotency-Key of every request
	delivered map[string]int
	status    int // a fixed answer instead (0: the flaky behaviour)
}

func (h *flakyHook) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	io.Copy(io.Discard, r.Body)
	h.mu.Lock()
	defer h.mu.Unlock()
	key := r.Header.Get("Idempotency-Key")
	h.requests = append(h.requests, key)
	switch {
	case h.status != 0:
		w.WriteHeader(h.status)
	case h.fail > 0:
		h.fail--
		w.WriteHeader(http.StatusServiceUnavailable)
	default:
		h.delivered[key]++
		w.WriteHeader(http.StatusNoContent)
	}
}

type deliveryFixture struct {
	st                    *store.Store
	org                   *store.Organization
	ok, gone, unreachable *store.Member
	mail                  *smtptest.Server
	acts                  *activities.Activities
}

func newDeliveryFixture(t *testing.T) deliveryFixture {
	ctx := context.Background()
	f := deliveryFixture{st: storetest.SQLite(t), mail: smtptest.Start(t)}
	f.org = &store.Organization{Name: "Demo", Timezone: "Asia/Shanghai", Locale: "zh"}
	require.NoError(t, f.st.CreateOrganization(ctx, f.org))
	team := &store.Team{OrgID: f.org.ID, Key: "ops", Name: "运营组"}
	require.NoError(t, f.st.CreateTeam(ctx, team))
	other := &store.Team{OrgID: f.org.ID, Key: "sales", Name: "销售组"}
	require.NoError(t, f.st.CreateTeam(ctx, other))
	mk := func(name, email string, team *store.Team) *store.Member {
		m := &store.Member{OrgID: f.org.ID, TeamID: &team.ID, Name: name, Email: email, Role: store.RoleEmployee, Level: "junior", Timezone: "Asia/Shanghai", Locale: "zh", Active: true}
		require.NoError(t, f.st.CreateMember(ctx, m))
		return m
	}
	f.ok = mk("王芳", "wang.fang@example.com", team)
	f.gone = mk("离职员工", "left@example.com", team)
	f.unreachable = mk("李雷", "li.lei@example.com", other)
	f.mail.Reject("left@example.com", 550)
	pw := filepath.Join(t.TempDir(), "pw")
	require.NoError(t, os.WriteFile(pw, []byte(f.mail.Password), 0o600))
	f.acts = &activities.Activities{Store: f.st, Mail: &notify.SMTP{Addr: f.mail.Addr, From: "Perfloop <perfloop@example.com>", User: f.mail.User, Password: "file:" + pw, StartTLS: true, TLS: f.mail.Client}}
	require.NoError(t, f.st.SaveChannelConfig(ctx, &store.ChannelConfig{OrgID: f.org.ID, Channel: store.ChannelEmail}))
	return f
}

func (f deliveryFixture) owe(t *testing.T, to *store.Member, channel, key string) {
	payload := `{"kind":"reminder","title":{"zh":"提交十月自评","en":"Submit your October self-review"}}`
	past := time.Now().Add(-time.Minute).UTC()
	created, err := f.st.EnqueueDelivery(context.Background(), &store.Delivery{
		Notification: store.Notification{OrgID: f.org.ID, RecipientID: to.ID, Channel: channel, Kind: "reminder", Subject: "提醒", DedupeKey: key + "|" + channel},
		NotBefore:    &past, Payload: &payload,
	})
	require.NoError(t, err)
	require.True(t, created)
}

func (f deliveryFixture) state(t *testing.T, key string) store.Delivery {
	var d store.Delivery
	require.NoError(t, f.st.DB.Where("dedupe_key = ?", key).Take(&d).Error)
	return d
}

func TestDeliveryRetriesWithBackoffAndRecordsPermanentFailuresForAdmins(t *testing.T) {
	f := newDeliveryFixture(t)
	ctx := context.Background()
	hook := &flakyHook{fail: 2, delivered: map[string]int{}}
	srv := httptest.NewServer(hook)
	defer srv.Close()
	down := &flakyHook{status: http.StatusBadGateway, delivered: map[string]int{}}
	downSrv := httptest.NewServer(down)
	defer downSrv.Close()
	t.Setenv("PERFLOOP_TEST_HOOK_SECRET", "s3cr3t")
	require.NoError(t, f.st.SaveChannelConfig(ctx, &store.ChannelConfig{OrgID: f.org.ID, Channel: store.ChannelWebhook, URL: srv.URL + "/hook", SecretRef: "env:PERFLOOP_TEST_HOOK_SECRET"}))
	require.NoError(t, f.st.SaveChannelConfig(ctx, &store.ChannelConfig{OrgID: f.org.ID, TeamID: f.unreachable.TeamID, Channel: store.ChannelWebhook, URL: downSrv.URL + "/hook", SecretRef: "env:PERFLOOP_TEST_HOOK_SECRET"}))

	f.owe(t, f.ok, store.ChannelEmail, "remind:t1:0")
	f.owe(t, f.gone, store.ChannelEmail, "remind:t2:0")
	f.owe(t, f.ok, store.ChannelWebhook, "remind:t1:0")
	f.owe(t, f.unreachable, store.ChannelWebhook, "remind:t3:0")

	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	env.RegisterWorkflowWithOptions(workflows.DeliveryWorkflow, workflow.RegisterOptions{Name: engine.DeliveryWorkflow.String()})
	env.RegisterActivity(f.acts)
	var mu sync.Mutex
	var starts [][2]any // (activity id, workflow clock) of every SendBatch attempt
	env.SetOnActivityStartedListener(func(info *activity.Info, _ context.Context, _ converter.EncodedValues) {
		if info.ActivityType.Name == "SendBatch" {
			mu.Lock()
			starts = append(starts, [2]any{info.ActivityID, env.Now()})
			mu.Unlock()
		}
	})
	retry := temporal.RetryPolicy{InitialInterval: 10 * time.Second, BackoffCoefficient: 2, MaximumInterval: time.Minute, MaximumAttempts: 4,
		NonRetryableErrorTypes: []string{activities.ErrPermanentDelivery}}
	env.ExecuteWorkflow(workflows.DeliveryWorkflow, workflows.DeliveryInput{Every: time.Minute, Rounds: 2, Retry: &retry})
	require.True(t, env.IsWorkflowCompleted())
	require.NoError(t, env.GetWorkflowError())

	// The good e-mail went out once over STARTTLS; the refused mailbox was
	// tried once (550 is permanent) and is on the admins' failure list.
	mails := f.mail.Mails()
	require.Len(t, mails, 1)
	require.Equal(t, []string{"wang.fang@example.com"}, mails[0].To)
	require.Equal(t, store.NotificationSent, f.state(t, "remind:t1:0|email").State)
	gone := f.state(t, "remind:t2:0|email")
	require.Equal(t, store.NotificationPermanentFailure, gone.State)
	require.Equal(t, 1, gone.Attempts, "a permanent failure is not retried")
	require.Contains(t, gone.LastError, "550")

	// The flaky webhook answered 503 twice: Temporal retried, the third
	// attempt landed, every attempt carried the same Idempotency-Key.
	require.Len(t, hook.requests, 3)
	require.Equal(t, hook.requests[0], hook.requests[2])
	require.Equal(t, map[string]int{hook.requests[0]: 1}, hook.delivered)
	ok := f.state(t, "remind:t1:0|webhook")
	require.Equal(t, store.NotificationSent, ok.State)
	require.Equal(t, 3, ok.Attempts)

	// The webhook that stays down used the whole retry budget, backing off
	// 10 s, 20 s, 40 s between attempts, then gave up.
	require.Len(t, down.requests, 4)
	byID := map[string][]time.Time{}
	for _, s := range starts {
		byID[s[0].(string)] = append(byID[s[0].(string)], s[1].(time.Time))
	}
	var gaps []time.Duration
	for _, at := range byID {
		if len(at) == 4 {
			for i := 1; i < 4; i++ {
				gaps = append(gaps, at[i].Sub(at[i-1]).Round(time.Second))
			}
		}
	}
	require.Equal(t, []time.Duration{10 * time.Second, 20 * time.Second, 40 * time.Second}, gaps)
	dead := f.state(t, "remind:t3:0|webhook")
	require.Equal(t, store.NotificationPermanentFailure, dead.State)
	require.Equal(t, 4, dead.Attempts)
	require.Contains(t, dead.LastError, "502")

	failures, total, err := f.st.DeliveryFailures(ctx, f.org.ID, store.Page{})
	require.NoError(t, err)
	require.EqualValues(t, 2, total)
	require.ElementsMatch(t, []string{"remind:t2:0|email", "remind:t3:0|webhook"}, []string{failures[0].DedupeKey, failures[1].DedupeKey})
}

func TestDeliverNowSendsWhatIsOwedWithoutWaitingForTheNextRound(t *testing.T) {
	f := newDeliveryFixture(t)
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	env.RegisterWorkflowWithOptions(workflows.DeliveryWorkflow, workflow.RegisterOptions{Name: engine.DeliveryWorkflow.String()})
	env.RegisterActivity(f.acts)
	start := env.Now()
	var sentAt []time.Duration
	env.SetOnActivityStartedListener(func(info *activity.Info, _ context.Context, _ converter.EncodedValues) {
		if info.ActivityType.Name == "SendBatch" {
			sentAt = append(sentAt, env.Now().Sub(start))
		}
	})
	// The first round found nothing; a reminder is owed a minute later and
	// the sender is nudged twice (two presses of "remind now").
	env.RegisterDelayedCallback(func() {
		f.owe(t, f.ok, store.ChannelEmail, "remind-now:t1:2026-10-20")
		env.SignalWorkflow(engine.SignalDeliverNow.String(), nil)
		env.SignalWorkflow(engine.SignalDeliverNow.String(), nil)
	}, time.Minute)
	env.ExecuteWorkflow(workflows.DeliveryWorkflow, workflows.DeliveryInput{Every: time.Hour, Rounds: 3})
	require.True(t, env.IsWorkflowCompleted())
	require.NoError(t, env.GetWorkflowError())
	require.Len(t, sentAt, 1, "sent once")
	require.Less(t, sentAt[0], 2*time.Minute, "sent when nudged, not at the next hourly round")
	require.Len(t, f.mail.Mails(), 1)
	require.Equal(t, store.NotificationSent, f.state(t, "remind-now:t1:2026-10-20|email").State)
	// Two nudges in one wait cost one round: round 1 was the nudge, round 2
	// waited out its hour.
	require.GreaterOrEqual(t, env.Now().Sub(start), time.Hour)
}
