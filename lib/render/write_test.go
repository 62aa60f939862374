package render_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/svccfg/svccfg/lib/render"
)

func TestWriteDir(t *testing.T) {
	dir := t.TempDir()
	write := func(files map[string][]byte) {
		t.Helper()
		if err := render.WriteDir(dir, files); err != nil {
			t.Fatal(err)
		}
	}
	write(map[string][]byte{
		"kubernetes/default/a.yaml": []byte("a\n"),
		"kubernetes/other/b.yaml":   []byte("b\n"),
		"envoy/a.yaml":              []byte("ea\n"),
	})
	// A file that is not a manifest is kept, as is everything outside
	// kubernetes/ and envoy/.
	for _, keep := range []string{"README", "kubernetes/other/notes.txt"} {
		if err := os.WriteFile(filepath.Join(dir, keep), []byte("mine\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	old := time.Now().Add(-time.Hour)
	if err := os.Chtimes(filepath.Join(dir, "kubernetes/default/a.yaml"), old, old); err != nil {
		t.Fatal(err)
	}

	write(map[string][]byte{
		"kubernetes/default/a.yaml": []byte("a\n"),   // unchanged: not rewritten
		"kubernetes/default/c.yaml": []byte("c\n"),   // new
		"envoy/a.yaml":              []byte("ea2\n"), // changed
	})

	for name, want := range map[string]string{
		"kubernetes/default/a.yaml":  "a\n",
		"kubernetes/default/c.yaml":  "c\n",
		"envoy/a.yaml":               "ea2\n",
		"README":                     "mine\n",
		"kubernetes/other/notes.txt": "mine\n",
	} {
		got, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil || string(got) != want {
			t.Errorf("%s = %q, %v; want %q", name, got, err, want)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "kubernetes/other/b.yaml")); !os.IsNotExist(err) {
		t.Errorf("stale kubernetes/other/b.yaml still exists (err = %v)", err)
	}
	if info, err := os.Stat(filepath.Join(dir, "kubernetes/default/a.yaml")); err != nil || !info.ModTime().Equal(old) {
		t.Errorf("unchanged a.yaml was rewritten")
	}
	leftovers, _ := filepath.Glob(filepath.Join(dir, "*", "*", ".*.tmp"))
	if len(leftovers) > 0 {
		t.Errorf("temporary files left behind: %v", leftovers)
	}
}

func TestWriteDirRemovesEmptyDirs(t *testing.T) {
	dir := t.TempDir()
	if err := render.WriteDir(dir, map[string][]byte{"kubernetes/gone/x.yaml": []byte("x\n")}); err != nil {
		t.Fatal(err)
	}
	if err := render.WriteDir(dir, map[string][]byte{"kubernetes/kept/y.yaml": []byte("y\n")}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "kubernetes/gone")); !os.IsNotExist(err) {
		t.Errorf("kubernetes/gone still exists after its last manifest was removed")
	}
}

// TestWriteDirFailureLeavesTree makes one file impossible to write and
// requires every other manifest to keep its old contents.
func TestWriteDirFailureLeavesTree(t *testing.T) {
	dir := t.TempDir()
	if err := render.WriteDir(dir, map[string][]byte{"kubernetes/default/a.yaml": []byte("old\n")}); err != nil {
		t.Fatal(err)
	}
	// envoy is a file, so envoy/a.yaml cannot be written.
	if err := os.WriteFile(filepath.Join(dir, "envoy"), []byte("not a directory\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	err := render.WriteDir(dir, map[string][]byte{
		"kubernetes/default/a.yaml": []byte("new\n"),
		"kubernetes/default/b.yaml": []byte("new\n"),
		"envoy/a.yaml":              []byte("new\n"),
	})
	if err == nil || !strings.Contains(err.Error(), "not a directory") {
		t.Fatalf("WriteDir error = %v, want a not-a-directory error", err)
	}
	if got, _ := os.ReadFile(filepath.Join(dir, "kubernetes/default/a.yaml")); string(got) != "old\n" {
		t.Errorf("a.yaml = %q after a failed write, want the old contents", got)
	}
	entries, _ := os.ReadDir(filepath.Join(dir, "kubernetes/default"))
	if len(entries) != 1 {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("kubernetes/default holds %v after a failed write, want only a.yaml", names)
	}
}
