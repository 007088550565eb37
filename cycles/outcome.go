package cycles

import (
	"errors"

	"github.com/perfloop/perfloop/store"
)

// outcome names how a launch or submission ended, in the few values a
// metric label can carry: the error classes the API maps to 400, 409, 404
// and 503, and "error" for the rest.
func outcome(err error, ok string) string {
	var bad Invalid
	var refused *Refused
	switch {
	case err == nil:
		return ok
	case errors.As(err, &bad):
		return "invalid"
	case errors.As(err, &refused):
		return "refused"
	case errors.Is(err, store.ErrConflict):
		return "conflict"
	case errors.Is(err, store.ErrNotFound):
		return "not_found"
	case errors.Is(err, ErrUnavailable):
		return "unavailable"
	}
	return "error"
}

func launchOutcome(created bool, err error) string {
	if err == nil && !created {
		return "existing"
	}
	return outcome(err, "created")
}
