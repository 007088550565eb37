package store

import (
	"slices"
	"strings"
)

// LocaleOf reads a language tag as the product stores a locale: zh-CN,
// zh_Hans, ZH or en-GB become zh or en, as spreadsheets exported from HR
// systems write them; any other value is returned trimmed, for the caller
// to refuse.
func LocaleOf(tag string) string {
	t := strings.ToLower(strings.TrimSpace(tag))
	for _, l := range []string{"zh", "en"} {
		if t == l || strings.HasPrefix(t, l+"-") || strings.HasPrefix(t, l+"_") {
			return l
		}
	}
	return strings.TrimSpace(tag)
}

// withLocales is the import with every member's locale read by LocaleOf,
// leaving the caller's rows as they were.
func (in OrgImport) withLocales() OrgImport {
	ms := slices.Clone(in.Members)
	for i := range ms {
		ms[i].Locale = LocaleOf(ms[i].Locale)
	}
	in.Members = ms
	return in
}
