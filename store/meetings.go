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

// MeetingChange is a move or cancellation of a cycle's calibration
// meeting, checked against the sequence the caller read.
type MeetingChange struct {
	OrgID   string
	CycleID string
	// ExpectSequence is the sequence the caller read; another change in
	// between is ErrConflict. Negative skips the check.
	ExpectSequence int
	By             string
	Reason         string
	// Invite renders the calendar object of the meeting as it will stand
	// (new times, next sequence, state); it is stored in the same
	// transaction, so the served invite never lags the meeting.
	Invite func(*CalibrationMeeting) string
}

// MoveMeeting moves a cycle's calibration meeting to [start, end) and
// raises its sequence by one, so calendars replace the earlier copy.
func (s *Store) MoveMeeting(ctx context.Context, ch MeetingChange, start, end time.Time) (*CalibrationMeeting, error) {
	if !end.After(start) {
		return nil, fmt.Errorf("move meeting %s: the end %s is not after the start %s", ch.CycleID, end, start)
	}
	return s.changeMeeting(ctx, "move", ch, func(m *CalibrationMeeting) {
		m.StartsAt, m.EndsAt = start.UTC(), end.UTC()
	})
}

// CancelMeeting cancels a cycle's calibration meeting and raises its
// sequence by one, as a METHOD:CANCEL invite must.
func (s *Store) CancelMeeting(ctx context.Context, ch MeetingChange) (*CalibrationMeeting, error) {
	return s.changeMeeting(ctx, "cancel", ch, func(m *CalibrationMeeting) { m.State = MeetingCancelled })
}

func (s *Store) changeMeeting(ctx context.Context, op string, ch MeetingChange, apply func(*CalibrationMeeting)) (*CalibrationMeeting, error) {
	var m CalibrationMeeting
	err := s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := s.locked(tx).Take(&m, "org_id = ? AND cycle_id = ?", ch.OrgID, ch.CycleID).Error; err != nil {
			return notFound(op+" meeting "+ch.CycleID, err)
		}
		if m.State == MeetingCancelled {
			return fmt.Errorf("%s meeting %s: %w", op, ch.CycleID, ErrMeetingCancelled)
		}
		if ch.ExpectSequence >= 0 && m.Sequence != ch.ExpectSequence {
			return fmt.Errorf("%s meeting %s: %w: sequence %d was read, it is %d now", op, ch.CycleID, ErrConflict, ch.ExpectSequence, m.Sequence)
		}
		read := m.Sequence
		apply(&m)
		now := time.Now().UTC().Truncate(time.Millisecond)
		m.Sequence, m.UpdatedAt, m.ChangedBy, m.ChangeReason = read+1, &now, ch.By, cut(ch.Reason, 500)
		if ch.Invite != nil {
			m.ICS = ch.Invite(&m)
		}
		res := tx.Model(&CalibrationMeeting{}).Where("id = ? AND sequence = ?", m.ID, read).Updates(map[string]any{
			"starts_at": m.StartsAt, "ends_at": m.EndsAt, "state": m.State, "sequence": m.Sequence, "ics": m.ICS,
			"updated_at": now, "changed_by": m.ChangedBy, "change_reason": m.ChangeReason,
		})
		if res.Error != nil {
			return fmt.Errorf("%s meeting %s: %w", op, ch.CycleID, res.Error)
		}
		if res.RowsAffected == 0 {
			return fmt.Errorf("%s meeting %s: %w", op, ch.CycleID, ErrConflict)
		}
		return Audit(tx, ch.By, "calibration.meeting."+op, "cycle", ch.CycleID,
			map[string]any{"sequence": m.Sequence, "startsAt": m.StartsAt, "endsAt": m.EndsAt, "reason": m.ChangeReason})
	})
	if err != nil {
		return nil, err
	}
	return &m, nil
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
