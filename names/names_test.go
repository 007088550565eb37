package names_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/perfloop/perfloop/names"
)

func TestANameIsOneLineOfPrintableTextOfBoundedLength(t *testing.T) {
	for _, ok := range []string{"", "王芳", "Zoë Ångström", "O'Brien, Jr.", "عربي", strings.Repeat("长", names.MaxName)} {
		require.Empty(t, names.Check(ok, names.MaxName), ok)
	}
	for bad, want := range map[string]string{
		"a\nb": "control character U+000A", "a\rb": "U+000D", "a\x00": "U+0000", "a\tb": "U+0009",
		"\u202Egnp": "bidirectional", "\u2067x": "bidirectional", "\u200Fx": "bidirectional",
		"a\u2028b": "line separator", "\xff": "UTF-8", strings.Repeat("x", names.MaxName+1): "at most 200",
	} {
		require.Contains(t, names.Check(bad, names.MaxName), want, "%q", bad)
	}
	require.Equal(t, "aU+000AbU+202E", names.Shown("a\nb\u202E"))
}
