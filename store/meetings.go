package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
)

// Calibration meeting states.
const (
	MeetingScheduled = "scheduled"
	MeetingCancelled = "cancelled"
)

// ErrMeetingCancelled refuses to move or cancel a meeting that is
// cancelled already; it wraps ErrConflict.
var ErrMeetingCancelled = fmt.Errorf("%w: the calibration meeting is cancelled", ErrConflict)

// CalendarChange is a move or cancellation of a sequenced calendar entry
// (a cycle's calibration meeting, a member's feedback interview), checked
// against the sequence the caller read.
type CalendarChange[E any] struct {
	OrgID   string
	CycleID string
	// MemberID names the member whose interview changes; the calibration
	// meeting, one per cycle, leaves it empty.
	MemberID string
	// ExpectSequence is the sequence the caller read; another change in
	// between is ErrConflict. Negative skips the check.
	ExpectSequence int
	By             string
	Reason         string
	// Invite renders the calendar object of the entry as it will stand
	// (new times, next sequence, state); it is stored in the same
	// transaction, so the served invite never lags the entry.
	Invite func(E) string
}

// MeetingChange is a move or cancellation of a cycle's calibration meeting.
type MeetingChange = CalendarChange[*CalibrationMeeting]

// InterviewChange is a move or cancellation of one member's feedback
// interview.
type InterviewChange = CalendarChange[*FeedbackInterview]

// MoveMeeting moves a cycle's calibration meeting to [start, end) and
// raises its sequence by one, so calendars replace the earlier copy.
func (s *Store) MoveMeeting(ctx context.Context, ch MeetingChange, start, end time.Time) (*CalibrationMeeting, error) {
	return moveEntry(ctx, s, meetings, ch, start, end)
}

// CancelMeeting cancels a cycle's calibration meeting and raises its
// sequence by one, as a METHOD:CANCEL invite must.
func (s *Store) CancelMeeting(ctx context.Context, ch MeetingChange) (*CalibrationMeeting, error) {
	return changeEntry(ctx, s, meetings, "cancel", ch, cancelEntry)
}

// MoveInterview moves an interview to [start, end) and raises its
// sequence by one, so calendars replace the earlier copy.
func (s *Store) MoveInterview(ctx context.Context, ch InterviewChange, start, end time.Time) (*FeedbackInterview, error) {
	return moveEntry(ctx, s, interviews, ch, start, end)
}

// CancelInterview cancels an interview and raises its sequence by one, as
// a METHOD:CANCEL invite must.
func (s *Store) CancelInterview(ctx context.Context, ch InterviewChange) (*FeedbackInterview, error) {
	return changeEntry(ctx, s, interviews, "cancel", ch, cancelEntry)
}

// entryFields points at what every sequenced calendar entry holds.
type entryFields struct {
	id, state, ics, changedBy, changeReason *string
	startsAt, endsAt                        *time.Time
	sequence                                *int
	updatedAt                               **time.Time
}

func (m *CalibrationMeeting) fields() entryFields {
	return entryFields{id: &m.ID, state: &m.State, ics: &m.ICS, changedBy: &m.ChangedBy, changeReason: &m.ChangeReason,
		startsAt: &m.StartsAt, endsAt: &m.EndsAt, sequence: &m.Sequence, updatedAt: &m.UpdatedAt}
}

func (iv *FeedbackInterview) fields() entryFields {
	return entryFields{id: &iv.ID, state: &iv.State, ics: &iv.ICS, changedBy: &iv.ChangedBy, changeReason: &iv.ChangeReason,
		startsAt: &iv.StartsAt, endsAt: &iv.EndsAt, sequence: &iv.Sequence, updatedAt: &iv.UpdatedAt}
}

// calendarEntry is a pointer to a sequenced calendar entry's row.
type calendarEntry[T any] interface {
	*T
	fields() entryFields
}

// entryKind is what differs between the kinds of calendar entry.
type entryKind struct {
	noun      string // in errors: "move meeting c1", "move interview c1/m1"
	perMember bool   // one per member of the cycle (interviews), not one per cycle
	cancelled error  // refuses a change once the entry is cancelled
	audit     string // the audit action, before ".move" or ".cancel"
}

var (
	meetings   = entryKind{noun: "meeting", cancelled: ErrMeetingCancelled, audit: "calibration.meeting"}
	interviews = entryKind{noun: "interview", perMember: true, cancelled: ErrInterviewCancelled, audit: "feedback.interview"}
)

func (k entryKind) name(op string, cycleID, memberID string) string {
	if k.perMember {
		return op + " " + k.noun + " " + cycleID + "/" + memberID
	}
	return op + " " + k.noun + " " + cycleID
}

func cancelEntry(f entryFields) { *f.state = MeetingCancelled }

func moveEntry[T any, E calendarEntry[T]](ctx context.Context, s *Store, k entryKind, ch CalendarChange[E], start, end time.Time) (E, error) {
	if !end.After(start) {
		return nil, fmt.Errorf("%s: the end %s is not after the start %s", k.name("move", ch.CycleID, ch.MemberID), end, start)
	}
	return changeEntry(ctx, s, k, "move", ch, func(f entryFields) { *f.startsAt, *f.endsAt = start.UTC(), end.UTC() })
}

