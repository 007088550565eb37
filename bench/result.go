package bench

import (
	"bytes"
	"encoding/json"
	"math"
	"sort"
	"time"
)

// Figure is one measured number: Name is its JSON key and says the unit
// (allTasksMs, perSec, allocs).
type Figure struct {
	Name  string
	Value float64
}

// Figures keep the order they were measured in; the first is the headline
// the table shows. They encode as one JSON object in that order.
type Figures []Figure

// Get returns the figure called name, or 0.
func (fs Figures) Get(name string) float64 {
	for _, f := range fs {
		if f.Name == name {
			return f.Value
		}
	}
	return 0
}

func (fs *Figures) add(name string, v float64) { *fs = append(*fs, Figure{name, round(v)}) }

func (fs *Figures) ms(name string, d time.Duration) {
	fs.add(name, float64(d)/float64(time.Millisecond))
}

// MarshalJSON writes the figures as an object keyed by name, in order.
func (fs Figures) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, f := range fs {
		if i > 0 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(f.Name)
		v, err := json.Marshal(f.Value)
		if err != nil {
			return nil, err
		}
		b.Write(k)
		b.WriteByte(':')
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// UnmarshalJSON reads an object of numbers; keys come back sorted, since
// a Go map keeps no order.
func (fs *Figures) UnmarshalJSON(data []byte) error {
	var m map[string]float64
	if err := json.Unmarshal(data, &m); err != nil {
		return err
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	*fs = (*fs)[:0]
	for _, k := range keys {
		*fs = append(*fs, Figure{k, m[k]})
	}
	return nil
}

// Result is one scenario at one size.
type Result struct {
	Scenario string  `json:"scenario"`
	Members  int     `json:"members"`
	Ours     Figures `json:"ours"`
	Raw      Figures `json:"raw"`
	// Ratio is ours / raw for the headline figures: above 1 means Perfloop
	// takes that many times as long as bare Temporal (or SQL).
	Ratio float64 `json:"ratio"`
	// Ratios are every comparison made, each ours / raw.
	Ratios map[string]float64 `json:"ratios,omitempty"`
	// Rounds is how many times ours and raw were measured, back to back;
	// with more than one, every figure and ratio is the rounds' median.
	Rounds int `json:"rounds"`
	// RatioMin and RatioMax are the lowest and highest headline ratio of
	// the rounds; Spread is (RatioMax - RatioMin) / Ratio.
	RatioMin float64 `json:"ratioMin"`
	RatioMax float64 `json:"ratioMax"`
	Spread   float64 `json:"spread"`
	Notes    string  `json:"notes"`
}

func ratio(ours, raw float64) float64 {
	if raw <= 0 {
		return 0
	}
	return round(ours / raw)
}

// round keeps three decimals so tables and JSON stay readable.
func round(v float64) float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return 0
	}
	return math.Round(v*1000) / 1000
}

// percentile of sorted durations, nearest rank.
func percentile(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(math.Ceil(q*float64(len(sorted)))) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}
