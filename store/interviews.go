package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// ErrInterviewCancelled refuses to move or cancel an interview that is
// cancelled already; it wraps ErrConflict.
var ErrInterviewCancelled = fmt.Errorf("%w: the feedback interview is cancelled", ErrConflict)

// EnsureInterview books iv unless the cycle already holds an interview for
// the member, and returns the one that stands and whether it is new. The
// unique (cycle, member) index settles a race between two retries.
func (s *Store) EnsureInterview(ctx context.Context, iv *FeedbackInterview) (*FeedbackInterview, bool, error) {
	if got, err := s.GetInterview(ctx, iv.OrgID, iv.CycleID, iv.MemberID); err == nil {
		return got, false, nil
	}
	if iv.ID == "" {
		iv.ID = NewID()
	}
	if iv.State == "" {
		iv.State = MeetingScheduled
	}
	iv.StartsAt, iv.EndsAt = iv.StartsAt.UTC(), iv.EndsAt.UTC()
	err := s.DB.WithContext(ctx).Create(iv).Error
	if isUniqueViolation(err) {
		got, err := s.GetInterview(ctx, iv.OrgID, iv.CycleID, iv.MemberID)
		return got, false, err
	}
	if err != nil {
		return nil, false, fmt.Errorf("book interview %s/%s: %w", iv.CycleID, iv.MemberID, err)
	}
	return iv, true, nil
}

// GetInterview reads a member's interview in a cycle of the organisation.
func (s *Store) GetInterview(ctx context.Context, orgID, cycleID, memberID string) (*FeedbackInterview, error) {
	var iv FeedbackInterview
	if err := s.DB.WithContext(ctx).Take(&iv, "org_id = ? AND cycle_id = ? AND member_id = ?", orgID, cycleID, memberID).Error; err != nil {
		return nil, notFound("get interview "+cycleID+"/"+memberID, err)
	}
	return &iv, nil
}

// ListInterviews lists a cycle's interviews, earliest first.
func (s *Store) ListInterviews(ctx context.Context, cycleID string) ([]FeedbackInterview, error) {
	var out []FeedbackInterview
	if err := s.DB.WithContext(ctx).Where("cycle_id = ?", cycleID).Order("starts_at, member_id").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("list interviews of cycle %s: %w", cycleID, err)
	}
	return out, nil
}

// ListMemberInterviews lists the interviews a member attends as the one
// interviewed, newest first.
func (s *Store) ListMemberInterviews(ctx context.Context, orgID, memberID string) ([]FeedbackInterview, error) {
	var out []FeedbackInterview
	if err := s.DB.WithContext(ctx).Where("org_id = ? AND member_id = ?", orgID, memberID).Order("starts_at DESC").Limit(MaxLimit).Find(&out).Error; err != nil {
		return nil, fmt.Errorf("list interviews of member %s: %w", memberID, err)
	}
	return out, nil
}

// ListInterviewsOverlapping lists the scheduled interviews in [from, to)
// that keep any of people busy, as the manager or as the one interviewed.
func (s *Store) ListInterviewsOverlapping(ctx context.Context, people []string, from, to time.Time) ([]FeedbackInterview, error) {
	var out []FeedbackInterview
	if len(people) == 0 {
		return out, nil
	}
	err := s.DB.WithContext(ctx).
		Where("starts_at < ? AND ends_at > ? AND state <> ?", to.UTC(), from.UTC(), MeetingCancelled).
		Where("manager_id IN ? OR member_id IN ?", people, people).
		Order("starts_at").Find(&out).Error
	if err != nil {
		return nil, fmt.Errorf("list interviews overlapping: %w", err)
	}
	return out, nil
}

// InterviewChange is a move or cancellation of one member's interview,
// checked against the sequence the caller read.
type InterviewChange struct {
	OrgID    string
	CycleID  string
	MemberID string
	// ExpectSequence is the sequence the caller read; another change in
	// between is ErrConflict. Negative skips the check.
	ExpectSequence int
	By             string
	Reason         string
	// Invite renders the calendar object as the interview will stand; it
	// is stored in the same transaction, so the served .ics never lags.
	Invite func(*FeedbackInterview) string
}

