// Package records turns a cycle's recorded rows into what the pure rules
// read, and the rules' answers back into rows: the members' data scoring
// reads (Gathering), the bonus and promotion each result earns (Outcomes),
// and who the IDP rule sends to a plan (BottomRule, RankingsOf,
// BottomRuns). It reads no database and starts no workflow, so a live
// cycle (the activities) and a backtest of a draft template (backtest)
// apply the same rules to the same records.
//
// It uses store's row types only, never a Store; it must never import
// activities, api, workflows or cycles.
package records
