//go:build unix

package bench

import (
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"runtime/debug"
	"syscall"
)

// CollectOnSignal does what CollectEnv says when it is set; otherwise
// nothing, so no command of a real deployment handles SIGUSR1.
func CollectOnSignal(w io.Writer) {
	if os.Getenv(CollectEnv) != "1" {
		return
	}
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGUSR1)
	go func() {
		for range sig {
			// Twice, since finalisers free more on the second pass.
			runtime.GC()
			runtime.GC()
			debug.FreeOSMemory()
			fmt.Fprintln(w, collectedLine)
		}
	}()
}

// askCollect sends a child the signal CollectOnSignal waits for.
func askCollect(pid int) error { return syscall.Kill(pid, syscall.SIGUSR1) }
