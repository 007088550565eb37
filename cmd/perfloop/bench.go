//go:build !lean

package main

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
	"time"

	"github.com/spf13/cobra"

	"github.com/perfloop/perfloop/bench"
)

func init() {
	extraCommands = append(extraCommands, benchCommand)
	// A process bench --shape split started (the server, a worker, the raw
	// worker) collects garbage when the bench asks, so the bench can read
	// its resident set as it reads its own; nothing otherwise.
	bench.CollectOnSignal(os.Stderr)
}

func benchCommand() *cobra.Command {
	var (
		scenario, members, db, temporalAddr, namespace, profile string
		heapProfile, blockProfile, shape                        string
		asJSON, check                                           bool
		repeat, workers                                         int
	)
	cmd := &cobra.Command{
		Use:   "bench",
		Short: "Measure launch, submit and scoring against bare Temporal and SQL on the same server; print a table or JSON",
		Long: `Starts (or connects to) a Temporal server, runs Perfloop's worker and a
tiny worker of trivial workflows on their own task queues, and measures each
scenario beside its raw counterpart:

  launch  Launch call until every member's self-evaluation task exists, vs.
          as many trivial workflows signal-with-started by one activity
          (and, for reference, started as child workflows in batches of 100)
  submit  self-evaluations through Service.Submit from min(N,200) goroutines,
          vs. bare Workflow Update round trips; p50/p95/p99 and throughput
  memory  heap and RSS growth per open member workflow (a launched cycle
          waiting for self-evaluations) vs. per trivial waiting workflow
  score   ScoreMembers on 10,000 members x 12 indicators, in memory and read
          from the database, vs. the same weighted totals in one SQL query
  cycle   (only when named; not in all) one cycle end to end: launch, every
          self and manager rating, scored, calibrated, results published;
          each stage's time, the longest workflow history and peak RSS

With --shape split the bench runs in the production shape instead of one
process: it starts perfloop temporal on a free port, --workers perfloop
worker processes and the raw side's worker in its own process too, all
from this binary, over a database they share (--db, or a SQLite file in a
temporary directory); the bench process itself plays perfloop api.
Memory is then each side's worker processes' resident growth, the
server's apart, and every result also carries each process's peak
resident set so far (server, each worker, raw worker, api).

Each scenario runs --repeat rounds at each size, ours then raw back to back
in every round, so a slow moment of the machine falls on both sides of that
round's ratio; the figures are the rounds' medians and SPREAD shows the
rounds' lowest and highest ratio. Teams under 300 run up to three times as
many rounds (9 at 100 with --repeat 3): their bursts last a fraction of a
second. Each side of a score round is the median of three tries. With
--check the bench holds every ratio to its goal (issue 18's table) and
exits 1 when one is missed.

Progress goes to stderr; the table (or JSON with --json) to stdout, and with
--check one line per goal after it (to stderr with --json).`,
		Example: `  perfloop bench --members 100,1000
  perfloop bench --scenario launch --members 1000 --json
  perfloop bench --scenario submit --members 200 --db 'root@tcp(127.0.0.1:3306)/test'
  perfloop bench --members 100 --repeat 3 --check
  perfloop bench --scenario cycle --members 5000 --repeat 1 --json
  perfloop bench --shape split --workers 2 --scenario launch,submit,memory --members 100,1000`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			scenarios, err := bench.ParseScenarios(scenario)
			if err != nil {
				return exitError{2, err}
			}
			sizes, err := bench.ParseMembers(members)
			if err != nil {
				return exitError{2, err}
			}
			if repeat < 1 || repeat > 50 {
				return exitError{2, fmt.Errorf("%w: --repeat %d: give 1 to 50 rounds", bench.ErrUsage, repeat)}
			}
			if cmd.Flags().Changed("workers") && shape != bench.ShapeSplit {
				return exitError{2, fmt.Errorf("%w: --workers %d needs --shape split: in one process there is one worker", bench.ErrUsage, workers)}
			}
			if blockProfile != "" {
				runtime.SetBlockProfileRate(int(time.Millisecond / 10))
				defer writeProfile(cmd, "block", blockProfile)
			}
			if heapProfile != "" {
				defer writeProfile(cmd, "heap", heapProfile)
			}
			if profile != "" {
				f, err := os.Create(profile)
				if err != nil {
					return exitError{2, fmt.Errorf("--cpuprofile: %w", err)}
				}
				defer f.Close()
				if err := pprof.StartCPUProfile(f); err != nil {
					return fmt.Errorf("--cpuprofile: %w", err)
				}
				defer pprof.StopCPUProfile()
			}
			results, runErr := bench.Run(cmd.Context(), bench.Options{
				EngineOptions: bench.EngineOptions{DB: db, Temporal: temporalAddr, Namespace: namespace, Log: cmd.ErrOrStderr(), Shape: shape, Workers: workers},
				Scenarios:     scenarios, Members: sizes, Repeat: repeat,
			})
			out := cmd.OutOrStdout()
			if asJSON {
				err = bench.WriteJSON(out, results)
			} else if len(results) > 0 {
				err = bench.WriteTable(out, results)
			}
			if err == nil && check && runErr == nil {
				to := out
				if asJSON {
					to = cmd.ErrOrStderr()
				}
				if missed := bench.WriteVerdicts(to, bench.Check(results)); missed > 0 {
					return exitError{1, fmt.Errorf("bench: %d goal(s) missed", missed)}
				}
			}
			if runErr != nil {
				if errors.Is(runErr, bench.ErrUsage) {
					return exitError{2, runErr}
				}
				return fmt.Errorf("bench: %w", runErr)
			}
			return err
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&scenario, "scenario", bench.ScenarioAll, "launch, submit, memory, score, cycle or all (a comma list works too; all leaves cycle out)")
	fs.StringVar(&members, "members", "100", "team sizes for launch, submit and memory, e.g. 100 or 100,1000 (score always scores 10,000)")
	fs.BoolVar(&asJSON, "json", false, "print a JSON array of {scenario, members, ours, raw, ratio, ratios, notes} instead of a table")
	fs.StringVar(&db, "db", "", "database: empty for a SQLite file in a temporary directory (what perfloop dev runs on), sqlite::memory:, sqlite:FILE, or a MySQL DSN such as root@tcp(127.0.0.1:3306)/test (a fresh perfloop_bench_* database is created there and dropped)")
	fs.StringVar(&temporalAddr, "temporal", "", "Temporal frontend host:port; empty starts an embedded in-memory server on a free port (with --shape split, a perfloop temporal process)")
	fs.StringVar(&namespace, "namespace", "default", "Temporal namespace")
	fs.IntVar(&repeat, "repeat", bench.DefaultRepeat, "rounds of ours-then-raw per scenario and size (up to 3x as many under 300 members); figures are the rounds' medians")
	fs.BoolVar(&check, "check", false, "hold each ratio to its goal and exit 1 when one is missed")
	fs.StringVar(&heapProfile, "memprofile", "", "write a heap profile (after a collection) at the end of the run to this file")
	fs.StringVar(&blockProfile, "blockprofile", "", "write a profile of where goroutines blocked (events of 100µs and more) to this file")
	fs.StringVar(&profile, "cpuprofile", "", "write a CPU profile of the whole run (engine, embedded server and raw workers) to this file")
	fs.StringVar(&shape, "shape", bench.ShapeOne, "one: server, workers and bench in this process; split: perfloop temporal, N perfloop worker and the raw worker as separate processes, this one as the api")
	fs.IntVar(&workers, "workers", 1, fmt.Sprintf("perfloop worker processes with --shape split (1 to %d)", bench.MaxWorkers))
	cmd.AddCommand(rawWorkerCommand())
	return cmd
}

