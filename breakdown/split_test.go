package breakdown_test

import (
	"errors"
	"math"
	"math/rand"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/perfloop/perfloop/breakdown"
)

func ptr[T any](v T) *T { return &v }

func ids(n int) []breakdown.Member {
	ms := make([]breakdown.Member, n)
	for i := range ms {
		ms[i].ID = "m" + strconv.Itoa(i+1)
	}
	return ms
}

func values(parts []breakdown.Part) []float64 {
	out := make([]float64, len(parts))
	for i, p := range parts {
		out[i] = p.Value
	}
	return out
}

func TestEachMethodSplitsTheTeamTargetAsDocumented(t *testing.T) {
	tests := []struct {
		name    string
		in      breakdown.Input
		want    []float64
		method  breakdown.Method
		floored []string
	}{
		{
			name: "equal split of 100 sign-ups among 3 gives the leftover to the first member",
			in:   breakdown.Input{Total: 100, Method: breakdown.MethodEqual, Members: ids(3)},
			want: []float64{34, 33, 33}, method: breakdown.MethodEqual,
		},
		{
			name: "equal split of an amount rounds to cents",
			in:   breakdown.Input{Total: 100, Decimals: 2, Method: breakdown.MethodEqual, Members: ids(3)},
			want: []float64{33.34, 33.33, 33.33}, method: breakdown.MethodEqual,
		},
		{
			name: "weighted split of 500 quarterly fans follows level weights junior 1, senior 1.5",
			in: breakdown.Input{Total: 500, Method: breakdown.MethodWeighted, Members: []breakdown.Member{
				{ID: "junior-a", Weight: 1}, {ID: "junior-b", Weight: 1}, {ID: "senior", Weight: 1.5},
			}},
			want: []float64{143, 143, 214}, method: breakdown.MethodWeighted,
		},
		{
			name: "weighted member with zero weight gets nothing",
			in: breakdown.Input{Total: 10, Method: breakdown.MethodWeighted, Members: []breakdown.Member{
				{ID: "a", Weight: 0}, {ID: "b", Weight: 1}, {ID: "c", Weight: 1},
			}},
			want: []float64{0, 5, 5}, method: breakdown.MethodWeighted,
		},
		{
			name: "history split follows last month's conversions",
			in: breakdown.Input{Total: 120, Method: breakdown.MethodHistory, Members: []breakdown.Member{
				{ID: "a", History: 30}, {ID: "b", History: 50}, {ID: "c", History: 20},
			}},
			want: []float64{36, 60, 24}, method: breakdown.MethodHistory,
		},
		{
			name: "history gives a member without history the average of those with history",
			in: breakdown.Input{Total: 90, Method: breakdown.MethodHistory, Members: []breakdown.Member{
				{ID: "a", History: 20}, {ID: "b", History: 40}, {ID: "new", History: 0},
			}},
			want: []float64{20, 40, 30}, method: breakdown.MethodHistory, floored: []string{"new"},
		},
		{
			name: "history falls back to equal when nobody has history",
			in:   breakdown.Input{Total: 9, Method: breakdown.MethodHistory, Members: ids(3)},
			want: []float64{3, 3, 3}, method: breakdown.MethodEqual,
		},
		{
			name: "manual split keeps the manager's figures",
			in: breakdown.Input{Total: 100, Decimals: 1, Method: breakdown.MethodManual, Members: []breakdown.Member{
				{ID: "a", Manual: ptr(50.5)}, {ID: "b", Manual: ptr(30.0)}, {ID: "c", Manual: ptr(19.5)},
			}},
			want: []float64{50.5, 30, 19.5}, method: breakdown.MethodManual,
		},
		{
			name: "manual figures finer than the precision are rounded by largest remainder",
			in: breakdown.Input{Total: 100, Method: breakdown.MethodManual, Members: []breakdown.Member{
				{ID: "a", Manual: ptr(33.4)}, {ID: "b", Manual: ptr(33.3)}, {ID: "c", Manual: ptr(33.3)},
			}},
			want: []float64{34, 33, 33}, method: breakdown.MethodManual,
		},
		{
			name: "zero team target gives every member zero",
			in:   breakdown.Input{Total: 0, Method: breakdown.MethodEqual, Members: ids(2)},
			want: []float64{0, 0}, method: breakdown.MethodEqual,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := breakdown.Split(tt.in)
			require.NoError(t, err)
			require.Equal(t, tt.want, values(res.Parts))
			require.Equal(t, tt.method, res.Method)
			require.Equal(t, tt.floored, res.Floored)
			require.Equal(t, tt.method != tt.in.Method, res.Fallback != "", "Fallback explains a change of method")
			for i, p := range res.Parts {
				require.Equal(t, tt.in.Members[i].ID, p.MemberID, "parts follow input order")
			}
		})
	}
}

