package main

import (
	"bytes"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"

	"github.com/svccfg/svccfg/lib/envoy"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/anypb"
	"k8s.io/apimachinery/pkg/runtime/serializer/json"
	"k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/yaml"
)

// TestGoldenDecodes decodes every rendered document under golden/ the way
// its consumer will: each Kubernetes object with client-go's scheme in
// strict mode (unknown, duplicate or mistyped fields fail), and each Envoy
// resource into its go-control-plane type, which must pass ValidateAll.
func TestGoldenDecodes(t *testing.T) {
	strict := json.NewSerializerWithOptions(json.DefaultMetaFactory, scheme.Scheme, scheme.Scheme,
		json.SerializerOptions{Yaml: true, Strict: true})
	var k8sDocs, envoyDocs int
	err := filepath.WalkDir(goldenDir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data := readFile(t, path)
		switch filepath.Base(filepath.Dir(filepath.Dir(path))) {
		case "kubernetes":
			for i, doc := range bytes.Split(data, []byte("\n---\n")) {
				obj, gvk, err := strict.Decode(doc, nil, nil)
				if err != nil {
					t.Errorf("%s: document %d: %v", path, i, err)
					continue
				}
				if obj.GetObjectKind().GroupVersionKind() != *gvk {
					t.Errorf("%s: document %d decoded as %v, want %v", path, i, obj.GetObjectKind().GroupVersionKind(), gvk)
				}
				k8sDocs++
			}
		default: // envoy/
			var list []any
			if err := yaml.UnmarshalStrict(data, &list); err != nil {
				t.Errorf("%s: %v", path, err)
				return nil
			}
			for i, item := range list {
				m, err := decodeEnvoy(item)
				if err != nil {
					t.Errorf("%s: item %d: %v", path, i, err)
					continue
				}
				if err := envoy.Validate(m); err != nil {
					t.Errorf("%s: item %d: %v", path, i, err)
				}
				envoyDocs++
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if k8sDocs == 0 || envoyDocs == 0 {
		t.Fatalf("decoded %d Kubernetes and %d Envoy documents, want some of each", k8sDocs, envoyDocs)
	}
	t.Logf("decoded %d Kubernetes objects and %d Envoy resources", k8sDocs, envoyDocs)
}

func decodeEnvoy(item any) (proto.Message, error) {
	data, err := yaml.Marshal(item)
	if err != nil {
		return nil, err
	}
	jsonData, err := yaml.YAMLToJSON(data)
	if err != nil {
		return nil, err
	}
	var a anypb.Any
	if err := (protojson.UnmarshalOptions{}).Unmarshal(jsonData, &a); err != nil {
		return nil, err
	}
	if !strings.HasPrefix(a.GetTypeUrl(), "type.googleapis.com/envoy.") {
		return nil, &unexpectedType{a.GetTypeUrl()}
	}
	return a.UnmarshalNew()
}

type unexpectedType struct{ url string }

func (e *unexpectedType) Error() string { return "unexpected @type " + e.url }
