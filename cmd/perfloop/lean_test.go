package main

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// devOnly are the packages the lean build (the image's binary) must not
// carry: the embedded Temporal server, its Web UI server, the dev server
// around them and the benchmark.
var devOnly = []string{
	"go.temporal.io/server/",
	"github.com/temporalio/ui-server/",
	"github.com/perfloop/perfloop/devserver",
	"github.com/perfloop/perfloop/bench",
}

func goTool(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("go")
	require.NoError(t, err, "the go command is needed to list the lean build's packages")
	return p
}

// deps lists the packages `go build [-tags TAGS] ./cmd/perfloop` links.
func deps(t *testing.T, tags string) []string {
	t.Helper()
	args := []string{"list", "-deps"}
	if tags != "" {
		args = append(args, "-tags", tags)
	}
	out, err := exec.Command(goTool(t), append(args, ".")...).CombinedOutput()
	require.NoError(t, err, "go %s: %s", strings.Join(args, " "), out)
	return strings.Fields(string(out))
}

func carried(pkgs []string) []string {
	var found []string
	for _, p := range pkgs {
		for _, bad := range devOnly {
			if strings.HasPrefix(p+"/", bad) || strings.HasPrefix(p, bad) {
				found = append(found, p)
				break
			}
		}
	}
	return found
}

func TestLeanBuildLeavesOutTheEmbeddedServerAndBench(t *testing.T) {
	// The full build carries them (else this test proves nothing)...
	require.NotEmpty(t, carried(deps(t, "")), "the default build should link the embedded Temporal server for `perfloop dev`")
	// ...the lean one does not.
	lean := deps(t, "lean")
	require.Empty(t, carried(lean), "go list -deps -tags lean ./cmd/perfloop")
	require.Contains(t, lean, "github.com/perfloop/perfloop/api")
	require.Contains(t, lean, "github.com/perfloop/perfloop/worker")
	require.Contains(t, lean, "go.temporal.io/sdk/client")
}

func TestLeanBinaryServesTheProductionCommandsOnly(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a binary")
	}
	bin := filepath.Join(t.TempDir(), "perfloop-lean")
	// Plain flags (no -trimpath) so the packages compiled for the tests are reused.
	out, err := exec.Command(goTool(t), "build", "-tags", "lean", "-o", bin, ".").CombinedOutput()
	require.NoError(t, err, "go build -tags lean: %s", out)

	help, err := exec.Command(bin, "--help").CombinedOutput()
	require.NoError(t, err, "%s", help)
	for _, want := range []string{"api ", "worker ", "migrate ", "init ", "template "} {
		require.Contains(t, string(help), "  "+want, "lean --help lists %q", want)
	}
	for _, gone := range []string{"  dev ", "  bench ", "  temporal "} {
		require.NotContains(t, string(help), gone, "lean --help")
	}
	out, err = exec.Command(bin, "dev").CombinedOutput()
	require.Error(t, err)
	require.Contains(t, string(out), `unknown command "dev"`)

	// The production shape still works from the lean binary: migrate a fresh database.
	db := "sqlite:" + filepath.Join(t.TempDir(), "lean.db")
	out, err = exec.Command(bin, "migrate", "--db", db).CombinedOutput()
	require.NoError(t, err, "%s", out)
	require.Contains(t, string(out), "schema is at version")
}
