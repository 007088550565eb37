package templates_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/perfloop/perfloop/templates"
)

func weightsByKey(ws []templates.RaterWeight) map[string]templates.RaterWeight {
	out := map[string]templates.RaterWeight{}
	for _, w := range ws {
		out[w.Key] = w
	}
	return out
}

// TestCommunityMonthlyBehaviourIsMostlyTheManagersDespiteFortyThirtyThirty:
// the manager rates collaboration (with cross-department, 40:30) and culture
// fit alone, the customer only member satisfaction, so of the 25 behaviour
// points the manager decides 10×4/7 + 10, cross-department 10×3/7, the
// customer 5.
func TestCommunityMonthlyBehaviourIsMostlyTheManagersDespiteFortyThirtyThirty(t *testing.T) {
	w := weightsByKey(templates.EffectiveWeights(builtin(t, "community-monthly"), ""))
	require.InDelta(t, 100*(10*4.0/7+10)/25, w["manager"].Behaviour, 1e-9) // 62.86
	require.InDelta(t, 100*(10*3.0/7)/25, w["crossDept"].Behaviour, 1e-9)  // 17.14
	require.InDelta(t, 20.0, w["customer"].Behaviour, 1e-9)
	require.InDelta(t, 10*4.0/7+10, w["manager"].Final, 1e-9) // 15.71 of the final score
	require.InDelta(t, 10*3.0/7, w["crossDept"].Final, 1e-9)
	require.InDelta(t, 5.0, w["customer"].Final, 1e-9)
	require.Zero(t, w["self"].Final, "self weighs 0")
}

// TestEffectiveWeightsFollowTheFinalFormula: cs-ops-monthly's formula names
// the manager and customer parts directly, so they decide 25 % and 15 %.
func TestEffectiveWeightsFollowTheFinalFormula(t *testing.T) {
	w := weightsByKey(templates.EffectiveWeights(builtin(t, "cs-ops-monthly"), ""))
	require.InDelta(t, 25.0, w["manager"].Final, 1e-9)
	require.InDelta(t, 15.0, w["customer"].Final, 1e-9)
	// Behaviour: collaboration is the manager's alone, service attitude 60:40.
	require.InDelta(t, 80.0, w["manager"].Behaviour, 1e-9)
	require.InDelta(t, 20.0, w["customer"].Behaviour, 1e-9)
}

func TestEffectiveWeightsUseTheMembersLevelWeights(t *testing.T) {
	tpl := builtin(t, "community-monthly")
	lw := tpl.WeightsFor("")
	lw["cultureFit"], lw["newMembers"] = 20, 10
	tpl.LevelWeights = map[string]map[string]float64{"senior": lw}
	w := weightsByKey(templates.EffectiveWeights(tpl, "senior"))
	require.InDelta(t, 10*4.0/7+20, w["manager"].Final, 1e-9)
	require.InDelta(t, 10*4.0/7+10, weightsByKey(templates.EffectiveWeights(tpl, "junior"))["manager"].Final, 1e-9)
}

func TestAPartLevelRaterMixKeepsTheRaterWeightsAsWritten(t *testing.T) {
	tpl := builtin(t, "community-monthly")
	tpl.RaterMix = templates.MixPart
	w := weightsByKey(templates.EffectiveWeights(tpl, ""))
	for key, want := range map[string]float64{"manager": 40, "crossDept": 30, "customer": 30, "self": 0} {
		require.InDelta(t, want, w[key].Behaviour, 1e-9, key)
		require.InDelta(t, want/4, w[key].Final, 1e-9, key+": of the 25 behaviour points")
	}
}
