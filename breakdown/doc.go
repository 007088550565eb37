// Package breakdown owns the arithmetic that turns a team target into member
// targets: equal, weighted, history-based and manual splits, pro-rata shares
// for members who join or leave mid-period, largest-remainder rounding so the
// member targets add up to the team target exactly, and copying of targets
// that cannot be divided (rates, percentages, lower-is-better limits).
//
// It is plain Go on purpose: workflows call it inside deterministic code and
// the template validator, the API and fuzz targets call it alike. It must
// never import Temporal, GORM, Gin, or any other perfloop package (store,
// api, templates, engine); callers map their types onto Input instead.
package breakdown
