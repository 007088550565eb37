package scorecard_test

import (
	"fmt"
	"math"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/perfloop/perfloop/scorecard"
	"github.com/perfloop/perfloop/scoring"
	"github.com/perfloop/perfloop/templates"
)

func csOps(t *testing.T) *templates.Template {
	t.Helper()
	ts, err := templates.Builtins()
	require.NoError(t, err)
	for _, tpl := range ts {
		if tpl.Key == "cs-ops-monthly" {
			return tpl
		}
	}
	t.Fatal("no cs-ops-monthly")
	return nil
}

func member(id string, satisfaction, response, retention, rating, complaints, attitude, manager float64) scorecard.MemberData {
	return scorecard.MemberData{
		MemberID: id, Level: "junior",
		Metrics: map[string]float64{"satisfaction": satisfaction, "responseTime": response, "retention": retention, "oneOnOneRating": rating, "complaintRate": complaints},
		Ratings: map[string]map[string][]float64{
			"customer": {"serviceAttitude": {attitude}},
			"manager":  {"collaboration": {manager}, "serviceAttitude": {manager}},
			"self":     {"collaboration": {5}, "serviceAttitude": {5}},
		},
	}
}

// TestScoresFollowTheTemplatesRules checks one member by hand: banded
// satisfaction, lower-is-better response time, the complaints rule, the
// rater mix and the three-way formula.
func TestScoresFollowTheTemplatesRules(t *testing.T) {
	out, err := scorecard.ScoreMembers(csOps(t), []scorecard.MemberData{member("m1", 92, 4, 42.5, 96, 6, 80, 4)})
	require.NoError(t, err)
	s := out[0]
	require.Equal(t, 90.0, s.Indicators["satisfaction"], "90–95 → 90 points")
	require.InDelta(t, 80.0, s.Indicators["responseTime"], 1e-9, "4 min is halfway from 5 (60) to 3 (100)")
	require.InDelta(t, 80.0*0.8, s.Indicators["retention"], 1e-9, "42.5%% is halfway to 50 → 80, then ×0.8 for complaints over 5%%")
	require.Equal(t, 100.0, s.Indicators["oneOnOneRating"], "96%% passes the 90%% threshold")
	require.InDelta(t, 75.0, s.Indicators["collaboration"], 1e-9, "manager 4 on 1–5 is 75; self weighs 0")
	// serviceAttitude: manager 75 (weight 60) and customer 80 (weight 40).
	require.InDelta(t, 0.6*75+0.4*80, s.Indicators["serviceAttitude"], 1e-9)
	require.Len(t, s.Adjustments, 1)
	q := (30*90 + 20*80 + 20*64 + 10*100) / 80.0
	require.InDelta(t, q, s.Parts["quantitative"], 1e-9)
	want := 0.6*q + 0.25*75 + 0.15*80
	require.InDelta(t, want, s.Final, 0.006)
}

// TestTiesAreBrokenByTheHeaviestIndicatorThenByID: equal finals are
// ordered by satisfaction (the heaviest indicator), and a full tie by
// member id, flagged for the meeting.
func TestTiesAreBrokenByTheHeaviestIndicatorThenByID(t *testing.T) {
	a := member("b-member", 92, 4, 42.5, 96, 1, 80, 4)
	b := member("a-member", 92, 4, 42.5, 96, 1, 80, 4)
	out, err := scorecard.ScoreMembers(csOps(t), []scorecard.MemberData{a, b})
	require.NoError(t, err)
	byID := map[string]scorecard.MemberScore{out[0].MemberID: out[0], out[1].MemberID: out[1]}
	require.Equal(t, 1, byID["a-member"].Rank)
	require.True(t, byID["a-member"].TieByID)
}

// TestMissingRatingsAreLeftOutNotZero: a member nobody rated is scored on
// what exists, and the gap is reported.
func TestMissingRatingsAreLeftOutNotZero(t *testing.T) {
	m := member("m1", 92, 4, 42.5, 96, 1, 80, 4)
	delete(m.Ratings, "manager")
	delete(m.Ratings, "self")
	out, err := scorecard.ScoreMembers(csOps(t), []scorecard.MemberData{m})
	require.NoError(t, err)
	require.Contains(t, scorecard.Keys(out[0].Missing), "collaboration")
	require.Equal(t, 80.0, out[0].Indicators["serviceAttitude"], "the customer's score alone")
}

