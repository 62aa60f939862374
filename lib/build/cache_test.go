package build

import (
	"bytes"
	"context"
	"errors"
	"github.com/svccfg/svccfg/lib/diag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"
	"k8s.io/apimachinery/pkg/api/equality"
)

func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, data := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// summary returns the names and JSON of out's objects, and the counts.
func summary(out *Output) string {
	var b strings.Builder
	for _, u := range out.Units {
		for _, o := range u.Objects {
			b.WriteString(o.Kind + " " + o.Namespace + "/" + o.Name + " " + string(o.json) + "\n")
		}
		for _, r := range u.Envoy {
			b.WriteString(r.Type + " " + r.Name + "\n")
		}
	}
	return b.String()
}

func TestCache(t *testing.T) {
	root := t.TempDir()
	writeFiles(t, root, map[string]string{
		"svccfg.yaml": "vars:\n  namespace: web\n",
		"lib.star":    "IMAGE = \"registry.example.com/web:1.0.0\"\n",
		"web.star":    "load(\"lib.star\", \"IMAGE\")\n\ndef main(ctx):\n    print(\"building web\")\n    return service(name = \"web\", owner = \"o\", image = IMAGE, port = 80)\n",
		"job.star":    "def main(ctx):\n    return cron(name = \"job\", owner = \"o\", image = \"j:1\", schedule = \"0 * * * *\")\n",
	})
	cache, err := OpenCache(filepath.Join(t.TempDir(), "cache"))
	if err != nil {
		t.Fatal(err)
	}
	build := func(vars map[string]string) (*Output, string) {
		t.Helper()
		var stderr bytes.Buffer
		out, err := Build(context.Background(), []string{root}, Options{Cwd: root, Cache: cache, Stderr: &stderr, Vars: vars})
		if err != nil {
			t.Fatal(err)
		}
		return out, stderr.String()
	}

	first, firstStderr := build(nil)
	if first.Files != 2 || first.Cached != 0 {
		t.Errorf("first build: %d files, %d cached; want 2, 0", first.Files, first.Cached)
	}
	second, secondStderr := build(nil)
	if second.Cached != 2 {
		t.Errorf("second build: %d of %d files cached, want all", second.Cached, second.Files)
	}
	if summary(second) != summary(first) {
		t.Errorf("cached build differs:\n%s\nwant\n%s", summary(second), summary(first))
	}
	if secondStderr != firstStderr || !strings.Contains(firstStderr, "web.star:4:10: print: building web") {
		t.Errorf("print output = %q from the cache, want %q", secondStderr, firstStderr)
	}

	// A change to a loaded module re-evaluates the files that load it.
	cache.hashes.Clear() // a new build, as a new process would start
	writeFiles(t, root, map[string]string{"lib.star": "IMAGE = \"registry.example.com/web:2.0.0\"\n"})
	third, _ := build(nil)
	if third.Cached != 1 {
		t.Errorf("after changing lib.star: %d of %d files cached, want 1 (job.star)", third.Cached, third.Files)
	}
	if !strings.Contains(summary(third), "web:2.0.0") {
		t.Errorf("after changing lib.star, output still has the old image:\n%s", summary(third))
	}

	// Other variables are another evaluation.
	fourth, _ := build(map[string]string{"environment": "production"})
	if fourth.Cached != 0 {
		t.Errorf("with new variables: %d files cached, want 0", fourth.Cached)
	}

	// A corrupt entry is a miss, not an error.
	entries, _ := filepath.Glob(filepath.Join(cache.dir, "*", "*"))
	if len(entries) == 0 {
		t.Fatal("no cache entries written")
	}
	for _, e := range entries {
		if err := os.WriteFile(e, []byte("garbage"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	fifth, _ := build(nil)
	if fifth.Cached != 0 || summary(fifth) != summary(third) {
		t.Errorf("with corrupt entries: %d cached, output changed = %v; want 0 and the same output", fifth.Cached, summary(fifth) != summary(third))
	}
}

func TestCacheSkipsFailures(t *testing.T) {
	root := t.TempDir()
	writeFiles(t, root, map[string]string{"bad.star": "def main(ctx):\n    return service(name = \"x\")\n"})
	cache, err := OpenCache(filepath.Join(t.TempDir(), "cache"))
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		_, err := Build(context.Background(), []string{root}, Options{Cwd: root, Cache: cache})
		if err == nil || !strings.Contains(err.Error(), "service: missing argument for owner") {
			t.Fatalf("Build error = %v, want a missing argument", err)
		}
	}
	if entries, _ := filepath.Glob(filepath.Join(cache.dir, "*", "*")); len(entries) != 0 {
		t.Errorf("a failed evaluation was cached: %v", entries)
	}
}

func TestEntryRoundTrip(t *testing.T) {
	out := &jobOutput{items: []item{
		{key: unitKey{"ns", "web"}, what: `service "web"`, obj: &Object{ID: ID{Group: "apps", Version: "v1", Kind: "Deployment", Namespace: "ns", Name: "web"}, json: []byte(`{"kind":"Deployment"}`)}},
		{key: unitKey{"ns", "web"}, what: "w", res: &Resource{Type: "envoy.config.cluster.v3.Cluster", Name: "web", json: []byte(`{}`)}},
	}}
	out.items[0].pos.File, out.items[0].pos.Line, out.items[0].pos.Col = "/x/web.star", 3, 19
	out.items[0].stack = []diag.Frame{{Pos: diag.Position{File: "/x/main.star", Line: 4, Col: 12}, Func: "main"}}
	out.stderr.WriteString("printed\n")
	data, err := encodeEntry(out, []dep{{path: "/x/lib.star", hash: [32]byte{1, 2}}})
	if err != nil {
		t.Fatal(err)
	}
	got, deps, err := decodeEntry(data)
	if err != nil {
		t.Fatal(err)
	}
	if len(deps) != 1 || deps[0].path != "/x/lib.star" || deps[0].hash[1] != 2 {
		t.Errorf("deps = %v", deps)
	}
	if got.stderr.String() != "printed\n" || len(got.items) != 2 || !reflect.DeepEqual(got.items[0].obj, out.items[0].obj) || got.items[0].pos != out.items[0].pos || got.items[1].res.Name != "web" ||
		!reflect.DeepEqual(got.items[0].stack, out.items[0].stack) || got.items[1].stack != nil {
		t.Errorf("decodeEntry(encodeEntry(x)) = %+v, want %+v", got, out)
	}
	for i := range len(data) - 1 {
		if _, _, err := decodeEntry(data[:i]); err == nil {
			t.Errorf("decodeEntry(truncated to %d bytes) succeeded", i)
		}
	}
}

// TestObjectForms requires the objects and resources of a build to give
// the same JSON and typed forms whichever form the build kept
// ([Options.Typed]) and whether they came from the cache, which keeps JSON.
func TestObjectForms(t *testing.T) {
	root := t.TempDir()
	writeFiles(t, root, map[string]string{
		"web.star": "def main(ctx):\n    return service(name = \"web\", owner = \"o\", image = \"r/web:1\", port = 80, replicas = 2)\n",
	})
	cache, err := OpenCache(filepath.Join(t.TempDir(), "cache"))
	if err != nil {
		t.Fatal(err)
	}
	var units []*Unit
	for _, opts := range []Options{{Cwd: root}, {Cwd: root, Typed: true}, {Cwd: root, Typed: true, Cache: cache}, {Cwd: root, Typed: true, Cache: cache}} {
		out, err := Build(context.Background(), []string{root}, opts)
		if err != nil {
			t.Fatal(err)
		}
		units = append(units, out.Units[0])
	}
	if u := units[3]; u.Objects[0].typed != nil || u.Envoy[0].msg != nil {
		t.Errorf("objects from the cache hold their typed form")
	}
	if u := units[1]; u.Objects[0].json != nil || u.Envoy[0].json != nil {
		t.Errorf("objects of a typed build hold their JSON")
	}
	want := units[0]
	if len(want.Objects) == 0 || len(want.Envoy) == 0 {
		t.Fatalf("built %d objects and %d resources", len(want.Objects), len(want.Envoy))
	}
	for _, got := range units[1:] {
		if len(got.Objects) != len(want.Objects) || len(got.Envoy) != len(want.Envoy) {
			t.Fatalf("builds made %d objects and %d resources, then %d and %d", len(want.Objects), len(want.Envoy), len(got.Objects), len(got.Envoy))
		}
		for i := range want.Objects {
			w, g := &want.Objects[i], &got.Objects[i]
			wj, err1 := w.JSON()
			gj, err2 := g.JSON()
			wt, err3 := w.Typed()
			gt, err4 := g.Typed()
			if err := errors.Join(err1, err2, err3, err4); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(gj, wj) {
				t.Errorf("%s: JSON %s, want %s", g.ID, gj, wj)
			}
			if !equality.Semantic.DeepEqual(gt, wt) {
				t.Errorf("%s: typed %+v, want %+v", g.ID, gt, wt)
			}
		}
		for i := range want.Envoy {
			w, g := &want.Envoy[i], &got.Envoy[i]
			wj, err1 := w.JSON()
			gj, err2 := g.JSON()
			wm, err3 := w.Message()
			gm, err4 := g.Message()
			if err := errors.Join(err1, err2, err3, err4); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(gj, wj) {
				t.Errorf("%s: JSON %s, want %s", g, gj, wj)
			}
			if !proto.Equal(gm, wm) {
				t.Errorf("%s: message %v, want %v", g, gm, wm)
			}
		}
	}
}
