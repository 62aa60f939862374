package e2e

import (
	"context"
	"encoding/base64"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/svccfg/svccfg/internal/testcluster"
	"github.com/svccfg/svccfg/lib/build"
	"github.com/svccfg/svccfg/lib/diff"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/discovery/cached/memory"
	"k8s.io/client-go/restmapper"
)

// secretConfig returns a configuration of one Secret whose password is
// value.
func secretConfig(value string) string {
	return `core = proto.package("k8s.io.api.core.v1")
meta = proto.package("k8s.io.apimachinery.pkg.apis.meta.v1")

def main(ctx):
    return core.Secret(
        metadata = meta.ObjectMeta(name = "db", labels = {"app": "db", "owner": "home"}),
        stringData = {"password": "` + value + `"},
    )
`
}

// TestDiff takes examples/home-srv through svccfg diff's life cycle: all to
// create in an empty namespace; nothing to change once applied (so the
// server's defaulting and bookkeeping do not show up as changes); exactly
// the Deployment after a change of replicas; and a Secret whose change is
// reported without its values.
func TestDiff(t *testing.T) {
	c := testcluster.Start(t)
	const ns = "diff-e2e"
	createNamespaces(t, c, []string{ns})
	d, err := diff.New(c.Config)
	if err != nil {
		t.Fatal(err)
	}
	home, err := os.ReadFile(filepath.Join(examplesDir, "home-srv", "main.star"))
	if err != nil {
		t.Fatal(err)
	}
	objs := buildConfig(t, ns, string(home))

	res := runDiff(t, d, objs)
	if res.Create != len(objs) || res.Update != 0 || res.Unchanged != 0 || !res.HasDifferences() {
		t.Fatalf("diff against an empty namespace: %s, want %d to create and nothing else", res.Summary(), len(objs))
	}

	applyForReal(t, c, objs)
	res = runDiff(t, d, objs)
	if res.Create != 0 || res.Update != 0 || res.Unchanged != len(objs) || res.HasDifferences() {
		t.Fatalf("diff after applying: %s, want all %d unchanged; diffs:\n%s", res.Summary(), len(objs), output(t, res))
	}

	t.Run("replicas", func(t *testing.T) {
		changed := strings.Replace(string(home), "replicas = 3", "replicas = 5", 1)
		res := runDiff(t, d, buildConfig(t, ns, changed))
		if res.Create != 0 || res.Update != 1 || res.Unchanged != len(objs)-1 {
			t.Fatalf("diff after a change of replicas: %s, want exactly one to change; diffs:\n%s", res.Summary(), output(t, res))
		}
		out := output(t, res)
		for _, want := range []string{
			"--- live/apps/v1/Deployment/" + ns + "/home-srv\n",
			"+++ svccfg/apps/v1/Deployment/" + ns + "/home-srv\n",
			"\n-  replicas: 3\n", "\n+  replicas: 5\n",
			"0 to create, 1 to change, " + itoa(len(objs)-1) + " unchanged, 0 to prune\n",
		} {
			if !strings.Contains(out, want) {
				t.Errorf("diff output lacks %q:\n%s", want, out)
			}
		}
	})

	t.Run("unknown field", func(t *testing.T) {
		// An object with a field the cluster does not serve, as when the
		// configuration is newer than the cluster, fails validation at
		// once (the apiserver answers 500, which is otherwise retried).
		objs := buildConfig(t, ns, secretConfig("x"))
		objs[0] = objs[0].WithJSON([]byte(strings.Replace(string(jsonOf(t, objs[0])), `"stringData"`, `"futureField":true,"stringData"`, 1)))
		_, err := d.Diff(t.Context(), objs, diff.Options{})
		var derr *diff.Error
		if !errors.As(err, &derr) || derr.Class != diff.Validation || !strings.Contains(err.Error(), ".futureField: field not declared in schema") {
			t.Errorf("diff of an object with an unknown field: %v, want a validation error naming it", err)
		}
	})

	t.Run("secret", func(t *testing.T) {
		const before, after = "correct-horse-battery", "staple-tr0ub4dor"
		secret := buildConfig(t, ns, secretConfig(before))
		applyForReal(t, c, secret)
		if res := runDiff(t, d, secret); res.HasDifferences() {
			t.Errorf("diff of the applied Secret: %s, want unchanged; diffs:\n%s", res.Summary(), output(t, res))
		}
		res := runDiff(t, d, buildConfig(t, ns, secretConfig(after)))
		out := output(t, res)
		if res.Update != 1 {
			t.Errorf("diff after a change of a Secret's value: %s, want 1 to change:\n%s", res.Summary(), out)
		}
		for _, v := range []string{before, after} {
			for _, secret := range []string{v, base64.StdEncoding.EncodeToString([]byte(v))} {
				if strings.Contains(out, secret) {
					t.Errorf("diff output shows a Secret value %q:\n%s", secret, out)
				}
			}
		}
		for _, want := range []string{"-  password: " + diff.RedactedBefore, "+  password: " + diff.RedactedAfter} {
			if !strings.Contains(out, want) {
				t.Errorf("diff output lacks %q:\n%s", want, out)
			}
		}
	})
}

