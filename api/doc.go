// Package api serves Perfloop's HTTP interface under /api/v1 with Gin.
//
// Every handler follows one path: decode → authorize → validate → act →
// respond, and every failure leaves through writeError in one JSON shape:
//
//	{"error":{"code":"invalid","message":"...","details":[{"path":"/members/3/email","value":"x","message":"..."}]}}
//
// Status codes mean one thing each: 400 malformed or invalid input, 401 no or
// bad token, 403 authenticated but not allowed, 404 unknown (or not visible to
// the caller), 409 stale version or duplicate, 413 body over the limit, 503
// when the database or Temporal is unreachable (with Retry-After).
//
// api uses store and the engine's services; it must never be imported by them.
// It talks to running workflows through cycles and engine's names and types,
// and must never import activities, workflows or worker.
package api
