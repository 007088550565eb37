package bench

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
)

// tableFigures is how many figures of each side a table row shows; the
// JSON carries them all.
const tableFigures = 3

// WriteTable prints one row per result: scenario, members, our figures, the
// raw figures, the headline ratio and the notes.
func WriteTable(w io.Writer, results []Result) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SCENARIO\tN\tOURS\tRAW\tRATIO\tSPREAD\tNOTES")
	for _, r := range results {
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%s\t%s\t%s\n", r.Scenario, r.Members, cell(r.Ours), cell(r.Raw), strconv.FormatFloat(r.Ratio, 'f', 2, 64), spread(r), r.Notes)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	return writePeaks(w, results)
}

// writePeaks prints, after a split run's table, each process's peak
// resident set as it stood after each result; nothing for one process.
func writePeaks(w io.Writer, results []Result) error {
	if !slices.ContainsFunc(results, func(r Result) bool { return r.Ours.Get("apiPeakRSSMiB") > 0 }) {
		return nil
	}
	fmt.Fprintln(w, "\nPeak RSS of each process so far, MiB (VmHWM)")
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SCENARIO\tN\tSERVER\tWORKERS\tRAW WORKER\tAPI (BENCH)")
	mb := func(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) }
	for _, r := range results {
		if r.Ours.Get("apiPeakRSSMiB") == 0 {
			continue // score runs in this process alone
		}
		var workers []string
		for i := 1; ; i++ {
			v := r.Ours.Get(fmt.Sprintf("worker%dPeakRSSMiB", i))
			if v == 0 {
				break
			}
			workers = append(workers, mb(v))
		}
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%s\t%s\n", r.Scenario, r.Members, mb(r.Ours.Get("serverPeakRSSMiB")),
			strings.Join(workers, " "), mb(r.Raw.Get("rawWorkerPeakRSSMiB")), mb(r.Ours.Get("apiPeakRSSMiB")))
	}
	return tw.Flush()
}

// spread shows the rounds' range of the headline ratio and its width
// relative to the median: "1.40–1.52 ±8% ×3".
func spread(r Result) string {
	if r.Rounds <= 1 {
		return "1 round"
	}
	return fmt.Sprintf("%.2f–%.2f %.0f%% ×%d", r.RatioMin, r.RatioMax, r.Spread*100, r.Rounds)
}

func cell(fs Figures) string {
	parts := make([]string, 0, tableFigures)
	for i, f := range fs {
		if i == tableFigures {
			break
		}
		parts = append(parts, show(f))
	}
	return strings.Join(parts, " ")
}

// show writes a figure with its unit: allTasksMs 1234.5 → allTasks=1234.5ms.
func show(f Figure) string {
	v := strconv.FormatFloat(f.Value, 'f', -1, 64)
	switch {
	case f.Name == "perSec":
		return v + "/s"
	case strings.HasSuffix(f.Name, "PerSec"):
		return strings.TrimSuffix(f.Name, "PerSec") + "=" + v + "/s"
	case strings.HasSuffix(f.Name, "Ms"):
		return strings.TrimSuffix(f.Name, "Ms") + "=" + strconv.FormatFloat(f.Value, 'f', 1, 64) + "ms"
	}
	return f.Name + "=" + v
}

// WriteJSON prints the results as one indented JSON array.
func WriteJSON(w io.Writer, results []Result) error {
	if results == nil {
		results = []Result{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(results)
}
