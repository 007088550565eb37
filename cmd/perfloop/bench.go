//go:build !lean

package main

import (
	"errors"
	"fmt"
	"os"
	"runtime/pprof"

	"github.com/spf13/cobra"

	"github.com/perfloop/perfloop/bench"
)

func init() {
	extraCommands = append(extraCommands, benchCommand)
}

func benchCommand() *cobra.Command {
	var (
		scenario, members, db, temporalAddr, namespace, profile string
		asJSON                                                  bool
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

Progress goes to stderr; the table (or JSON with --json) to stdout.`,
		Example: `  perfloop bench --members 100,1000
  perfloop bench --scenario launch --members 1000 --json
  perfloop bench --scenario submit --members 200 --db 'root@tcp(127.0.0.1:3306)/test'`,
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
				EngineOptions: bench.EngineOptions{DB: db, Temporal: temporalAddr, Namespace: namespace, Log: cmd.ErrOrStderr()},
				Scenarios:     scenarios, Members: sizes,
			})
			out := cmd.OutOrStdout()
			if asJSON {
				err = bench.WriteJSON(out, results)
			} else if len(results) > 0 {
				err = bench.WriteTable(out, results)
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
	fs.StringVar(&scenario, "scenario", bench.ScenarioAll, "launch, submit, memory, score or all (a comma list works too)")
	fs.StringVar(&members, "members", "100", "team sizes for launch, submit and memory, e.g. 100 or 100,1000 (score always scores 10,000)")
	fs.BoolVar(&asJSON, "json", false, "print a JSON array of {scenario, members, ours, raw, ratio, ratios, notes} instead of a table")
	fs.StringVar(&db, "db", "", "database: empty for in-memory SQLite, sqlite:FILE, or a MySQL DSN such as root@tcp(127.0.0.1:3306)/test (a fresh perfloop_bench_* database is created there and dropped)")
	fs.StringVar(&temporalAddr, "temporal", "", "Temporal frontend host:port; empty starts an embedded in-memory server on a free port")
	fs.StringVar(&namespace, "namespace", "default", "Temporal namespace")
	fs.StringVar(&profile, "cpuprofile", "", "write a CPU profile of the whole run (engine, embedded server and raw workers) to this file")
	return cmd
}
