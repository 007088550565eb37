//go:build !lean

package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/perfloop/perfloop/devserver"
)

// temporal, like dev and bench, carries the embedded Temporal server, so
// the lean build leaves it out.
func init() {
	extraCommands = append(extraCommands, temporalCommand)
}

func temporalCommand() *cobra.Command {
	var (
		c         config
		port      int
		uiPort    int
		namespace string
		dataDir   string
	)
	cmd := &cobra.Command{
		Use:   "temporal",
		Short: "Run only the embedded Temporal server (in memory, or on files under --data), for `perfloop api` and `perfloop worker` on one machine without Docker",
		Long: `Runs the single-node Temporal server that perfloop dev embeds, and nothing
else, so perfloop api and perfloop worker can run as separate processes
(the production shape) on a laptop or in a benchmark. When it serves the
namespace it prints its frontend host:port on one line to stdout; it stops
on SIGINT or SIGTERM. For development only: production runs a real
Temporal cluster.`,
		Example: `  perfloop temporal &
  perfloop migrate --db sqlite:perfloop.db
  perfloop worker --db sqlite:perfloop.db --temporal 127.0.0.1:7233 &
  perfloop api --db sqlite:perfloop.db --temporal 127.0.0.1:7233
  perfloop temporal --port 0            # a free port, printed when ready
  perfloop temporal --data ./.temporal  # workflows survive a restart`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			log, err := c.logger()
			if err != nil {
				return err
			}
			if err := checkPort("port", port, true); err != nil {
				return exitError{2, err}
			}
			if err := checkPort("ui-port", uiPort, true); err != nil {
				return exitError{2, err}
			}
			srv, err := devserver.Start(cmd.Context(), devserver.Options{Port: port, UIPort: uiPort, Namespace: namespace, DataDir: dataDir, Logger: log})
			if err != nil {
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout(), srv.HostPort())
			log.Info("temporal serving", "addr", srv.HostPort(), "namespace", srv.Namespace(), "ui", srv.UIAddr(), "data", dataDir)
			<-cmd.Context().Done()
			log.Info("temporal stopping")
			return srv.Stop()
		},
	}
	fs := cmd.Flags()
	fs.IntVar(&port, "port", 7233, "frontend gRPC port on 127.0.0.1; 0 picks a free one")
	fs.IntVar(&uiPort, "ui-port", 0, "port of the Temporal Web UI; 0 leaves it off")
	fs.StringVar(&namespace, "namespace", devserver.DefaultNamespace, "namespace registered at start")
	fs.StringVar(&dataDir, "data", "", "directory for the server's SQLite file, so workflows survive a restart; empty keeps everything in memory")
	addLogFlags(fs, &c)
	return cmd
}
