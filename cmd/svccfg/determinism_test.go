package main

import (
	"bytes"
	"context"
	"maps"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"testing"

	"github.com/svccfg/svccfg/lib/build"
	"github.com/svccfg/svccfg/lib/canon"
	"github.com/svccfg/svccfg/lib/render"
)

// TestOutputIndependentOfParallelismAndCache builds all examples at once
// with one and with four threads, and without, into, and from a cache, and
// requires the same bytes every time.
func TestOutputIndependentOfParallelismAndCache(t *testing.T) {
	entries, err := os.ReadDir(examplesDir)
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	for _, e := range entries {
		abs, err := filepath.Abs(filepath.Join(examplesDir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		paths = append(paths, abs)
	}
	cache, err := build.OpenCache(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	run := func(procs int, cache *build.Cache) (map[string][]byte, *build.Output) {
		t.Helper()
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
		out, err := build.Build(context.Background(), paths, build.Options{Cwd: filepath.Dir(paths[0]), Cache: cache})
		if err != nil {
			t.Fatal(err)
		}
		files, err := render.Files(out, canon.YAML)
		if err != nil {
			t.Fatal(err)
		}
		return files, out
	}
	want, _ := run(1, nil)
	for _, c := range []struct {
		name       string
		procs      int
		cache      *build.Cache
		wantCached bool
	}{
		{"4 threads", 4, nil, false},
		{"into the cache", 4, cache, false},
		{"from the cache, 4 threads", 4, cache, true},
		{"from the cache, 1 thread", 1, cache, true},
	} {
		got, out := run(c.procs, c.cache)
		if c.wantCached && out.Cached != out.Files {
			t.Errorf("%s: %d of %d files from the cache, want all", c.name, out.Cached, out.Files)
		}
		if !slices.Equal(slices.Sorted(maps.Keys(got)), slices.Sorted(maps.Keys(want))) {
			t.Errorf("%s: files %v, want %v", c.name, slices.Sorted(maps.Keys(got)), slices.Sorted(maps.Keys(want)))
			continue
		}
		for name, data := range want {
			if !bytes.Equal(got[name], data) {
				t.Errorf("%s: %s differs from the one-thread build without a cache", c.name, name)
			}
		}
	}
}
