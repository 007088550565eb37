// Package bench measures Perfloop's engine against bare Temporal on the same
// server: how long a cycle takes to open every member's first task compared
// with starting as many trivial workflows, how a submission compares with a
// bare Workflow Update round trip, and how scoring compares with the same
// arithmetic done by one SQL query. `perfloop bench` is a thin wrapper.
//
// Every figure of ours is paired with a raw one measured the same way (same
// server, same polling, same concurrency), so a ratio says what Perfloop's
// design costs on top of Temporal and the database, not how fast a machine is.
//
// bench drives the engine from outside, as the API does; no domain package
// may import it.
package bench
