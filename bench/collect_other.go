//go:build !unix

package bench

import (
	"errors"
	"io"
)

// CollectOnSignal does nothing where there is no SIGUSR1.
func CollectOnSignal(io.Writer) {}

func askCollect(int) error { return errors.New("no SIGUSR1 on this system") }
