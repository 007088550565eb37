package main

import (
	"github.com/spf13/cobra"
)

func rootCommand() *cobra.Command {
	root := &cobra.Command{
		Use:               "perfloop",
		Short:             "Perfloop: a low-code performance-management workflow engine on Temporal",
		SilenceUsage:      true,
		SilenceErrors:     true,
		PersistentPreRunE: preRun,
	}
	root.AddCommand(apiCommand(), workerCommand(), migrateCommand())
	for _, extra := range extraCommands {
		root.AddCommand(extra())
	}
	return root
}

// extraCommands lets files of this package add commands (template, dev, bench) without touching root.
var extraCommands []func() *cobra.Command
