package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/perfloop/perfloop/calendar"
	"github.com/perfloop/perfloop/outbox"
	"github.com/perfloop/perfloop/store"
	"github.com/perfloop/perfloop/templates"
)

// maxMeetingMinutes bounds a calibration meeting: a working day.
const maxMeetingMinutes = 8 * 60

type meetingMove struct {
	StartsAt        string `json:"startsAt"` // RFC 3339 with an offset
	DurationMinutes int    `json:"durationMinutes"`
	Reason          string `json:"reason"`
}

type meetingCancel struct {
	Reason string `json:"reason"`
}

func (in meetingMove) validate(now time.Time) (time.Time, []Detail) {
	var ds []Detail
	start, err := time.Parse(time.RFC3339, in.StartsAt)
	switch {
	case in.StartsAt == "":
		ds = append(ds, Detail{Path: "/startsAt", Value: "", Message: "required: the new start with its offset, such as 2026-11-04T14:00:00+08:00"})
	case err != nil:
		ds = append(ds, Detail{Path: "/startsAt", Value: in.StartsAt, Message: "expected an RFC 3339 time with an offset, such as 2026-11-04T14:00:00+08:00"})
	case !start.After(now):
		ds = append(ds, Detail{Path: "/startsAt", Value: in.StartsAt, Message: "must be in the future (it is " + now.UTC().Format(time.RFC3339) + " now)"})
	}
	if in.DurationMinutes < 1 || in.DurationMinutes > maxMeetingMinutes {
		ds = append(ds, Detail{Path: "/durationMinutes", Value: strconv.Itoa(in.DurationMinutes), Message: fmt.Sprintf("expected whole minutes from 1 to %d", maxMeetingMinutes)})
	}
	ds = append(ds, checkReason(in.Reason)...)
	return start, ds
}

func checkReason(r string) []Detail {
	switch {
	case strings.TrimSpace(r) == "":
		return []Detail{{Path: "/reason", Value: r, Message: "required: say why, the participants read it"}}
	case utf8.RuneCountInString(r) > 500:
		return []Detail{{Path: "/reason", Value: r[:min(len(r), 40)] + "…", Message: "at most 500 characters"}}
	}
	return nil
}

func meetingETag(c *gin.Context, sequence int) {
	c.Header("ETag", `"`+strconv.Itoa(sequence)+`"`)
}

// meetingIfMatch reads the sequence the caller read from If-Match (the
// calibration.ics ETag); -1 when absent, so the change applies to the
// meeting as it stands.
func meetingIfMatch(c *gin.Context) (int, error) {
	raw := c.GetHeader("If-Match")
	if raw == "" {
		return -1, nil
	}
	v := strings.Trim(strings.TrimPrefix(raw, "W/"), `"`)
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, badRequest("bad If-Match header", Detail{Path: "If-Match", Value: raw, Message: `the sequence from the ETag the meeting was read with is expected, e.g. "0"`})
	}
	return n, nil
}

func (s *Server) moveMeeting(c *gin.Context) {
	cy, ok := s.cycleLead(c)
	if !ok {
		return
	}
	var in meetingMove
	if err := decodeJSON(c, &in); err != nil {
		writeError(c, err)
		return
	}
	start, ds := in.validate(time.Now())
	if len(ds) > 0 {
		writeError(c, badRequest("the meeting cannot move like that; see details", ds...))
		return
	}
	s.changeMeeting(c, cy, in.Reason, func(ch store.MeetingChange) (*store.CalibrationMeeting, error) {
		return s.store.MoveMeeting(c.Request.Context(), ch, start, start.Add(time.Duration(in.DurationMinutes)*time.Minute))
	})
}

func (s *Server) cancelMeeting(c *gin.Context) {
	cy, ok := s.cycleLead(c)
	if !ok {
		return
	}
	var in meetingCancel
	if err := decodeJSON(c, &in); err != nil {
		writeError(c, err)
		return
	}
	if ds := checkReason(in.Reason); len(ds) > 0 {
		writeError(c, badRequest("a cancellation needs a reason", ds...))
		return
	}
	s.changeMeeting(c, cy, in.Reason, func(ch store.MeetingChange) (*store.CalibrationMeeting, error) {
		return s.store.CancelMeeting(c.Request.Context(), ch)
	})
}

// changeMeeting applies a move or cancellation with the invite rendered for
// the new sequence, then owes every participant the new version.
func (s *Server) changeMeeting(c *gin.Context, cy *store.Cycle, reason string, apply func(store.MeetingChange) (*store.CalibrationMeeting, error)) {
	ctx := c.Request.Context()
	me := caller(c)
	if cy.State != store.CycleRunning && cy.State != store.CyclePending {
		writeError(c, &Error{Status: http.StatusConflict, Code: "conflict", Message: "the cycle is " + cy.State + "; its calibration meeting can no longer change"})
		return
	}
	expect, err := meetingIfMatch(c)
	if err != nil {
		writeError(c, err)
		return
	}
	m, err := s.store.GetMeeting(ctx, cy.ID)
	if err != nil {
		writeError(c, err)
		return
	}
	// Participants do not change with the time, so the people the invite
	// names are read before the change's transaction.
	var parts []string
	_ = json.Unmarshal([]byte(m.Participants), &parts)
	members, err := s.store.MembersByID(ctx, cy.OrgID, append(parts, m.FacilitatorID))
	if err != nil {
		writeError(c, err)
		return
	}
	tpl, _ := templates.Parse([]byte(cy.TemplateBody))
	changed, err := apply(store.MeetingChange{
		OrgID: me.OrgID, CycleID: cy.ID, ExpectSequence: expect, By: me.ID, Reason: reason,
		Invite: func(m *store.CalibrationMeeting) string { return calendar.MeetingInvite(cy, tpl, m, members).ICS() },
	})
	if err != nil {
		writeError(c, err)
		return
	}
	if owed, err := calendar.AnnounceMeeting(ctx, outbox.Outbox{Store: s.store}, cy, tpl, changed, members); err != nil {
		writeError(c, err)
		return
	} else if owed > 0 {
		s.wakeDelivery(ctx)
	}
	meetingETag(c, changed.Sequence)
	c.JSON(http.StatusOK, meetingView{CalibrationMeeting: *changed, Participants: rawOr(changed.Participants), Agenda: rawOr(changed.Agenda)})
}
