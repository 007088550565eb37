package templates_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/perfloop/perfloop/templates"
)

func TestATemplateRoutesEventsToChannelsPerStage(t *testing.T) {
	m := base(t, csOpsFile)
	m["channels"] = map[string]any{"results": []any{"inapp", "email"}, "reminder": []any{"email"}}
	obj(m, "stages", 0)["channels"] = map[string]any{"reminder": []any{"wecom", "email"}}
	data, err := json.Marshal(m)
	require.NoError(t, err)
	tpl, errs := templates.Parse(data)
	require.Empty(t, errs)
	chs, ok := tpl.ChannelsFor(&tpl.Stages[0], "reminder")
	require.True(t, ok)
	require.Equal(t, []string{"wecom", "email"}, chs, "the stage's own setting wins")
	chs, _ = tpl.ChannelsFor(&tpl.Stages[1], "reminder")
	require.Equal(t, []string{"email"}, chs)
	chs, _ = tpl.ChannelsFor(nil, "results")
	require.Equal(t, []string{"inapp", "email"}, chs)
	_, ok = tpl.ChannelsFor(&tpl.Stages[1], "escalation")
	require.False(t, ok, "left to the organisation's default")
}

func TestAnUnknownEventOrChannelIsNamedByPath(t *testing.T) {
	m := base(t, csOpsFile)
	m["channels"] = map[string]any{"birthday": []any{"email"}, "results": []any{"email", "sms"}}
	obj(m, "stages", 1)["channels"] = map[string]any{"reminder": []any{"email", "email"}}
	data, err := json.Marshal(m)
	require.NoError(t, err)
	_, errs := templates.Parse(data)
	var paths []string
	for _, e := range errs {
		paths = append(paths, e.Path)
	}
	require.Contains(t, paths, "/channels/birthday")
	require.Contains(t, paths, "/channels/results/1")
	require.Contains(t, paths, "/stages/1/channels/reminder")
}
