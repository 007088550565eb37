// Package scorecard scores a cycle's members from a template and their
// recorded inputs: each indicator's score, the rater groups' parts, the
// anti-gaming adjustments, the final score, the grade, the rank and the
// grade the forced distribution proposes, with an Explanation of how each
// final came about and the data that was missing.
//
// The entry point is ScoreMembers(template, members): MemberData holds one
// member's recorded inputs (metric values by indicator, targets, ratings by
// rater group, a waiver), exactly what the ComputeScores activity reads
// from the database. A backtest or a what-if calls it with the same
// MemberData and gets the same MemberScores the cycle stored.
//
// It is pure: no I/O, no clock, no Temporal. It builds on scoring (the
// rules) and templates (the model) and must never import store,
// activities, api or workflows; the activities are thin adapters that
// gather MemberData and store the result.
package scorecard
