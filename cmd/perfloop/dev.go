//go:build !lean

package main

import (
	"context"
	"fmt"
	"os"
	"text/tabwriter"

	"time"

	"github.com/mattn/go-runewidth"

	"github.com/spf13/cobra"

	"github.com/perfloop/perfloop/devstack"
	"github.com/perfloop/perfloop/worker"
)

// dev, like bench, is left out of the lean build (-tags lean), the image's
// binary: both carry the embedded Temporal server.
func init() {
	extraCommands = append(extraCommands, devCommand)
}

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
			mail, err := c.mail()
			if err != nil {
				return err
			}
			sso, err := c.sso()
			if err != nil {
				return err
			}
			m, err := c.metrics(cmd.Context(), log)
			if err != nil {
				return err
			}
			began := time.Now()
			stack, err := devstack.Start(cmd.Context(), devstack.Options{
				HTTPAddr: c.HTTP, DataDir: c.DataDir, Ephemeral: c.Ephemeral, TemporalPort: c.TemporalPort,
				TemporalUIPort: c.TemporalUIPort, DBDSN: c.DB, Namespace: c.Namespace, TaskQueue: c.TaskQueue, Log: log,
				OIDC: c.oidc(), SSO: sso, Mail: mail, StopTimeout: c.StopTimeout, Metrics: m, Webhooks: c.webhooks(),
			})
			if err != nil {
				return err
			}
			m.SetReady(nil)
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
	addDuration(fs, &c.StopTimeout, "shutdown-timeout", worker.DefaultStopTimeout)
	addMetricsFlag(fs, &c)
	addOIDCFlags(fs, &c)
	addSMTPFlags(fs, &c)
	addWebhookFlags(fs, &c)
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
	if c.SMTP != "" {
		fmt.Fprintf(w, "  E-mail\tvia %s as %s\n", c.SMTP, c.SMTPFrom)
	}
	if c.Ephemeral {
		fmt.Fprintf(w, "  Data\tin memory (--ephemeral): nothing is kept\n")
	} else {
		fmt.Fprintf(w, "  Data\t%s\n", c.DataDir)
	}
	w.Flush()
	if len(s.Users) > 0 {
		where := "also in " + c.DataDir + "/demo-users.json"
		if c.Ephemeral {
			where = "valid until this process stops"
		}
		fmt.Printf("\nDemo users (%s):\n", where)
		// tabwriter counts runes, but a Chinese name is two columns wide on a
		// terminal, so the table is padded by display width.
		cols := [3]int{4, 4, 4}
		for _, u := range s.Users {
			cols = [3]int{max(cols[0], runewidth.StringWidth(u.Name)), max(cols[1], len(u.Role)), max(cols[2], len(u.Team))}
		}
		row := func(a, b, c, d string) {
			fmt.Printf("  %s  %s  %s  %s\n", runewidth.FillRight(a, cols[0]), runewidth.FillRight(b, cols[1]), runewidth.FillRight(c, cols[2]), d)
		}
		row("NAME", "ROLE", "TEAM", "TOKEN")
		for _, u := range s.Users {
			row(u.Name, u.Role, u.Team, u.Token)
		}
		u := s.Users[0]
		for _, cand := range s.Users {
			if cand.Role == "admin" {
				u = cand
			}
		}
		fmt.Printf("\nTry: curl -H 'Authorization: Bearer %s' %s/api/v1/me\n", u.Token, s.URL)
	}
}
