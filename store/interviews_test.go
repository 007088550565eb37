package store_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/perfloop/perfloop/store"
	"github.com/perfloop/perfloop/store/storetest"
)

func TestARetriedInterviewBookingKeepsTheFirstSlotAndOneRow(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := newCycle(t, s, 2, "k")
		start := time.Date(2026, 11, 3, 2, 0, 0, 0, time.UTC)
		mk := func(at time.Time) *store.FeedbackInterview {
			return &store.FeedbackInterview{OrgID: f.org.ID, CycleID: f.cycle.ID, MemberID: f.members[0].ID, ManagerID: "mgr",
				StartsAt: at, EndsAt: at.Add(30 * time.Minute), Timezone: "Asia/Shanghai", ICS: "SEQUENCE:0"}
		}
		first, created, err := s.EnsureInterview(ctx, mk(start))
		require.NoError(t, err)
		require.True(t, created)
		again, created, err := s.EnsureInterview(ctx, mk(start.Add(time.Hour)))
		require.NoError(t, err)
		require.False(t, created, "a retry finds the interview booked")
		require.Equal(t, first.ID, again.ID)
		require.True(t, start.Equal(again.StartsAt), "the first slot stands")

		_, _, err = s.EnsureInterview(ctx, &store.FeedbackInterview{OrgID: f.org.ID, CycleID: f.cycle.ID, MemberID: f.members[1].ID, ManagerID: "mgr",
			StartsAt: start.Add(time.Hour), EndsAt: start.Add(90 * time.Minute), Timezone: "Asia/Shanghai", ICS: "x"})
		require.NoError(t, err)
		all, err := s.ListInterviews(ctx, f.cycle.ID)
		require.NoError(t, err)
		require.Len(t, all, 2)
		require.Equal(t, f.members[0].ID, all[0].MemberID, "earliest first")
		mine, err := s.ListMemberInterviews(ctx, f.org.ID, f.members[1].ID)
		require.NoError(t, err)
		require.Len(t, mine, 1)
		require.Equal(t, f.members[1].ID, mine[0].MemberID)

		busy, err := s.ListInterviewsOverlapping(ctx, []string{"mgr"}, start.Add(15*time.Minute), start.Add(75*time.Minute))
		require.NoError(t, err)
		require.Len(t, busy, 2, "the manager is busy in both")
		busy, err = s.ListInterviewsOverlapping(ctx, []string{f.members[0].ID}, start.Add(30*time.Minute), start.Add(2*time.Hour))
		require.NoError(t, err)
		require.Empty(t, busy, "an interview that ends as the window opens keeps nobody busy")
	})
}

func TestAMovedInterviewRaisesItsSequenceAndAStaleChangeLoses(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := newCycle(t, s, 1, "k")
		member := f.members[0].ID
		start := time.Date(2026, 11, 3, 2, 0, 0, 0, time.UTC)
		_, _, err := s.EnsureInterview(ctx, &store.FeedbackInterview{OrgID: f.org.ID, CycleID: f.cycle.ID, MemberID: member, ManagerID: "mgr",
			StartsAt: start, EndsAt: start.Add(30 * time.Minute), Timezone: "Asia/Shanghai", ICS: "SEQUENCE:0"})
		require.NoError(t, err)
		invite := func(iv *store.FeedbackInterview) string {
			return fmt.Sprintf("SEQUENCE:%d %s %s", iv.Sequence, iv.State, iv.StartsAt.Format(time.RFC3339))
		}
		ch := store.InterviewChange{OrgID: f.org.ID, CycleID: f.cycle.ID, MemberID: member, ExpectSequence: 0, By: "mgr", Reason: "客户拜访", Invite: invite}
		later := start.Add(24 * time.Hour)
		moved, err := s.MoveInterview(ctx, ch, later, later.Add(45*time.Minute))
		require.NoError(t, err)
		require.Equal(t, 1, moved.Sequence)
		got, err := s.GetInterview(ctx, f.org.ID, f.cycle.ID, member)
		require.NoError(t, err)
		require.Equal(t, "SEQUENCE:1 scheduled 2026-11-04T02:00:00Z", got.ICS, "the stored invite is the one rendered for the new sequence")
		require.True(t, later.Add(45*time.Minute).Equal(got.EndsAt))
		require.Equal(t, "客户拜访", got.ChangeReason)

		_, err = s.MoveInterview(ctx, ch, start, start.Add(time.Hour))
		require.ErrorIs(t, err, store.ErrConflict, "a move made from a stale read is refused")
		other := ch
		other.OrgID = newOrg(t, s).ID
		_, err = s.CancelInterview(ctx, other)
		require.ErrorIs(t, err, store.ErrNotFound, "another organisation cannot see the interview")

		ch.ExpectSequence = 1
		cancelled, err := s.CancelInterview(ctx, ch)
		require.NoError(t, err)
		require.Equal(t, 2, cancelled.Sequence)
		require.Equal(t, store.MeetingCancelled, cancelled.State)
		_, err = s.MoveInterview(ctx, store.InterviewChange{OrgID: f.org.ID, CycleID: f.cycle.ID, MemberID: member, ExpectSequence: -1}, start, start.Add(time.Hour))
		require.ErrorIs(t, err, store.ErrInterviewCancelled, "a cancelled interview stays cancelled")
		busy, err := s.ListInterviewsOverlapping(ctx, []string{"mgr"}, later, later.Add(time.Hour))
		require.NoError(t, err)
		require.Empty(t, busy, "a cancelled interview keeps nobody busy")

		audit, _, err := s.ListAudit(ctx, store.AuditFilter{Entity: "cycle", EntityID: f.cycle.ID}, store.Page{Limit: 10})
		require.NoError(t, err)
		require.Equal(t, "feedback.interview.cancel", audit[0].Action)
	})
}

func TestConcurrentMovesOfOneInterviewLeaveOneWinner(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := newCycle(t, s, 1, "k")
		start := time.Date(2026, 11, 3, 2, 0, 0, 0, time.UTC)
		_, _, err := s.EnsureInterview(ctx, &store.FeedbackInterview{OrgID: f.org.ID, CycleID: f.cycle.ID, MemberID: f.members[0].ID, ManagerID: "mgr",
			StartsAt: start, EndsAt: start.Add(30 * time.Minute), Timezone: "UTC"})
		require.NoError(t, err)
		errs := make(chan error, 4)
		for i := range 4 {
			go func() {
				at := start.Add(time.Duration(i+1) * time.Hour)
				_, err := s.MoveInterview(ctx, store.InterviewChange{OrgID: f.org.ID, CycleID: f.cycle.ID, MemberID: f.members[0].ID}, at, at.Add(time.Hour))
				errs <- err
			}()
		}
		won := 0
		for range 4 {
			if err := <-errs; err == nil {
				won++
			} else {
				require.ErrorIs(t, err, store.ErrConflict)
			}
		}
		require.Equal(t, 1, won)
	})
}
