// Package cycles is the service that launches, reads and steers review
// cycles: it validates a launch against the published template and the
// organisation, writes the cycle row and starts its workflow, and routes
// task submissions to the workflow that owns the task as Updates. The API
// and the bench command use it; it must never import api, and it reaches
// the workflows through engine's names and types alone, so it must never
// import activities, workflows or worker either.
package cycles
