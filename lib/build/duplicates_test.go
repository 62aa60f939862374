package build_test

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/svccfg/svccfg/lib/build"
	"github.com/svccfg/svccfg/lib/diag"
)

// TestDuplicates builds two files that define the same service: an error by
// default, and with Options.Duplicates one Duplicate per object and resource
// produced again, the first file's objects kept, each with its call's position.
func TestDuplicates(t *testing.T) {
	root := t.TempDir()
	src := "def main(ctx):\n    return service(name = \"web\", owner = \"a\", image = \"r/web:1\", port = 80)\n"
	a, b := filepath.Join(root, "a.star"), filepath.Join(root, "b.star")
	write(t, a, src)
	write(t, b, src)
	write(t, filepath.Join(root, build.ConfigFile), "lint:\n  disable: [owner-set]\n")

	_, err := build.Build(t.Context(), []string{root}, build.Options{Cwd: root})
	if want := b + `:2:19: service "web": Deployment default/web is also produced at a.star:2:19`; err == nil || !containsLine(err.Error(), want) {
		t.Errorf("Build without Duplicates: got %v, want an error with the line %q", err, want)
	}

	out, err := build.Build(t.Context(), []string{root}, build.Options{Cwd: root, Duplicates: true})
	if err != nil {
		t.Fatal(err)
	}
	at := func(file string) diag.Position { return diag.Position{File: file, Line: 2, Col: 19} }
	var ids []string
	for _, d := range out.Duplicates {
		if d.Source.Pos != at(b) || d.Prev.Pos != at(a) || d.What != `service "web"` {
			t.Errorf("duplicate %+v, want one at %v of %v", d, at(b), at(a))
		}
		ids = append(ids, d.ID)
	}
	want := []string{
		"ServiceAccount default/web", "Deployment default/web", "Service default/web",
		`envoy.config.cluster.v3.Cluster "web"`, `envoy.config.route.v3.RouteConfiguration "web"`,
	}
	if d := cmp.Diff(want, ids); d != "" {
		t.Errorf("duplicate IDs (-want +got):\n%s", d)
	}
	if len(out.Units) != 1 || len(out.Units[0].Objects) != 3 || len(out.Units[0].Envoy) != 2 {
		t.Fatalf("got units %+v, want one with 3 objects and 2 resources", out.Units)
	}
	for _, o := range out.Units[0].Objects {
		if o.Source.Pos != at(a) {
			t.Errorf("%s %s: Pos = %v, want %v", o.Kind, o.Name, o.Source.Pos, at(a))
		}
	}
	if len(out.Roots) != 1 || out.Roots[0].Dir != root || len(out.Roots[0].Config.Lint.Disable) != 1 {
		t.Errorf("Roots = %+v, want %s with its svccfg.yaml", out.Roots, root)
	}
}

func containsLine(text, line string) bool {
	return slices.Contains(strings.Split(text, "\n"), line)
}
