package lint

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// TestIndex checks that Changed with a cache directory reads only the files
// whose key changed since the index was saved, and that what it then finds
// follows the files' current contents.
func TestIndex(t *testing.T) {
	defer func(w time.Duration) { racyWindow = w }(racyWindow)
	racyWindow = -time.Hour // trust entries however recent, to test without waiting
	root, cache := t.TempDir(), t.TempDir()
	write := func(name, data string) {
		t.Helper()
		p := filepath.Join(root, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("svccfg.yaml", "")
	write("lib.star", "X = 1\n")
	write("a.star", "load(\"lib.star\", \"X\")\n\ndef main(ctx):\n    return []\n")
	write("b.star", "def main(ctx):\n    return []\n")
	// read returns the files that readTree read rather than took from the index.
	read := func() []string {
		t.Helper()
		ix := openIndex(cache, root)
		tr, err := readTree(root, ix)
		if err != nil {
			t.Fatal(err)
		}
		ix.save(tr)
		var names []string
		for _, f := range tr.files {
			if !f.indexed {
				names = append(names, f.rel)
			}
		}
		return names
	}
	changed := func() []string {
		t.Helper()
		got, err := Changed([]string{filepath.Join(root, "lib.star")}, ChangedOptions{CacheDir: cache})
		if err != nil {
			t.Fatal(err)
		}
		for i := range got {
			got[i], _ = filepath.Rel(root, got[i])
		}
		return got
	}
	check := func(what string, got, want []string) {
		t.Helper()
		if !slices.Equal(got, want) {
			t.Errorf("%s: got %q, want %q", what, got, want)
		}
	}

	check("first read", read(), []string{"a.star", "b.star", "lib.star"})
	check("second read", read(), nil)
	check("dependents", changed(), []string{"a.star"})

	// b.star now loads lib.star: a new size.
	write("b.star", "load(\"lib.star\", \"X\")\n\ndef main(ctx):\n    return []\n")
	check("after a write", read(), []string{"b.star"})
	check("dependents after a write", changed(), []string{"a.star", "b.star"})

	// The same size and modification time: the change time still differs.
	info, err := os.Stat(filepath.Join(root, "a.star"))
	if err != nil {
		t.Fatal(err)
	}
	write("a.star", "load(\"lie.star\", \"X\")\n\ndef main(ctx):\n    return []\n")
	if err := os.Chtimes(filepath.Join(root, "a.star"), info.ModTime(), info.ModTime()); err != nil {
		t.Fatal(err)
	}
	check("after a write keeping size and mtime", changed(), []string{"b.star"})

	// A removed file leaves the index; a corrupt index is ignored.
	if err := os.Remove(filepath.Join(root, "b.star")); err != nil {
		t.Fatal(err)
	}
	check("after a removal", changed(), nil)
	ix := openIndex(cache, root)
	if _, ok := ix.entries["b.star"]; ok || len(ix.entries) != 2 {
		t.Errorf("index after a removal: %v, want a.star and lib.star", ix.entries)
	}
	if err := os.WriteFile(ix.path, []byte("garbage\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	check("after corruption", read(), []string{"a.star", "lib.star"})
}

func TestMentions(t *testing.T) {
	src := []byte(`load("//lib/common.star", "x")
load('../my lib.star', "y")  # see also docs/notes.star
X = "a.star"
`)
	want := []string{"a.star", "common.star", "my lib.star", "notes.star"}
	if got := mentionsOf(src); !slices.Equal(got, want) {
		t.Errorf("mentionsOf = %q, want %q", got, want)
	}
}
