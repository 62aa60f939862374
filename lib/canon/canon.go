package canon

import (
	"bytes"
	"fmt"
	"io"
)

// Format is an output encoding.
type Format string

// The output formats.
const (
	YAML Format = "yaml"
	JSON Format = "json"
)

// ParseFormat returns the format called s.
func ParseFormat(s string) (Format, error) {
	switch f := Format(s); f {
	case YAML, JSON:
		return f, nil
	}
	return "", fmt.Errorf("unknown format %q: want yaml or json", s)
}

// Encode encodes a tree in format f: YAML with keys in yaml.v2's order
// and two-space indentation, or JSON with keys in byte order, two-space
// indentation and no HTML escaping; both end in a newline.
func Encode(n Node, f Format) []byte {
	return appendEncoded(make([]byte, 0, sizeHint(n)), n, f)
}

// sizeHint guesses the size of n's encoding: a little more than its
// input's.
func sizeHint(n Node) int {
	return len(n.t.src) + len(n.t.src)/4 + 64
}

func appendEncoded(dst []byte, n Node, f Format) []byte {
	if f == JSON {
		return AppendJSON(dst, n)
	}
	return AppendYAML(dst, n)
}

// List encodes trees as a list: a YAML sequence, or a JSON array.
func List(trees []Node, f Format) []byte {
	size := 0
	for _, n := range trees {
		size += sizeHint(n)
	}
	if f == JSON {
		return append(appendJSONList(make([]byte, 0, size), trees, 0), '\n')
	}
	return appendYAMLList(make([]byte, 0, size), trees)
}

// Stream encodes Kubernetes object trees as one document: a YAML stream
// separated by "---" lines, or a JSON v1 List, as `kubectl apply -f -` takes.
func Stream(trees []Node, f Format) []byte {
	size := 0
	for _, n := range trees {
		size += sizeHint(n)
	}
	b := bytes.NewBuffer(make([]byte, 0, size))
	WriteStream(b, len(trees), func(i int) (Node, error) { return trees[i], nil }, f)
	return b.Bytes()
}

// streamChunk is how much WriteStream encodes before it writes.
const streamChunk = 64 << 10

// WriteStream writes n Kubernetes object trees to w as [Stream] encodes
// them, one at a time: tree(i) returns the i-th, which is not needed once
// it is encoded, so that a stream of any length takes the memory of one
// object and a buffer. It returns the first error of tree or w.
func WriteStream(w io.Writer, n int, tree func(i int) (Node, error), f Format) error {
	buf := make([]byte, 0, streamChunk+streamChunk/4)
	flush := func(all bool) error {
		if len(buf) < streamChunk && !all {
			return nil
		}
		_, err := w.Write(buf)
		buf = buf[:0]
		return err
	}
	if f == JSON {
		buf = append(buf, "{\n  \"apiVersion\": \"v1\",\n  \"items\": "...)
		if n == 0 {
			buf = append(buf, "[]"...)
		} else {
			buf = append(buf, '[')
		}
	}
	for i := range n {
		t, err := tree(i)
		if err != nil {
			return err
		}
		switch {
		case f == JSON:
			if i > 0 {
				buf = append(buf, ',')
			}
			buf = appendNewline(buf, 2)
			buf = appendJSONValue(buf, t.t, t.i, 2)
		case i > 0:
			buf = append(buf, "---\n"...)
			fallthrough
		default:
			buf = AppendYAML(buf, t)
		}
		if err := flush(false); err != nil {
			return err
		}
	}
	if f == JSON {
		if n > 0 {
			buf = appendNewline(buf, 1)
			buf = append(buf, ']')
		}
		buf = append(buf, ",\n  \"kind\": \"List\"\n}\n"...)
	}
	return flush(true)
}
