// Command perfloop is the one binary of Perfloop: `dev` runs the whole
// product in one process; `api`, `worker` and `migrate` are the production
// shapes; `init` and `org import` set up an organisation; `template`
// validates and publishes process templates.
package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := rootCommand().ExecuteContext(ctx); err != nil {
		if jsonLogs {
			slog.Error("perfloop: "+err.Error(), "exit_code", exitCode(err))
		} else {
			fmt.Fprintln(os.Stderr, "perfloop:", err)
		}
		stop()
		os.Exit(exitCode(err))
	}
}

// exitError carries a specific exit status (template validate exits 1 on
// invalid templates, 2 on usage errors).
type exitError struct {
	code int
	err  error
}

func (e exitError) Error() string { return e.err.Error() }
func (e exitError) Unwrap() error { return e.err }

func exitCode(err error) int {
	if e, ok := err.(exitError); ok {
		return e.code
	}
	return 1
}
