package build_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/svccfg/svccfg/lib/build"
)

// labelsStar is a configuration of a stdlib service and a raw proto ConfigMap whose own
// labels include another tool's managed-by label, which svccfg's replaces.
const labelsStar = `
core = proto.package("k8s.io.api.core.v1")
meta = proto.package("k8s.io.apimachinery.pkg.apis.meta.v1")

def main(ctx):
    return [
        service(name = "web", owner = "web-team", image = "registry.example.com/web:1", replicas = 2),
        core.ConfigMap(metadata = meta.ObjectMeta(name = "settings", labels = {"app": "web", "app.kubernetes.io/managed-by": "helm"})),
    ]
`

// TestLabels requires every Kubernetes object, the stdlib's and raw proto
// messages alike, to carry the managed-by and config-set labels, the config
// set coming from svccfg.yaml or else the config root's name.
func TestLabels(t *testing.T) {
	for _, test := range []struct {
		name, yaml, want string
	}{
		{name: "default", want: "web"},
		{name: "svccfg.yaml", yaml: "config_set: storefront\n", want: "storefront"},
	} {
		t.Run(test.name, func(t *testing.T) {
			root := filepath.Join(t.TempDir(), "shop")
			// The config root is shop, the directory with svccfg.yaml
			// above web, or else web, the directory of the file.
			write(t, filepath.Join(root, "web", "main.star"), labelsStar)
			path := root
			if test.yaml != "" {
				write(t, filepath.Join(root, build.ConfigFile), test.yaml)
				path = filepath.Join(root, "web")
			}
			out, err := build.Build(t.Context(), []string{path}, build.Options{Cwd: root})
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff([]string{test.want}, out.ConfigSets); d != "" {
				t.Errorf("ConfigSets (-want +got):\n%s", d)
			}
			n := 0
			for _, u := range out.Units {
				for _, obj := range u.Objects {
					n++
					var m struct {
						Metadata struct{ Labels map[string]string }
					}
					data, err := obj.JSON()
					if err != nil {
						t.Fatal(err)
					}
					if err := json.Unmarshal(data, &m); err != nil {
						t.Fatal(err)
					}
					if got := m.Metadata.Labels[build.ManagedByLabel]; got != build.ManagedBy {
						t.Errorf("%s %s: %s = %q, want %q", obj.Kind, obj.Name, build.ManagedByLabel, got, build.ManagedBy)
					}
					if got := m.Metadata.Labels[build.ConfigSetLabel]; got != test.want {
						t.Errorf("%s %s: %s = %q, want %q", obj.Kind, obj.Name, build.ConfigSetLabel, got, test.want)
					}
					if m.Metadata.Labels["app"] != "web" {
						t.Errorf("%s %s: labels %v lack app=web", obj.Kind, obj.Name, m.Metadata.Labels)
					}
				}
			}
			if n < 4 {
				t.Errorf("built %d objects, want the service's and the ConfigMap", n)
			}
		})
	}
}

// TestConfigSetError requires an invalid config set name to be reported
// at svccfg.yaml.
func TestConfigSetError(t *testing.T) {
	root := filepath.Join(t.TempDir(), "my shop")
	write(t, filepath.Join(root, "main.star"), labelsStar)
	_, err := build.Build(t.Context(), []string{root}, build.Options{Cwd: root})
	want := `svccfg.yaml: the config root's name "my shop" is not a valid config set name: `
	if err == nil || !strings.Contains(err.Error(), filepath.Join(root, want)) {
		t.Errorf("Build in %q: %v, want an error at %s", root, err, want)
	}
}

func write(t *testing.T, name, text string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(name, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}
