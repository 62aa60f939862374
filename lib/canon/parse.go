package canon

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"sync"
	"unicode/utf16"
	"unicode/utf8"
)

// maxDepth is the deepest nesting of arrays and objects that ParseJSON
// accepts; encoding/json has the same limit.
const maxDepth = 10000

// A SyntaxError reports input that is not valid JSON.
type SyntaxError struct {
	Offset int    // byte offset in the input at which the error was found
	Msg    string // what was wrong, as "got X, want Y"
}

// Error returns the error as "invalid JSON: offset N: msg".
func (e *SyntaxError) Error() string {
	return fmt.Sprintf("invalid JSON: offset %d: %s", e.Offset, e.Msg)
}

// maxInput is the largest input ParseJSON takes, so that spans of decoded
// strings (up to 3 bytes for each input byte) fit below decBit.
const maxInput = 1 << 29

// ParseJSON parses one JSON value (RFC 8259), optionally surrounded by
// white space, into a tree, and returns its root.
//
// It accepts and rejects exactly what encoding/json does (json.Valid), for
// inputs of up to 512 MiB, and decodes to the same values as encoding/json
// into an `any` with UseNumber:
//   - strings are decoded; invalid UTF-8 bytes and unpaired surrogate
//     escapes become U+FFFD, as in encoding/json;
//   - numbers keep their literal text (like json.Number);
//   - when an object has a key more than once, the last member wins;
//   - arrays and objects may nest at most 10,000 deep.
//
// The tree costs a few allocations whatever its size: one copy of data,
// which the strings without escapes share, one arena of nodes that holds
// no pointers, and one string for all the strings that had escapes.
func ParseJSON(data []byte) (Node, error) {
	if len(data) > maxInput {
		return Node{}, &SyntaxError{Msg: fmt.Sprintf("got %d bytes, want at most %d", len(data), maxInput)}
	}
	p := parser{data: data, s: string(data)}
	p.nodes = make([]node, 0, 1+bytes.Count(data, []byte{','})+bytes.Count(data, []byte{'['})+bytes.Count(data, []byte{'{'}))
	sp := stackPool.Get().(*[]node)
	p.stack = (*sp)[:0]
	defer func() {
		*sp = p.stack[:0]
		stackPool.Put(sp)
	}()
	p.skipSpace()
	if err := p.value(); err != nil {
		return Node{}, err
	}
	p.skipSpace()
	if p.pos < len(p.s) {
		return Node{}, p.errorf("got %s after the top-level value, want end of input", p.got())
	}
	p.nodes = append(p.nodes, p.stack[0])
	t := &tree{src: p.s, dec: string(p.dec), nodes: p.nodes}
	return Node{t, uint32(len(t.nodes) - 1)}, nil
}

// stackPool holds parsers' scratch stacks of unfinished containers' kids.
var stackPool = sync.Pool{New: func() any { return new([]node) }}

type parser struct {
	data  []byte // the input
	s     string // a copy of it, for the tree
	pos   int
	depth int
	dec   []byte // decoded strings
	stack []node // values parsed, and not yet moved into their container
	nodes []node // finished containers' kids, one contiguous block each
}

func (p *parser) errorf(format string, args ...any) error {
	return &SyntaxError{Offset: p.pos, Msg: fmt.Sprintf(format, args...)}
}

// got describes the input at p.pos for an error message.
func (p *parser) got() string {
	if p.pos >= len(p.s) {
		return "end of input"
	}
	r, size := utf8.DecodeRuneInString(p.s[p.pos:])
	if r == utf8.RuneError && size == 1 {
		return fmt.Sprintf("byte %#02x", p.s[p.pos])
	}
	return fmt.Sprintf("%q", r)
}

func (p *parser) skipSpace() {
	for p.pos < len(p.s) {
		switch p.s[p.pos] {
		case ' ', '\t', '\n', '\r':
			p.pos++
		default:
			return
		}
	}
}

func (p *parser) peek() byte {
	if p.pos < len(p.s) {
		return p.s[p.pos]
	}
	return 0
}

// value parses a value at p.pos and pushes it.
func (p *parser) value() error {
	switch c := p.peek(); {
	case c == '{':
		return p.object()
	case c == '[':
		return p.array()
	case c == '"':
		s, err := p.str()
		if err != nil {
			return err
		}
		p.stack = append(p.stack, node{kind: StringKind, a: s.off, b: s.n})
		return nil
	case c == '-' || '0' <= c && c <= '9':
		return p.number()
	case c == 't':
		return p.literal("true", BoolKind)
	case c == 'f':
		return p.literal("false", BoolKind)
	case c == 'n':
		return p.literal("null", NullKind)
	}
	return p.errorf("got %s, want a value", p.got())
}