func TestSharesAreFractionsOfTheTeamTargetBeforeRounding(t *testing.T) {
	res, err := breakdown.Split(breakdown.Input{Total: 100, Method: breakdown.MethodEqual, Members: ids(3)})
	require.NoError(t, err)
	for _, p := range res.Parts {
		require.InDelta(t, 1.0/3, p.Share, 1e-12)
		require.Equal(t, 1.0, p.ProRata)
	}
}

func TestTiesInRemainderGoToTheMemberListedFirst(t *testing.T) {
	members := []breakdown.Member{{ID: "zoe"}, {ID: "amy"}, {ID: "bob"}}
	res, err := breakdown.Split(breakdown.Input{Total: 2, Method: breakdown.MethodEqual, Members: members})
	require.NoError(t, err)
	require.Equal(t, []float64{1, 1, 0}, values(res.Parts))

	members = []breakdown.Member{{ID: "bob"}, {ID: "amy"}, {ID: "zoe"}}
	res, err = breakdown.Split(breakdown.Input{Total: 2, Method: breakdown.MethodEqual, Members: members})
	require.NoError(t, err)
	require.Equal(t, []float64{1, 1, 0}, values(res.Parts))
	require.Equal(t, "bob", res.Parts[0].MemberID)
}

func TestJoinerAtMidMonthGetsAboutHalfAShare(t *testing.T) {
	start := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)
	end := start.AddDate(0, 1, 0)
	joined := time.Date(2025, 3, 16, 0, 0, 0, 0, time.UTC)
	res, err := breakdown.Split(breakdown.Input{
		Total: 100, Method: breakdown.MethodEqual, PeriodStart: start, PeriodEnd: end,
		Members: []breakdown.Member{{ID: "veteran"}, {ID: "joiner", ActiveFrom: &joined}},
	})
	require.NoError(t, err)
	joiner := res.Parts[1]
	require.InDelta(t, 16.0/31, joiner.ProRata, 1e-12)
	// The joiner's share relative to a full-month colleague is the pro-rata fraction.
	require.InDelta(t, 16.0/31, joiner.Share/res.Parts[0].Share, 1e-12)
	require.Equal(t, []float64{66, 34}, values(res.Parts))
}

func TestLeaverBeforeThePeriodGetsNothingAndTheRestCarryTheTarget(t *testing.T) {
	start := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)
	left := start.AddDate(0, 0, -3)
	res, err := breakdown.Split(breakdown.Input{
		Total: 10, Method: breakdown.MethodEqual, PeriodStart: start, PeriodEnd: start.AddDate(0, 1, 0),
		Members: []breakdown.Member{{ID: "a"}, {ID: "gone", ActiveTo: &left}, {ID: "b"}},
	})
	require.NoError(t, err)
	require.Equal(t, []float64{5, 0, 5}, values(res.Parts))
	require.Equal(t, 0.0, res.Parts[1].ProRata)
}

