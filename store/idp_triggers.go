package store

import (
	"encoding/json"
	"fmt"
)

// IDPTrigger is one of the periods at the bottom that led to a plan, with
// the member's place in it, so the member, the mentor and the manager can
// see why the plan exists ("2026-08: 8th of 9, 61.2").
type IDPTrigger struct {
	Period string `json:"period"`
	// Rank, TeamSize and Score are absent on plans created before they
	// were recorded, whose TriggerPeriods hold only period labels.
	Rank     int      `json:"rank,omitempty"`
	TeamSize int      `json:"teamSize,omitempty"`
	Score    *float64 `json:"score,omitempty"`
}

// Triggers reads the plan's TriggerPeriods column: a JSON list of
// IDPTrigger, or the plain list of period labels older plans hold.
func (p IDP) Triggers() ([]IDPTrigger, error) {
	if p.TriggerPeriods == "" {
		return nil, nil
	}
	var raw []json.RawMessage
	if err := json.Unmarshal([]byte(p.TriggerPeriods), &raw); err != nil {
		return nil, fmt.Errorf("idp %s trigger periods: %w", p.ID, err)
	}
	out := make([]IDPTrigger, len(raw))
	for i, r := range raw {
		if err := json.Unmarshal(r, &out[i].Period); err == nil {
			continue
		}
		if err := json.Unmarshal(r, &out[i]); err != nil {
			return nil, fmt.Errorf("idp %s trigger period %d: %w", p.ID, i, err)
		}
	}
	return out, nil
}
