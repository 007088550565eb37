// Package metrics imports measured values (indicator and signal figures,
// customer survey scores) for members. Thin parsers turn a JSON request, a
// CSV file or an XLSX workbook into the same rows; one import applies the
// rules to all of them: known indicators only, finite values, one value per
// member, indicator and period (a second is refused unless the request
// replaces it), and only members the writer may write for. It reads and
// writes through store and reads templates; it must never import api.
package metrics
