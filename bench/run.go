package bench

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Scenario names, in the order "all" runs them.
const (
	ScenarioLaunch = "launch"
	ScenarioSubmit = "submit"
	ScenarioScore  = "score"
	ScenarioMemory = "memory"
	ScenarioAll    = "all"
)

// Scenarios lists every scenario "all" runs.
var Scenarios = []string{ScenarioLaunch, ScenarioSubmit, ScenarioMemory, ScenarioScore}

// ErrUsage is a bad scenario or member count.
var ErrUsage = errors.New("bad bench options")

// Options says what to measure and where.
type Options struct {
	EngineOptions
	// Scenarios to run; empty or "all" runs every one.
	Scenarios []string
	// Members are the team sizes launch and submit run at, each in turn.
	Members []int
	// ScoreMembers is how many members score scores (0: ScoreMembers).
	ScoreMembers int
	// Repeat is how many rounds of ours-then-raw each scenario runs at
	// each size (0: DefaultRepeat); figures are the rounds' medians.
	Repeat int
}

// ParseScenarios reads --scenario: one name, a comma list, or all.
func ParseScenarios(s string) ([]string, error) {
	var out []string
	for _, p := range strings.Split(s, ",") {
		p = strings.TrimSpace(p)
		switch {
		case p == ScenarioAll || p == "":
			out = append(out, Scenarios...)
		case slices.Contains(Scenarios, p) || p == ScenarioCycle:
			out = append(out, p)
		default:
			return nil, fmt.Errorf("%w: --scenario %q is not one of launch, submit, memory, score, cycle, all", ErrUsage, p)
		}
	}
	// In the order of Scenarios; cycle, run only when named, goes last.
	order := append(slices.Clone(Scenarios), ScenarioCycle)
	slices.SortStableFunc(out, func(a, b string) int { return slices.Index(order, a) - slices.Index(order, b) })
	return slices.Compact(out), nil
}

// ParseMembers reads --members: a count or a comma list of counts.
func ParseMembers(s string) ([]int, error) {
	var out []int
	for _, p := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(p))
		if err != nil || n < 1 || n > 100_000 {
			return nil, fmt.Errorf("%w: --members %q: give team sizes from 1 to 100000, such as 100 or 100,1000", ErrUsage, p)
		}
		out = append(out, n)
	}
	return out, nil
}

// Run starts the engine, runs the scenarios and stops it. It returns the
// results measured before an error, and the error.
func Run(ctx context.Context, o Options) ([]Result, error) {
	if len(o.Scenarios) == 0 {
		o.Scenarios = Scenarios
	}
	if len(o.Members) == 0 {
		o.Members = []int{100}
	}
	if o.ScoreMembers == 0 {
		o.ScoreMembers = ScoreMembers
	}
	if o.Repeat <= 0 {
		o.Repeat = DefaultRepeat
	}
	needTemporal := slices.ContainsFunc(o.Scenarios, func(s string) bool { return s != ScenarioScore })
	eo := o.EngineOptions
	eo.NoTemporal = !needTemporal
	e, err := Start(ctx, eo)
	if err != nil {
		return nil, err
	}
	defer e.Close()
	if needTemporal {
		if err := e.WarmUp(ctx); err != nil {
			return nil, err
		}
	}
	var out []Result
	for _, n := range o.Members {
		for _, s := range o.Scenarios {
			var run func(context.Context, int) (Result, error)
			switch s {
			case ScenarioLaunch:
				run = e.runLaunch
			case ScenarioSubmit:
				run = e.runSubmit
			case ScenarioMemory:
				run = e.runMemory
			case ScenarioCycle:
				run = e.runCycle
			default:
				continue
			}
			count := RoundsAt(s, o.Repeat, n)
			rounds := make([]Result, 0, count)
			for i := range count {
				res, err := run(ctx, n)
				if err != nil {
					return out, fmt.Errorf("%s with %d members, round %d: %w", s, n, i+1, err)
				}
				e.logf("%s %d: round %d of %d: ratio %.2f", s, n, i+1, count, res.Ratio)
				rounds = append(rounds, res)
			}
			out = append(out, combine(rounds))
			e.addPeaks(&out[len(out)-1])
		}
	}
	if slices.Contains(o.Scenarios, ScenarioScore) {
		res, err := e.runScore(ctx, o.ScoreMembers, o.Repeat)
		if err != nil {
			return out, fmt.Errorf("score with %d members: %w", o.ScoreMembers, err)
		}
		out = append(out, res)
	}
	return out, nil
}

// RoundsAt is how many rounds scenario runs at team size n. The cycle
// scenario, a whole cycle per round timed by stage with no ratio to
// steady, runs repeat. Launch, submit and memory run repeat from
// smallTeam members up, and for smaller teams up to three times as many.
// A side of a 100-member round lasts a quarter of a second, where one
// busy moment of the machine moves it by a third (submit at 100 read
// 1.73, 1.11 and 1.60 in one run's three rounds); more rounds give its
// median about as many calls to rest on as a 1,000-member round has.
func RoundsAt(scenario string, repeat, n int) int {
	if scenario == ScenarioCycle || n <= 0 {
		return repeat
	}
	return repeat * min(3, max(1, (smallTeam+n-1)/n))
}

// smallTeam is the size from which a round's bursts are long enough for
// repeat rounds.
const smallTeam = 300

// WarmUp runs a small launch and raw fan-out unmeasured, so the first
// measurement does not pay for cold pollers, caches and connections.
func (e *Engine) WarmUp(ctx context.Context) error {
	began := time.Now()
	sq, err := e.SeedTeam(ctx, 3)
	if err != nil {
		return err
	}
	l, err := e.Launch(ctx, sq)
	if err != nil {
		return fmt.Errorf("warm-up: %w", err)
	}
	if err := e.Cancel(ctx, l); err != nil {
		return fmt.Errorf("warm-up: %w", err)
	}
	if _, err := e.rawSignalWithStart(ctx, 10); err != nil {
		return fmt.Errorf("warm-up: %w", err)
	}
	e.logf("warmed up in %s", time.Since(began).Round(time.Millisecond))
	return nil
}
