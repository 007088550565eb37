package store_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/perfloop/perfloop/store"
	"github.com/perfloop/perfloop/store/storetest"
)

func TestDueNotificationsAreClaimedOnceAsOneMessagePerRecipientAndChannel(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := newCycle(t, s, 2, "cs-ops-monthly")
		now := time.Date(2026, 10, 6, 2, 0, 0, 0, time.UTC)
		later := now.Add(8 * time.Hour)
		mk := func(key, to, channel string, notBefore time.Time) {
			d := &store.Delivery{Notification: store.Notification{OrgID: f.org.ID, RecipientID: to, Channel: channel, Kind: "reminder", Subject: key, DedupeKey: key}, NotBefore: &notBefore}
			created, err := s.EnqueueDelivery(ctx, d)
			require.NoError(t, err)
			require.True(t, created)
		}
		a, b := f.members[0].ID, f.members[1].ID
		mk("remind:t1:0|email", a, store.ChannelEmail, now)
		mk("remind:t2:0|email", a, store.ChannelEmail, now.Add(-time.Minute))
		mk("remind:t3:0|email", a, store.ChannelEmail, later) // quiet hours: not yet
		mk("remind:t1:0|wecom", a, store.ChannelWeCom, now)
		mk("remind:t4:0|email", b, store.ChannelEmail, now)
		dup := &store.Delivery{Notification: store.Notification{OrgID: f.org.ID, RecipientID: a, Channel: store.ChannelEmail, Kind: "reminder", DedupeKey: "remind:t1:0|email"}}
		created, err := s.EnqueueDelivery(ctx, dup)
		require.NoError(t, err)
		require.False(t, created, "the same event, recipient and channel is one notification")

		batches, err := s.ClaimDue(ctx, now, time.Hour, 0)
		require.NoError(t, err)
		require.Len(t, batches, 3)
		byKey := map[string]store.Batch{}
		for _, bt := range batches {
			require.False(t, bt.Resend)
			byKey[bt.RecipientID+"/"+bt.Channel] = bt
		}
		digest := byKey[a+"/email"]
		require.Len(t, digest.Rows, 2, "two reminders due together are one message")
		require.Len(t, byKey[a+"/wecom"].Rows, 1)
		require.Equal(t, "remind.t1.0.wecom", byKey[a+"/wecom"].ID)

		again, err := s.ClaimDue(ctx, now.Add(time.Minute), time.Hour, 0)
		require.NoError(t, err)
		require.Empty(t, again, "claimed notifications are not handed out twice")

		require.NoError(t, s.MarkBatchSent(ctx, byKey[b+"/email"].ID))
		require.NoError(t, s.MarkBatchSent(ctx, byKey[b+"/email"].ID), "recording twice is harmless")
		require.NoError(t, s.MarkBatchAttempt(ctx, byKey[a+"/wecom"].ID, "wecom: 93000 invalid webhook url", true))

		// The sender stopped after claiming a's e-mail: once the lease is
		// over the same batch comes back, marked as a possible resend.
		back, err := s.ClaimDue(ctx, now.Add(61*time.Minute), time.Hour, 0)
		require.NoError(t, err)
		require.Len(t, back, 1)
		require.True(t, back[0].Resend)
		require.Equal(t, digest.ID, back[0].ID)
		require.Len(t, back[0].Rows, 2)

		rows, err := s.BatchRows(ctx, digest.ID)
		require.NoError(t, err)
		require.Len(t, rows, 2)
		require.NoError(t, s.MarkBatchSent(ctx, digest.ID))
		rows, err = s.BatchRows(ctx, digest.ID)
		require.NoError(t, err)
		for _, r := range rows {
			require.Equal(t, store.NotificationSent, r.State)
			require.Equal(t, 1, r.Attempts)
			require.NotNil(t, r.SentAt)
		}

		due, err := s.ClaimDue(ctx, later, time.Hour, 0)
		require.NoError(t, err)
		require.Len(t, due, 1, "the quiet-hours reminder is due in the morning")
		require.Equal(t, "remind.t3.0.email", due[0].ID)

		failures, total, err := s.DeliveryFailures(ctx, f.org.ID, store.Page{})
		require.NoError(t, err)
		require.EqualValues(t, 1, total)
		require.Equal(t, store.NotificationPermanentFailure, failures[0].State)
		require.Equal(t, "wecom: 93000 invalid webhook url", failures[0].LastError)
		_, total, err = s.DeliveryFailures(ctx, newOrg(t, s).ID, store.Page{})
		require.NoError(t, err)
		require.Zero(t, total, "failures are the organisation's own")
	})
}

