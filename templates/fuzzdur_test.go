package templates_test

import (
	"testing"

	"github.com/perfloop/perfloop/templates"
)

func FuzzParseDuration(f *testing.F) {
	f.Add("P3D")
	f.Fuzz(func(t *testing.T, s string) { _, _ = templates.ParseDuration(s) })
}
