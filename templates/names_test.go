package templates_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/perfloop/perfloop/templates"
)

// TestTemplateLabelsFollowTheRuleForNames: a template's, an indicator's,
// a grade's and a stage's name reach e-mails and calendar files, so they
// are held to the same rule as any other name.
func TestTemplateLabelsFollowTheRuleForNames(t *testing.T) {
	files, err := templates.BuiltinFiles()
	require.NoError(t, err)
	var doc map[string]any
	require.NoError(t, json.Unmarshal(files[0].Data, &doc))
	doc["name"].(map[string]any)["en"] = "Review\r\nBcc: everyone@example.com"
	doc["stages"].([]any)[0].(map[string]any)["name"].(map[string]any)["zh"] = "自评\u202E"
	raw, err := json.Marshal(doc)
	require.NoError(t, err)
	_, errs := templates.Parse(raw)
	var paths []string
	for _, e := range errs {
		paths = append(paths, e.Path)
	}
	require.Equal(t, []string{"/name/en", "/stages/0/name/zh"}, paths)
}
