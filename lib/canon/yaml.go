package canon

import (
	"strings"
	"unicode/utf8"
)

// The YAML that sigs.k8s.io/yaml.JSONToYAML writes, which is
// go.yaml.in/yaml/v2 v2.4.4 marshalling what it read from the JSON. This
// file follows that emitter (emitterc.go) for the events a JSON tree makes:
// block mappings and sequences, "{}" and "[]" for empty ones, and scalars
// in the style yaml.v2 picks, folded at column 80 as yaml.v2 does (its
// best_width is 80 unless yaml.FutureLineWrap is called).

const (
	bestIndent = 2
	bestWidth  = 80
)

// AppendYAML appends the YAML document for n to dst and returns the
// result. The bytes are exactly those of sigs.k8s.io/yaml.JSONToYAML for
// n's JSON, where JSONToYAML reads the JSON as encoding/json does; see the
// package documentation for the few inputs where it does not.
func AppendYAML(dst []byte, n Node) []byte {
	e := newYAMLEmitter(dst)
	e.node(n.t, n.i, false, false)
	e.writeIndent() // DOCUMENT-END
	return e.buf
}

// appendYAMLList appends the YAML document for a sequence of items.
func appendYAMLList(dst []byte, items []Node) []byte {
	e := newYAMLEmitter(dst)
	if len(items) == 0 {
		e.writeIndicator("[", true, true, false)
		e.writeIndicator("]", false, false, false)
	} else {
		old := e.pushIndent(false, false)
		for _, n := range items {
			e.writeIndent()
			e.writeIndicator("-", true, false, true)
			e.node(n.t, n.i, false, false)
		}
		e.indent = old
	}
	e.writeIndent()
	return e.buf
}

// yamlEmitter is the state of yaml_emitter_t that block output uses.
type yamlEmitter struct {
	buf        []byte
	column     int  // in characters
	indent     int  // of the current block, -1 at the top
	whitespace bool // the last character written was white space
	indention  bool // only indentation and indicators since the line break
	order      []uint32
	orderBuf   [64]uint32
}

func newYAMLEmitter(dst []byte) *yamlEmitter {
	e := &yamlEmitter{buf: dst, indent: -1, whitespace: true, indention: true}
	e.order = e.orderBuf[:0]
	return e
}

func (e *yamlEmitter) put(b byte) {
	e.buf = append(e.buf, b)
	e.column++
}

func (e *yamlEmitter) putBreak() {
	e.buf = append(e.buf, '\n')
	e.column = 0
}

// writeString writes s, which has no line breaks.
func (e *yamlEmitter) writeString(s string) {
	e.buf = append(e.buf, s...)
	e.column += utf8.RuneCountInString(s)
}

// writeChar writes the character at s[*i] and advances *i past it.
func (e *yamlEmitter) writeChar(s string, i *int) {
	w := width(s[*i])
	e.buf = append(e.buf, s[*i:*i+w]...)
	e.column++
	*i += w
}

// writeBreak writes the line break at s[*i] and advances *i past it.
func (e *yamlEmitter) writeBreak(s string, i *int) {
	if s[*i] == '\n' {
		e.putBreak()
		*i++
		return
	}
	e.writeChar(s, i)
	e.column = 0
}

// writeIndent ports yaml_emitter_write_indent.
func (e *yamlEmitter) writeIndent() {
	indent := max(e.indent, 0)
	if !e.indention || e.column > indent || e.column == indent && !e.whitespace {
		e.putBreak()
	}
	for e.column < indent {
		e.put(' ')
	}
	e.whitespace, e.indention = true, true
}

// writeIndicator ports yaml_emitter_write_indicator.
func (e *yamlEmitter) writeIndicator(ind string, needWhitespace, isWhitespace, isIndention bool) {
	if needWhitespace && !e.whitespace {
		e.put(' ')
	}
	e.writeString(ind)
	e.whitespace = isWhitespace
	e.indention = e.indention && isIndention
}

// pushIndent ports yaml_emitter_increase_indent, returning the indent to
// restore.
func (e *yamlEmitter) pushIndent(flow, indentless bool) int {
	old := e.indent
	if e.indent < 0 {
		if flow {
			e.indent = bestIndent
		} else {
			e.indent = 0
		}
	} else if !indentless {
		e.indent += bestIndent
	}
	return old
}

// node emits t.nodes[i] in the given context (yaml_emitter_emit_node).
func (e *yamlEmitter) node(t *tree, i uint32, mapping, simpleKey bool) {
	nd := &t.nodes[i]
	switch nd.kind {
	case NullKind, BoolKind:
		e.plainWord(t.text(nd))
	case NumberKind:
		e.plainWord(yamlNumber(t.text(nd)))
	case StringKind:
		s := t.text(nd)
		e.str(s, analyzeScalar(s), simpleKey)
	case ArrayKind:
		e.sequence(t, nd, mapping)
	case ObjectKind:
		e.mapping(t, nd)
	}
}