func TestATransientFailureKeepsTheClaimAndCountsTheAttempt(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := newCycle(t, s, 1, "cs-ops-monthly")
		now := time.Now().UTC()
		_, err := s.EnqueueDelivery(ctx, &store.Delivery{Notification: store.Notification{OrgID: f.org.ID, RecipientID: f.members[0].ID, Channel: store.ChannelWebhook, Kind: "results", DedupeKey: "results:c1:m1|webhook"}})
		require.NoError(t, err)
		batches, err := s.ClaimDue(ctx, now, time.Hour, 0)
		require.NoError(t, err)
		require.Len(t, batches, 1)
		require.NoError(t, s.MarkBatchAttempt(ctx, batches[0].ID, "webhook: 503 Service Unavailable", false))
		rows, err := s.BatchRows(ctx, batches[0].ID)
		require.NoError(t, err)
		require.Equal(t, store.NotificationSending, rows[0].State)
		require.Equal(t, 1, rows[0].Attempts)
		again, err := s.ClaimDue(ctx, now.Add(time.Minute), time.Hour, 0)
		require.NoError(t, err)
		require.Empty(t, again, "the sender retrying it still holds it")
	})
}

func TestATeamsOwnChannelOverridesTheOrganisations(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := newCycle(t, s, 1, "cs-ops-monthly")
		org := &store.ChannelConfig{OrgID: f.org.ID, Channel: store.ChannelWeCom, URL: "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=org", CreatedBy: "admin"}
		require.NoError(t, s.SaveChannelConfig(ctx, org))
		team := &store.ChannelConfig{OrgID: f.org.ID, TeamID: &f.team.ID, Channel: store.ChannelWeCom, URL: "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=team", CreatedBy: "admin"}
		require.NoError(t, s.SaveChannelConfig(ctx, team))
		mail := &store.ChannelConfig{OrgID: f.org.ID, Channel: store.ChannelEmail, Sender: "HR <hr@x.dev>", CreatedBy: "admin"}
		require.NoError(t, s.SaveChannelConfig(ctx, mail))

		got, err := s.ChannelsFor(ctx, f.org.ID, &f.team.ID)
		require.NoError(t, err)
		require.Len(t, got, 2)
		require.Contains(t, got[store.ChannelWeCom].URL, "key=team")
		other := "another-team"
		got, err = s.ChannelsFor(ctx, f.org.ID, &other)
		require.NoError(t, err)
		require.Contains(t, got[store.ChannelWeCom].URL, "key=org")

		again := &store.ChannelConfig{OrgID: f.org.ID, Channel: store.ChannelWeCom, URL: "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=org2", CreatedBy: "admin"}
		require.NoError(t, s.SaveChannelConfig(ctx, again))
		require.Equal(t, org.ID, again.ID, "saving a channel again replaces it")
		all, err := s.ListChannelConfigs(ctx, f.org.ID)
		require.NoError(t, err)
		require.Len(t, all, 3)
		require.NoError(t, s.DeleteChannelConfig(ctx, f.org.ID, team.ID))
		require.ErrorIs(t, s.DeleteChannelConfig(ctx, f.org.ID, team.ID), store.ErrNotFound)

		body, err := s.DeliveryPolicy(ctx, f.org.ID)
		require.NoError(t, err)
		require.Empty(t, body)
		require.NoError(t, s.SaveDeliveryPolicy(ctx, f.org.ID, `{"digestMinutes":5}`))
		require.NoError(t, s.SaveDeliveryPolicy(ctx, f.org.ID, `{"digestMinutes":15}`))
		body, err = s.DeliveryPolicy(ctx, f.org.ID)
		require.NoError(t, err)
		require.Equal(t, `{"digestMinutes":15}`, body)
	})
}
