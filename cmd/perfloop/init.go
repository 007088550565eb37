package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/perfloop/perfloop/api"
	"github.com/perfloop/perfloop/store"
)

func init() {
	extraCommands = append(extraCommands, initCommand, orgCommand)
}

// cliActor is who the audit log names for changes made from the command line.
const cliActor = "perfloop cli"

func initCommand() *cobra.Command {
	var c config
	var org, email, name, timezone, locale string
	cmd := &cobra.Command{
		Use:   "init --org NAME --admin-email EMAIL",
		Short: "Create the organisation and its first admin, and print the admin's API token once (does nothing if an admin exists)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if strings.TrimSpace(org) == "" {
				return exitError{2, errors.New("--org (or PERFLOOP_ORG) is required: the organisation's name, e.g. --org '星河科技'")}
			}
			if strings.TrimSpace(email) == "" {
				return exitError{2, errors.New("--admin-email (or PERFLOOP_ADMIN_EMAIL) is required: the first admin's e-mail, e.g. --admin-email li.na@example.com")}
			}
			if name == "" {
				name, _, _ = strings.Cut(email, "@")
			}
			log, err := c.logger()
			if err != nil {
				return err
			}
			st, err := openCurrentStore(cmd.Context(), c, log)
			if err != nil {
				return err
			}
			defer st.Close()
			admin := store.ImportMember{Name: name, Email: email, Role: store.RoleAdmin, Timezone: timezone, Locale: locale}
			out, err := bootstrap(cmd.Context(), st, strings.TrimSpace(org), admin)
			if err != nil {
				return err
			}
			w := cmd.OutOrStdout()
			if out.Token == "" {
				fmt.Fprintf(w, "already initialised: organisation %q has an admin (%s); nothing was created\n", out.Org.Name, out.Admin.Email)
				return nil
			}
			fmt.Fprintf(w, "created organisation %q and its admin %s <%s>\n", out.Org.Name, out.Admin.Name, out.Admin.Email)
			fmt.Fprintf(w, "API token (shown once; sign in with it in the UI, or send it as Authorization: Bearer):\n%s\n", out.Token)
			return nil
		},
	}
	fs := cmd.Flags()
	addString(fs, &org, "org", "")
	addString(fs, &email, "admin-email", "")
	addString(fs, &name, "admin-name", "")
	addString(fs, &timezone, "timezone", "Asia/Shanghai")
	addString(fs, &locale, "locale", "zh")
	addString(fs, &c.DB, "db", "")
	addLogFlags(fs, &c)
	return cmd
}

// bootstrapped is what init found or made; Token is empty when an admin existed already.
type bootstrapped struct {
	Org   *store.Organization
	Admin *store.Member
	Token string
}

