package canon

import (
	"bytes"
	"encoding/json"
	"maps"
	"slices"
	"strings"
	"testing"

	sigsyaml "sigs.k8s.io/yaml"
)

// benchCase is an object of golden/home-srv and its JSON.
type benchCase struct {
	name string
	json []byte
}

// benchCases returns the JSON of home-srv's Deployment, Service and Envoy
// Cluster, from its golden files.
func benchCases(b *testing.B) []benchCase {
	var cases []benchCase
	docs := goldenDocs(b)
	for _, name := range slices.Sorted(maps.Keys(docs)) {
		if !strings.HasPrefix(name, "../../golden/home-srv/") {
			continue
		}
		doc := docs[name]
		if strings.HasPrefix(name, "../../golden/home-srv/envoy/") {
			var list []any
			if err := sigsyaml.Unmarshal(doc, &list); err != nil {
				b.Fatal(err)
			}
			for _, r := range list {
				if m, ok := r.(map[string]any); ok && m["@type"] == "type.googleapis.com/envoy.config.cluster.v3.Cluster" {
					data, err := json.Marshal(m)
					if err != nil {
						b.Fatal(err)
					}
					cases = append(cases, benchCase{name: "EnvoyCluster_" + m["name"].(string), json: data})
				}
			}
			continue
		}
		for _, kind := range []string{"Deployment", "Service"} {
			if bytes.HasPrefix(doc, []byte("apiVersion: ")) && bytes.Contains(doc, []byte("\nkind: "+kind+"\n")) {
				data, err := sigsyaml.YAMLToJSON(doc)
				if err != nil {
					b.Fatal(err)
				}
				cases = append(cases, benchCase{name: kind, json: data})
			}
		}
	}
	if len(cases) != 3 {
		b.Fatalf("home-srv has %d Deployments, Services and Envoy Clusters, want 3", len(cases))
	}
	return cases
}

// BenchmarkEncode times what the new encoder replaced: from an object's
// JSON to its YAML or JSON manifest, the old way (encoding/json decoding,
// then sigs.k8s.io/yaml or json.Encoder) and the new (ParseJSON, then
// AppendYAML or AppendJSON).
func BenchmarkEncode(b *testing.B) {
	for _, c := range benchCases(b) {
		for _, f := range []Format{YAML, JSON} {
			b.Run(c.name+"/"+string(f)+"/old", func(b *testing.B) {
				b.SetBytes(int64(len(c.json)))
				for b.Loop() {
					tree, err := decodeJSON(c.json)
					if err != nil {
						b.Fatal(err)
					}
					if _, err := oldEncode(tree, f); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run(c.name+"/"+string(f)+"/new", func(b *testing.B) {
				b.SetBytes(int64(len(c.json)))
				var buf []byte
				for b.Loop() {
					n, err := ParseJSON(c.json)
					if err != nil {
						b.Fatal(err)
					}
					buf = appendEncoded(buf[:0], n, f)
				}
			})
		}
	}
}

// BenchmarkParseJSON and BenchmarkAppendYAML time the two halves of the
// new encoder.
func BenchmarkParseJSON(b *testing.B) {
	for _, c := range benchCases(b) {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(len(c.json)))
			for b.Loop() {
				if _, err := ParseJSON(c.json); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkAppendYAML(b *testing.B) {
	for _, c := range benchCases(b) {
		n, err := ParseJSON(c.json)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(len(c.json)))
			var buf []byte
			for b.Loop() {
				buf = AppendYAML(buf[:0], n)
			}
		})
	}
}
