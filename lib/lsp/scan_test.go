package lsp

import (
	"strings"
	"testing"
)

// TestScanTo scans to the | of each text: the brackets open there, and the
// string or comment it is in.
func TestScanTo(t *testing.T) {
	for _, tt := range []struct {
		text     string
		brackets string // the open brackets, outermost first
		str      string // the text from the string's opening quote, or ""
		comment  bool
	}{
		{text: `f(a, [1, {|`, brackets: "([{"},
		{text: `f(")", '(', |`, brackets: "("},
		{text: "f(\"\"\"a)\n)\"\"\", |", brackets: "("},
		{text: "f(# )\n  |", brackets: "("},
		{text: "f(x) # ( |", comment: true},
		{text: `f(g(1), h[2], |`, brackets: "("},
		{text: `f(name = "we|`, brackets: "(", str: `"we`},
		{text: "f('''a\nb|", brackets: "(", str: "'''a\nb"},
		{text: `f("a\"(|`, brackets: "(", str: `"a\"(`},
		{text: "f(\"a\n  |", brackets: "("}, // a one-line string ends at the newline
		{text: "x = f(\ndef g():\n    h(|", brackets: "("},
		{text: `f("a")|`},
	} {
		off := strings.Index(tt.text, "|")
		text := tt.text[:off] + tt.text[off+1:]
		sc := scanTo(text, off)
		var brackets []byte
		for _, i := range sc.brackets {
			brackets = append(brackets, text[i])
		}
		str := ""
		if sc.str >= 0 {
			str = text[sc.str:off]
		}
		if string(brackets) != tt.brackets || str != tt.str || sc.comment != tt.comment {
			t.Errorf("scanTo(%q) = brackets %q, string %q, comment %v; want %q, %q, %v", tt.text, brackets, str, sc.comment, tt.brackets, tt.str, tt.comment)
		}
	}
}
