package breakdown

import (
	"math"
	"slices"
)

// remainderResolution is the granularity at which remainders are compared.
// Shares that are equal on paper (1/3 computed two ways) can differ in the
// last float bits; quantising keeps such ties ties, so the documented tie
// rule decides them rather than float noise, and the ordering stays a strict
// weak order.
const remainderResolution = 1e9

// apportion splits total units by shares (fractions summing to 1) with the
// largest-remainder (Hamilton) method: everyone gets the floor of their
// quota, and the units left over go one each to the largest remainders.
//
// Ties in remainder go to the member listed first in the input. Because
// member IDs are unique, input order is already a total order, so member ID
// is never needed as a further tie-break. Members with a zero share never
// receive a leftover unit.
func apportion(total int64, shares []float64) []int64 {
	units := make([]int64, len(shares))
	rem := make([]int64, len(shares))
	order := make([]int, 0, len(shares))
	var given int64
	for i, s := range shares {
		q := float64(total) * s
		f := math.Floor(q)
		units[i] = int64(f)
		rem[i] = int64(math.Round((q - f) * remainderResolution))
		given += units[i]
		if s > 0 {
			order = append(order, i)
		}
	}
	slices.SortStableFunc(order, func(a, b int) int {
		switch {
		case rem[a] > rem[b]:
			return -1
		case rem[a] < rem[b]:
			return 1
		}
		return a - b
	})
	// The floors never exceed the total and fall short by fewer units than
	// there are members, but float error at extreme totals could break
	// either bound; cycling keeps the sum exact whatever happens.
	for left := total - given; left != 0 && len(order) > 0; {
		for _, i := range order {
			if left > 0 {
				units[i]++
				left--
			}
		}
		for j := len(order) - 1; j >= 0 && left < 0; j-- {
			if i := order[j]; units[i] > 0 {
				units[i]--
				left++
			}
		}
	}
	return units
}
