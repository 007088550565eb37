package store

import (
	"github.com/perfloop/perfloop/notify"
)

// Notification channels, as notify names them (one vocabulary for the
// rows and the senders). In-app notifications are delivered by being
// stored; every other channel waits as pending for a sender.
const (
	ChannelInApp    = notify.ChannelInApp
	ChannelEmail    = notify.ChannelEmail
	ChannelWeCom    = notify.ChannelWeCom
	ChannelDingTalk = notify.ChannelDingTalk
	ChannelFeishu   = notify.ChannelFeishu
	ChannelSlack    = notify.ChannelSlack
	ChannelWebhook  = notify.ChannelWebhook
)

// Notification states. A failed notification is retried until it has used
// its attempts, then it is a permanent failure and nobody retries it.
const (
	NotificationPending          = "pending"
	NotificationSent             = "sent"
	NotificationFailed           = "failed"
	NotificationPermanentFailure = "permanent_failure"
)
