package main

import (
	"bytes"
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/rogpeppe/go-internal/diff"
	"github.com/svccfg/svccfg/internal/golden"
	"github.com/svccfg/svccfg/lib/build"
	"github.com/svccfg/svccfg/lib/canon"
	"github.com/svccfg/svccfg/lib/render"
)

const (
	examplesDir = "../../examples"
	goldenDir   = "../../golden"
)

// TestGolden builds every examples/<name> and compares the tree that
// `svccfg build -o` writes with golden/<name>. SVCCFG_UPDATE=1 rewrites
// the goldens instead.
func TestGolden(t *testing.T) {
	entries, err := os.ReadDir(examplesDir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		if e.IsDir() {
			names = append(names, e.Name())
		}
	}
	if len(names) == 0 {
		t.Fatal("no examples")
	}
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			got := buildTree(t, filepath.Join(examplesDir, name))
			dir := filepath.Join(goldenDir, name)
			if golden.Update() {
				if err := os.RemoveAll(dir); err != nil {
					t.Fatal(err)
				}
				if err := render.WriteDir(dir, got); err != nil {
					t.Fatal(err)
				}
				return
			}
			want := readTree(t, dir)
			for _, f := range slices.Sorted(keys(got, want)) {
				if !bytes.Equal(got[f], want[f]) {
					t.Errorf("golden/%s/%s is stale (run make golden and review the diff):\n%s", name, f,
						diff.Diff("golden/"+name+"/"+f, want[f], "built/"+f, got[f]))
				}
			}
		})
	}
	// Every golden has its example.
	goldens, err := os.ReadDir(goldenDir)
	if err != nil && !golden.Update() {
		t.Fatal(err)
	}
	for _, g := range goldens {
		if !slices.Contains(names, g.Name()) {
			t.Errorf("golden/%s has no example", g.Name())
		}
	}
}

func buildTree(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	abs, err := filepath.Abs(dir)
	if err != nil {
		t.Fatal(err)
	}
	out, err := build.Build(context.Background(), []string{abs}, build.Options{Cwd: filepath.Dir(abs)})
	if err != nil {
		t.Fatalf("build %s: %v", dir, err)
	}
	files, err := render.Files(out, canon.YAML)
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// readTree returns the files under dir by slash-separated relative path.
func readTree(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	files := make(map[string][]byte)
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		data, err := os.ReadFile(p)
		files[filepath.ToSlash(rel)] = data
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func keys(ms ...map[string][]byte) func(func(string) bool) {
	return func(yield func(string) bool) {
		seen := make(map[string]bool)
		for _, m := range ms {
			for k := range m {
				if !seen[k] && !yield(k) {
					return
				}
				seen[k] = true
			}
		}
	}
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// TestGoldenAll builds examples/ as one PATH, which holds several config
// roots, and requires the tree of the goldens of all examples together,
// and the stream that naming every example directory prints.
func TestGoldenAll(t *testing.T) {
	if golden.Update() {
		t.Skip("the goldens are being rewritten")
	}
	got := buildTree(t, examplesDir)
	want := make(map[string][]byte)
	goldens, err := os.ReadDir(goldenDir)
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range goldens {
		for f, data := range readTree(t, filepath.Join(goldenDir, g.Name())) {
			if _, ok := want[f]; ok {
				t.Fatalf("%s is in two goldens", f)
			}
			want[f] = data
		}
	}
	for _, f := range slices.Sorted(keys(got, want)) {
		if !bytes.Equal(got[f], want[f]) {
			t.Errorf("build examples/: %s differs from the goldens:\n%s", f, diff.Diff("golden/*/"+f, want[f], "built/"+f, got[f]))
		}
	}

	abs, err := filepath.Abs(examplesDir)
	if err != nil {
		t.Fatal(err)
	}
	dirs, err := filepath.Glob(filepath.Join(abs, "*"))
	if err != nil {
		t.Fatal(err)
	}
	stream := func(paths []string) []byte {
		out, err := build.Build(context.Background(), paths, build.Options{Cwd: filepath.Dir(abs)})
		if err != nil {
			t.Fatalf("build %s: %v", paths, err)
		}
		data, err := render.Manifests(out, canon.YAML)
		if err != nil {
			t.Fatal(err)
		}
		return data
	}
	if all, each := stream([]string{abs}), stream(dirs); !bytes.Equal(all, each) {
		t.Errorf("build examples/ and build examples/*:\n%s", diff.Diff("examples/*", each, "examples/", all))
	}
}
