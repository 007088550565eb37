// Package outbox records what Perfloop owes people: a notification's
// in-app row (the system of record) and one pending delivery per external
// channel the event is routed to, each with a send time that keeps out of
// the recipient's quiet hours. The engine's activities and the API's
// "remind now" and meeting changes both write through it, so a message
// reaches people the same way whoever raised it. The Chinese and English
// texts of the engine's messages are built here too (texts.go), so they
// read the same whoever raised them.
//
// It uses store, notify and templates; it never sends anything (the
// DeliveryWorkflow does) and must never import activities, api or
// workflows.
package outbox

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/perfloop/perfloop/notify"
	"github.com/perfloop/perfloop/store"
	"github.com/perfloop/perfloop/templates"
)

// Outbox writes notifications and the deliveries they owe.
type Outbox struct {
	Store *store.Store
	// NoEmail is set by a process that knows no SMTP relay sends its
	// e-mail (a worker without --smtp): e-mail is then not owed at all.
	// The API, which sends nothing itself, leaves it unset; the sender
	// records a missing relay as a failure an admin sees.
	NoEmail bool
	// Now is the clock send times are reckoned from (nil: time.Now).
	Now func() time.Time
}

// Route says where an event's channels come from: the template (and the
// stage the event belongs to) before the organisation's policy, before
// every channel the recipient's organisation or team has configured.
type Route struct {
	Template *templates.Template
	Stage    *templates.Stage
}

// RouteOf routes by a template's stage; an unknown stage routes by the
// template alone, and a nil template by the organisation.
func RouteOf(t *templates.Template, stageKey string) Route {
	if t == nil {
		return Route{}
	}
	for i := range t.Stages {
		if t.Stages[i].Key == stageKey {
			return Route{Template: t, Stage: &t.Stages[i]}
		}
	}
	return Route{Template: t}
}

// RouteOfType routes by the template's first stage of a type (results and
// IDPs by the feedback stage, meetings by the calibrate stage).
func RouteOfType(t *templates.Template, stageType string) Route {
	if t == nil {
		return Route{}
	}
	for i := range t.Stages {
		if t.Stages[i].Type == stageType {
			return Route{Template: t, Stage: &t.Stages[i]}
		}
	}
	return Route{Template: t}
}

func (o Outbox) now() time.Time {
	if o.Now != nil {
		return o.Now()
	}
	return time.Now()
}

// Notify puts n in the recipient's in-app inbox and owes one delivery per
// external channel the event is routed to and the recipient's
// organisation or team has configured, each with its own dedupe key (the
// in-app key + "|" + channel), so raising the same notification twice
// owes nothing more. created reports the in-app row; deliveries lists the
// channels newly owed.
func (o Outbox) Notify(ctx context.Context, n *store.Notification, ev notify.Event, r Route) (created bool, deliveries []string, err error) {
	created, err = o.Store.EnqueueNotification(ctx, n)
	if err != nil {
		return false, nil, fmt.Errorf("notify %s: %w", n.DedupeKey, err)
	}
	ev.Kind = notify.EventOf(n.Kind)
	m, err := o.Store.GetMember(ctx, n.OrgID, n.RecipientID)
	if errors.Is(err, store.ErrNotFound) {
		return created, nil, nil // not a member (a system recipient): in-app only
	}
	if err != nil {
		return created, nil, err
	}
	configured, err := o.Store.ChannelsFor(ctx, n.OrgID, m.TeamID)
	if err != nil || len(configured) == 0 {
		return created, nil, err
	}
	raw, err := o.Store.DeliveryPolicy(ctx, n.OrgID)
	if err != nil {
		return created, nil, err
	}
	policy, _ := notify.ParsePolicy(raw) // validated when saved; a bad one falls back to defaults
	channels, ok := r.Template.ChannelsFor(r.Stage, ev.Kind)
	if !ok {
		channels, ok = policy.Events[ev.Kind]
	}
	if !ok {
		for _, ch := range notify.External {
			if _, on := configured[ch]; on {
				channels = append(channels, ch)
			}
		}
	}
	payload, err := json.Marshal(ev)
	if err != nil {
		return created, nil, err
	}
	body := string(payload)
	tz := m.Timezone
	if tz == "" {
		if org, err := o.Store.GetOrganization(ctx, n.OrgID); err == nil {
			tz = org.Timezone
		}
	}
	at := policy.SendAt(o.now(), ev.Kind, notify.Recipient{Timezone: tz}.Location())
	for _, ch := range channels {
		if _, on := configured[ch]; !on || !slices.Contains(notify.External, ch) {
			continue
		}
		if ch == notify.ChannelEmail && (o.NoEmail || m.Email == "") {
			continue
		}
		d := &store.Delivery{
			Notification: store.Notification{OrgID: n.OrgID, RecipientID: n.RecipientID, Channel: ch, Kind: n.Kind,
				Subject: n.Subject, Body: n.Body, DedupeKey: n.DedupeKey + "|" + ch},
			NotBefore: &at, Payload: &body,
		}
		owed, err := o.Store.EnqueueDelivery(ctx, d)
		if err != nil {
			return created, deliveries, err
		}
		if owed {
			deliveries = append(deliveries, ch)
		}
	}
	return created, deliveries, nil
}