// plainWord writes a plain scalar that needs no folding and is ASCII.
func (e *yamlEmitter) plainWord(s string) {
	if !e.whitespace {
		e.put(' ')
	}
	e.buf = append(e.buf, s...)
	e.column += len(s)
	e.whitespace, e.indention = false, false
}

func (e *yamlEmitter) sequence(t *tree, nd *node, mapping bool) {
	if nd.b == 0 {
		e.writeIndicator("[", true, true, false)
		e.writeIndicator("]", false, false, false)
		return
	}
	old := e.pushIndent(false, mapping && !e.indention)
	for k := nd.a; k < nd.a+nd.b; k++ {
		e.writeIndent()
		e.writeIndicator("-", true, false, true)
		e.node(t, k, false, false)
	}
	e.indent = old
}

func (e *yamlEmitter) mapping(t *tree, nd *node) {
	if nd.b == 0 {
		e.writeIndicator("{", true, true, false)
		e.writeIndicator("}", false, false, false)
		return
	}
	old := e.pushIndent(false, false)
	base := len(e.order)
	e.order = appendKeyOrder(e.order, t, nd)
	for k := base; k < len(e.order); k++ {
		i := e.order[k]
		key := t.str(t.nodes[i].key)
		info := analyzeScalar(key)
		e.writeIndent()
		// yaml_emitter_check_simple_key: one line, at most 128 bytes.
		if !info.multiline && len(key) <= 128 {
			e.str(key, info, true)
			e.writeIndicator(":", false, false, false)
		} else {
			e.writeIndicator("?", true, false, true)
			e.str(key, info, false)
			e.writeIndent()
			e.writeIndicator(":", true, false, true)
		}
		e.node(t, i, true, false)
	}
	e.order = e.order[:base]
	e.indent = old
}

// appendKeyOrder appends the indexes in t.nodes of the members of object
// nd in yaml.v2's key order.
func appendKeyOrder(order []uint32, t *tree, nd *node) []uint32 {
	base := len(order)
	for k := nd.a; k < nd.a+nd.b; k++ {
		order = append(order, k)
	}
	o := order[base:]
	for i := 1; i < len(o); i++ {
		for j := i; j > 0 && naturalLess(t.str(t.nodes[o[j]].key), t.str(t.nodes[o[j-1]].key)); j-- {
			o[j], o[j-1] = o[j-1], o[j]
		}
	}
	return order
}

type scalarStyle uint8

const (
	plainStyle scalarStyle = iota
	singleQuotedStyle
	doubleQuotedStyle
	literalStyle
)

// str emits a string as encode.go stringv does, in the style that
// yaml_emitter_select_scalar_style then settles on; info is
// analyzeScalar(s).
func (e *yamlEmitter) str(s string, info scalarInfo, simpleKey bool) {
	style := doubleQuotedStyle
	switch {
	case info.multiline && strings.IndexByte(s, '\n') >= 0:
		style = literalStyle
	case info.simple && resolvesToStr(s), !info.simple && plainOK(s):
		// (A simple string has no ':', so is no base 60 float.)
		style = plainStyle
	}
	if simpleKey && info.multiline {
		style = doubleQuotedStyle
	}
	if style == plainStyle && (!info.blockPlain || s == "" && simpleKey) {
		style = singleQuotedStyle
	}
	if style == singleQuotedStyle && !info.singleQuoted {
		style = doubleQuotedStyle
	}
	if style == literalStyle && (!info.block || simpleKey) {
		style = doubleQuotedStyle
	}
	old := e.pushIndent(true, false)
	switch style {
	case plainStyle:
		if info.simple && (simpleKey || e.column+len(s) <= bestWidth) {
			e.plainWord(s) // ASCII, and too short to fold
			break
		}
		e.writePlain(s, !simpleKey)
	case singleQuotedStyle:
		e.writeSingleQuoted(s, !simpleKey)
	case doubleQuotedStyle:
		e.writeDoubleQuoted(s, !simpleKey)
	case literalStyle:
		e.writeLiteral(s)
	}
	e.indent = old
}

// writePlain ports yaml_emitter_write_plain_scalar.
func (e *yamlEmitter) writePlain(s string, allowBreaks bool) {
	if !e.whitespace {
		e.put(' ')
	}
	if !allowBreaks || e.column+len(s) <= bestWidth+1 || strings.IndexByte(s, ' ') < 0 {
		// No space is past the width: no folding. (Plain scalars have no
		// line breaks.)
		e.writeString(s)
		e.whitespace, e.indention = false, false
		return
	}
	spaces, breaks := false, false
	for i := 0; i < len(s); {
		switch {
		case s[i] == ' ':
			if allowBreaks && !spaces && e.column > bestWidth && !(i+1 < len(s) && s[i+1] == ' ') {
				e.writeIndent()
				i++
			} else {
				e.writeChar(s, &i)
			}
			spaces = true
		case isBreak(s, i):
			if !breaks && s[i] == '\n' {
				e.putBreak()
			}
			e.writeBreak(s, &i)
			e.indention = true
			breaks = true
		default:
			if breaks {
				e.writeIndent()
			}
			e.writeChar(s, &i)
			e.indention = false
			spaces, breaks = false, false
		}
	}
	e.whitespace, e.indention = false, false
}

