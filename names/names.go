// Package names decides what a person may type as a name or a title
// (members, teams, templates, cycles, meetings, tokens): printable text
// of bounded length. Names travel into e-mail headers, calendar files,
// spreadsheets and chat messages, where a line break starts a new field
// and a bidi override makes text read backwards, so neither is accepted
// anywhere. It imports nothing of Perfloop.
package names

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Length limits, in characters.
const (
	MaxName  = 200 // a person's, a team's or a template's name
	MaxTitle = 300 // a cycle's or a meeting's title
)

// Check says what is wrong with a name, or "" when nothing is: control
// characters (CR, LF, NUL, tab…), bidi controls (overrides, embeddings,
// isolates, marks), invalid UTF-8 and more than max characters.
func Check(s string, max int) string {
	if !utf8.ValidString(s) {
		return "is not valid UTF-8 text"
	}
	if n := utf8.RuneCountInString(s); n > max {
		return fmt.Sprintf("is %d characters long; at most %d are allowed", n, max)
	}
	for _, r := range s {
		switch {
		case unicode.IsControl(r):
			return fmt.Sprintf("contains the control character %U; names are one line of printable text", r)
		case unicode.Is(unicode.Bidi_Control, r):
			return fmt.Sprintf("contains the bidirectional control character %U, which can make text read differently than it is stored", r)
		case r == '\u2028' || r == '\u2029':
			return fmt.Sprintf("contains the line separator %U; names are one line", r)
		}
	}
	return ""
}

// Shown is a refused value as an error message may echo it: control and
// bidi characters made visible, and cut short.
func Shown(s string) string {
	var b strings.Builder
	n := 0
	for _, r := range strings.ToValidUTF8(s, "\uFFFD") {
		if n == 80 {
			b.WriteString("…")
			break
		}
		if unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r) || r == '\u2028' || r == '\u2029' {
			fmt.Fprintf(&b, "%U", r)
		} else {
			b.WriteRune(r)
		}
		n++
	}
	return b.String()
}
