package templates_test

import (
	"encoding/json"
	"testing"

	"github.com/perfloop/perfloop/templates"
)

// FuzzParse feeds arbitrary bytes to the parser and validator: they must
// never panic, and a template they accept must survive a round trip.
func FuzzParse(f *testing.F) {
	files, err := templates.BuiltinFiles()
	if err != nil {
		f.Fatal(err)
	}
	for _, file := range files {
		f.Add(file.Data)
	}
	// Every broken template of the table test, so the fuzzer starts next
	// to each check rather than far from all of them.
	for _, c := range brokenCases {
		if c.raw != "" {
			f.Add([]byte(c.raw))
			continue
		}
		m := base(f, c.from)
		c.mutate(m)
		data, err := json.Marshal(m)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(`{"key":"x","stages":[{"key":"a","type":"evaluate","duration":"P1M"}]}`))
	f.Add([]byte(`{"formula":"now()","indicators":[{"key":"a","weight":"x"}]}`))
	f.Add([]byte(`{"grades":[1,{"key":"S","min":"0"}],"distribution":[{"grades":[],"max":-1}]}`))
	f.Add([]byte(`{"raters":[{"max":3.0,"min":1e1}],"version":1e400}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		tpl, errs := templates.Parse(data)
		if len(errs) > 0 {
			return
		}
		if tpl == nil {
			t.Fatal("no errors but no template")
		}
		again, err := json.Marshal(tpl)
		if err != nil {
			t.Fatal(err)
		}
		if _, errs := templates.Parse(again); len(errs) > 0 {
			t.Fatalf("accepted template fails after a round trip: %v\n%s", errs, again)
		}
	})
}

// FuzzParseDuration checks durations never panic and never come out
// negative, whatever the digits.
func FuzzParseDuration(f *testing.F) {
	for _, s := range []string{"P3D", "PT4H", "P1W", "P1DT12H", "P99999W", "P1M", "PT"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := templates.ParseDuration(s)
		if err == nil && d < 0 {
			t.Fatalf("%q gave a negative duration %v", s, d)
		}
	})
}
