package backtest

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/perfloop/perfloop/store"
	"github.com/perfloop/perfloop/templates"
)

// periodKey is a period as cycles name it: 2026, 2026-07, 2026-Q3, 2026-H2.
var periodKey = regexp.MustCompile(`^\d{4}(-(0[1-9]|1[0-2]|Q[1-4]|H[12]))?$`)

// ErrBadRange is a period range that cannot be read.
var ErrBadRange = errors.New("bad period range")

// ParseRange reads "2026-07..2026-10" (or a single period) into its ends.
func ParseRange(s string) (from, to string, err error) {
	from, to, ok := strings.Cut(strings.TrimSpace(s), "..")
	if !ok {
		to = from
	}
	return CheckRange(strings.TrimSpace(from), strings.TrimSpace(to))
}

// CheckRange checks both ends are periods and from is not after to.
func CheckRange(from, to string) (string, string, error) {
	for _, p := range []string{from, to} {
		if !periodKey.MatchString(p) {
			return "", "", fmt.Errorf("%w: %q is not a period such as 2026-07, 2026-Q3 or 2026", ErrBadRange, p)
		}
	}
	if from > to {
		return "", "", fmt.Errorf("%w: %s comes after %s", ErrBadRange, from, to)
	}
	return from, to, nil
}

// Load reads the team's cycles in [from, to] for a backtest of draft: one
// cycle a period (the newest of the draft's key when there is one, else the
// newest), each with its as-run template and records, and the members'
// names. It returns the cycles it chose too, for the caller's access checks.
func Load(ctx context.Context, st *store.Store, orgID, teamID, from, to string, draft *templates.Template) (Input, []store.Cycle, error) {
	in := Input{Draft: draft, TeamID: teamID, From: from, To: to, Names: map[string]string{}}
	cycles, err := st.BacktestCycles(ctx, orgID, teamID, from, to)
	if err != nil {
		return in, nil, err
	}
	chosen := pick(cycles, draft.Key)
	ids := map[string]bool{}
	for i := range chosen {
		c := chosen[i]
		t, errs := templates.Parse([]byte(c.TemplateBody))
		if len(errs) > 0 {
			return in, chosen, fmt.Errorf("cycle %s (%s): its template cannot be read: %w", c.ID, c.Period, errs)
		}
		rec, err := st.RecordsOf(ctx, &c)
		if err != nil {
			return in, chosen, err
		}
		for _, m := range rec.Members {
			ids[m.MemberID] = true
		}
		in.Periods = append(in.Periods, Period{Cycle: c, AsRun: t, Records: rec})
	}
	list := make([]string, 0, len(ids))
	for id := range ids {
		list = append(list, id)
	}
	if len(list) > 0 {
		byID, err := st.MembersByID(ctx, orgID, list)
		if err != nil {
			return in, chosen, err
		}
		for id, m := range byID {
			in.Names[id] = m.Name
		}
	}
	return in, chosen, nil
}

// pick keeps one cycle a period from cycles listed by period, newest first
// within a period: the first of the draft's key, else the first.
func pick(cycles []store.Cycle, key string) []store.Cycle {
	var out []store.Cycle
	for i := 0; i < len(cycles); {
		j := i
		best := i
		for j < len(cycles) && cycles[j].Period == cycles[i].Period {
			if cycles[j].TemplateKey == key && cycles[best].TemplateKey != key {
				best = j
			}
			j++
		}
		out = append(out, cycles[best])
		i = j
	}
	return out
}
