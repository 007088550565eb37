package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/perfloop/perfloop/backtest"
	"github.com/perfloop/perfloop/store"
	"github.com/perfloop/perfloop/templates"
)

// templateBacktestCommand re-scores a team's past cycles with a draft
// template file and prints what would have changed.
func templateBacktestCommand() *cobra.Command {
	var c config
	var teamKey, periods, orgID string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "backtest FILE",
		Short: "试算: re-score a team's past cycles with a draft template from their recorded data; writes nothing",
		Long: `Re-scores the team's cycles in the period range from their recorded metric values, targets and
ratings with the draft template in FILE, and prints per period every member's score, grade and rank
as run and under the draft, the grade changes, the distribution against the draft's limits, bonus
totals, promotions, and across the periods who would get an IDP under the draft's rule. Data the
draft needs and the history lacks is named with the missing-data policy that applied.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			data, err := os.ReadFile(args[0])
			if err != nil {
				return exitError{2, fmt.Errorf("read %s: %w", args[0], err)}
			}
			draft, errs := templates.Parse(data)
			if len(errs) > 0 {
				printTemplateErrors(cmd.ErrOrStderr(), args[0], errs)
				return exitError{1, fmt.Errorf("%s is invalid; nothing was backtested", args[0])}
			}
			from, to, err := backtest.ParseRange(periods)
			if err != nil {
				return exitError{2, fmt.Errorf("--periods: %w", err)}
			}
			if teamKey == "" {
				return exitError{2, errors.New("--team: the key of the team whose cycles are re-scored is required")}
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
			team, err := teamByKey(cmd, st, teamKey, orgID)
			if err != nil {
				return err
			}
			in, _, err := backtest.Load(cmd.Context(), st, team.OrgID, team.ID, from, to, draft)
			if err != nil {
				return err
			}
			rep, err := backtest.Run(in)
			if errors.Is(err, backtest.ErrNoPeriods) {
				return exitError{1, fmt.Errorf("team %s has no cycle from %s to %s to re-score", teamKey, from, to)}
			}
			if err != nil {
				return err
			}
			if asJSON {
				enc := json.NewEncoder(cmd.OutOrStdout())
				enc.SetIndent("", "  ")
				return enc.Encode(rep)
			}
			printBacktest(cmd.OutOrStdout(), teamKey, rep)
			return nil
		},
	}
	cmd.Flags().StringVar(&teamKey, "team", "", "key of the team whose past cycles are re-scored")
	cmd.Flags().StringVar(&periods, "periods", "", "period range, e.g. 2026-07..2026-10 (or one period)")
	cmd.Flags().StringVar(&orgID, "org", "", "organisation id, when several organisations have a team with this key")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the report as JSON (the API's answer)")
	addString(cmd.Flags(), &c.DB, "db", "")
	addLogFlags(cmd.Flags(), &c)
	return cmd
}

func teamByKey(cmd *cobra.Command, st *store.Store, key, orgID string) (*store.Team, error) {
	teams, err := st.TeamsByKey(cmd.Context(), key)
	if err != nil {
		return nil, err
	}
	var found []store.Team
	for _, t := range teams {
		if orgID == "" || t.OrgID == orgID {
			found = append(found, t)
		}
	}
	switch len(found) {
	case 0:
		return nil, exitError{1, fmt.Errorf("--team: no team has the key %q", key)}
	case 1:
		return &found[0], nil
	}
	orgs := make([]string, len(found))
	for i, t := range found {
		orgs[i] = t.OrgID
	}
	return nil, exitError{2, fmt.Errorf("--team: %d organisations have a team %q; name one with --org (%s)", len(found), key, strings.Join(orgs, ", "))}
}

// printBacktest prints the report as tables, one period after another.
func printBacktest(w io.Writer, team string, rep *backtest.Report) {
	fmt.Fprintf(w, "backtest of %s v%d on team %s, %s..%s\n", rep.Draft.Key, rep.Draft.Version, team, rep.From, rep.To)
	for _, p := range rep.Periods {
		fmt.Fprintf(w, "\n== %s  (cycle %s, ran on %s v%d, %d members)\n", p.Period, p.CycleID, p.AsRun.Key, p.AsRun.Version, p.Headcount)
		if p.SameTemplate {
			if len(p.Mismatches) == 0 {
				fmt.Fprintln(w, "the draft is the template the cycle ran on: every recorded score, grade and rank reproduced")
			} else {
				fmt.Fprintf(w, "the draft is the template the cycle ran on, yet %d result(s) differ from the record:\n", len(p.Mismatches))
				for _, m := range p.Mismatches {
					fmt.Fprintln(w, "  "+m)
				}
			}
		}
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "member\tas run\tgrade\trank\tdraft\tgrade\trank\tchange\tbonus ¥")
		for _, m := range p.Members {
			name := m.Name
			if name == "" {
				name = m.MemberID
			}
			change := ""
			if m.GradeChanged {
				change = m.AsRun.Grade + "→" + m.Draft.Grade
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", name, score(m.AsRun), m.AsRun.Grade, rank(m.AsRun), score(m.Draft), m.Draft.Grade, rank(m.Draft), change, bonusChange(m))
		}
		tw.Flush()
		tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		head, asRun, draft := "grades", "as run", "draft"
		for _, g := range p.Distribution {
			head += "\t" + g.Grade
			asRun += fmt.Sprintf("\t%d", g.AsRun)
			draft += fmt.Sprintf("\t%d", g.Draft)
		}
		fmt.Fprintln(tw, head+"\n"+asRun+"\n"+draft)
		tw.Flush()
		for _, l := range p.Limits {
			state := "kept"
			if !l.Within {
				state = "broken: " + l.Message
			}
			fmt.Fprintf(w, "limit %s: %d to %d allowed, draft %d (as run %d), %s\n", strings.Join(l.Grades, "+"), l.MinCount, l.MaxCount, l.Draft, l.AsRun, state)
		}
		b := p.Bonus
		fmt.Fprintf(w, "bonus %s: as run %.0f, draft %.0f (%+.0f); set after calibration %.0f\n", b.Currency, b.AsRun, b.Draft, b.Difference, b.Recorded)
		fmt.Fprintf(w, "promotions: as run %s; draft %s\n", names(p.Promotions.AsRun, p), names(p.Promotions.Draft, p))
		for _, g := range p.Gaps {
			fmt.Fprintln(w, "gap: "+g.Message.En)
		}
		for _, n := range p.Notes {
			fmt.Fprintln(w, "note: "+n)
		}
	}
	fmt.Fprintln(w)
	sum := rep.Summary
	fmt.Fprintf(w, "in all: %d results over %d period(s), %d grade change(s) (%d up, %d down); bonus %s as run %.0f, draft %.0f (%+.0f); %d gap(s)\n",
		sum.Results, sum.Periods, sum.Changed, sum.Up, sum.Down, sum.Bonus.Currency, sum.Bonus.AsRun, sum.Bonus.Draft, sum.Bonus.Difference, sum.Gaps)
	if len(rep.IDPs.Draft) == 0 {
		fmt.Fprintln(w, "IDPs under the draft: none")
	}
	for _, d := range rep.IDPs.Draft {
		name := d.Name
		if name == "" {
			name = d.MemberID
		}
		runs := make([]string, len(d.Run))
		for i, r := range d.Run {
			runs[i] = fmt.Sprintf("%s %d/%d %.2f", r.Period, r.Rank, r.TeamSize, r.Score)
		}
		fmt.Fprintf(w, "IDP under the draft after %s: %s (%s)\n", d.Period, name, strings.Join(runs, "; "))
	}
	for _, n := range rep.Notes {
		fmt.Fprintln(w, "note: "+n.En)
	}
}

func score(s backtest.Standing) string {
	if s.Withheld {
		return "withheld"
	}
	return fmt.Sprintf("%.2f", s.Score)
}

func rank(s backtest.Standing) string {
	if s.Withheld || s.Rank == 0 {
		return "-"
	}
	return fmt.Sprint(s.Rank)
}

func bonusChange(m backtest.MemberRow) string {
	if m.Draft.Bonus == m.AsRun.Bonus {
		return fmt.Sprintf("%.0f", m.Draft.Bonus)
	}
	return fmt.Sprintf("%.0f→%.0f", m.AsRun.Bonus, m.Draft.Bonus)
}

func names(ids []string, p backtest.PeriodReport) string {
	if len(ids) == 0 {
		return "none"
	}
	by := map[string]string{}
	for _, m := range p.Members {
		by[m.MemberID] = m.Name
	}
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = by[id]
		if out[i] == "" {
			out[i] = id
		}
	}
	return strings.Join(out, ", ")
}
