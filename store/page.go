package store

import (
	"strings"

	"gorm.io/gorm"
)

// Page selects a slice of a list. Sort is a column name from the list's
// allowed set, "-" prefixed for descending.
type Page struct {
	Limit  int
	Offset int
	Sort   string
}

// DefaultLimit and MaxLimit bound every list so one request cannot pull a whole table.
const (
	DefaultLimit = 50
	MaxLimit     = 500
)

func (p Page) apply(q *gorm.DB, allowed map[string]string, fallback string) *gorm.DB {
	limit := p.Limit
	if limit <= 0 {
		limit = DefaultLimit
	}
	if limit > MaxLimit {
		limit = MaxLimit
	}
	order := fallback
	if p.Sort != "" {
		col, desc := strings.TrimPrefix(p.Sort, "-"), strings.HasPrefix(p.Sort, "-")
		if c, ok := allowed[col]; ok {
			order = c
			if desc {
				order += " DESC"
			}
		}
	}
	// The id tiebreak keeps pages stable when the sort column has duplicates.
	return q.Order(order).Order("id").Limit(limit).Offset(max(p.Offset, 0))
}