func TestRetentionRateIsCopiedToEveryMemberNotSplit(t *testing.T) {
	start := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)
	joined := start.AddDate(0, 0, 15)
	in := breakdown.Input{
		Total: 35, Decimals: 1, Indivisible: true, PeriodStart: start, PeriodEnd: start.AddDate(0, 1, 0),
		Members: []breakdown.Member{{ID: "a"}, {ID: "b", ActiveFrom: &joined}},
	}
	res, err := breakdown.Split(in)
	require.NoError(t, err)
	require.Equal(t, []float64{35, 35}, values(res.Parts))
	require.Equal(t, 1.0, res.Parts[1].Share)
	require.Less(t, res.Parts[1].ProRata, 1.0, "pro rata is reported but not applied to a rate")

	parts, err := breakdown.Copy(breakdown.Input{Total: 5, Members: ids(2)})
	require.NoError(t, err)
	require.Equal(t, []float64{5, 5}, values(parts), "response time ≤5 min applies to each member")
}

func TestManualSumMismatchNamesTheDifference(t *testing.T) {
	_, err := breakdown.Split(breakdown.Input{Total: 100, Decimals: 2, Method: breakdown.MethodManual, Members: []breakdown.Member{
		{ID: "a", Manual: ptr(33.33)}, {ID: "b", Manual: ptr(33.33)}, {ID: "c", Manual: ptr(33.33)},
	}})
	require.ErrorIs(t, err, breakdown.ErrManualSumMismatch)
	require.ErrorContains(t, err, "sum to 99.99 but the team target is 100.00 (0.01 short)")

	_, err = breakdown.Split(breakdown.Input{Total: 100, Method: breakdown.MethodManual, Members: []breakdown.Member{
		{ID: "a", Manual: ptr(60.0)}, {ID: "b", Manual: ptr(50.0)},
	}})
	require.ErrorIs(t, err, breakdown.ErrManualSumMismatch)
	require.ErrorContains(t, err, "(10 over)")
}