// changeEntry applies a move or cancellation to a calendar entry in one
// transaction: the entry is read locked, refused when cancelled or when
// its sequence is not the one the caller read, changed, given the next
// sequence and its invite rendered for it, written only if its sequence is
// still the one read (a writer that slipped past the read, as SQLite
// takes no row lock, loses instead of overwriting), and audited.
func changeEntry[T any, E calendarEntry[T]](ctx context.Context, s *Store, k entryKind, op string, ch CalendarChange[E], apply func(entryFields)) (E, error) {
	name := k.name(op, ch.CycleID, ch.MemberID)
	e := E(new(T))
	f := e.fields()
	err := s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		q := s.locked(tx).Where("org_id = ? AND cycle_id = ?", ch.OrgID, ch.CycleID)
		if k.perMember {
			q = q.Where("member_id = ?", ch.MemberID)
		}
		if err := q.Take(e).Error; err != nil {
			return notFound(name, err)
		}
		switch {
		case *f.state == MeetingCancelled:
			return fmt.Errorf("%s: %w", name, k.cancelled)
		case ch.ExpectSequence >= 0 && ch.ExpectSequence != *f.sequence:
			return fmt.Errorf("%s: %w: sequence %d was read, it is %d now", name, ErrConflict, ch.ExpectSequence, *f.sequence)
		}
		read := *f.sequence
		apply(f)
		at := time.Now().UTC().Truncate(time.Millisecond)
		*f.sequence, *f.updatedAt, *f.changedBy, *f.changeReason = read+1, &at, ch.By, cut(ch.Reason, 500)
		if ch.Invite != nil {
			*f.ics = ch.Invite(e)
		}
		res := tx.Model(new(T)).Where("id = ? AND sequence = ?", *f.id, read).Updates(map[string]any{
			"starts_at": *f.startsAt, "ends_at": *f.endsAt, "state": *f.state, "sequence": *f.sequence, "ics": *f.ics,
			"updated_at": at, "changed_by": *f.changedBy, "change_reason": *f.changeReason,
		})
		switch {
		case res.Error != nil:
			return fmt.Errorf("%s: %w", name, res.Error)
		case res.RowsAffected == 0:
			return fmt.Errorf("%s: %w", name, ErrConflict)
		}
		detail := map[string]any{"sequence": *f.sequence, "startsAt": *f.startsAt, "endsAt": *f.endsAt, "reason": *f.changeReason}
		if k.perMember {
			detail["memberId"] = ch.MemberID
		}
		return Audit(tx, ch.By, k.audit+"."+op, "cycle", ch.CycleID, detail)
	})
	if err != nil {
		return nil, err
	}
	return e, nil
}

// SaveMeeting records a cycle's calibration meeting once.
func (s *Store) SaveMeeting(ctx context.Context, m *CalibrationMeeting) error {
	if _, err := s.GetMeeting(ctx, m.CycleID); err == nil {
		return nil
	}
	if m.ID == "" {
		m.ID = NewID()
	}
	if err := s.DB.WithContext(ctx).Create(m).Error; err != nil && !isUniqueViolation(err) {
		return fmt.Errorf("save meeting %s: %w", m.CycleID, err)
	}
	return nil
}

// GetMeeting reads a cycle's calibration meeting.
func (s *Store) GetMeeting(ctx context.Context, cycleID string) (*CalibrationMeeting, error) {
	var m CalibrationMeeting
	if err := s.DB.WithContext(ctx).Take(&m, "cycle_id = ?", cycleID).Error; err != nil {
		return nil, notFound("get meeting "+cycleID, err)
	}
	return &m, nil
}

// ListMeetingsOverlapping lists meetings in [from, to) any of the people
// attend (as facilitator or participant); a cancelled one keeps nobody busy.
func (s *Store) ListMeetingsOverlapping(ctx context.Context, people []string, from, to time.Time) ([]CalibrationMeeting, error) {
	var all []CalibrationMeeting
	if err := s.DB.WithContext(ctx).Where("starts_at < ? AND ends_at > ? AND state <> ?", to.UTC(), from.UTC(), MeetingCancelled).Find(&all).Error; err != nil {
		return nil, fmt.Errorf("list meetings: %w", err)
	}
	want := map[string]bool{}
	for _, p := range people {
		want[p] = true
	}
	var out []CalibrationMeeting
	for _, m := range all {
		if want[m.FacilitatorID] || containsAny(m.Participants, want) {
			out = append(out, m)
		}
	}
	return out, nil
}

func containsAny(jsonList string, want map[string]bool) bool {
	for p := range want {
		if p != "" && len(jsonList) > 0 && strings.Contains(jsonList, `"`+p+`"`) {
			return true
		}
	}
	return false
}

// CalibrationMeeting is a cycle's scheduled calibration.
type CalibrationMeeting struct {
	ID            string    `gorm:"primaryKey" json:"id"`
	OrgID         string    `json:"-"`
	CycleID       string    `json:"cycleId"`
	StartsAt      time.Time `json:"startsAt"`
	EndsAt        time.Time `json:"endsAt"`
	Timezone      string    `json:"timezone"`
	FacilitatorID string    `json:"facilitatorId"`
	Participants  string    `json:"-"`
	Agenda        string    `json:"-"`
	ICS           string    `gorm:"column:ics" json:"-"`
	State         string    `json:"state"`
	// Sequence is the iCalendar SEQUENCE of the invite: 0 when scheduled,
	// one more for every move or the cancellation, under the same UID.
	Sequence     int        `json:"sequence"`
	ChangedBy    string     `json:"changedBy,omitempty"`
	ChangeReason string     `json:"changeReason,omitempty"`
	CreatedAt    time.Time  `json:"createdAt"`
	UpdatedAt    *time.Time `json:"updatedAt,omitempty"`
}
