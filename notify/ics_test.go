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