// rawWorkerCommand is the raw side's worker in its own process, which
// `bench --shape split` starts; it is no use on its own, so it is hidden.
func rawWorkerCommand() *cobra.Command {
	var o bench.RawWorkerOptions
	cmd := &cobra.Command{
		Use:    "raw-worker",
		Short:  "Run the bench's trivial workflows on their own task queue (started by bench --shape split)",
		Hidden: true,
		Args:   cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			o.Ready = cmd.OutOrStdout()
			err := bench.ServeRawWorker(cmd.Context(), o)
			if errors.Is(err, bench.ErrUsage) {
				return exitError{2, err}
			}
			return err
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&o.Temporal, "temporal", "127.0.0.1:7233", "Temporal frontend host:port")
	fs.StringVar(&o.Namespace, "namespace", "default", "Temporal namespace")
	fs.StringVar(&o.Queue, "queue", "", "the task queue the bench sends its trivial workflows to")
	return cmd
}

// writeProfile writes the named runtime profile to path at the end of a
// bench run; a failure is reported, not fatal, since the figures stand.
func writeProfile(cmd *cobra.Command, name, path string) {
	if name == "heap" {
		runtime.GC()
	}
	f, err := os.Create(path)
	if err == nil {
		err = pprof.Lookup(name).WriteTo(f, 0)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		fmt.Fprintf(cmd.ErrOrStderr(), "bench: %s profile: %v\n", name, err)
	}
}
