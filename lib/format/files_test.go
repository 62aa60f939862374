package format_test

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/svccfg/svccfg/lib/format"
)

// tree writes files (slash paths to contents) under a new directory and
// returns it.
func tree(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
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

func TestFiles(t *testing.T) {
	dir := tree(t, map[string]string{
		"b.star":            "",
		"a/z.star":          "",
		"a/b/c.star":        "",
		"a/README.md":       "",
		"a/.hidden.star":    "",
		".git/x.star":       "",
		"a/.cache/y.star":   "",
		"other/notstar.txt": "",
		"empty/.keep":       "",
	})
	if err := os.Symlink(filepath.Join(dir, "b.star"), filepath.Join(dir, "a", "link.star")); err != nil {
		t.Fatal(err)
	}
	rel := func(files []string) []string {
		var out []string
		for _, f := range files {
			r, _ := filepath.Rel(dir, f)
			out = append(out, filepath.ToSlash(r))
		}
		return out
	}
	for _, test := range []struct {
		paths []string
		want  []string
		err   string
	}{
		{paths: []string{"."}, want: []string{"a/b/c.star", "a/z.star", "b.star"}},
		{paths: []string{"b.star", "a"}, want: []string{"b.star", "a/b/c.star", "a/z.star"}},
		{paths: []string{"a/z.star", "a", "./a/z.star"}, want: []string{"a/z.star", "a/b/c.star"}},
		{paths: []string{"other/notstar.txt"}, want: []string{"other/notstar.txt"}},                         // named, so formatted
		{paths: []string{"a/link.star", "a/.hidden.star"}, want: []string{"a/link.star", "a/.hidden.star"}}, // likewise
		{paths: []string{filepath.Join(dir, "a", "b")}, want: []string{"a/b/c.star"}},
		{paths: []string{"b.star", "nope"}, err: "nope: no such file or directory"},
		{paths: []string{"empty"}, err: "empty: no .star files"},
	} {
		got, err := format.Files(dir, test.paths)
		if test.err != "" {
			if err == nil || err.Error() != test.err {
				t.Errorf("Files(%q) error = %v, want %q", test.paths, err, test.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("Files(%q): %v", test.paths, err)
			continue
		}
		if !slices.Equal(rel(got), test.want) {
			t.Errorf("Files(%q) = %q, want %q", test.paths, rel(got), test.want)
		}
	}
}

func TestWriteFile(t *testing.T) {
	dir := tree(t, map[string]string{"cfg/main.star": "old\n"})
	file := filepath.Join(dir, "cfg", "main.star")
	if err := os.Chmod(file, 0o600); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link.star")
	if err := os.Symlink(filepath.Join("cfg", "main.star"), link); err != nil {
		t.Fatal(err)
	}
	if err := format.WriteFile(file, []byte("new\n")); err != nil {
		t.Fatal(err)
	}
	if err := format.WriteFile(link, []byte("newer\n")); err != nil {
		t.Fatal(err)
	}
	if data, err := os.ReadFile(file); err != nil || string(data) != "newer\n" {
		t.Errorf("after WriteFile, the file holds %q, %v; want %q", data, err, "newer\n")
	}
	if info, err := os.Stat(file); err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("after WriteFile, the file's mode is %v, %v; want -rw-------", info.Mode(), err)
	}
	if info, err := os.Lstat(link); err != nil || info.Mode()&os.ModeSymlink == 0 {
		t.Errorf("after WriteFile through a symbolic link, it is no longer one: %v, %v", info.Mode(), err)
	}
	entries, _ := os.ReadDir(filepath.Dir(file))
	if len(entries) != 1 {
		t.Errorf("after WriteFile, %s holds %d files, want 1 (no temporary files left)", filepath.Dir(file), len(entries))
	}
	if err := format.WriteFile(filepath.Join(dir, "missing.star"), nil); err == nil {
		t.Errorf("WriteFile(missing file) succeeded, want an error")
	}
}
