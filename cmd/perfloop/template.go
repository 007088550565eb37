package main

import (
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/perfloop/perfloop/catalog"
	"github.com/perfloop/perfloop/store"
	"github.com/perfloop/perfloop/templates"
)

func init() {
	extraCommands = append(extraCommands, templateCommand)
}

func templateCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "template", Short: "Validate and publish process templates"}
	cmd.AddCommand(templateValidateCommand(), templatePublishCommand(), templateBacktestCommand())
	return cmd
}

// printTemplateErrors prints one line per error: FILE:PATH: MESSAGE (value: V),
// the same path, value and message the API returns for the same body.
func printTemplateErrors(w io.Writer, file string, errs templates.Errors) {
	for _, e := range errs {
		line := fmt.Sprintf("%s:%s: %s", file, e.Path, e.Message)
		if e.Value != "" {
			line += fmt.Sprintf(" (value: %s)", e.Value)
		}
		fmt.Fprintln(w, line)
	}
}

func templateValidateCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "validate FILE...",
		Short: "Check templates and print every error with its JSON pointer; exit 1 if any is invalid",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, files []string) error {
			bad := 0
			for _, f := range files {
				data, err := os.ReadFile(f)
				if err != nil {
					return exitError{2, fmt.Errorf("read %s: %w", f, err)}
				}
				if _, errs := templates.Parse(data); len(errs) > 0 {
					printTemplateErrors(cmd.ErrOrStderr(), f, errs)
					bad++
					continue
				}
				fmt.Fprintf(cmd.OutOrStdout(), "%s: ok\n", f)
			}
			if bad > 0 {
				return exitError{1, fmt.Errorf("%d of %d template(s) invalid", bad, len(files))}
			}
			return nil
		},
	}
}

func templatePublishCommand() *cobra.Command {
	var c config
	cmd := &cobra.Command{
		Use:   "publish FILE",
		Short: "Store a template as the next version and publish it (refused if it has errors)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			data, err := os.ReadFile(args[0])
			if err != nil {
				return exitError{2, fmt.Errorf("read %s: %w", args[0], err)}
			}
			_, errs := templates.Parse(data)
			if len(errs) > 0 {
				printTemplateErrors(cmd.ErrOrStderr(), args[0], errs)
				return exitError{1, fmt.Errorf("%s is invalid; nothing was published", args[0])}
			}
			log, err := c.logger()
			if err != nil {
				return err
			}
			st, err := openDB(cmd.Context(), c, log)
			if err != nil {
				return err
			}
			defer st.Close()
			tv, published, _, err := catalog.PublishBody(cmd.Context(), st, store.SharedCatalogue, data, "cli")
			if err != nil {
				return err
			}
			if !published {
				fmt.Fprintf(cmd.OutOrStdout(), "%s v%d is already published with this content\n", tv.Key, tv.Version)
				return nil
			}
			fmt.Fprintf(cmd.OutOrStdout(), "published %s v%d (checksum %s)\n", tv.Key, tv.Version, tv.Checksum[:12])
			return nil
		},
	}
	addString(cmd.Flags(), &c.DB, "db", "")
	addLogFlags(cmd.Flags(), &c)
	return cmd
}
