// Package workflows holds the Temporal workflows that drive a review cycle:
// CycleWorkflow interprets a frozen template stage by stage, MemberWorkflow
// owns one member's tasks, deadlines, reminders and escalations, and
// IDPWorkflow follows a development plan.
//
// Workflow code is deterministic: no wall clock, no map iteration where
// order matters, no I/O. It reaches the database only through activities
// (referenced by method value) and must never import store or api.
//
// Shape, and why: members are not child workflows. The parent asks an
// activity to signal-with-start each member's workflow, so the parent's
// history does not grow by three events per member, and a stage's "done"
// reports (one signal per member) are the only per-member events it keeps.
// The parent continues as new after every stage, so even a 5,000-member
// cycle keeps each run well under Temporal's 10,240-event warning.
package workflows
