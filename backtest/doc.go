// Package backtest re-scores a team's past cycles from their recorded
// metric values, targets and ratings with a draft template, and compares
// the outcome with what the cycles recorded: scores, grades, ranks, the
// forced distribution, bonuses, promotions and development plans.
//
// It starts no workflow and writes nothing. It scores with the code that
// scores live cycles (records.Gathering, scorecard.ScoreMembers,
// records.Outcomes, records.BottomRuns), never a copy, so backtesting
// the template a cycle ran on reproduces its recorded results exactly. It
// scores no database: Load reads the records (store.RecordsOf) and Run
// re-scores them in memory.
package backtest
