package metrics

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/perfloop/perfloop/store"
	"github.com/perfloop/perfloop/templates"
)

// Columns are the metric keys a template reads, as a metrics sheet's
// columns: quantitative indicators, signals, and indicators that customers
// (a rater group fed by metrics) rate, as "source:indicator" with the
// source the group reads.
func Columns(t *templates.Template) []string {
	var out []string
	if t == nil {
		return out
	}
	for _, ind := range t.Indicators {
		if ind.Kind == templates.Quantitative {
			out = append(out, ind.Key)
		}
	}
	for _, sg := range t.Signals {
		out = append(out, sg.Key)
	}
	for _, r := range t.Raters {
		if r.InputOf() != "metrics" {
			continue
		}
		rated := r.Indicators
		if len(rated) == 0 {
			for _, ind := range t.Indicators {
				if ind.Kind == templates.Behavioural {
					rated = append(rated, ind.Key)
				}
			}
		}
		for _, k := range rated {
			out = append(out, r.SourceOf()+":"+k)
		}
	}
	return out
}

// indicator is a key some published template reads from metrics. raters
// is nil when any source counts (a measured figure); otherwise only values
// under one of the sources these rater groups read are read, so any other
// source would be stored and silently ignored.
type indicator struct {
	raters map[string]bool // the sources those groups read
	any    bool
}

func (i *indicator) sourceList() string {
	var out []string
	for k := range i.raters {
		out = append(out, k)
	}
	sort.Strings(out)
	return strings.Join(out, " or ")
}

func (i *indicator) firstSource() string {
	return strings.SplitN(i.sourceList(), " ", 2)[0]
}

// knownIndicators reads every template version the organisation has
// published and the shared ones it reads: a source only another
// organisation's template reads is no reason to store a value here.
func (s *Service) knownIndicators(ctx context.Context, orgID string) (map[string]*indicator, error) {
	out := map[string]*indicator{}
	for page := (store.Page{Limit: store.MaxLimit}); ; page.Offset += store.MaxLimit {
		tvs, total, err := s.Store.ListTemplates(ctx, store.TemplateFilter{OrgID: orgID, Status: store.TemplatePublished}, page)
		if err != nil {
			return nil, fmt.Errorf("known indicators: %w", err)
		}
		for _, tv := range tvs {
			// A published body was valid when frozen; a validator that has
			// since grown stricter must not hide the indicators its cycles read.
			t, _ := templates.Parse([]byte(tv.Body))
			if t == nil {
				continue
			}
			for _, col := range Columns(t) {
				rater, key, rated := strings.Cut(col, ":")
				if !rated {
					key = rater
				}
				ind := out[key]
				if ind == nil {
					ind = &indicator{}
					out[key] = ind
				}
				if !rated {
					ind.any = true
					continue
				}
				if ind.raters == nil {
					ind.raters = map[string]bool{}
				}
				ind.raters[rater] = true
			}
		}
		if int64(page.Offset+len(tvs)) >= total || len(tvs) == 0 {
			break
		}
	}
	for _, ind := range out {
		if ind.any {
			ind.raters = nil
		}
	}
	return out, nil
}
