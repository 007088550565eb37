package main

import (
	"context"
	"fmt"
	"os"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/perfloop/perfloop/devstack"
)

func devCommand() *cobra.Command {
	var c config
	cmd := &cobra.Command{
		Use:   "dev",
		Short: "Run the whole product in one process: embedded Temporal, database, worker, API and UI, with demo data",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			log, err := c.logger()
			if err != nil {
				return err
			}
			if err := checkPort("temporal-port", c.TemporalPort, true); err != nil {
				return err
			}
			if err := checkPort("temporal-ui-port", c.TemporalUIPort, true); err != nil {
				return err
			}
			began := time.Now()
			stack, err := devstack.Start(cmd.Context(), devstack.Options{
				HTTPAddr: c.HTTP, DataDir: c.DataDir, Ephemeral: c.Ephemeral, TemporalPort: c.TemporalPort,
				TemporalUIPort: c.TemporalUIPort, DBDSN: c.DB, Namespace: c.Namespace, TaskQueue: c.TaskQueue, Log: log,
			})
			if err != nil {
				return err
			}
			printWelcome(stack, c, time.Since(began))
			select {
			case <-cmd.Context().Done():
				log.Info("shutting down")
			case err = <-stack.Done():
				log.Error("http server stopped", "err", err)
			}
			stack.Stop(context.Background())
			return err
		},
	}
	fs := cmd.Flags()
	addString(fs, &c.HTTP, "http", ":8080")
	addString(fs, &c.DataDir, "data", "./.perfloop")
	addBool(fs, &c.Ephemeral, "ephemeral")
	addInt(fs, &c.TemporalPort, "temporal-port", 7233)
	addInt(fs, &c.TemporalUIPort, "temporal-ui-port", 8233)
	addString(fs, &c.DB, "db", "")
	addString(fs, &c.Namespace, "namespace", "default")
	addString(fs, &c.TaskQueue, "task-queue", "perfloop")
	addLogFlags(fs, &c)
	return cmd
}

func printWelcome(s *devstack.Stack, c config, took time.Duration) {
	w := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintf(w, "\nPerfloop is ready in %s\n", took.Round(time.Millisecond))
	fmt.Fprintf(w, "  UI and API\t%s  (OpenAPI: %s/api/v1/openapi.json)\n", s.URL, s.URL)
	fmt.Fprintf(w, "  Temporal\t%s  namespace %s\n", s.Temporal.HostPort(), c.Namespace)
	if ui := s.Temporal.UIAddr(); ui != "" {
		fmt.Fprintf(w, "  Temporal UI\thttp://%s\n", ui)
	}
	if c.Ephemeral {
		fmt.Fprintf(w, "  Data\tin memory (--ephemeral): nothing is kept\n")
	} else {
		fmt.Fprintf(w, "  Data\t%s\n", c.DataDir)
	}
	if len(s.Users) > 0 {
		fmt.Fprintf(w, "\nDemo users (also in %s/demo-users.json):\n", c.DataDir)
		fmt.Fprintf(w, "  NAME\tROLE\tTEAM\tTOKEN\n")
		for _, u := range s.Users {
			fmt.Fprintf(w, "  %s\t%s\t%s\t%s\n", u.Name, u.Role, u.Team, u.Token)
		}
		u := s.Users[0]
		for _, cand := range s.Users {
			if cand.Role == "admin" {
				u = cand
			}
		}
		fmt.Fprintf(w, "\nTry: curl -H 'Authorization: Bearer %s' %s/api/v1/me\n", u.Token, s.URL)
	}
	w.Flush()
}