func TestForcedDistributionProposesGradesThatKeepTheLimits(t *testing.T) {
	var ms []scorecard.MemberData
	for i := 0; i < 10; i++ {
		f := float64(i)
		ms = append(ms, member(string(rune('a'+i)), 99-f, 2.5, 55, 96, 1, 95, 5))
		_ = f
	}
	out, err := scorecard.ScoreMembers(csOps(t), ms)
	require.NoError(t, err)
	count := map[string]int{}
	for _, s := range out {
		count[s.Proposed]++
	}
	require.LessOrEqual(t, count["S"], 1, "S ≤ 10%% of ten")
	require.GreaterOrEqual(t, count["C"], 1, "C ≥ 10%% of ten")
}

// newJoiner has every cs-ops value but the customer survey: the customer
// rater group (15 % of the formula, and 40 % of service attitude) is
// missing.
func newJoiner() scorecard.MemberData {
	m := member("new", 92, 4, 42.5, 96, 1, 80, 4)
	delete(m.Ratings, "customer")
	return m
}

func withPolicy(t *testing.T, policy string) *templates.Template {
	t.Helper()
	tpl := csOps(t)
	for i := range tpl.Raters {
		if tpl.Raters[i].Key == "customer" {
			tpl.Raters[i].Missing = policy
		}
	}
	return tpl
}

func TestNewJoinerWithoutCustomerSurveyIsRenormalisedNotScoredZero(t *testing.T) {
	out, err := scorecard.ScoreMembers(csOps(t), []scorecard.MemberData{newJoiner()})
	require.NoError(t, err)
	s := out[0]
	q := (30*90 + 20*80 + 20*80 + 10*100) / 80.0
	// 0.15 of customer is spread over quantitative (0.6) and manager (0.25).
	want := (0.6*q + 0.25*75) / 0.85
	require.InDelta(t, want, s.Final, 0.006)
	require.Contains(t, s.Missing, scorecard.MissingData{Key: "customer", Kind: scorecard.MissingPart, Policy: scoring.Renormalise})
	require.Contains(t, s.Missing, scorecard.MissingData{Key: "customer", Kind: scorecard.MissingRater, In: "serviceAttitude", Policy: scoring.Renormalise})
	require.Equal(t, 75.0, s.Indicators["serviceAttitude"], "the manager's rating alone")
	require.Empty(t, s.Blocked)
	requirePartsRecompute(t, s)
}

func TestMissingCustomerSurveyUnderZeroPolicyCountsAsZero(t *testing.T) {
	out, err := scorecard.ScoreMembers(withPolicy(t, "zero"), []scorecard.MemberData{newJoiner()})
	require.NoError(t, err)
	s := out[0]
	// Service attitude: manager 75 × 60 %, customer 0 × 40 %.
	require.InDelta(t, 45, s.Indicators["serviceAttitude"], 1e-9)
	q := (30*90 + 20*80 + 20*80 + 10*100) / 80.0
	require.InDelta(t, 0.6*q+0.25*75, s.Final, 0.006)
	require.Contains(t, s.Missing, scorecard.MissingData{Key: "customer", Kind: scorecard.MissingPart, Policy: scoring.Zero})
	requirePartsRecompute(t, s)
}

func TestMissingCustomerSurveyUnderBlockPolicyWithholdsTheScore(t *testing.T) {
	full := member("full", 92, 4, 42.5, 96, 1, 80, 4)
	out, err := scorecard.ScoreMembers(withPolicy(t, "block"), []scorecard.MemberData{newJoiner(), full})
	require.NoError(t, err)
	byID := map[string]scorecard.MemberScore{out[0].MemberID: out[0], out[1].MemberID: out[1]}
	s := byID["new"]
	require.NotEmpty(t, s.Blocked)
	require.Contains(t, s.Blocked, scorecard.MissingData{Key: "customer", Kind: scorecard.MissingPart, Policy: scoring.Block})
	require.Zero(t, s.Final)
	require.Empty(t, s.Grade)
	require.Empty(t, s.Proposed)
	require.Zero(t, s.Rank, "not ranked on a partial score")
	require.Equal(t, 1, byID["full"].Rank, "the others are ranked without the blocked member")
	require.Empty(t, byID["full"].Blocked)
}

