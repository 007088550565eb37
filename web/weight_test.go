package web_test

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestFirstScreenIsTheShellAndTheInboxUnder60KB: the page, its style sheet
// and every module it loads before the first screen shows (the shell it
// imports and the inbox it preloads) stay under the UI issue's 60 KB
// gzipped; every other screen's module loads when it is first opened.
func TestFirstScreenIsTheShellAndTheInboxUnder60KB(t *testing.T) {
	r := uiEngine()
	plain := serve(r, "/").Body.String()
	total := serve(r, "/", "Accept-Encoding", "gzip").Body.Len()
	var parts []string
	for _, m := range regexp.MustCompile(`/ui/([^"?]+)\?v=[0-9a-f]+`).FindAllStringSubmatch(plain, -1) {
		n := serve(r, m[0], "Accept-Encoding", "gzip").Body.Len()
		total += n
		parts = append(parts, fmt.Sprintf("%s %d", m[1], n))
	}
	for _, want := range []string{"app.js", "app.css", "router.js", "i18n.js", "dom.js", "api.js", "screens/inbox.js"} {
		require.Contains(t, plain, "/ui/"+want+"?v=", "the first screen loads %s up front", want)
	}
	require.NotContains(t, plain, "screens/dashboard.js", "a lead's screens load when opened")
	figure := fmt.Sprintf("first screen, gzip as served (page + style + modules before the inbox shows): %d bytes = %.1f KB\n%s\n", total, float64(total)/1024, strings.Join(parts, "; "))
	t.Log(strings.TrimSpace(figure))
	require.NoError(t, os.WriteFile(filepath.Join(artefactDir(t, ""), "first-screen-modules.txt"), []byte(figure), 0o644))
	require.Less(t, total, 60<<10)
}