func TestInvalidInputIsRejectedWithTheFieldToFix(t *testing.T) {
	start := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)
	before := start.AddDate(0, 0, -1)
	tests := []struct {
		name string
		in   breakdown.Input
		want error
		path string
	}{
		{"no members", breakdown.Input{Total: 1, Method: breakdown.MethodEqual}, breakdown.ErrNoMembers, "/members"},
		{"unknown method", breakdown.Input{Total: 1, Method: "lottery", Members: ids(1)}, breakdown.ErrUnknownMethod, "/method"},
		{"decimals above 6", breakdown.Input{Total: 1, Decimals: 7, Method: breakdown.MethodEqual, Members: ids(1)}, breakdown.ErrDecimals, "/decimals"},
		{"negative decimals", breakdown.Input{Total: 1, Decimals: -1, Method: breakdown.MethodEqual, Members: ids(1)}, breakdown.ErrDecimals, "/decimals"},
		{"NaN total", breakdown.Input{Total: math.NaN(), Method: breakdown.MethodEqual, Members: ids(1)}, breakdown.ErrNotFinite, "/total"},
		{"negative total", breakdown.Input{Total: -5, Method: breakdown.MethodEqual, Members: ids(1)}, breakdown.ErrNegative, "/total"},
		{"total too large for the precision", breakdown.Input{Total: 1e12, Decimals: 6, Method: breakdown.MethodEqual, Members: ids(1)}, breakdown.ErrTooLarge, "/total"},
		{"empty member id", breakdown.Input{Total: 1, Method: breakdown.MethodEqual, Members: []breakdown.Member{{ID: "a"}, {}}}, breakdown.ErrMissingID, "/members/1/id"},
		{"duplicate member", breakdown.Input{Total: 1, Method: breakdown.MethodEqual, Members: []breakdown.Member{{ID: "a"}, {ID: "b"}, {ID: "a"}}}, breakdown.ErrDuplicateMember, "/members/2/id"},
		{"negative weight", breakdown.Input{Total: 1, Method: breakdown.MethodWeighted, Members: []breakdown.Member{{ID: "a", Weight: 1}, {ID: "b", Weight: -1}}}, breakdown.ErrNegative, "/members/1/weight"},
		{"infinite weight", breakdown.Input{Total: 1, Method: breakdown.MethodWeighted, Members: []breakdown.Member{{ID: "a", Weight: math.Inf(1)}}}, breakdown.ErrNotFinite, "/members/0/weight"},
		{"all weights zero", breakdown.Input{Total: 1, Method: breakdown.MethodWeighted, Members: ids(2)}, breakdown.ErrZeroWeights, "/members"},
		{"negative history", breakdown.Input{Total: 1, Method: breakdown.MethodHistory, Members: []breakdown.Member{{ID: "a", History: -3}}}, breakdown.ErrNegative, "/members/0/history"},
		{"manual figure missing", breakdown.Input{Total: 1, Method: breakdown.MethodManual, Members: []breakdown.Member{{ID: "a", Manual: ptr(1.0)}, {ID: "b"}}}, breakdown.ErrManualMissing, "/members/1/manual"},
		{"negative manual figure", breakdown.Input{Total: 1, Method: breakdown.MethodManual, Members: []breakdown.Member{{ID: "a", Manual: ptr(2.0)}, {ID: "b", Manual: ptr(-1.0)}}}, breakdown.ErrNegative, "/members/1/manual"},
		{"active dates without a period", breakdown.Input{Total: 1, Method: breakdown.MethodEqual, Members: []breakdown.Member{{ID: "a", ActiveFrom: &start}}}, breakdown.ErrPeriod, "/periodEnd"},
		{"active to before active from", breakdown.Input{Total: 1, Method: breakdown.MethodEqual, PeriodStart: start, PeriodEnd: start.AddDate(0, 1, 0),
			Members: []breakdown.Member{{ID: "a", ActiveFrom: &start, ActiveTo: &before}}}, breakdown.ErrPeriod, "/members/0/activeTo"},
		{"nobody active in the period", breakdown.Input{Total: 1, Method: breakdown.MethodEqual, PeriodStart: start, PeriodEnd: start.AddDate(0, 1, 0),
			Members: []breakdown.Member{{ID: "a", ActiveTo: &before}}}, breakdown.ErrZeroWeights, "/members"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := breakdown.Split(tt.in)
			require.ErrorIs(t, err, tt.want)
			require.ErrorContains(t, err, tt.path+":")
		})
	}
}

func TestCopyValidatesMembersToo(t *testing.T) {
	_, err := breakdown.Copy(breakdown.Input{Total: 35})
	require.ErrorIs(t, err, breakdown.ErrNoMembers)
}

// randomInput draws an input that Split should accept or reject, never panic on.
func randomInput(r *rand.Rand) breakdown.Input {
	methods := []breakdown.Method{breakdown.MethodEqual, breakdown.MethodWeighted, breakdown.MethodHistory, breakdown.MethodManual}
	in := breakdown.Input{
		Decimals:    r.Intn(breakdown.MaxDecimals + 1),
		Method:      methods[r.Intn(len(methods))],
		Members:     ids(1 + r.Intn(40)),
		PeriodStart: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC),
	}
	in.PeriodEnd = in.PeriodStart.AddDate(0, 1, 0)
	switch r.Intn(3) {
	case 0:
		in.Total = float64(r.Intn(1000))
	case 1:
		in.Total = r.Float64() * 1e6
	default:
		in.Total = r.Float64() * 3
	}
	for i := range in.Members {
		m := &in.Members[i]
		if r.Intn(4) > 0 {
			m.Weight = r.Float64() * 3
		}
		if r.Intn(3) > 0 {
			m.History = math.Floor(r.Float64() * 500)
		}
		if r.Intn(5) == 0 {
			from := in.PeriodStart.Add(time.Duration(r.Int63n(int64(40 * 24 * time.Hour))))
			m.ActiveFrom = &from
		}
	}
	if in.Method == breakdown.MethodManual {
		// Figures that add up: an equal split rounded to the precision.
		eq := in
		eq.Method = breakdown.MethodEqual
		eq.Members = ids(len(in.Members))
		res, err := breakdown.Split(eq)
		if err == nil {
			for i, p := range res.Parts {
				in.Members[i].Manual = ptr(p.Value)
			}
		}
	}
	return in
}

