package canon

import (
	"fmt"
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
	buf := make([]byte, 0, size)
	if f == JSON {
		buf = append(buf, "{\n  \"apiVersion\": \"v1\",\n  \"items\": "...)
		buf = appendJSONList(buf, trees, 1)
		return append(buf, ",\n  \"kind\": \"List\"\n}\n"...)
	}
	for i, t := range trees {
		if i > 0 {
			buf = append(buf, "---\n"...)
		}
		buf = AppendYAML(buf, t)
	}
	return buf
}