func (p *parser) literal(lit string, k Kind) error {
	if !strings.HasPrefix(p.s[p.pos:], lit) {
		start := p.pos
		for i := 0; p.pos < len(p.s) && p.s[p.pos] == lit[i]; i++ {
			p.pos++
		}
		got := p.got()
		p.pos = start
		return p.errorf("got %s in literal %s", got, lit)
	}
	p.stack = append(p.stack, node{kind: k, a: uint32(p.pos), b: uint32(len(lit))})
	p.pos += len(lit)
	return nil
}

// number parses a number by RFC 8259's grammar.
func (p *parser) number() error {
	start := p.pos
	if p.peek() == '-' {
		p.pos++
	}
	switch c := p.peek(); {
	case c == '0':
		p.pos++
	case '1' <= c && c <= '9':
		p.digits()
	default:
		return p.errorf("got %s in number, want digit", p.got())
	}
	if p.peek() == '.' {
		p.pos++
		if !p.digits() {
			return p.errorf("got %s after decimal point, want digit", p.got())
		}
	}
	if c := p.peek(); c == 'e' || c == 'E' {
		p.pos++
		if c := p.peek(); c == '+' || c == '-' {
			p.pos++
		}
		if !p.digits() {
			return p.errorf("got %s in exponent, want digit", p.got())
		}
	}
	p.stack = append(p.stack, node{kind: NumberKind, a: uint32(start), b: uint32(p.pos - start)})
	return nil
}

// digits skips digits, reporting whether there were any.
func (p *parser) digits() bool {
	start := p.pos
	for p.pos < len(p.s) && '0' <= p.s[p.pos] && p.s[p.pos] <= '9' {
		p.pos++
	}
	return p.pos > start
}

func (p *parser) enter() error {
	p.depth++
	if p.depth > maxDepth {
		return p.errorf("got more than %d nested arrays and objects", maxDepth)
	}
	p.pos++
	p.skipSpace()
	return nil
}

// finish moves the kids pushed since base into the arena and pushes their
// container.
func (p *parser) finish(k Kind, base int) {
	p.depth--
	kids := p.stack[base:]
	if k == ObjectKind {
		p.sortMembers(kids)
		kids = p.dedupMembers(kids)
	}
	n := node{kind: k, a: uint32(len(p.nodes)), b: uint32(len(kids))}
	p.nodes = append(p.nodes, kids...)
	p.stack = append(p.stack[:base], n)
}

// keyBytes returns the bytes of key s.
func (p *parser) keyBytes(s span) []byte {
	if s.off&decBit != 0 {
		off := s.off &^ decBit
		return p.dec[off : off+s.n]
	}
	return p.data[s.off : s.off+s.n]
}

// sortMembers sorts object members by key in byte order, keeping the
// order of equal keys.
func (p *parser) sortMembers(kids []node) {
	less := func(a, b *node) bool { return bytes.Compare(p.keyBytes(a.key), p.keyBytes(b.key)) < 0 }
	if len(kids) <= 16 {
		for i := 1; i < len(kids); i++ {
			for j := i; j > 0 && less(&kids[j], &kids[j-1]); j-- {
				kids[j], kids[j-1] = kids[j-1], kids[j]
			}
		}
		return
	}
	slices.SortStableFunc(kids, func(a, b node) int { return bytes.Compare(p.keyBytes(a.key), p.keyBytes(b.key)) })
}

// dedupMembers removes all but the last of each run of members with equal
// keys from sorted kids.
func (p *parser) dedupMembers(kids []node) []node {
	w := 0
	for r := range kids {
		if r+1 < len(kids) && bytes.Equal(p.keyBytes(kids[r+1].key), p.keyBytes(kids[r].key)) {
			continue
		}
		kids[w] = kids[r]
		w++
	}
	return kids[:w]
}

func (p *parser) array() error {
	if err := p.enter(); err != nil {
		return err
	}
	base := len(p.stack)
	if p.peek() == ']' {
		p.pos++
		p.finish(ArrayKind, base)
		return nil
	}
	for {
		if err := p.value(); err != nil {
			return err
		}
		p.skipSpace()
		switch p.peek() {
		case ',':
			p.pos++
			p.skipSpace()
			continue
		case ']':
			p.pos++
			p.finish(ArrayKind, base)
			return nil
		}
		return p.errorf("got %s after array element, want ',' or ']'", p.got())
	}
}