// buildConfig builds one configuration file, main.star with text, in a
// config root named config (so in the config set config), with the
// namespace variable set to ns, and returns its Kubernetes objects.
func buildConfig(t *testing.T, ns, text string) []build.Object {
	t.Helper()
	return buildDir(t, ns, writeConfig(t, "config", text))
}

// writeConfig writes text to main.star in a new directory named name, and
// returns the directory.
func writeConfig(t *testing.T, name, text string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), name)
	if err := os.Mkdir(dir, 0o777); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "main.star"), []byte(text), 0o666); err != nil {
		t.Fatal(err)
	}
	return dir
}

// buildDir builds the configuration files in dir with the namespace
// variable set to ns, and returns their Kubernetes objects.
func buildDir(t *testing.T, ns, dir string) []build.Object {
	t.Helper()
	out, err := build.Build(context.Background(), []string{dir}, build.Options{Cwd: dir, Vars: map[string]string{"namespace": ns}})
	if err != nil {
		t.Fatalf("build: %v", err)
	}
	var objs []build.Object
	for _, u := range out.Units {
		objs = append(objs, u.Objects...)
	}
	if len(objs) == 0 {
		t.Fatal("build: no Kubernetes objects")
	}
	return objs
}

// runDiff compares objs with the cluster, failing t on error.
func runDiff(t *testing.T, d *diff.Differ, objs []build.Object) *diff.Result {
	t.Helper()
	res, err := d.Diff(t.Context(), objs, diff.Options{})
	if err != nil {
		t.Fatalf("diff: %v", err)
	}
	return res
}

// output returns what svccfg diff prints for res.
func output(t *testing.T, res *diff.Result) string {
	t.Helper()
	var b strings.Builder
	if _, err := res.WriteTo(&b); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// applyForReal applies objs as svccfg's field manager, as the deploy
// pipeline would.
func applyForReal(t *testing.T, c *testcluster.Cluster, objs []build.Object) {
	t.Helper()
	mapper := restmapper.NewDeferredDiscoveryRESTMapper(memory.NewMemCacheClient(c.Clientset.Discovery()))
	for _, obj := range objs {
		u := fromJSON(t, jsonOf(t, obj))
		gvk := u.GroupVersionKind()
		m, err := mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
		if err != nil {
			t.Fatal(err)
		}
		r := c.Dynamic.Resource(m.Resource)
		if m.Scope.Name() == meta.RESTScopeNameNamespace {
			_, err = r.Namespace(u.GetNamespace()).Apply(t.Context(), u.GetName(), u, metav1.ApplyOptions{FieldManager: diff.FieldManager, Force: true})
		} else {
			_, err = r.Apply(t.Context(), u.GetName(), u, metav1.ApplyOptions{FieldManager: diff.FieldManager, Force: true})
		}
		if err != nil {
			t.Fatalf("applying %s: %v", obj.Path(), err)
		}
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

func readFile(t *testing.T, name string) string {
	t.Helper()
	data, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}
