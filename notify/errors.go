package notify

import (
	"errors"
	"fmt"
)

// ErrPermanent marks a delivery that will fail the same way however often
// it is retried: an address the mail server refuses (5xx), a webhook that
// answers 4xx or a bot that rejects its key or signature.
var ErrPermanent = errors.New("permanent delivery failure")

// ErrSecret is a secret reference that cannot be resolved.
var ErrSecret = errors.New("secret unavailable")

// permanent wraps err so errors.Is(err, ErrPermanent) holds.
func permanent(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrPermanent, fmt.Sprintf(format, args...))
}

// IsPermanent reports whether retrying err is pointless.
func IsPermanent(err error) bool { return errors.Is(err, ErrPermanent) }
