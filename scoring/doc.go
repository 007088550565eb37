// Package scoring owns the arithmetic of a review: indicator scores from
// metric values (linear, bands, threshold, ratio), answers on rating scales
// as points, adjustments from anti-gaming rules, weighted totals, the rater
// mix, grades, ranks, forced distribution checks and proposals, and bonus
// tiers.
//
// Every score is on a 0–100 scale by convention: rule points, adjusted
// scores, weighted totals and rater mixes all live there, so grade bands and
// distribution limits can be written once and compared across indicators.
//
// It is plain Go on purpose: workflows call it inside deterministic code and
// the template validator reuses CheckBands and Feasible. It must never import
// Temporal, GORM, Gin, or any other perfloop package (store, api, templates,
// engine); callers map their types onto these.
package scoring
