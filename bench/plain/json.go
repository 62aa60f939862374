package main

import (
	"fmt"
	"strconv"
	"unicode/utf8"

	"go.starlark.net/starlark"
)

// appendJSON appends the JSON encoding of v, a value made of dicts with
// string keys, lists, tuples, strings, numbers, booleans and None, with
// dict keys in insertion order and no whitespace.
func appendJSON(dst []byte, v starlark.Value) ([]byte, error) {
	var err error
	switch v := v.(type) {
	case starlark.NoneType:
		return append(dst, "null"...), nil
	case starlark.Bool:
		return strconv.AppendBool(dst, bool(v)), nil
	case starlark.Int:
		if i, ok := v.Int64(); ok {
			return strconv.AppendInt(dst, i, 10), nil
		}
		return append(dst, v.String()...), nil
	case starlark.Float:
		return strconv.AppendFloat(dst, float64(v), 'g', -1, 64), nil
	case starlark.String:
		return appendString(dst, string(v)), nil
	case *starlark.Dict:
		dst = append(dst, '{')
		first := true
		for k, x := range v.Entries() {
			s, ok := k.(starlark.String)
			if !ok {
				return nil, fmt.Errorf("json: dict key %s is not a string", k)
			}
			if !first {
				dst = append(dst, ',')
			}
			first = false
			dst = appendString(dst, string(s))
			dst = append(dst, ':')
			if dst, err = appendJSON(dst, x); err != nil {
				return nil, err
			}
		}
		return append(dst, '}'), nil
	case starlark.Indexable: // *List, Tuple
		dst = append(dst, '[')
		for i := range v.Len() {
			if i > 0 {
				dst = append(dst, ',')
			}
			if dst, err = appendJSON(dst, v.Index(i)); err != nil {
				return nil, err
			}
		}
		return append(dst, ']'), nil
	}
	return nil, fmt.Errorf("json: cannot encode %s", v.Type())
}

const hexDigits = "0123456789abcdef"

// appendString appends s as a JSON string.
func appendString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < utf8.RuneSelf {
			i++
			continue
		}
		if c >= utf8.RuneSelf {
			r, n := utf8.DecodeRuneInString(s[i:])
			if r != utf8.RuneError || n != 1 {
				i += n
				continue
			}
		}
		dst = append(dst, s[start:i]...)
		switch c {
		case '"', '\\':
			dst = append(dst, '\\', c)
		case '\n':
			dst = append(dst, '\\', 'n')
		default:
			if c >= utf8.RuneSelf {
				dst = append(dst, `\ufffd`...)
			} else {
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
		}
		i++
		start = i
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}
