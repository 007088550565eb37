package calendar

import (
	"context"
	"encoding/json"
	"time"

	"github.com/perfloop/perfloop/notify"
	"github.com/perfloop/perfloop/outbox"
	"github.com/perfloop/perfloop/store"
	"github.com/perfloop/perfloop/templates"
)

// Change moves or cancels a cycle's calibration meeting or one member's
// feedback interview, checked against the sequence the caller read.
type Change struct {
	Cycle *store.Cycle
	// ExpectSequence is the sequence the caller read (the invite's ETag);
	// negative changes the entry as it stands.
	ExpectSequence int
	By             string
	Reason         string
	// Move is the new time; nil cancels.
	Move *Slot
}

// Slot is a time a meeting is moved to, [Start, End).
type Slot struct{ Start, End time.Time }

// Changed is what a change left: the people its invite names, and how many
// e-mail, chat and webhook messages announcing it are owed (the caller may
// wake the sender for them).
type Changed struct {
	People map[string]*store.Member
	Owed   int
}

// cycleOver refuses a change to a meeting of a cycle that is over; it is
// a conflict.
type cycleOver struct{ state, what string }

func (e cycleOver) Error() string {
	return "the cycle is " + e.state + "; its " + e.what + " can no longer change"
}

func (e cycleOver) Unwrap() error { return store.ErrConflict }

// ChangeMeeting moves or cancels the cycle's calibration meeting and owes
// every participant the new version of its invite.
func ChangeMeeting(ctx context.Context, ob outbox.Outbox, ch Change) (*store.CalibrationMeeting, Changed, error) {
	return change(ctx, ob, ch, entry[*store.CalibrationMeeting]{
		what: "calibration meeting",
		people: func() ([]string, error) {
			m, err := ob.Store.GetMeeting(ctx, ch.Cycle.ID)
			if err != nil {
				return nil, err
			}
			var parts []string
			_ = json.Unmarshal([]byte(m.Participants), &parts)
			return append(parts, m.FacilitatorID), nil
		},
		move: ob.Store.MoveMeeting, cancel: ob.Store.CancelMeeting,
		invite: MeetingInvite, announce: AnnounceMeeting,
	}, store.MeetingChange{})
}

// ChangeInterview moves or cancels a member's feedback interview and owes
// its manager and member the new version of its invite.
func ChangeInterview(ctx context.Context, ob outbox.Outbox, ch Change, iv *store.FeedbackInterview) (*store.FeedbackInterview, Changed, error) {
	return change(ctx, ob, ch, entry[*store.FeedbackInterview]{
		what:   "interviews",
		people: func() ([]string, error) { return []string{iv.ManagerID, iv.MemberID}, nil },
		move:   ob.Store.MoveInterview, cancel: ob.Store.CancelInterview,
		invite: InterviewInvite, announce: AnnounceInterview,
	}, store.InterviewChange{MemberID: iv.MemberID})
}

// entry is how change reads, changes and announces one kind of meeting.
type entry[E any] struct {
	what     string                   // in the refusal once the cycle is over
	people   func() ([]string, error) // whom the invite names
	move     func(context.Context, store.CalendarChange[E], time.Time, time.Time) (E, error)
	cancel   func(context.Context, store.CalendarChange[E]) (E, error)
	invite   func(*store.Cycle, *templates.Template, E, map[string]*store.Member) notify.Invite
	announce func(context.Context, outbox.Outbox, *store.Cycle, *templates.Template, E, map[string]*store.Member) (int, error)
}

// change is the one flow of a meeting's change: refused once the cycle is
// over, applied with the invite rendered for the new sequence in the same
// transaction, then announced to everyone the invite names.
func change[E any](ctx context.Context, ob outbox.Outbox, ch Change, k entry[E], sc store.CalendarChange[E]) (E, Changed, error) {
	var none E
	cy := ch.Cycle
	if cy.State != store.CycleRunning && cy.State != store.CyclePending {
		return none, Changed{}, cycleOver{state: cy.State, what: k.what}
	}
	// The people do not change with the time, so those the invite names
	// are read before the change's transaction.
	ids, err := k.people()
	if err != nil {
		return none, Changed{}, err
	}
	people, err := ob.Store.MembersByID(ctx, cy.OrgID, ids)
	if err != nil {
		return none, Changed{}, err
	}
	tpl, _ := templates.Parse([]byte(cy.TemplateBody))
	sc.OrgID, sc.CycleID, sc.ExpectSequence, sc.By, sc.Reason = cy.OrgID, cy.ID, ch.ExpectSequence, ch.By, ch.Reason
	sc.Invite = func(e E) string { return k.invite(cy, tpl, e, people).ICS() }
	var changed E
	if ch.Move != nil {
		changed, err = k.move(ctx, sc, ch.Move.Start, ch.Move.End)
	} else {
		changed, err = k.cancel(ctx, sc)
	}
	if err != nil {
		return none, Changed{}, err
	}
	owed, err := k.announce(ctx, ob, cy, tpl, changed, people)
	if err != nil {
		return none, Changed{}, err
	}
	return changed, Changed{People: people, Owed: owed}, nil
}
