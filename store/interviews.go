package store

import (
	"context"
	"fmt"
	"time"
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