// TestBuiltInScoresAreUnchangedWhenNothingIsMissing evaluates each
// built-in's formula (or weighted total) the way scoring did before
// missing-data policies, on members with every value, and compares.
func TestBuiltInScoresAreUnchangedWhenNothingIsMissing(t *testing.T) {
	ts, err := templates.Builtins()
	require.NoError(t, err)
	for _, tpl := range ts {
		t.Run(tpl.Key, func(t *testing.T) {
			ms := fullMembers(tpl, 12)
			out, err := scorecard.ScoreMembers(tpl, ms)
			require.NoError(t, err)
			for _, s := range out {
				require.Empty(t, s.Missing, s.MemberID)
				weights := tpl.LevelWeights["junior"]
				if weights == nil {
					weights = map[string]float64{}
					for _, ind := range tpl.Indicators {
						weights[ind.Key] = ind.Weight
					}
				}
				want, err := scoring.Weighted(s.Indicators, weights)
				require.NoError(t, err)
				if tpl.Formula != "" {
					p, err := templates.Compile(templates.CtxFormula, tpl.Formula, tpl)
					require.NoError(t, err)
					want, err = p.Float(templates.Env{Vars: s.Parts, Score: s.Indicators})
					require.NoError(t, err)
				}
				require.InDelta(t, math.Round(math.Max(0, math.Min(100, want))*100)/100, s.Final, 1e-9, s.MemberID)
				requirePartsRecompute(t, s)
			}
		})
	}
}

// fullMembers gives n members a value for every indicator and signal and
// a rating from every rater group for everything it rates.
func fullMembers(tpl *templates.Template, n int) []scorecard.MemberData {
	var out []scorecard.MemberData
	for i := range n {
		m := scorecard.MemberData{MemberID: fmt.Sprintf("m%02d", i), Level: "junior", Metrics: map[string]float64{}, Targets: map[string]float64{}, Ratings: map[string]map[string][]float64{}}
		for j, ind := range tpl.Indicators {
			if ind.Kind != templates.Quantitative {
				continue
			}
			v := 50.0 + float64((i*7+j*13)%50)
			if ind.Scoring != nil && ind.Scoring.Method == templates.ScoreBands {
				v = ind.Scoring.Bands[(i+j)%len(ind.Scoring.Bands)].Min
			}
			m.Metrics[ind.Key] = v
		}
		for _, sg := range tpl.Signals {
			m.Metrics[sg.Key] = float64((i * 3) % 10)
		}
		for _, r := range tpl.Raters {
			m.Ratings[r.Key] = map[string][]float64{}
			for _, ind := range tpl.Indicators {
				if ind.Kind != templates.Behavioural || len(r.Indicators) > 0 && !slices.Contains(r.Indicators, ind.Key) {
					continue
				}
				lo, hi := 0.0, 100.0
				if r.Scale != nil {
					lo, hi = r.Scale.Min, r.Scale.Max
				}
				m.Ratings[r.Key][ind.Key] = []float64{lo + (hi-lo)*float64((i+len(ind.Key))%5)/4}
			}
		}
		out = append(out, m)
	}
	return out
}

// requirePartsRecompute holds the explanation to the final score: the
// parts, weighted, give it back to the hundredth.
func requirePartsRecompute(t *testing.T, s scorecard.MemberScore) {
	t.Helper()
	e := s.Explanation
	sum := e.Constant
	for _, p := range e.Parts {
		sum += p.Weight * p.Score / 100
	}
	require.InDelta(t, s.Final, math.Round(math.Max(0, math.Min(100, sum))*100)/100, 0.0051, "%s: parts %+v", s.MemberID, e.Parts)
	require.Equal(t, s.Final, e.Final)
}

func TestWaivedMemberIsScoredOnTheDataThereIsUnderABlockPolicy(t *testing.T) {
	m := newJoiner()
	m.Waiver = "新员工，本月无客户调研"
	out, err := scorecard.ScoreMembers(withPolicy(t, "block"), []scorecard.MemberData{m})
	require.NoError(t, err)
	s := out[0]
	require.Empty(t, s.Blocked)
	q := (30*90 + 20*80 + 20*80 + 10*100) / 80.0
	require.InDelta(t, (0.6*q+0.25*75)/0.85, s.Final, 0.006, "as under renormalise")
	require.Contains(t, s.Missing, scorecard.MissingData{Key: "customer", Kind: scorecard.MissingPart, Policy: scoring.Renormalise})
	require.Equal(t, m.Waiver, s.Explanation.Waiver)
	require.Equal(t, 1, s.Rank)
	requirePartsRecompute(t, s)
}

