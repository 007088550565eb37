// Package activities holds the side effects of a review cycle: loading the
// frozen template, breaking targets down, opening tasks, reminding and
// escalating, scoring and ranking, calibration, results, outcomes and IDPs.
// The arithmetic of scoring lives in scorecard: ComputeScores gathers each
// member's data, calls scorecard.ScoreMembers and stores what it returns.
//
// Every activity is idempotent: it is keyed (task dedupe keys, reminder
// indexes, member + period for IDPs, submission ids for calibration) so a
// retry after a crash between "do" and "record" changes nothing. It uses
// store for data and the Temporal client only to signal or start other
// workflows; it must never import api or workflows.
package activities
