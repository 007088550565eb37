package notify

import (
	"strings"
	"time"
)

// Events a template or an organisation routes to channels. A notification
// row's kind maps onto one of them (EventOf).
const (
	EventReminder   = "reminder"
	EventEscalation = "escalation"
	EventResults    = "results"
	EventIDP        = "idp"
	EventMeeting    = "meeting"
	EventTask       = "task"
	EventNotice     = "notice"
	EventPace       = "pace"
)

// Events lists every routable event.
var Events = []string{EventReminder, EventEscalation, EventResults, EventIDP, EventMeeting, EventTask, EventNotice, EventPace}

// EventOf maps a notification kind to the event that routes it.
func EventOf(kind string) string {
	switch kind {
	case "idp_created":
		return EventIDP
	case "idp_checkin":
		return EventReminder
	}
	for _, e := range Events {
		if e == kind {
			return e
		}
	}
	return EventNotice
}

// Digestible events may wait a few minutes to be batched with others to
// the same person; results, IDPs and meetings go out on their own.
func Digestible(event string) bool {
	return event == EventReminder || event == EventEscalation || event == EventTask || event == EventPace
}

// Text is a phrase in both languages; En falls back to Zh.
type Text struct {
	Zh string `json:"zh"`
	En string `json:"en,omitempty"`
}

// In returns the phrase for a language ("en" or "zh").
func (t Text) In(lang string) string {
	if lang == LangEn && t.En != "" {
		return t.En
	}
	return t.Zh
}

// Event is what one notification says, stored with it as JSON, so each
// channel renders it in the reader's language at send time.
type Event struct {
	Kind    string     `json:"kind"`
	Title   Text       `json:"title"`
	Detail  Text       `json:"detail,omitempty"`
	Due     *time.Time `json:"due,omitempty"`
	Overdue bool       `json:"overdue,omitempty"`
	Link    string     `json:"link,omitempty"`
	// Calendar is an iCalendar object to attach (a calibration invite),
	// with its METHOD (REQUEST or CANCEL).
	Calendar       string `json:"calendar,omitempty"`
	CalendarMethod string `json:"calendarMethod,omitempty"`
}

// Recipient is the person a message is for.
type Recipient struct {
	ID       string
	Name     string
	Email    string
	Locale   string // "zh-CN", "en", …
	Timezone string // IANA; "" means UTC
}

// Languages the messages are written in.
const (
	LangZh = "zh"
	LangEn = "en"
)

// Lang is the recipient's message language: English for an en* locale,
// Chinese otherwise.
func (r Recipient) Lang() string {
	if strings.HasPrefix(strings.ToLower(r.Locale), "en") {
		return LangEn
	}
	return LangZh
}

// Location is the recipient's time zone, UTC when unknown.
func (r Recipient) Location() *time.Location {
	if r.Timezone != "" {
		if loc, err := time.LoadLocation(r.Timezone); err == nil {
			return loc
		}
	}
	return time.UTC
}

// Message is one delivery: a single event or a digest of several, to one
// recipient on one channel. Key is stable across retries and restarts of
// the sender: it becomes the e-mail's Message-ID and the webhook's
// Idempotency-Key, so a receiver can drop a resend.
type Message struct {
	Key    string
	To     Recipient
	Events []Event
	// Resend says an earlier attempt may have been delivered (the sender
	// found its own claim from before a crash).
	Resend bool
}