// withScale gives every 1–5 rater group of cs-ops-monthly the mapping,
// through the template parser so the JSON is what an admin would write.
func withScale(t *testing.T, scale string) *templates.Template {
	t.Helper()
	files, err := templates.BuiltinFiles()
	require.NoError(t, err)
	for _, f := range files {
		if f.Name != "builtin/cs-ops-monthly.json" {
			continue
		}
		body := strings.ReplaceAll(string(f.Data), `"scale": {"min": 1, "max": 5}`, `"scale": `+scale)
		tpl, errs := templates.Parse([]byte(body))
		require.Empty(t, errs)
		return tpl
	}
	t.Fatal("no cs-ops-monthly")
	return nil
}

func TestARatioScaleScoresAThreeOfFiveAsSixty(t *testing.T) {
	out, err := scorecard.ScoreMembers(withScale(t, `{"min": 1, "max": 5, "mapping": "ratio"}`), []scorecard.MemberData{member("m1", 92, 4, 42.5, 96, 6, 80, 3)})
	require.NoError(t, err)
	require.InDelta(t, 60.0, out[0].Indicators["collaboration"], 1e-9)
	require.InDelta(t, 60.0, out[0].Parts["manager"], 1e-9)
	require.InDelta(t, 0.6*60+0.4*80, out[0].Indicators["serviceAttitude"], 1e-9)

	linear, err := scorecard.ScoreMembers(csOps(t), []scorecard.MemberData{member("m1", 92, 4, 42.5, 96, 6, 80, 3)})
	require.NoError(t, err)
	require.InDelta(t, 50.0, linear[0].Indicators["collaboration"], 1e-9, "without a mapping a 3 stays 50")
}

func TestAPointsScaleScoresEachRatingBeforeAveraging(t *testing.T) {
	tpl := withScale(t, `{"min": 1, "max": 5, "mapping": "points", "points": {"1": 20, "2": 40, "3": 60, "4": 85, "5": 100}}`)
	m := member("m1", 92, 4, 42.5, 96, 6, 80, 3)
	m.Ratings["manager"]["collaboration"] = []float64{3, 5}
	out, err := scorecard.ScoreMembers(tpl, []scorecard.MemberData{m})
	require.NoError(t, err)
	require.InDelta(t, 80.0, out[0].Indicators["collaboration"], 1e-9, "(60 + 100) / 2")
}

func TestTheExplanationGivesEachRaterGroupsEffectiveWeight(t *testing.T) {
	out, err := scorecard.ScoreMembers(csOps(t), []scorecard.MemberData{member("m1", 92, 4, 42.5, 96, 6, 80, 3)})
	require.NoError(t, err)
	got := map[string]float64{}
	for _, r := range out[0].Explanation.Raters {
		got[r.Key] = r.EffectiveWeight
	}
	require.InDeltaMapValues(t, map[string]float64{"self": 0, "manager": 25, "customer": 15}, got, 1e-9)
}

func community(t *testing.T, raterMix string) *templates.Template {
	t.Helper()
	ts, err := templates.Builtins()
	require.NoError(t, err)
	for _, tpl := range ts {
		if tpl.Key == "community-monthly" {
			tpl.RaterMix = raterMix
			return tpl
		}
	}
	t.Fatal("no community-monthly")
	return nil
}

// TestAPartLevelRaterMixWeighsEachGroupsAverageAsWritten: with "raterMix":
// "part" community-monthly's behaviour part is manager 40 %, cross-department
// 30 %, customer 30 % of the groups' averages, and weighs the 25 % its
// indicators total; per indicator it would be 63/17/20.
func TestAPartLevelRaterMixWeighsEachGroupsAverageAsWritten(t *testing.T) {
	m := fullMembers(community(t, ""), 1)[0]
	m.Ratings["manager"] = map[string][]float64{"collaboration": {5}, "cultureFit": {3}} // 100 and 50: average 75
	m.Ratings["crossDept"] = map[string][]float64{"collaboration": {2}}                  // 25
	m.Ratings["customer"] = map[string][]float64{"memberSatisfaction": {90}}             // 0–100
	out, err := scorecard.ScoreMembers(community(t, templates.MixPart), []scorecard.MemberData{m})
	require.NoError(t, err)
	s := out[0]
	require.InDelta(t, 0.4*75+0.3*25+0.3*90, s.Parts["behaviour"], 1e-9)
	require.InDelta(t, 0.75*s.Parts["quantitative"]+0.25*64.5, s.Final, 0.0051)
	requirePartsRecompute(t, s)
	require.InDelta(t, 10.0, raterWeight(s, "manager"), 1e-9, "40 % of the 25 behaviour points")

	perIndicator, err := scorecard.ScoreMembers(community(t, ""), []scorecard.MemberData{m})
	require.NoError(t, err)
	require.InDelta(t, (10*(40*100+30*25)/70.0+10*50+5*90)/25, perIndicator[0].Parts["behaviour"], 1e-9)
}

