package activities

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/perfloop/perfloop/scoring"
)

func TestIDPNoticeNamesEveryTriggerPeriodWithRankAndScore(t *testing.T) {
	got := triggerText([]scoring.Standing{{Period: "2026-08", Rank: 8, TeamSize: 9, Score: 61.2}, {Period: "2026-09", Rank: 9, TeamSize: 9, Score: 55}})
	require.Equal(t, "At the bottom in 2026-08: 8th of 9, 61.2; 2026-09: 9th of 9, 55.0", got.En)
	require.Equal(t, "连续排名末位：2026-08：第 8 名 / 共 9 人，61.2 分；2026-09：第 9 名 / 共 9 人，55.0 分", got.Zh)
	for n, want := range map[int]string{1: "1st", 2: "2nd", 3: "3rd", 4: "4th", 11: "11th", 12: "12th", 13: "13th", 21: "21st", 22: "22nd", 101: "101st", 111: "111th"} {
		require.Equal(t, want, ordinal(n))
	}
}