func (p *parser) object() error {
	if err := p.enter(); err != nil {
		return err
	}
	base := len(p.stack)
	if p.peek() == '}' {
		p.pos++
		p.finish(ObjectKind, base)
		return nil
	}
	for {
		if p.peek() != '"' {
			return p.errorf("got %s, want string for object key", p.got())
		}
		key, err := p.str()
		if err != nil {
			return err
		}
		p.skipSpace()
		if p.peek() != ':' {
			return p.errorf("got %s after object key, want ':'", p.got())
		}
		p.pos++
		p.skipSpace()
		if err := p.value(); err != nil {
			return err
		}
		p.stack[len(p.stack)-1].key = key
		p.skipSpace()
		switch p.peek() {
		case ',':
			p.pos++
			p.skipSpace()
			continue
		case '}':
			p.pos++
			p.finish(ObjectKind, base)
			return nil
		}
		return p.errorf("got %s after object member, want ',' or '}'", p.got())
	}
}

// str parses a string at p.pos. A string without escapes or invalid UTF-8
// is a span of the input; others are decoded into p.dec.
func (p *parser) str() (span, error) {
	p.pos++
	start := p.pos
	for p.pos < len(p.s) {
		switch c := p.s[p.pos]; {
		case c == '"':
			p.pos++
			return span{uint32(start), uint32(p.pos - 1 - start)}, nil
		case c == '\\':
			return p.unquote(start)
		case c < 0x20:
			return span{}, p.errorf("got %s in string, want printable character or escape", p.got())
		case c < utf8.RuneSelf:
			p.pos++
		default:
			r, size := utf8.DecodeRuneInString(p.s[p.pos:])
			if r == utf8.RuneError && size == 1 {
				return p.unquote(start)
			}
			p.pos += size
		}
	}
	return span{}, p.errorf("got end of input in string, want '\"'")
}

// unquote decodes into p.dec the rest of a string whose contents start at
// start and need rewriting from p.pos on, as encoding/json does.
func (p *parser) unquote(start int) (span, error) {
	off := len(p.dec)
	p.dec = append(p.dec, p.s[start:p.pos]...)
	for p.pos < len(p.s) {
		switch c := p.s[p.pos]; {
		case c == '"':
			p.pos++
			return span{uint32(off) | decBit, uint32(len(p.dec) - off)}, nil
		case c == '\\':
			if err := p.escape(); err != nil {
				return span{}, err
			}
		case c < 0x20:
			return span{}, p.errorf("got %s in string, want printable character or escape", p.got())
		case c < utf8.RuneSelf:
			p.dec = append(p.dec, c)
			p.pos++
		default:
			r, size := utf8.DecodeRuneInString(p.s[p.pos:])
			p.dec = utf8.AppendRune(p.dec, r) // U+FFFD for an invalid byte
			p.pos += size
		}
	}
	return span{}, p.errorf("got end of input in string, want '\"'")
}

var simpleEscapes = [256]byte{'"': '"', '\\': '\\', '/': '/', 'b': '\b', 'f': '\f', 'n': '\n', 'r': '\r', 't': '\t'}

// escape decodes the escape sequence at p.pos into p.dec.
func (p *parser) escape() error {
	p.pos++
	if p.pos >= len(p.s) {
		return p.errorf("got end of input in string, want '\"'")
	}
	c := p.s[p.pos]
	if d := simpleEscapes[c]; d != 0 {
		p.dec = append(p.dec, d)
		p.pos++
		return nil
	}
	if c != 'u' {
		return p.errorf("got %s after '\\' in string, want one of \"\\/bfnrtu", p.got())
	}
	r := hex4(p.s[p.pos+1:])
	if r < 0 {
		p.pos++
		return p.errorf("got %q after \\u in string, want 4 hex digits", p.s[p.pos:min(p.pos+4, len(p.s))])
	}
	p.pos += 5
	if utf16.IsSurrogate(r) {
		// A valid pair is consumed whole; anything else gives U+FFFD and
		// leaves what follows to be decoded by itself.
		if rest := p.s[p.pos:]; len(rest) >= 6 && rest[0] == '\\' && rest[1] == 'u' {
			if dec := utf16.DecodeRune(r, hex4(rest[2:])); dec != utf8.RuneError {
				p.dec = utf8.AppendRune(p.dec, dec)
				p.pos += 6
				return nil
			}
		}
		r = utf8.RuneError
	}
	p.dec = utf8.AppendRune(p.dec, r)
	return nil
}

// hex4 returns the value of the 4 hex digits that s starts with, or -1.
func hex4(s string) rune {
	if len(s) < 4 {
		return -1
	}
	var r rune
	for _, c := range []byte(s[:4]) {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c -= 'a' - 10
		case 'A' <= c && c <= 'F':
			c -= 'A' - 10
		default:
			return -1
		}
		r = r<<4 | rune(c)
	}
	return r
}