// bootstrap creates the organisation (unless one exists) and its first admin
// (unless it has one), under a database lock so two init jobs started
// together cannot make two organisations or two first admins. The admin goes
// through the organisation import, so the e-mail, time zone and locale are
// checked by the same rules as every other member's.
func bootstrap(ctx context.Context, st *store.Store, orgName string, admin store.ImportMember) (*bootstrapped, error) {
	out := &bootstrapped{}
	err := st.Exclusively(ctx, "perfloop.init", func(st *store.Store) error {
		org, err := st.FirstOrganization(ctx)
		if errors.Is(err, store.ErrNotFound) {
			org = &store.Organization{Name: orgName, Timezone: admin.Timezone, Locale: admin.Locale}
			if err := flagErrors(admin); err != nil {
				return err
			}
			err = st.CreateOrganization(ctx, org)
		}
		if err != nil {
			return err
		}
		out.Org = org
		admins, _, err := st.ListMembers(ctx, org.ID, store.MemberFilter{Role: store.RoleAdmin}, store.Page{Limit: 1, Sort: "createdAt"})
		if err != nil {
			return err
		}
		if len(admins) > 0 {
			out.Admin = &admins[0]
			return nil
		}
		if _, err := st.ImportOrg(ctx, org.ID, cliActor, store.OrgImport{Members: []store.ImportMember{admin}}, false); err != nil {
			return asFlagErrors(err)
		}
		made, _, err := st.ListMembers(ctx, org.ID, store.MemberFilter{Role: store.RoleAdmin}, store.Page{Limit: 1})
		if err != nil {
			return err
		}
		if len(made) == 0 {
			return fmt.Errorf("init: the admin %s was imported but is not found", admin.Email)
		}
		out.Admin = &made[0]
		out.Token, _, err = st.IssueToken(ctx, out.Admin.ID, "perfloop init", 0)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// flagErrors checks the admin row before anything is written, so a bad
// --admin-email does not leave an organisation without an admin behind.
func flagErrors(admin store.ImportMember) error {
	if errs := (store.OrgImport{Members: []store.ImportMember{admin}}).Check(); len(errs) > 0 {
		return asFlagErrors(errs)
	}
	return nil
}

// asFlagErrors names the flag behind each bad field of the admin's row.
func asFlagErrors(err error) error {
	var rows store.ImportErrors
	if !errors.As(err, &rows) {
		return err
	}
	flags := map[string]string{"name": "--admin-name", "email": "--admin-email", "timezone": "--timezone", "locale": "--locale"}
	var msgs []string
	for _, r := range rows {
		msgs = append(msgs, fmt.Sprintf("%s %q: %s", flags[r.Field], r.Value, r.Message))
	}
	return exitError{2, errors.New(strings.Join(msgs, "; "))}
}

func orgCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "org", Short: "Manage the organisation from the command line"}
	cmd.AddCommand(orgImportCommand())
	return cmd
}

// orgFileTypes maps a file's extension to the media type POST /org/import takes.
var orgFileTypes = map[string]string{".json": "application/json", ".csv": "text/csv", ".xlsx": api.XLSXMediaType}

func orgImportCommand() *cobra.Command {
	var c config
	var dryRun bool
	cmd := &cobra.Command{
		Use:   "import FILE",
		Short: "Create or update teams and members from a JSON, CSV or XLSX file (the API's format); a bad row imports nothing",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			file := args[0]
			mediaType, ok := orgFileTypes[strings.ToLower(filepath.Ext(file))]
			if !ok {
				return exitError{2, fmt.Errorf("%s: expected a .json, .csv or .xlsx file", file)}
			}
			data, err := os.ReadFile(file)
			if err != nil {
				return exitError{2, fmt.Errorf("read %s: %w", file, err)}
			}
			if len(data) > api.MaxImport {
				return exitError{2, fmt.Errorf("%s is %d bytes; the limit is %d", file, len(data), api.MaxImport)}
			}
			f, err := api.ReadOrgFile(mediaType, data)
			if err != nil {
				printImportError(cmd.ErrOrStderr(), file, err)
				return exitError{1, fmt.Errorf("%s cannot be read; nothing was imported", file)}
			}
			log, err := c.logger()
			if err != nil {
				return err
			}
			st, err := openCurrentStore(cmd.Context(), c, log)
			if err != nil {
				return err
			}
			defer st.Close()
			org, err := st.FirstOrganization(cmd.Context())
			if errors.Is(err, store.ErrNotFound) {
				return errors.New("no organisation yet: run `perfloop init --org NAME --admin-email EMAIL` first")
			}
			if err != nil {
				return err
			}
			rep, err := st.ImportOrg(cmd.Context(), org.ID, cliActor, f.Import, dryRun)
			var rows store.ImportErrors
			if errors.As(err, &rows) {
				printImportError(cmd.ErrOrStderr(), file, f.Explain(err))
				return exitError{1, fmt.Errorf("%s has %d bad field(s); nothing was imported", file, len(rows))}
			}
			if err != nil {
				return err
			}
			verb := "imported"
			if dryRun {
				verb = "would import (dry run, nothing written)"
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s %s: teams %d created, %d updated; members %d created, %d updated\n",
				verb, file, rep.TeamsCreated, rep.TeamsUpdated, rep.MembersCreated, rep.MembersUpdated)
			return nil
		},
	}
	fs := cmd.Flags()
	fs.BoolVar(&dryRun, "dry-run", false, "check the file and count what would change, without writing")
	addString(fs, &c.DB, "db", "")
	addLogFlags(fs, &c)
	return cmd
}

// printImportError prints one line per bad field, FILE: PATH: MESSAGE (value: V),
// with the paths the API answers (line and column for CSV and XLSX, JSON pointers for JSON).
func printImportError(w io.Writer, file string, err error) {
	var e *api.Error
	if !errors.As(err, &e) {
		fmt.Fprintf(w, "%s: %v\n", file, err)
		return
	}
	if len(e.Details) == 0 {
		fmt.Fprintf(w, "%s: %s\n", file, e.Message)
	}
	for _, d := range e.Details {
		line := fmt.Sprintf("%s: %s: %s", file, d.Path, d.Message)
		if d.Value != "" {
			line += fmt.Sprintf(" (value: %s)", d.Value)
		}
		fmt.Fprintln(w, line)
	}
}
