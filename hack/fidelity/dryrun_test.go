package main

import (
	"context"
	"slices"
	"testing"

	"github.com/svccfg/svccfg/internal/testcluster"
)

// TestDryRunDefaults compares two Services through a real apiserver: the
// original writes only its port, svccfg's is headless. After defaulting,
// the type, protocol and targetPort that neither writes are the same, and
// the allocated clusterIP against "None" is the one difference.
func TestDryRunDefaults(t *testing.T) {
	c := testcluster.Start(t)
	dr, err := NewDryRunner(c.Config)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	prepare := func(js string) []Object {
		objs, err := side(ctx, []map[string]any{obj(t, js)}, dr)
		if err != nil {
			t.Fatal(err)
		}
		return objs
	}
	orig := prepare(`{"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web", "namespace": "fidelity-e2e"},
		"spec": {"selector": {"app": "web"}, "ports": [{"port": 80}]}}`)
	svccfg := prepare(`{"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web", "namespace": "fidelity-e2e"},
		"spec": {"clusterIP": "None", "selector": {"app": "web"}, "ports": [{"port": 80, "name": "http"}]}}`)
	res := Compare(orig, svccfg)
	if !res.Defaulted {
		t.Fatal("not compared after defaulting")
	}
	o := res.Objects[0]
	if o.Written != (Score{Same: 2, Total: 2}) {
		t.Errorf("written = %v, want 2/2 (selector and port); diffs %v", o.Written, o.Diffs)
	}
	var paths []string
	for _, d := range o.DefaultDiffs {
		paths = append(paths, d.Path)
	}
	if want := []string{"spec.clusterIP", "spec.clusterIPs[0]"}; !slices.Equal(paths, want) {
		t.Errorf("fields that differ after defaulting: %v, want %v", paths, want)
	}
	def := Compared(Flatten(orig[0].Defaulted))
	for p, v := range map[string]string{"spec.type": `"ClusterIP"`, "spec.ports[80].protocol": `"TCP"`, "spec.ports[80].targetPort": "80"} {
		if def[p] != v {
			t.Errorf("defaulted %s = %q, want %s", p, def[p], v)
		}
	}
}
