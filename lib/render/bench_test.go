package render

import (
	"testing"
)

// benchCase is an object of golden/home-srv and its JSON.
type benchCase struct {
	name  string
	json  []byte
	isK8s bool
}

func benchCases(b *testing.B) []benchCase {
	out := buildExamples(b)["home-srv"]
	var cases []benchCase
	for _, u := range out.Units {
		for _, o := range u.Objects {
			if o.Kind == "Deployment" || o.Kind == "Service" {
				cases = append(cases, benchCase{name: o.Kind, json: o.JSON, isK8s: true})
			}
		}
		for _, r := range u.Envoy {
			if r.Type == "envoy.config.cluster.v3.Cluster" {
				cases = append(cases, benchCase{name: "EnvoyCluster_" + r.Name, json: r.JSON})
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

// BenchmarkEncodeObject times rendering one object as YAML from the JSON
// the build produced, status removal included.
func BenchmarkEncodeObject(b *testing.B) {
	for _, c := range benchCases(b) {
		b.Run(c.name+"/old", func(b *testing.B) {
			for b.Loop() {
				var tree map[string]any
				var err error
				if c.isK8s {
					tree, err = oldObject(c.json)
				} else {
					tree, err = oldEnvoyResource(c.json)
				}
				if err != nil {
					b.Fatal(err)
				}
				if _, err := oldYAML(tree); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(c.name+"/new", func(b *testing.B) {
			for b.Loop() {
				var n Node
				var err error
				if c.isK8s {
					n, err = Object(c.json)
				} else {
					n, err = EnvoyResource(c.json)
				}
				if err != nil {
					b.Fatal(err)
				}
				Encode(n, YAML)
			}
		})
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