func TestAPartLevelRaterMixSpreadsAMissingGroupsWeightOverTheOthers(t *testing.T) {
	m := fullMembers(community(t, ""), 1)[0]
	m.Ratings["manager"] = map[string][]float64{"collaboration": {5}, "cultureFit": {3}}
	m.Ratings["crossDept"] = map[string][]float64{"collaboration": {2}}
	delete(m.Ratings, "customer")
	out, err := scorecard.ScoreMembers(community(t, templates.MixPart), []scorecard.MemberData{m})
	require.NoError(t, err)
	require.InDelta(t, (40*75+30*25)/70.0, out[0].Parts["behaviour"], 1e-9)
	require.Contains(t, out[0].Missing, scorecard.MissingData{Key: "customer", Kind: scorecard.MissingRater, In: "behaviour", Policy: scoring.Renormalise})
	requirePartsRecompute(t, out[0])
}

func raterWeight(s scorecard.MemberScore, key string) float64 {
	for _, r := range s.Explanation.Raters {
		if r.Key == key {
			return r.EffectiveWeight
		}
	}
	return math.NaN()
}

// TestValueOutsideEveryBandNamesTheMemberIndicatorAndValue: the reason a
// blocked cycle shows must say which row to correct.
func TestValueOutsideEveryBandNamesTheMemberIndicatorAndValue(t *testing.T) {
	ok := member("m1", 92, 4, 42.5, 96, 1, 80, 4)
	bad := member("m2", 150, 4, 42.5, 96, 1, 80, 4)
	_, err := scorecard.ScoreMembers(csOps(t), []scorecard.MemberData{ok, bad})
	var se *scorecard.ScoreError
	require.ErrorAs(t, err, &se)
	require.Equal(t, "m2", se.MemberID)
	require.Equal(t, "satisfaction", se.Indicator)
	require.ErrorIs(t, err, scoring.ErrNoBand)
	require.Equal(t, "member m2, indicator satisfaction: value 150: no band contains the value", err.Error())
}

// TestScoringOnEveryCoreGivesWhatOneCoreGives: a cycle large enough to be
// split across goroutines comes out exactly as on one core (scores,
// explanations, ranks and proposed grades), and when several members
// cannot be scored the error names the first of them in the cycle's order,
// however the work was shared.
func TestScoringOnEveryCoreGivesWhatOneCoreGives(t *testing.T) {
	tpl := csOps(t)
	var ms []scorecard.MemberData
	for i := range 1500 {
		f := float64(i % 97)
		ms = append(ms, member(fmt.Sprintf("m%04d", i), 60+f*0.4, 2+f/30, 30+f/5, 85+f/8, f/20, 60+f/3, 1+f/25))
	}
	prev := runtime.GOMAXPROCS(1)
	one, err := scorecard.ScoreMembers(tpl, ms)
	runtime.GOMAXPROCS(max(prev, 4))
	defer runtime.GOMAXPROCS(prev)
	require.NoError(t, err)
	many, err := scorecard.ScoreMembers(tpl, ms)
	require.NoError(t, err)
	require.Equal(t, one, many)
	require.NotEqual(t, one[0].Rank, one[1].Rank, "the members differ, so the test ranks something")

	for _, i := range []int{1400, 700, 1499} {
		ms[i].Metrics["satisfaction"] = 150 // outside every band
	}
	for range 5 {
		_, err = scorecard.ScoreMembers(tpl, ms)
		var se *scorecard.ScoreError
		require.ErrorAs(t, err, &se)
		require.Equal(t, "m0700", se.MemberID)
	}
}
