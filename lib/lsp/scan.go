package lsp

// A scan is what lies open at a byte offset of a document: the brackets
// around it, and the string literal or comment it is in. Completion, hover
// and signature help read it where the text around the cursor may not
// parse (it is being typed).
type scan struct {
	brackets []int // offsets of the open brackets, outermost first
	str      int   // offset of the opening quote of the string the offset is in, or -1
	comment  bool  // whether the offset is in a comment
}

// scanTo scans text from its start to the byte offset off as Starlark's
// scanner would: brackets inside strings and comments do not count, a
// string may be triple-quoted over lines, and a line that starts with a
// name starts a top-level statement, which closes every bracket before
// it (an edit in progress may have left one open).
func scanTo(text string, off int) scan {
	off = min(off, len(text))
	sc := scan{str: -1}
	for i := 0; i < off; i++ {
		switch c := text[i]; c {
		case '#':
			for i < len(text) && text[i] != '\n' {
				i++
			}
			if i >= off {
				sc.comment = true
				return sc
			}
			i-- // the newline is scanned next
		case '"', '\'':
			end := stringEnd(text, i)
			if end >= off {
				sc.str = i
				return sc
			}
			i = end
		case '(', '[', '{':
			sc.brackets = append(sc.brackets, i)
		case ')', ']', '}':
			if n := len(sc.brackets); n > 0 {
				sc.brackets = sc.brackets[:n-1]
			}
		case '\n':
			if i+1 < len(text) && isWordByte(text[i+1]) {
				sc.brackets = sc.brackets[:0]
			}
		}
	}
	return sc
}

// stringEnd returns the offset of the closing quote of the string literal
// whose opening quote is at start (a quote, or three), or of the newline
// or end of text where an unterminated one-line string stops.
func stringEnd(text string, start int) int {
	q := text[start]
	triple := len(text) >= start+3 && text[start+1] == q && text[start+2] == q
	i := start + 1
	if triple {
		i = start + 3
	}
	for ; i < len(text); i++ {
		switch c := text[i]; {
		case c == '\\':
			i++
		case c == '\n' && !triple:
			return i
		case c == q && !triple:
			return i
		case c == q && len(text) >= i+3 && text[i+1] == q && text[i+2] == q:
			return i + 2
		}
	}
	return len(text)
}
