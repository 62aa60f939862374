package build_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/svccfg/svccfg/lib/build"
)

// TestPeers builds a caller whose callee another file defines: alone, the
// call is an error; against the Partial build of the whole root as Peers,
// the caller's egress routes reach the callee, and only the caller's units
// are in the Output; against peers without the callee, the call is still an
// error.
func TestPeers(t *testing.T) {
	root := t.TempDir()
	web, api, bad := filepath.Join(root, "web.star"), filepath.Join(root, "api.star"), filepath.Join(root, "bad.star")
	write(t, web, "def main(ctx):\n    return service(name = \"web\", owner = \"a\", image = \"r/web:1\", port = 80, calls = [\"api\"])\n")
	write(t, api, "def main(ctx):\n    return service(name = \"api\", owner = \"a\", image = \"r/api:1\", port = 80)\n")
	write(t, bad, "def main(ctx):\n    return service(name = \"bad\", owner = \"a\")\n")

	_, err := build.Build(t.Context(), []string{web}, build.Options{Cwd: root})
	if want := web + `:2:19: service "web": calls: no service "api" in namespace "default" in this build`; err == nil || !containsLine(err.Error(), want) {
		t.Fatalf("Build of the caller alone: got %v, want an error with the line %q", err, want)
	}

	all, err := build.Build(t.Context(), []string{root}, build.Options{Cwd: root, Partial: true})
	if want := bad + `:2:19: service: missing argument for image`; err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("Partial build: got error %v, want one with %q", err, want)
	}
	if all == nil || len(all.Units) != 2 || all.Units[0].Name != "api" || all.Units[1].Name != "web" {
		t.Fatalf("Partial build: got %+v, want the units api and web", all)
	}

	out, err := build.Build(t.Context(), []string{web}, build.Options{Cwd: root, Peers: all.Units[:1]})
	if err != nil {
		t.Fatalf("Build of the caller against its peers: %v", err)
	}
	if len(out.Units) != 1 || out.Units[0].Name != "web" {
		t.Fatalf("got units %+v, want web alone", out.Units)
	}
	var egress []byte
	for _, r := range out.Units[0].Envoy {
		if r.Name == "web"+build.EgressSuffix {
			if egress, err = r.JSON(); err != nil {
				t.Fatal(err)
			}
		}
	}
	if !strings.Contains(string(egress), `"api.default.svc.cluster.local"`) {
		t.Errorf("web-egress = %s, want a virtual host of api", egress)
	}

	_, err = build.Build(t.Context(), []string{web}, build.Options{Cwd: root, Peers: all.Units[1:]})
	if want := `calls: no service "api" in namespace "default" in this build`; err == nil || !strings.HasSuffix(err.Error(), want) {
		t.Errorf("Build against peers without api: got %v, want %q", err, want)
	}
}