func requireSumInvariant(t testing.TB, in breakdown.Input, parts []breakdown.Part) {
	t.Helper()
	scale := math.Pow10(in.Decimals)
	var sum int64
	for i, p := range parts {
		require.Equal(t, in.Members[i].ID, p.MemberID)
		require.GreaterOrEqual(t, p.Units, int64(0))
		require.Equal(t, float64(p.Units)/scale, p.Value)
		sum += p.Units
	}
	require.Equal(t, int64(math.Round(in.Total*scale)), sum, "parts must sum exactly to the rounded total")
}

func TestLargestRemainderPartsSumExactly(t *testing.T) {
	r := rand.New(rand.NewSource(20250301))
	checked := 0
	for c := 0; c < 2000; c++ {
		in := randomInput(r)
		res, err := breakdown.Split(in)
		if errors.Is(err, breakdown.ErrZeroWeights) {
			continue // every sampled member inactive or weightless: a legitimate rejection
		}
		require.NoError(t, err, "case %d: %+v", c, in)
		requireSumInvariant(t, in, res.Parts)
		checked++
	}
	require.Greater(t, checked, 1900)
}

func TestSplitIsDeterministic(t *testing.T) {
	r := rand.New(rand.NewSource(7))
	for c := 0; c < 200; c++ {
		in := randomInput(r)
		first, err1 := breakdown.Split(in)
		second, err2 := breakdown.Split(in)
		require.Equal(t, err1, err2)
		require.Equal(t, first, second)
	}
}

func BenchmarkSplit1000Members(b *testing.B) {
	start := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)
	in := breakdown.Input{Total: 123456.78, Decimals: 2, Method: breakdown.MethodWeighted,
		PeriodStart: start, PeriodEnd: start.AddDate(0, 1, 0), Members: ids(1000)}
	for i := range in.Members {
		in.Members[i].Weight = 1 + float64(i%3)*0.5
		if i%10 == 0 {
			joined := start.AddDate(0, 0, i%28)
			in.Members[i].ActiveFrom = &joined
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := breakdown.Split(in); err != nil {
			b.Fatal(err)
		}
	}
}

func FuzzSplit(f *testing.F) {
	f.Add(100.0, uint8(0), uint8(0), uint8(3), int64(1))
	f.Add(123456.78, uint8(2), uint8(1), uint8(17), int64(2))
	f.Add(0.5, uint8(6), uint8(2), uint8(1), int64(3))
	f.Add(1e9, uint8(3), uint8(3), uint8(255), int64(4))
	f.Fuzz(func(t *testing.T, total float64, decimals, method, n uint8, seed int64) {
		r := rand.New(rand.NewSource(seed))
		methods := []breakdown.Method{breakdown.MethodEqual, breakdown.MethodWeighted, breakdown.MethodHistory, breakdown.MethodManual, "other"}
		in := randomInput(r)
		in.Total = total
		in.Decimals = int(decimals % 8)
		in.Method = methods[int(method)%len(methods)]
		in.Members = in.Members[:1+int(n)%len(in.Members)]
		if seed%7 == 0 {
			in.Members[0].Weight = math.MaxFloat64
			in.Members[0].History = math.MaxFloat64
		}
		res, err := breakdown.Split(in)
		if err != nil {
			return
		}
		requireSumInvariant(t, in, res.Parts)
	})
}
