package notify_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/perfloop/perfloop/notify"
)

func TestAReminderDueAtNightGoesOutAtTheStartOfTheNextWorkingMorning(t *testing.T) {
	p := notify.DefaultPolicy()
	shanghai, _ := time.LoadLocation("Asia/Shanghai")
	london, _ := time.LoadLocation("Europe/London")
	// Tuesday 23:30 in Shanghai → Wednesday 09:00 in Shanghai.
	night := time.Date(2026, 10, 6, 23, 30, 0, 0, shanghai)
	require.Equal(t, time.Date(2026, 10, 7, 9, 0, 0, 0, shanghai).UTC(), p.SendAt(night, notify.EventReminder, shanghai))
	// The same instant is 16:30 in London: it goes out within the digest slot.
	require.Equal(t, time.Date(2026, 10, 6, 16, 30, 0, 0, london).UTC(), p.SendAt(night, notify.EventReminder, london))
	// Friday evening after 21:00 → Monday morning.
	friday := time.Date(2026, 10, 9, 21, 5, 0, 0, shanghai)
	require.Equal(t, time.Date(2026, 10, 12, 9, 0, 0, 0, shanghai).UTC(), p.SendAt(friday, notify.EventResults, shanghai))
	// Early morning on a working day → that morning.
	early := time.Date(2026, 10, 8, 6, 0, 0, 0, shanghai)
	require.Equal(t, time.Date(2026, 10, 8, 9, 0, 0, 0, shanghai).UTC(), p.SendAt(early, notify.EventIDP, shanghai))
}

func TestRemindersDueTogetherShareADigestSlotButResultsDoNotWait(t *testing.T) {
	p := notify.DefaultPolicy()
	loc, _ := time.LoadLocation("Asia/Shanghai")
	a := time.Date(2026, 10, 6, 10, 1, 0, 0, loc)
	b := time.Date(2026, 10, 6, 10, 9, 59, 0, loc)
	require.Equal(t, p.SendAt(a, notify.EventReminder, loc), p.SendAt(b, notify.EventEscalation, loc))
	require.Equal(t, time.Date(2026, 10, 6, 10, 10, 0, 0, loc).UTC(), p.SendAt(a, notify.EventReminder, loc))
	require.Equal(t, a.UTC(), p.SendAt(a, notify.EventResults, loc))
}

func TestWorkingDaysAreTheOrganisations(t *testing.T) {
	// A Sunday-to-Thursday week.
	p := notify.Policy{Window: notify.Window{Start: "08:00", End: "17:00", Days: []int{7, 1, 2, 3, 4}}}
	loc, _ := time.LoadLocation("Asia/Dubai")
	fri := time.Date(2026, 10, 9, 12, 0, 0, 0, loc)
	require.Equal(t, time.Date(2026, 10, 11, 8, 0, 0, 0, loc).UTC(), p.SendAt(fri, notify.EventResults, loc))
}
