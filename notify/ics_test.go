package notify_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestAMovedMeetingIsAnUpdateAndACancelledOneIsACancel(t *testing.T) {
	in := invite()
	first := in.ICS()
	require.Contains(t, first, "METHOD:REQUEST")
	require.Contains(t, first, "SEQUENCE:0")
	require.Contains(t, first, "DTSTART;TZID=Asia/Shanghai:20261103T100000")
	require.Contains(t, first, "TZID:Asia/Shanghai")
	require.Contains(t, first, "TZOFFSETTO:+0800")
	require.Contains(t, first, "ORGANIZER;CN=韩梅梅:mailto:hrbp@example.com")
	require.Equal(t, 2, strings.Count(first, "ATTENDEE;"))
	require.Equal(t, strings.Count(first, "\n"), strings.Count(first, "\r\n"), "RFC 5545: every line ends in CRLF")

	in.Sequence, in.Start, in.End = 1, in.Start.Add(24*time.Hour), in.End.Add(24*time.Hour)
	moved := in.ICS()
	require.Contains(t, moved, "SEQUENCE:1")
	require.Contains(t, moved, "UID:calibration-c1@perfloop", "the same UID replaces the earlier copy")
	require.Contains(t, moved, "DTSTART;TZID=Asia/Shanghai:20261104T100000")

	in.Sequence, in.Cancel = 2, true
	cancelled := in.ICS()
	require.Equal(t, "CANCEL", in.Method())
	require.Contains(t, cancelled, "METHOD:CANCEL")
	require.Contains(t, cancelled, "STATUS:CANCELLED")
	require.Contains(t, cancelled, "SEQUENCE:2")
}

// A name with CR/LF (stored before names were checked, or arriving from an
// import) cannot add lines to the calendar file.
func TestALineBreakInANameCannotForgeCalendarLines(t *testing.T) {
	in := invite()
	in.Attendees[0].Name = "王芳\r\nATTENDEE;CN=Eve:mailto:eve@evil.example"
	in.Organizer.Name = "韩梅梅\nX-INJECTED:1"
	in.Summary = "校准会\r\nDTSTART:19990101T000000"
	out := in.ICS()
	for _, line := range strings.Split(out, "\r\n") {
		require.False(t, strings.HasPrefix(line, "ATTENDEE;CN=Eve"), line)
		require.False(t, strings.HasPrefix(line, "X-INJECTED"), line)
		require.False(t, strings.HasPrefix(line, "DTSTART:1999"), line)
	}
	require.NotContains(t, strings.ReplaceAll(out, "\r\n", ""), "\n", "no bare line feeds")
	require.Equal(t, 2, strings.Count(out, "\r\nATTENDEE;"))
}
