package workflows

import (
	"go.temporal.io/sdk/workflow"

	"github.com/perfloop/perfloop/engine"
)

// Every first workflow.GetVersion of a change in a run records a marker and
// upserts the TemporalChangeVersion search attribute: two history events
// and a visibility write on the server, which `perfloop bench` found in the
// hot paths (a member's first workflow task took three, each submission
// one, the stage's end one more). A member run started today knows the
// answer to every change below and answers them all from this table
// without a marker each.
//
// How a run knows it is on the table: a run started now is told by its
// input (MemberInput.Baseline, set by BroadcastStage), which costs
// nothing; runs started between 2 and 3 December took one marker at their
// start, member-baseline, whose upsert was still one visibility write per
// member (7% of a 1,000-member submit bench's CPU, a replace into
// SQLite's visibility table growing with every closed workflow). Runs
// with neither ask GetVersion as they always did, so their histories
// replay. A run whose input names the baseline but whose history holds the
// marker (its first task taken by an older worker during an upgrade)
// replays too: the SDK skips version markers and their upserts when it
// matches commands to history (testdata/member-upgrade.json).
//
// The table is frozen: a behaviour change after it takes a new change ID
// (asked of GetVersion as usual, a marker in every run), never a higher
// version of an ID listed here, which baseline runs would not see. A new
// baseline is a new marker with its own table.
var memberBaseline = map[string]workflow.Version{
	"stage-waits-for-submissions": 1,
	"local-member-tasks":          1,
	"one-timer-per-schedule":      1,
	"local-submission":            1,
	"submission-outlasts-outage":  1,
	"finish-skips-report":         1,
	"stage-done-by-activity":      1,
}

type baselineKey struct{}

// withMemberBaseline returns ctx carrying the table when the run is on it:
// by its input, or else by the member-baseline marker it takes (or, on
// replay, reads).
func withMemberBaseline(ctx workflow.Context, input int) (workflow.Context, bool) {
	if input == engine.MemberBaseline {
		return onBaseline(ctx, true), true
	}
	if workflow.GetVersion(ctx, "member-baseline", workflow.DefaultVersion, 1) == workflow.DefaultVersion {
		return ctx, false
	}
	return onBaseline(ctx, true), true
}

// onBaseline returns ctx answering versions from the baseline table when
// on is set (Update handlers run on the workflow's root context, so the
// member's handler adds it again).
func onBaseline(ctx workflow.Context, on bool) workflow.Context {
	if !on {
		return ctx
	}
	return workflow.WithValue(ctx, baselineKey{}, memberBaseline)
}

// version is workflow.GetVersion(ctx, changeID, DefaultVersion, max),
// answered from the baseline without a marker when ctx carries one that
// lists changeID.
func version(ctx workflow.Context, changeID string, max workflow.Version) workflow.Version {
	if table, ok := ctx.Value(baselineKey{}).(map[string]workflow.Version); ok {
		if v, ok := table[changeID]; ok {
			return v
		}
	}
	return workflow.GetVersion(ctx, changeID, workflow.DefaultVersion, max)
}
