package canon

import "unicode/utf8"

// AppendJSON appends n as JSON to dst and returns the result: the bytes a
// json.Encoder with SetEscapeHTML(false) and SetIndent("", "  ") writes for
// the value encoding/json decodes from n's JSON (with UseNumber), that is
// keys in byte order, two-space indentation and a final newline.
func AppendJSON(dst []byte, n Node) []byte {
	return append(appendJSONValue(dst, n.t, n.i, 0), '\n')
}

// appendJSONList appends items as a JSON array, indented at depth.
func appendJSONList(dst []byte, items []Node, depth int) []byte {
	if len(items) == 0 {
		return append(dst, "[]"...)
	}
	dst = append(dst, '[')
	for k, n := range items {
		if k > 0 {
			dst = append(dst, ',')
		}
		dst = appendNewline(dst, depth+1)
		dst = appendJSONValue(dst, n.t, n.i, depth+1)
	}
	dst = appendNewline(dst, depth)
	return append(dst, ']')
}

func appendJSONValue(dst []byte, t *tree, i uint32, depth int) []byte {
	nd := &t.nodes[i]
	switch nd.kind {
	case StringKind:
		return AppendString(dst, t.text(nd))
	case ArrayKind, ObjectKind:
		if nd.b == 0 {
			if nd.kind == ArrayKind {
				return append(dst, "[]"...)
			}
			return append(dst, "{}"...)
		}
		lb, rb := byte('['), byte(']')
		if nd.kind == ObjectKind {
			lb, rb = '{', '}'
		}
		dst = append(dst, lb)
		for k := nd.a; k < nd.a+nd.b; k++ {
			if k > nd.a {
				dst = append(dst, ',')
			}
			dst = appendNewline(dst, depth+1)
			if nd.kind == ObjectKind {
				dst = AppendString(dst, t.str(t.nodes[k].key))
				dst = append(dst, ':', ' ')
			}
			dst = appendJSONValue(dst, t, k, depth+1)
		}
		dst = appendNewline(dst, depth)
		return append(dst, rb)
	}
	return append(dst, t.text(nd)...)
}

func appendNewline(dst []byte, depth int) []byte {
	dst = append(dst, '\n')
	for range depth {
		dst = append(dst, ' ', ' ')
	}
	return dst
}

// AppendString appends s to dst as a JSON string, escaped as
// encoding/json escapes it but without HTML escaping; invalid UTF-8
// becomes U+FFFD.
func AppendString(dst []byte, s string) []byte {
	const hex = "0123456789abcdef"
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		if b := s[i]; b < utf8.RuneSelf {
			if b >= 0x20 && b != '"' && b != '\\' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch b {
			case '\\', '"':
				dst = append(dst, '\\', b)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hex[b>>4], hex[b&0xF])
			}
			i++
			start = i
			continue
		}
		c, size := utf8.DecodeRuneInString(s[i:])
		if c == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i++
			start = i
			continue
		}
		if c == '\u2028' || c == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hex[c&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}
