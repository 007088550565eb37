package api

import (
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
	s.changeMeeting(c, cy, calendar.Change{Reason: in.Reason, Move: &calendar.Slot{Start: start, End: start.Add(time.Duration(in.DurationMinutes) * time.Minute)}})
}

func (s *Server) cancelMeeting(c *gin.Context) {
	cy, ok := s.cycleLead(c)
	if !ok {
		return
	}
	if ch, ok := decodeCancel(c); ok {
		s.changeMeeting(c, cy, ch)
	}
}

// decodeCancel reads a cancellation of the meeting or an interview: a
// reason is required, the participants read it.
func decodeCancel(c *gin.Context) (calendar.Change, bool) {
	var in meetingCancel
	if err := decodeJSON(c, &in); err != nil {
		writeError(c, err)
		return calendar.Change{}, false
	}
	if ds := checkReason(in.Reason); len(ds) > 0 {
		writeError(c, badRequest("a cancellation needs a reason", ds...))
		return calendar.Change{}, false
	}
	return calendar.Change{Reason: in.Reason}, true
}

// changeMeeting moves or cancels the calibration meeting through the one
// calendar-change flow (calendar.ChangeMeeting) and answers with the
// meeting as it now stands.
func (s *Server) changeMeeting(c *gin.Context, cy *store.Cycle, ch calendar.Change) {
	if !s.calendarChange(c, cy, &ch) {
		return
	}
	m, done, err := calendar.ChangeMeeting(c.Request.Context(), outbox.Outbox{Store: s.store}, ch)
	if err != nil {
		writeError(c, err)
		return
	}
	s.calendarChanged(c, done, m.Sequence)
	c.JSON(http.StatusOK, meetingView{CalibrationMeeting: *m, Participants: rawOr(m.Participants), Agenda: rawOr(m.Agenda)})
}

// calendarChange completes a meeting's or an interview's change with who
// makes it and the sequence they read (If-Match).
func (s *Server) calendarChange(c *gin.Context, cy *store.Cycle, ch *calendar.Change) bool {
	expect, err := meetingIfMatch(c)
	if err != nil {
		writeError(c, err)
		return false
	}
	ch.Cycle, ch.By, ch.ExpectSequence = cy, caller(c).ID, expect
	return true
}

// calendarChanged wakes the sender for the announcements a change owes
// and tags the answer with the new sequence.
func (s *Server) calendarChanged(c *gin.Context, done calendar.Changed, sequence int) {
	if done.Owed > 0 {
		s.wakeDelivery(c.Request.Context())
	}
	meetingETag(c, sequence)
}
