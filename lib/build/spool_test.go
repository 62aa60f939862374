package build

import (
	"bytes"
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// contents returns the JSON of every object and resource of out, in order.
func contents(t *testing.T, out *Output) string {
	t.Helper()
	var b bytes.Buffer
	for _, u := range out.Units {
		for _, o := range u.Objects {
			data, err := o.JSON()
			if err != nil {
				t.Fatal(err)
			}
			b.WriteString(o.ID.String() + " " + string(data) + "\n")
		}
		for _, r := range u.Envoy {
			data, err := r.JSON()
			if err != nil {
				t.Fatal(err)
			}
			b.WriteString(r.String() + " " + string(data) + "\n")
		}
	}
	return b.String()
}

func TestSpool(t *testing.T) {
	root := t.TempDir()
	writeFiles(t, root, map[string]string{
		"web.star": "def main(ctx):\n    return service(name = \"web\", owner = \"o\", image = \"w:1\", port = 80, replicas = 2)\n",
		"job.star": "def main(ctx):\n    return cron(name = \"job\", owner = \"o\", image = \"j:1\", schedule = \"0 * * * *\")\n",
	})
	cache, err := OpenCache(filepath.Join(t.TempDir(), "cache"))
	if err != nil {
		t.Fatal(err)
	}
	build := func(spool *Spool) string {
		t.Helper()
		out, err := Build(context.Background(), []string{root}, Options{Cwd: root, Spool: spool, Cache: cache})
		if err != nil {
			t.Fatal(err)
		}
		if spool != nil {
			for _, u := range out.Units {
				for _, o := range u.Objects {
					if o.json != nil || o.spool.s != spool {
						t.Errorf("%s: JSON held in memory, want it in the spool", o.ID)
					}
				}
			}
		}
		return contents(t, out)
	}
	want := build(nil)
	spool, err := NewSpool(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer spool.Close()
	// Built, then from the cache: the same objects either way.
	for _, what := range []string{"built", "cached"} {
		if got := build(spool); got != want {
			t.Errorf("%s with a spool:\n%s\nwant\n%s", what, got, want)
		}
	}
	if spool.size.Load() == 0 {
		t.Error("nothing was written to the spool")
	}
}

func TestKubernetesOnly(t *testing.T) {
	root := t.TempDir()
	writeFiles(t, root, map[string]string{
		"web.star": "def main(ctx):\n    return service(name = \"web\", owner = \"o\", image = \"w:1\", port = 80)\n",
		"bad.star": "cluster = proto.package(\"envoy.config.cluster.v3\")\n\ndef main(ctx):\n    return cluster.Cluster(name = \"bad\", connect_timeout = \"-1s\")\n",
	})
	// Envoy resources are still checked.
	_, err := Build(context.Background(), []string{root}, Options{Cwd: root, KubernetesOnly: true})
	if err == nil || !strings.Contains(err.Error(), `Cluster "bad": invalid Cluster.ConnectTimeout`) {
		t.Fatalf("Build of an invalid Cluster: error %v, want it reported", err)
	}
	writeFiles(t, root, map[string]string{"bad.star": "def main(ctx):\n    return []\n"})
	cache, err := OpenCache(filepath.Join(t.TempDir(), "cache"))
	if err != nil {
		t.Fatal(err)
	}
	for _, test := range []struct {
		cache    *Cache
		wantJSON bool
	}{{nil, false}, {cache, true}, {cache, true}} { // the last from the cache
		out, err := Build(context.Background(), []string{root}, Options{Cwd: root, KubernetesOnly: true, Cache: test.cache})
		if err != nil {
			t.Fatal(err)
		}
		var kinds []string
		for _, u := range out.Units {
			for _, r := range u.Envoy {
				data, err := r.JSON()
				if err != nil {
					t.Fatal(err)
				}
				if got := data != nil; got != test.wantJSON {
					t.Errorf("cache %v: %s has JSON %v, want %v", test.cache != nil, r.String(), got, test.wantJSON)
				}
				kinds = append(kinds, r.Type)
			}
			for _, o := range u.Objects {
				if data, _ := o.JSON(); len(data) == 0 {
					t.Errorf("%s has no JSON", o.ID)
				}
			}
		}
		if want := []string{"envoy.config.cluster.v3.Cluster", "envoy.config.route.v3.RouteConfiguration", "envoy.config.listener.v3.Listener", "envoy.config.listener.v3.Listener", "envoy.config.cluster.v3.Cluster"}; !slices.Equal(kinds, want) {
			t.Errorf("Envoy resources %v, want %v", kinds, want)
		}
	}
}
