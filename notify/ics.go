package notify

import (
	"fmt"
	"strings"
	"time"
	"unicode"

	ics "github.com/arran4/golang-ical"
)

// Person is an organiser or attendee of a meeting.
type Person struct {
	Name  string
	Email string
}

// Invite is a calendar meeting as every attendee's calendar should hold
// it. Sequence grows by one each time the meeting moves, so calendars
// replace the earlier copy (same UID) instead of adding another; Cancel
// sends METHOD:CANCEL, which removes it.
type Invite struct {
	UID         string
	Sequence    int
	Cancel      bool
	Start, End  time.Time
	Timezone    string // IANA; times are written in it with a TZID
	Summary     string
	Description string
	Organizer   Person
	Attendees   []Person
	Stamp       time.Time // DTSTAMP: when this version was made
}

// Method is the iTIP method the invite is sent with.
func (in Invite) Method() string {
	if in.Cancel {
		return string(ics.MethodCancel)
	}
	return string(ics.MethodRequest)
}

// ICS writes the invite as an iCalendar object (RFC 5545 / iTIP 5546).
func (in Invite) ICS() string {
	loc, err := time.LoadLocation(in.Timezone)
	if err != nil || in.Timezone == "" {
		loc, in.Timezone = time.UTC, "UTC"
	}
	cal := ics.NewCalendarFor("Perfloop")
	if in.Cancel {
		cal.SetMethod(ics.MethodCancel)
	} else {
		cal.SetMethod(ics.MethodRequest)
	}
	// The zone as it stands at the meeting: enough for a single event,
	// and every client then shows the organiser's wall-clock time.
	tz := cal.AddTimezone(in.Timezone)
	std := tz.AddStandard()
	name, off := in.Start.In(loc).Zone()
	offset := fmt.Sprintf("%+03d%02d", off/3600, abs(off%3600)/60)
	std.SetProperty(ics.ComponentProperty(ics.PropertyDtstart), "19700101T000000")
	std.SetProperty(ics.ComponentProperty(ics.PropertyTzoffsetfrom), offset)
	std.SetProperty(ics.ComponentProperty(ics.PropertyTzoffsetto), offset)
	std.SetProperty(ics.ComponentProperty(ics.PropertyTzname), name)

	ev := cal.AddEvent(in.UID)
	ev.SetDtStampTime(in.Stamp)
	ev.SetSequence(in.Sequence)
	const local = "20060102T150405"
	ev.SetProperty(ics.ComponentPropertyDtStart, in.Start.In(loc).Format(local), ics.WithTZID(in.Timezone))
	ev.SetProperty(ics.ComponentPropertyDtEnd, in.End.In(loc).Format(local), ics.WithTZID(in.Timezone))
	ev.SetSummary(oneLine(in.Summary))
	if in.Description != "" {
		ev.SetDescription(strings.ReplaceAll(strings.ReplaceAll(in.Description, "\r\n", "\n"), "\r", "\n"))
	}
	if in.Cancel {
		ev.SetStatus(ics.ObjectStatusCancelled)
	} else {
		ev.SetStatus(ics.ObjectStatusConfirmed)
	}
	if in.Organizer.Email != "" {
		ev.SetOrganizer("mailto:"+in.Organizer.Email, ics.WithCN(paramValue(in.Organizer.Name)))
	}
	for _, p := range in.Attendees {
		if p.Email == "" {
			continue
		}
		ev.AddAttendee("mailto:"+p.Email, ics.WithCN(paramValue(p.Name)), ics.WithRSVP(!in.Cancel), ics.ParticipationRoleReqParticipant)
	}
	// RFC 5545 lines end in CRLF; some calendar clients refuse bare LF.
	return cal.Serialize(ics.WithNewLineWindows)
}

// oneLine keeps a value on its line: names are checked when saved, but a
// calendar file is where a stray CR or LF would start a forged property.
func oneLine(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
			return ' '
		}
		return r
	}, s)
}

// paramValue is a parameter value (CN) as RFC 5545 allows it: one line
// and no double quote, which parameters cannot escape.
func paramValue(s string) string {
	return strings.ReplaceAll(oneLine(s), `"`, "'")
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}
