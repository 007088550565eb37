package activities

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"

	"github.com/perfloop/perfloop/notify"
	"github.com/perfloop/perfloop/outbox"
	"github.com/perfloop/perfloop/store"
	"github.com/perfloop/perfloop/templates"
)

// ErrPermanentDelivery is the application error type of a delivery that
// retrying cannot fix; the workflow's retry policy does not retry it.
const ErrPermanentDelivery = "PermanentDeliveryFailure"

// deliveryLease is how long a claim protects a batch from being claimed
// again: longer than the sender's whole retry schedule, so only a batch
// whose sender is gone comes back.
const deliveryLease = time.Hour

func (a *Activities) now() time.Time {
	if a.Now != nil {
		return a.Now()
	}
	return time.Now()
}

// routing says where an event's channels come from (see outbox.Route).
type routing = outbox.Route

func routeOf(t *templates.Template, stageKey string) routing { return outbox.RouteOf(t, stageKey) }

// feedbackRoute routes results and IDPs by the cycle's feedback stage.
func feedbackRoute(t *templates.Template) routing {
	return outbox.RouteOfType(t, templates.StageFeedback)
}

func (a *Activities) feedbackRouteFor(ctx context.Context, cycleID string) routing {
	if _, t, err := a.cycle(ctx, cycleID); err == nil {
		return feedbackRoute(t)
	}
	return routing{}
}

// outbox is where the activities' notifications are written; e-mail is
// owed only when this worker has an SMTP relay. (Unexported: every
// exported method of Activities is registered as an activity.)
func (a *Activities) outbox() outbox.Outbox {
	return outbox.Outbox{Store: a.Store, NoEmail: !a.Mail.Configured(), Now: a.now}
}

// notify puts n in the recipient's in-app inbox and owes its deliveries
// (outbox.Outbox.Notify). created reports the in-app row.
func (a *Activities) notify(ctx context.Context, n *store.Notification, ev notify.Event, r routing) (bool, error) {
	created, _, err := a.outbox().Notify(ctx, n, ev, r)
	return created, err
}

// BatchRef is a claimed message for SendBatch.
type BatchRef struct {
	ID      string
	Channel string
	Resend  bool
	// MaxAttempts is the sender's retry budget: the attempt that reaches it
	// gives up and records a permanent failure (0: the activity's own
	// retry policy decides).
	MaxAttempts int32
}

// ClaimDeliveries claims up to limit notifications that are due and
// returns them as messages (one per recipient and channel).
func (a *Activities) ClaimDeliveries(ctx context.Context, limit int) ([]BatchRef, error) {
	batches, err := a.Store.ClaimDue(ctx, a.now(), deliveryLease, limit)
	if err != nil {
		return nil, err
	}
	out := make([]BatchRef, len(batches))
	for i, b := range batches {
		out[i] = BatchRef{ID: b.ID, Channel: b.Channel, Resend: b.Resend}
		if b.Resend {
			a.log().Warn("delivery claimed again after its sender stopped; sending it again under the same key", "batch", b.ID, "channel", b.Channel)
		}
	}
	return out, nil
}

// SendBatch delivers one claimed message and records the outcome. A
// failure retrying cannot fix (an SMTP 5xx, a webhook 4xx) is recorded as
// a permanent failure and returned as a non-retryable error; any other
// failure is recorded and returned for Temporal to retry with backoff,
// until the last attempt the retry policy allows, which gives up.
func (a *Activities) SendBatch(ctx context.Context, ref BatchRef) (string, error) {
	rows, err := a.Store.BatchRows(ctx, ref.ID)
	if err != nil {
		return "", notFound(err)
	}
	pending := rows[:0:0]
	for _, r := range rows {
		if r.State == store.NotificationSending {
			pending = append(pending, r)
		}
	}
	if len(pending) == 0 {
		return rows[0].State, nil // recorded already: a retry after the record
	}
	first := pending[0]
	m, err := a.Store.GetMember(ctx, first.OrgID, first.RecipientID)
	if err != nil {
		return a.failed(ctx, ref, fmt.Errorf("%w: recipient %s: %v", notify.ErrPermanent, first.RecipientID, err))
	}
	info := activity.GetInfo(ctx)
	msg := notify.Message{
		Key:    ref.ID,
		To:     notify.Recipient{ID: m.ID, Name: m.Name, Email: m.Email, Locale: m.Locale, Timezone: m.Timezone},
		Resend: ref.Resend || info.Attempt > 1,
	}
	for _, r := range pending {
		var ev notify.Event
		if r.Payload == nil || json.Unmarshal([]byte(*r.Payload), &ev) != nil {
			ev = notify.Event{Kind: notify.EventOf(r.Kind), Title: notify.Text{Zh: r.Subject}, Detail: notify.Text{Zh: r.Body}}
		}
		msg.Events = append(msg.Events, ev)
	}
	configured, err := a.Store.ChannelsFor(ctx, first.OrgID, m.TeamID)
	if err != nil {
		return "", err
	}
	cfg, ok := configured[ref.Channel]
	if !ok {
		return a.failed(ctx, ref, fmt.Errorf("%w: channel %s is no longer configured", notify.ErrPermanent, ref.Channel))
	}
	switch ref.Channel {
	case notify.ChannelEmail:
		if !a.Mail.Configured() {
			err = fmt.Errorf("%w: no SMTP relay is configured (--smtp)", notify.ErrPermanent)
		} else {
			err = a.Mail.Send(ctx, msg, cfg.Sender)
		}
	default:
		w := &notify.Webhook{Channel: ref.Channel, URL: cfg.URL, Secret: cfg.SecretRef, Client: a.HTTP, Targets: a.Webhooks}
		err = w.Send(ctx, msg)
	}
	if err != nil {
		return a.failed(ctx, ref, err)
	}
	if err := a.Store.MarkBatchSent(ctx, ref.ID); err != nil {
		return "", err
	}
	return store.NotificationSent, nil
}

func (a *Activities) failed(ctx context.Context, ref BatchRef, cause error) (string, error) {
	info := activity.GetInfo(ctx)
	budget := ref.MaxAttempts
	if budget <= 0 && info.RetryPolicy != nil {
		budget = info.RetryPolicy.MaximumAttempts
	}
	last := budget > 0 && info.Attempt >= budget
	permanent := notify.IsPermanent(cause) || last
	if err := a.Store.MarkBatchAttempt(ctx, ref.ID, cause.Error(), permanent); err != nil {
		return "", err
	}
	if permanent {
		a.log().Warn("delivery failed for good", "batch", ref.ID, "channel", ref.Channel, "attempt", info.Attempt, "err", cause)
		return store.NotificationPermanentFailure, temporal.NewNonRetryableApplicationError(cause.Error(), ErrPermanentDelivery, nil)
	}
	return "", cause
}
