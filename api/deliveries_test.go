package api_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/perfloop/perfloop/store"
	"github.com/perfloop/perfloop/store/storetest"
)

func TestAMalformedWebhookURLIsRejectedWhenItIsConfigured(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t))
	r := e.do("PUT", "/api/v1/channels", "admin", map[string]any{"channel": "wecom", "url": "qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc"})
	require.Equal(t, 400, r.status, r.raw)
	d := firstDetail(t, r)
	require.Equal(t, "/url", d["path"])
	require.Equal(t, "qyapi.weixin.qq.com/cgi-bin/webhook/send?key=****", d["value"], "what was typed, its token masked")
	require.Contains(t, d["message"], "expected https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…")

	r = e.do("PUT", "/api/v1/channels", "admin", map[string]any{"channel": "webhook", "url": "https://hooks.example.com/perfloop", "secret": "hunter2"})
	require.Equal(t, 400, r.status)
	require.Equal(t, "/secret", firstDetail(t, r)["path"])
	require.NotContains(t, r.raw, "hunter2", "a pasted secret is not echoed")

	r = e.do("PUT", "/api/v1/channels", "admin", map[string]any{"channel": "dingtalk", "teamId": "no-such-team", "url": "https://oapi.dingtalk.com/robot/send?access_token=t0k3n5ecret", "secret": "env:PERFLOOP_DINGTALK_SECRET"})
	require.Equal(t, 400, r.status)
	require.Equal(t, "/teamId", firstDetail(t, r)["path"])
}

func TestChannelSecretsAreNeverReturned(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t))
	r := e.do("PUT", "/api/v1/channels", "admin", map[string]any{"channel": "dingtalk", "url": "https://oapi.dingtalk.com/robot/send?access_token=t0k3n5ecret", "secret": "env:PERFLOOP_DINGTALK_SECRET"})
	require.Equal(t, 200, r.status, r.raw)
	require.Equal(t, "env:****", r.body["secret"])
	list := e.do("GET", "/api/v1/channels", "admin", nil)
	require.Equal(t, 200, list.status)
	require.EqualValues(t, 1, list.body["total"])
	require.NotContains(t, list.raw, "t0k3n5ecret")
	require.NotContains(t, list.raw, "PERFLOOP_DINGTALK_SECRET")
	require.Contains(t, list.raw, "oapi.dingtalk.com")
	for who := range e.token {
		if !strings.HasPrefix(who, "admin") {
			require.Equal(t, 403, e.do("GET", "/api/v1/channels", who, nil).status, "only admins see channels")
			break
		}
	}
	id := r.body["id"].(string)
	require.Equal(t, 204, e.do("DELETE", "/api/v1/channels/"+id, "admin", nil).status)
	require.Equal(t, 404, e.do("DELETE", "/api/v1/channels/"+id, "admin", nil).status)
}

func TestAdminsSeeFailedDeliveries(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t))
	ctx := context.Background()
	org := mustOrg(t, e)
	ms, _, err := e.store.ListMembers(ctx, org, store.MemberFilter{}, store.Page{Limit: 1})
	require.NoError(t, err)
	_, err = e.store.EnqueueDelivery(ctx, &store.Delivery{Notification: store.Notification{OrgID: org, RecipientID: ms[0].ID, Channel: store.ChannelEmail, Kind: "results", Subject: "结果", DedupeKey: "results:c1:m1|email"}})
	require.NoError(t, err)
	batches, err := e.store.ClaimDue(ctx, time.Now(), time.Hour, 0)
	require.NoError(t, err)
	require.NoError(t, e.store.MarkBatchAttempt(ctx, batches[0].ID, "smtp send: 550 mailbox unavailable", true))

	r := e.do("GET", "/api/v1/notifications/failures", "admin", nil)
	require.Equal(t, 200, r.status, r.raw)
	require.EqualValues(t, 1, r.body["total"])
	item := r.body["items"].([]any)[0].(map[string]any)
	require.Equal(t, "permanent_failure", item["state"])
	require.Equal(t, "email", item["channel"])
	require.Contains(t, item["lastError"], "550")

	r = e.do("PUT", "/api/v1/notifications/policy", "admin", map[string]any{"window": map[string]any{"start": "20:00", "end": "08:00", "days": []int{1, 2, 3, 4, 5}}, "digestMinutes": 5})
	require.Equal(t, 400, r.status)
	require.Equal(t, "/window/end", firstDetail(t, r)["path"])
	r = e.do("PUT", "/api/v1/notifications/policy", "admin", map[string]any{"window": map[string]any{"start": "08:30", "end": "20:00", "days": []int{1, 2, 3, 4, 5, 6}}, "digestMinutes": 5, "events": map[string]any{"reminder": []string{"inapp", "email"}}})
	require.Equal(t, 200, r.status, r.raw)
	r = e.do("GET", "/api/v1/notifications/policy", "admin", nil)
	require.Equal(t, "08:30", r.body["window"].(map[string]any)["start"])
}
