package render

import (
	"bytes"
	"encoding/json"
	"fmt"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/types/known/anypb"
	"k8s.io/apimachinery/pkg/runtime"
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

// Object returns the canonical tree of a Kubernetes object: its JSON as
// Kubernetes encodes it, without status, which the cluster owns.
func Object(obj runtime.Object) (map[string]any, error) {
	data, err := json.Marshal(obj)
	if err != nil {
		return nil, err
	}
	tree, err := decode(data)
	if err != nil {
		return nil, err
	}
	delete(tree, "status")
	return tree, nil
}

// EnvoyResource returns the canonical tree of an Envoy resource, as an Any
// with its "@type" and fields named as in the .proto files.
func EnvoyResource(m proto.Message) (map[string]any, error) {
	a, err := anypb.New(m)
	if err != nil {
		return nil, err
	}
	data, err := protojson.MarshalOptions{UseProtoNames: true, Resolver: protoregistry.GlobalTypes}.Marshal(a)
	if err != nil {
		return nil, err
	}
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
