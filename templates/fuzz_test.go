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
	f.Add([]byte(`{"key":"x","stages":[{"key":"a","type":"evaluate","duration":"P1M"}]}`))
	f.Add([]byte(`{"formula":"now()","indicators":[{"key":"a","weight":"x"}]}`))
	f.Add([]byte(`[]`))
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
			t.Fatalf("accepted template fails after a round trip: %v", errs)
		}
	})
}