// writeSingleQuoted ports yaml_emitter_write_single_quoted_scalar.
func (e *yamlEmitter) writeSingleQuoted(s string, allowBreaks bool) {
	e.writeIndicator("'", true, false, false)
	spaces, breaks := false, false
	for i := 0; i < len(s); {
		switch {
		case s[i] == ' ':
			if allowBreaks && !spaces && e.column > bestWidth && i > 0 && i < len(s)-1 && s[i+1] != ' ' {
				e.writeIndent()
				i++
			} else {
				e.writeChar(s, &i)
			}
			spaces = true
		case isBreak(s, i):
			if !breaks && s[i] == '\n' {
				e.putBreak()
			}
			e.writeBreak(s, &i)
			e.indention = true
			breaks = true
		default:
			if breaks {
				e.writeIndent()
			}
			if s[i] == '\'' {
				e.put('\'')
			}
			e.writeChar(s, &i)
			e.indention = false
			spaces, breaks = false, false
		}
	}
	e.writeIndicator("'", false, false, false)
	e.whitespace, e.indention = false, false
}

// yamlEscape returns the short escape of yaml_emitter_write_double_quoted_scalar
// for r, or 0.
func yamlEscape(r rune) byte {
	switch r {
	case 0x00:
		return '0'
	case 0x07:
		return 'a'
	case 0x08:
		return 'b'
	case 0x09:
		return 't'
	case 0x0A:
		return 'n'
	case 0x0B:
		return 'v'
	case 0x0C:
		return 'f'
	case 0x0D:
		return 'r'
	case 0x1B:
		return 'e'
	case '"', '\\':
		return byte(r)
	case 0x85:
		return 'N'
	case 0xA0:
		return '_'
	case 0x2028:
		return 'L'
	case 0x2029:
		return 'P'
	}
	return 0
}

// writeDoubleQuoted ports yaml_emitter_write_double_quoted_scalar.
func (e *yamlEmitter) writeDoubleQuoted(s string, allowBreaks bool) {
	e.writeIndicator(`"`, true, false, false)
	// yaml.v2's is_bom looks at the start of the value, not at i: after a
	// leading BOM, every character is escaped.
	bom := strings.HasPrefix(s, "\uFEFF")
	spaces := false
	for i := 0; i < len(s); {
		switch {
		case bom || !isPrintable(s, i) || isBreak(s, i) || s[i] == '"' || s[i] == '\\':
			r, w := utf8.DecodeRuneInString(s[i:])
			i += w
			e.put('\\')
			if c := yamlEscape(r); c != 0 {
				e.put(c)
			} else {
				e.putHexEscape(r)
			}
			spaces = false
		case s[i] == ' ':
			if allowBreaks && !spaces && e.column > bestWidth && i > 0 && i < len(s)-1 {
				e.writeIndent()
				if s[i+1] == ' ' {
					e.put('\\')
				}
				i++
			} else {
				e.writeChar(s, &i)
			}
			spaces = true
		default:
			e.writeChar(s, &i)
			spaces = false
		}
	}
	e.writeIndicator(`"`, false, false, false)
	e.whitespace, e.indention = false, false
}

// putHexEscape writes \xXX, \uXXXX or \UXXXXXXXX for r, after the '\'.
func (e *yamlEmitter) putHexEscape(r rune) {
	digits := 8
	switch {
	case r <= 0xFF:
		e.put('x')
		digits = 2
	case r <= 0xFFFF:
		e.put('u')
		digits = 4
	default:
		e.put('U')
	}
	for k := (digits - 1) * 4; k >= 0; k -= 4 {
		e.put("0123456789ABCDEF"[r>>k&0xF])
	}
}

// writeLiteral ports yaml_emitter_write_literal_scalar, with
// yaml_emitter_write_block_scalar_hints.
func (e *yamlEmitter) writeLiteral(s string) {
	e.writeIndicator("|", true, false, false)
	if s[0] == ' ' || isBreak(s, 0) {
		e.writeIndicator("2", false, false, false) // bestIndent
	}
	last := lastCharStart(s, len(s))
	switch {
	case !isBreak(s, last):
		e.writeIndicator("-", false, false, false)
	case last == 0 || isBreak(s, lastCharStart(s, last)):
		e.writeIndicator("+", false, false, false)
	}
	e.putBreak()
	e.indention, e.whitespace = true, true
	breaks := true
	for i := 0; i < len(s); {
		if isBreak(s, i) {
			e.writeBreak(s, &i)
			e.indention = true
			breaks = true
			continue
		}
		if breaks {
			e.writeIndent()
		}
		e.writeChar(s, &i)
		e.indention = false
		breaks = false
	}
}

// lastCharStart returns the index of the first byte of the last character
// of s[:end].
func lastCharStart(s string, end int) int {
	i := end - 1
	for s[i]&0xC0 == 0x80 {
		i--
	}
	return i
}
