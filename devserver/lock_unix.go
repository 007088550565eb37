//go:build unix

package devserver

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"syscall"
)

// lockDataDir takes an exclusive lock on dir for as long as the server runs.
// Two servers on one SQLite file would each claim the history shard in turn
// and fail every workflow; the second one is refused instead. The kernel
// drops the lock if the process dies, so nothing stale is ever left behind.
func lockDataDir(dir string) (unlock func(), err error) {
	name := filepath.Join(dir, "temporal.lock")
	f, err := os.OpenFile(name, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, fmt.Errorf("lock temporal data directory: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("temporal data directory %s is in use by another process (another `perfloop dev`?): stop it or choose another with --data", dir)
		}
		return nil, fmt.Errorf("lock temporal data directory %s: %w", dir, err)
	}
	return sync.OnceFunc(func() { f.Close() }), nil
}
