// Package engine is the contract between the parts of the review-cycle
// engine: the names Temporal knows workflows, signals, updates, queries and
// string-named activities by, the workflow IDs, the workflows' inputs and
// outputs, the messages they exchange, and the kinds and states of tasks.
//
// The api and cycles packages talk to running workflows through these
// types alone, so they need neither workflows nor activities; workflows and
// activities share them instead of copying them.
//
// The names are recorded in every workflow history: renaming one breaks the
// replay of histories already recorded (workflows/testdata). It is plain
// data: it imports only the standard library and templates (a task's form
// is the template's fields), and must never import Temporal or any package
// with I/O.
package engine
