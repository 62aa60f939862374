package build

import (
	"bytes"
	"context"
	"path/filepath"
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