// MoveInterview moves an interview to [start, end) and raises its
// sequence by one, so calendars replace the earlier copy.
func (s *Store) MoveInterview(ctx context.Context, ch InterviewChange, start, end time.Time) (*FeedbackInterview, error) {
	if !end.After(start) {
		return nil, fmt.Errorf("move interview %s/%s: the end %s is not after the start %s", ch.CycleID, ch.MemberID, end, start)
	}
	return s.changeInterview(ctx, "move", ch, func(iv *FeedbackInterview) {
		iv.StartsAt, iv.EndsAt = start.UTC(), end.UTC()
	})
}

// CancelInterview cancels an interview and raises its sequence by one, as
// a METHOD:CANCEL invite must.
func (s *Store) CancelInterview(ctx context.Context, ch InterviewChange) (*FeedbackInterview, error) {
	return s.changeInterview(ctx, "cancel", ch, func(iv *FeedbackInterview) { iv.State = MeetingCancelled })
}

func (s *Store) changeInterview(ctx context.Context, op string, ch InterviewChange, apply func(*FeedbackInterview)) (*FeedbackInterview, error) {
	name := op + " interview " + ch.CycleID + "/" + ch.MemberID
	var iv FeedbackInterview
	err := s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		q := s.locked(tx).Where("org_id = ? AND cycle_id = ? AND member_id = ?", ch.OrgID, ch.CycleID, ch.MemberID)
		if err := q.Take(&iv).Error; err != nil {
			return notFound(name, err)
		}
		switch {
		case iv.State == MeetingCancelled:
			return fmt.Errorf("%s: %w", name, ErrInterviewCancelled)
		case ch.ExpectSequence >= 0 && ch.ExpectSequence != iv.Sequence:
			return fmt.Errorf("%s: %w: sequence %d was read, it is %d now", name, ErrConflict, ch.ExpectSequence, iv.Sequence)
		}
		was := iv.Sequence
		apply(&iv)
		at := time.Now().UTC().Truncate(time.Millisecond)
		iv.Sequence, iv.UpdatedAt, iv.ChangedBy, iv.ChangeReason = was+1, &at, ch.By, cut(ch.Reason, 500)
		if ch.Invite != nil {
			iv.ICS = ch.Invite(&iv)
		}
		// The sequence in the WHERE makes a writer that slipped past the
		// read (SQLite takes no row lock) lose instead of overwrite.
		res := tx.Model(&FeedbackInterview{}).Where("id = ? AND sequence = ?", iv.ID, was).Updates(map[string]any{
			"starts_at": iv.StartsAt, "ends_at": iv.EndsAt, "state": iv.State, "sequence": iv.Sequence, "ics": iv.ICS,
			"updated_at": at, "changed_by": iv.ChangedBy, "change_reason": iv.ChangeReason,
		})
		switch {
		case res.Error != nil:
			return fmt.Errorf("%s: %w", name, res.Error)
		case res.RowsAffected == 0:
			return fmt.Errorf("%s: %w", name, ErrConflict)
		}
		return Audit(tx, ch.By, "feedback.interview."+op, "cycle", ch.CycleID, map[string]any{
			"memberId": ch.MemberID, "sequence": iv.Sequence, "startsAt": iv.StartsAt, "endsAt": iv.EndsAt, "reason": iv.ChangeReason,
		})
	})
	if err != nil {
		return nil, err
	}
	return &iv, nil
}

// FeedbackInterview is a member's one-to-one with their manager in the
// feedback stage: the manager organises, both attend. One per cycle and
// member, so a retried scheduling never books two.
type FeedbackInterview struct {
	ID        string    `gorm:"primaryKey" json:"id"`
	OrgID     string    `json:"-"`
	CycleID   string    `json:"cycleId"`
	MemberID  string    `json:"memberId"`
	ManagerID string    `json:"managerId"`
	StartsAt  time.Time `json:"startsAt"`
	EndsAt    time.Time `json:"endsAt"`
	Timezone  string    `json:"timezone"` // the manager's, which the invite is written in
	State     string    `json:"state"`    // MeetingScheduled or MeetingCancelled
	// Sequence is the iCalendar SEQUENCE: 0 when booked, one more for
	// every move or the cancellation, under the same UID.
	Sequence     int        `json:"sequence"`
	ICS          string     `gorm:"column:ics" json:"-"`
	ChangedBy    string     `json:"changedBy,omitempty"`
	ChangeReason string     `json:"changeReason,omitempty"`
	CreatedAt    time.Time  `json:"createdAt"`
	UpdatedAt    *time.Time `json:"updatedAt,omitempty"`
}
