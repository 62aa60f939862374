package load_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"testing/fstest"

	"github.com/svccfg/svccfg/lib/load"
	"go.starlark.net/starlark"
	"go.starlark.net/syntax"
)

// tree writes files (slash paths to contents) under a new directory and
// returns it, with symbolic links resolved.
func tree(t *testing.T, files map[string]string) string {
	t.Helper()
	dir, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	for name, data := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestResolve(t *testing.T) {
	root := tree(t, nil)
	r := &load.RootReader{Root: root, Display: "cfg"}
	from := filepath.Join(root, "svc", "main.star")
	for _, test := range []struct {
		name, from string
		want       string // slash path relative to root, or a stdlib name
		err        string
	}{
		{name: "lib.star", from: from, want: "svc/lib.star"},
		{name: "../common/lib.star", from: from, want: "common/lib.star"},
		{name: "//common/lib.star", from: from, want: "common/lib.star"},
		{name: "@stdlib//einhorn.star", from: from, want: "@stdlib//einhorn.star"},
		{name: "@stdlib//_pod.star", from: "@stdlib//service.star", want: "@stdlib//_pod.star"},
		{name: "../../x.star", from: from, err: "outside the config root cfg"},
		{name: "//../x.star", from: from, err: "outside the config root cfg"},
		{name: "/etc/passwd.star", from: from, err: "want a path relative to this file, or //path relative to the config root"},
		{name: "lib.py", from: from, err: "module names end in .star"},
		{name: "@stdlib//_pod.star", from: from, err: "@stdlib//_pod.star is internal to the standard library"},
		{name: "@stdlib//../x.star", from: from, err: "not a standard library file name: want @stdlib//NAME.star"},
		{name: "lib.star", from: "@stdlib//service.star", err: "the standard library loads only @stdlib// files"},
	} {
		got, err := r.Resolve(context.Background(), test.name, test.from)
		if test.err != "" {
			if err == nil || err.Error() != test.err {
				t.Errorf("Resolve(%q, %q) error = %v, want %q", test.name, test.from, err, test.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("Resolve(%q, %q) error = %v", test.name, test.from, err)
			continue
		}
		if !strings.HasPrefix(got, load.StdlibPrefix) {
			got, _ = filepath.Rel(root, got)
			got = filepath.ToSlash(got)
		}
		if got != test.want {
			t.Errorf("Resolve(%q, %q) = %q, want %q", test.name, test.from, got, test.want)
		}
	}
}

func TestReadFileSymlinkEscape(t *testing.T) {
	outside := tree(t, map[string]string{"secret.star": "x = 1\n"})
	root := tree(t, map[string]string{"ok.star": "y = 2\n"})
	if err := os.Symlink(filepath.Join(outside, "secret.star"), filepath.Join(root, "link.star")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(root, "ok.star"), filepath.Join(root, "inside.star")); err != nil {
		t.Fatal(err)
	}
	r := &load.RootReader{Root: root, Display: "cfg"}
	ctx := context.Background()
	if _, err := r.ReadFile(ctx, filepath.Join(root, "link.star")); err == nil || err.Error() != "a symbolic link leads outside the config root cfg" {
		t.Errorf("ReadFile(link to outside) error = %v, want symbolic link error", err)
	}
	if data, err := r.ReadFile(ctx, filepath.Join(root, "inside.star")); err != nil || string(data) != "y = 2\n" {
		t.Errorf("ReadFile(link inside root) = %q, %v; want its target's contents", data, err)
	}
	if _, err := r.ReadFile(ctx, filepath.Join(root, "missing.star")); err == nil || err.Error() != "no such file" {
		t.Errorf("ReadFile(missing) error = %v, want %q", err, "no such file")
	}
	rs := &load.RootReader{Stdlib: fstest.MapFS{}}
	if _, err := rs.ReadFile(ctx, "@stdlib//nope.star"); err == nil || err.Error() != "no such standard library file" {
		t.Errorf("ReadFile(@stdlib//nope.star) error = %v", err)
	}
}

func TestCache(t *testing.T) {
	root := tree(t, map[string]string{
		"main.star":   "load(\"a.star\", \"a\")\nload(\"b.star\", \"b\")\n",
		"a.star":      "load(\"b.star\", \"b\")\na = b + 1\n",
		"b.star":      "b = 1\n",
		"cycle1.star": "load(\"cycle2.star\", \"x\")\n",
		"cycle2.star": "load(\"cycle1.star\", \"y\")\nx = 1\n",
	})
	execs := map[string]int{}
	cache := load.NewCache(&load.RootReader{Root: root}, func(thread *starlark.Thread, name string, src []byte) (starlark.StringDict, error) {
		execs[filepath.Base(name)]++
		return starlark.ExecFileOptions(&syntax.FileOptions{}, thread, name, src, nil)
	})
	thread := &starlark.Thread{Load: cache.Load}
	if _, err := cache.LoadFile(thread, filepath.Join(root, "main.star")); err != nil {
		t.Fatal(err)
	}
	if execs["b.star"] != 1 || execs["a.star"] != 1 {
		t.Errorf("executions = %v, want each module once", execs)
	}
	var deps []string
	for _, d := range cache.Deps(filepath.Join(root, "main.star")) {
		deps = append(deps, filepath.Base(d))
	}
	if got := strings.Join(deps, " "); got != "a.star b.star" {
		t.Errorf("Deps(main.star) = %s, want a.star b.star", got)
	}
	_, err := cache.LoadFile(thread, filepath.Join(root, "cycle1.star"))
	if err == nil || !strings.Contains(err.Error(), "cannot load cycle1.star: cycle in load graph") {
		t.Errorf("LoadFile(cycle1.star) error = %v, want a cycle", err)
	}
	globals, err := cache.LoadFile(thread, filepath.Join(root, "a.star"))
	if err != nil {
		t.Fatal(err)
	}
	if a, ok := globals["a"].(starlark.Int); !ok || a.String() != "2" {
		t.Errorf("a = %v, want 2", globals["a"])
	}
	cache.Add("fixed", starlark.StringDict{"z": starlark.MakeInt(3)})
	if got, err := cache.LoadFile(thread, "fixed"); err != nil || got["z"] != starlark.MakeInt(3) {
		t.Errorf("LoadFile(added module) = %v, %v; want the added globals", got, err)
	}
}

// TestReadFileLinks reads through symbolic links of every kind: relative
// and absolute, to files and to directories, inside the root and out of it.
func TestReadFileLinks(t *testing.T) {
	outside := tree(t, map[string]string{"secret.star": "x = 1\n", "dir/s.star": "x = 2\n"})
	root := tree(t, map[string]string{"lib/ok.star": "y = 2\n"})
	for link, target := range map[string]string{
		"rel.star":      "lib/ok.star",
		"abs.star":      filepath.Join(root, "lib", "ok.star"),
		"chain.star":    "abs.star",
		"libdir":        "lib",
		"absdir":        filepath.Join(root, "lib"),
		"up.star":       "../" + filepath.Base(outside) + "/secret.star",
		"absout.star":   filepath.Join(outside, "secret.star"),
		"outdir":        filepath.Join(outside, "dir"),
		"updir":         "../" + filepath.Base(outside) + "/dir",
		"lib/back.star": "../../" + filepath.Base(root) + "/lib/ok.star",
		"loop1.star":    filepath.Join(root, "loop2.star"),
		"loop2.star":    filepath.Join(root, "loop1.star"),
	} {
		if err := os.Symlink(target, filepath.Join(root, filepath.FromSlash(link))); err != nil {
			t.Fatal(err)
		}
	}
	const escape = "a symbolic link leads outside the config root cfg"
	r := &load.RootReader{Root: root, Display: "cfg"}
	for _, test := range []struct{ name, want, err string }{
		{name: "lib/ok.star", want: "y = 2\n"},
		{name: "rel.star", want: "y = 2\n"},
		{name: "abs.star", want: "y = 2\n"},
		{name: "chain.star", want: "y = 2\n"},
		{name: "libdir/ok.star", want: "y = 2\n"},
		{name: "absdir/ok.star", want: "y = 2\n"},
		{name: "up.star", err: escape},
		{name: "absout.star", err: escape},
		{name: "outdir/s.star", err: escape},
		{name: "updir/s.star", err: escape},
		{name: "lib/back.star", err: escape}, // it leaves the root on its way back
		{name: "loop1.star", err: "too many symbolic links"},
		{name: "libdir/missing.star", err: "no such file"},
		{name: "../" + filepath.Base(outside) + "/secret.star", err: "outside the config root cfg"},
	} {
		data, err := r.ReadFile(context.Background(), filepath.Join(root, filepath.FromSlash(test.name)))
		if test.err != "" {
			if err == nil || err.Error() != test.err {
				t.Errorf("ReadFile(%s) = %q, %v; want error %q", test.name, data, err, test.err)
			}
			continue
		}
		if err != nil || string(data) != test.want {
			t.Errorf("ReadFile(%s) = %q, %v; want %q", test.name, data, err, test.want)
		}
	}
}

// TestReadFileConcurrent reads through one RootReader from many goroutines,
// as the evaluations of a build do.
func TestReadFileConcurrent(t *testing.T) {
	files := make(map[string]string)
	for i := range 50 {
		files[fmt.Sprintf("d%d/f%d.star", i%5, i)] = fmt.Sprintf("x = %d\n", i)
	}
	root := tree(t, files)
	r := &load.RootReader{Root: root}
	var wg sync.WaitGroup
	for name, want := range files {
		wg.Go(func() {
			data, err := r.ReadFile(context.Background(), filepath.Join(root, filepath.FromSlash(name)))
			if err != nil || string(data) != want {
				t.Errorf("ReadFile(%s) = %q, %v; want %q", name, data, err, want)
			}
		})
	}
	wg.Wait()
}
