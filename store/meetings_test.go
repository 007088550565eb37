package store_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/perfloop/perfloop/store"
	"github.com/perfloop/perfloop/store/storetest"
)

func TestAMovedMeetingKeepsItsIdentityRaisesItsSequenceAndAStaleMoveLoses(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := newCycle(t, s, 1, "k")
		start := time.Date(2026, 11, 3, 6, 0, 0, 0, time.UTC)
		require.NoError(t, s.SaveMeeting(ctx, &store.CalibrationMeeting{OrgID: f.org.ID, CycleID: f.cycle.ID, StartsAt: start, EndsAt: start.Add(time.Hour),
			Timezone: "Asia/Shanghai", FacilitatorID: "hrbp", Participants: `["hrbp","mgr-a"]`, Agenda: "[]", ICS: "SEQUENCE:0", State: store.MeetingScheduled}))
		first, err := s.GetMeeting(ctx, f.cycle.ID)
		require.NoError(t, err)
		require.Equal(t, 0, first.Sequence)

		invite := func(m *store.CalibrationMeeting) string {
			return fmt.Sprintf("SEQUENCE:%d %s %s", m.Sequence, m.State, m.StartsAt.Format(time.RFC3339))
		}
		later := start.Add(26 * time.Hour)
		moved, err := s.MoveMeeting(ctx, store.MeetingChange{OrgID: f.org.ID, CycleID: f.cycle.ID, ExpectSequence: 0, By: "hrbp", Reason: "主管出差", Invite: invite}, later, later.Add(90*time.Minute))
		require.NoError(t, err)
		require.Equal(t, 1, moved.Sequence)
		require.Equal(t, first.ID, moved.ID)
		got, err := s.GetMeeting(ctx, f.cycle.ID)
		require.NoError(t, err)
		require.Equal(t, 1, got.Sequence)
		require.True(t, later.Equal(got.StartsAt))
		require.True(t, later.Add(90*time.Minute).Equal(got.EndsAt))
		require.Equal(t, "SEQUENCE:1 scheduled 2026-11-04T08:00:00Z", got.ICS, "the stored invite is the one rendered for the new sequence")
		require.Equal(t, "主管出差", got.ChangeReason)
		require.NotNil(t, got.UpdatedAt)

		_, err = s.MoveMeeting(ctx, store.MeetingChange{OrgID: f.org.ID, CycleID: f.cycle.ID, ExpectSequence: 0, By: "mgr-a", Invite: invite}, start, start.Add(time.Hour))
		require.ErrorIs(t, err, store.ErrConflict, "a move made from a stale read is refused")
		other := newOrg(t, s)
		_, err = s.MoveMeeting(ctx, store.MeetingChange{OrgID: other.ID, CycleID: f.cycle.ID, ExpectSequence: -1, Invite: invite}, start, start.Add(time.Hour))
		require.ErrorIs(t, err, store.ErrNotFound, "another organisation cannot see the meeting")

		audit, _, err := s.ListAudit(ctx, store.AuditFilter{Entity: "cycle", EntityID: f.cycle.ID}, store.Page{Limit: 10})
		require.NoError(t, err)
		require.NotEmpty(t, audit)
		require.Equal(t, "calibration.meeting.move", audit[0].Action, "the move is audited, newest first")

		cancelled, err := s.CancelMeeting(ctx, store.MeetingChange{OrgID: f.org.ID, CycleID: f.cycle.ID, ExpectSequence: 1, By: "hrbp", Reason: "改为线上评审", Invite: invite})
		require.NoError(t, err)
		require.Equal(t, 2, cancelled.Sequence)
		require.Equal(t, store.MeetingCancelled, cancelled.State)
		got, err = s.GetMeeting(ctx, f.cycle.ID)
		require.NoError(t, err)
		require.Equal(t, "SEQUENCE:2 cancelled 2026-11-04T08:00:00Z", got.ICS)

		_, err = s.MoveMeeting(ctx, store.MeetingChange{OrgID: f.org.ID, CycleID: f.cycle.ID, ExpectSequence: -1, Invite: invite}, start, start.Add(time.Hour))
		require.True(t, errors.Is(err, store.ErrMeetingCancelled) && errors.Is(err, store.ErrConflict), "a cancelled meeting stays cancelled: %v", err)
		_, err = s.CancelMeeting(ctx, store.MeetingChange{OrgID: f.org.ID, CycleID: f.cycle.ID, ExpectSequence: -1, Invite: invite})
		require.ErrorIs(t, err, store.ErrMeetingCancelled)
		busy, err := s.ListMeetingsOverlapping(ctx, []string{"mgr-a"}, later, later.Add(time.Hour))
		require.NoError(t, err)
		require.Empty(t, busy, "a cancelled meeting keeps nobody busy")
	})
}

func TestConcurrentMovesOfOneMeetingLeaveOneWinner(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := newCycle(t, s, 1, "k")
		start := time.Date(2026, 11, 3, 6, 0, 0, 0, time.UTC)
		require.NoError(t, s.SaveMeeting(ctx, &store.CalibrationMeeting{OrgID: f.org.ID, CycleID: f.cycle.ID, StartsAt: start, EndsAt: start.Add(time.Hour),
			Timezone: "UTC", Participants: "[]", Agenda: "[]", State: store.MeetingScheduled}))
		errs := make(chan error, 4)
		for i := range 4 {
			go func() {
				at := start.Add(time.Duration(i+1) * time.Hour)
				_, err := s.MoveMeeting(ctx, store.MeetingChange{OrgID: f.org.ID, CycleID: f.cycle.ID, ExpectSequence: 0}, at, at.Add(time.Hour))
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
		got, err := s.GetMeeting(ctx, f.cycle.ID)
		require.NoError(t, err)
		require.Equal(t, 1, got.Sequence)
	})
}
