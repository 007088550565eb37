package main

import (
	"bytes"
	"encoding/json"
	"log"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestJSONLogFormatTurnsStandardLibraryLogLinesIntoJSON(t *testing.T) {
	var out bytes.Buffer
	was, wasDefault := logOutput, slog.Default()
	logOutput = &out
	t.Cleanup(func() { logOutput = was; slog.SetDefault(wasDefault) })

	c := config{LogLevel: "info", LogFormat: "json"}
	l, err := c.logger()
	require.NoError(t, err)
	l.Info("from slog")
	log.Print("http: Accept error: too many open files") // how net/http reports trouble

	lines := bytes.Split(bytes.TrimRight(out.Bytes(), "\n"), []byte("\n"))
	require.Len(t, lines, 2)
	for _, line := range lines {
		var rec map[string]any
		require.NoError(t, json.Unmarshal(line, &rec), "not JSON: %s", line)
	}
	require.Contains(t, string(lines[1]), `"msg":"http: Accept error: too many open files"`)
}
