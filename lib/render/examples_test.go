package render

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/svccfg/svccfg/lib/build"
	"github.com/svccfg/svccfg/lib/canon"
	sigsyaml "sigs.k8s.io/yaml"
)

// The encoder lib/render had before ParseJSON, AppendYAML and AppendJSON:
// encoding/json decoding into maps, then sigs.k8s.io/yaml or json.Encoder.

// decodeJSON decodes data as lib/render did before lib/canon.
func decodeJSON(data []byte) (any, error) {
	d := json.NewDecoder(bytes.NewReader(data))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, err
	}
	return v, nil
}

// oldTree decodes an object's or resource's JSON, as built, into maps.
func oldTree(data []byte) (map[string]any, error) {
	v, err := decodeJSON(data)
	if err != nil {
		return nil, err
	}
	return v.(map[string]any), nil
}

// oldEncode is the encoder in format f that lib/render used before
// lib/canon: sigs.k8s.io/yaml.Marshal, or json.Encoder with two-space
// indentation and no HTML escaping.
func oldEncode(tree any, f canon.Format) ([]byte, error) {
	if f == canon.YAML {
		return sigsyaml.Marshal(tree)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(tree); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func oldStream(trees []map[string]any, f canon.Format) ([]byte, error) {
	if f == canon.JSON {
		items := make([]any, len(trees))
		for i, t := range trees {
			items[i] = t
		}
		return oldEncode(map[string]any{"apiVersion": "v1", "kind": "List", "items": items}, canon.JSON)
	}
	var buf bytes.Buffer
	for i, t := range trees {
		if i > 0 {
			buf.WriteString("---\n")
		}
		data, err := oldEncode(t, canon.YAML)
		if err != nil {
			return nil, err
		}
		buf.Write(data)
	}
	return buf.Bytes(), nil
}

// buildExamples builds every example.
func buildExamples(t testing.TB) map[string]*build.Output {
	t.Helper()
	dirs, err := filepath.Glob("../../examples/*")
	if err != nil {
		t.Fatal(err)
	}
	outs := make(map[string]*build.Output)
	for _, dir := range dirs {
		if info, err := os.Stat(dir); err != nil || !info.IsDir() {
			continue
		}
		abs, err := filepath.Abs(dir)
		if err != nil {
			t.Fatal(err)
		}
		out, err := build.Build(context.Background(), []string{abs}, build.Options{Cwd: filepath.Dir(abs)})
		if err != nil {
			t.Fatalf("building %s: %v", dir, err)
		}
		outs[filepath.Base(dir)] = out
	}
	if len(outs) == 0 {
		t.Fatal("no examples")
	}
	return outs
}

// TestExamplesMatchOldEncoder requires every example's Kubernetes streams
// and Envoy lists to encode, in both formats, to the bytes the old encoder
// wrote.
func TestExamplesMatchOldEncoder(t *testing.T) {
	outs := buildExamples(t)
	for _, name := range slices.Sorted(maps.Keys(outs)) {
		for _, u := range outs[name].Units {
			objs := slices.Clone(u.Objects)
			SortObjects(objs)
			var olds []map[string]any
			for _, o := range objs {
				data, err := o.JSON()
				if err != nil {
					t.Fatal(err)
				}
				tree, err := oldTree(data)
				if err != nil {
					t.Fatal(err)
				}
				olds = append(olds, tree)
			}
			trees, err := objectTrees(objs)
			if err != nil {
				t.Fatal(err)
			}
			var oldEnvoy []any
			resources := slices.Clone(u.Envoy)
			slices.SortStableFunc(resources, func(a, b build.Resource) int {
				return cmp.Or(strings.Compare(a.Type, b.Type), strings.Compare(a.Name, b.Name))
			})
			for _, m := range resources {
				data, err := m.JSON()
				if err != nil {
					t.Fatal(err)
				}
				tree, err := oldTree(data)
				if err != nil {
					t.Fatal(err)
				}
				oldEnvoy = append(oldEnvoy, tree)
			}
			for _, f := range []canon.Format{canon.YAML, canon.JSON} {
				want, err := oldStream(olds, f)
				if err != nil {
					t.Fatal(err)
				}
				if got := canon.Stream(trees, f); !bytes.Equal(got, want) {
					t.Errorf("%s: %s/%s: Stream(%s) =\n%s\nwant\n%s", name, u.Namespace, u.Name, f, got, want)
				}
				if len(u.Envoy) == 0 {
					continue
				}
				want, err = oldEncode(oldEnvoy, f)
				if err != nil {
					t.Fatal(err)
				}
				got, err := EnvoyList(u.Envoy, f)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(got, want) {
					t.Errorf("%s: %s: EnvoyList(%s) =\n%s\nwant\n%s", name, u.Name, f, got, want)
				}
			}
		}
	}
}
