// Package render turns built objects into manifest bytes: one canonical
// encoder (sorted keys, two-space YAML or indented JSON, a trailing newline),
// a fixed object order, and the output file layout. Kubernetes objects are
// encoded by Kubernetes' own JSON marshalling of the k8s.io/api structs, so
// Quantity, IntOrString and Time come out as Kubernetes expects; Envoy
// resources go through protojson only to be decoded and re-encoded
// canonically, so protojson's deliberately unstable bytes never reach a
// manifest.
package render

import (
	"bytes"
	"encoding/json"
	"fmt"

	"sigs.k8s.io/yaml"
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

// Object returns the canonical tree of a Kubernetes object, from its JSON as
// Kubernetes encodes it, without status, which the cluster owns.
func Object(data []byte) (map[string]any, error) {
	tree, err := decode(data)
	if err != nil {
		return nil, err
	}
	delete(tree, "status")
	return tree, nil
}

// EnvoyResource returns the canonical tree of an Envoy resource, from its
// protojson encoding as an Any.
func EnvoyResource(data []byte) (map[string]any, error) {
	return decode(data)
}

func decode(data []byte) (map[string]any, error) {
	d := json.NewDecoder(bytes.NewReader(data))
	d.UseNumber()
	var tree map[string]any
	if err := d.Decode(&tree); err != nil {
		return nil, err
	}
	return tree, nil
}

// Encode encodes a tree in format f: YAML with sorted keys and two-space
// indentation, or JSON with sorted keys, two-space indentation and no HTML
// escaping; both end in a newline.
func Encode(tree any, f Format) ([]byte, error) {
	if f == JSON {
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		if err := enc.Encode(tree); err != nil {
			return nil, err
		}
		return buf.Bytes(), nil
	}
	return yaml.Marshal(tree)
}

// Stream encodes Kubernetes object trees as one document: a YAML stream
// separated by "---" lines, or a JSON v1 List, as `kubectl apply -f -` takes.
func Stream(trees []map[string]any, f Format) ([]byte, error) {
	if f == JSON {
		items := make([]any, len(trees))
		for i, t := range trees {
			items[i] = t
		}
		return Encode(map[string]any{"apiVersion": "v1", "kind": "List", "items": items}, JSON)
	}
	var buf bytes.Buffer
	for i, t := range trees {
		if i > 0 {
			buf.WriteString("---\n")
		}
		data, err := Encode(t, YAML)
		if err != nil {
			return nil, err
		}
		buf.Write(data)
	}
	return buf.Bytes(), nil
}
