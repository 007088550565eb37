// Package raters holds who may rate whom: an organisation's roster with
// each member's management chain, the independence rule a peer or
// cross-department rater must meet, and the check of raters a lead
// nominates by that same rule. The activities pick raters with it and the
// API checks nominations with it, so the two cannot drift.
//
// It reads members and teams through store and must never import
// activities, api, cycles or workflows.
package raters
