package lint_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/svccfg/svccfg/lib/lint"
)

// changedTree is a config root whose load graph is
//
//	a/main.star → lib/mid.star → lib/base.star ← c/main.star (relative load)
//	e/main.star → gone.star (deleted)
//	x.star ⇄ y.star (a cycle)
//
// b/main.star loads nothing; d/main.star loads another base.star;
// testdata/ and .hidden/ are skipped, as a directory build skips them.
var changedTree = map[string]string{
	"svccfg.yaml":        "",
	"lib/base.star":      "BASE = 1\n",
	"lib/mid.star":       "load(\"base.star\", \"BASE\")\nMID = BASE\n",
	"a/main.star":        "load(\"//lib/mid.star\", \"MID\")\n\ndef main(ctx):\n    return []\n",
	"b/main.star":        "def main(ctx):\n    return []\n",
	"c/main.star":        "load(\"../lib/base.star\", \"BASE\")\n\ndef main(ctx):\n    return []\n",
	"d/main.star":        "load(\"//other/base.star\", \"BASE\")\n\ndef main(ctx):\n    return []\n",
	"other/base.star":    "BASE = 2\n",
	"e/main.star":        "load(\"//gone.star\", \"X\")\n\ndef main(ctx):\n    return []\n",
	"x.star":             "load(\"y.star\", \"Y\")\nX = 1\n\ndef main(ctx):\n    return []\n",
	"y.star":             "load(\"x.star\", \"X\")\nY = 1\n",
	"testdata/t.star":    "load(\"//lib/base.star\", \"BASE\")\n\ndef main(ctx):\n    return []\n",
	".hidden/h.star":     "load(\"//lib/base.star\", \"BASE\")\n\ndef main(ctx):\n    return []\n",
	"a/notes.md":         "load(\"//lib/base.star\")\n",
	"syntax/broken.star": "load(\"//lib/base.star\", \"BASE\"\n",
	"syntax/nomain.star": "load(\"//lib/base.star\", \"BASE\")\n",
	"sub/svccfg.yaml":    "",
	"sub/lib/base.star":  "BASE = 3\n",
	"sub/main.star":      "load(\"//lib/base.star\", \"BASE\")\n\ndef main(ctx):\n    return []\n",
	// A root with a prelude, which every configuration file of it sees.
	"pre/svccfg.yaml":    "prelude: company.star\n",
	"pre/company.star":   "load(\"//lib/names.star\", \"N\")\n\ndef web():\n    return N\n",
	"pre/lib/names.star": "N = 1\n",
	"pre/lib/other.star": "O = 1\n",
	"pre/a/main.star":    "def main(ctx):\n    return web()\n",
	"pre/b.star":         "load(\"//lib/other.star\", \"O\")\n\ndef main(ctx):\n    return []\n",
}

func TestChanged(t *testing.T) {
	dir := t.TempDir()
	for name, data := range changedTree {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, test := range []struct {
		name    string
		changed []string
		want    []string
	}{
		{"library", []string{"lib/base.star"}, []string{"a/main.star", "c/main.star", "syntax/broken.star"}},
		{"middle", []string{"lib/mid.star"}, []string{"a/main.star"}},
		{"config", []string{"b/main.star"}, []string{"b/main.star"}},
		{"several", []string{"b/main.star", "lib/mid.star", "b/main.star"}, []string{"a/main.star", "b/main.star"}},
		{"absolute", []string{filepath.Join(dir, "b/main.star")}, []string{"b/main.star"}},
		{"deleted", []string{"gone.star"}, []string{"e/main.star"}},
		{"cycle", []string{"y.star"}, []string{"x.star"}},
		{"not star", []string{"README.md", "svccfg.yaml", "a/notes.md"}, nil},
		{"testdata", []string{"testdata/t.star", ".hidden/h.star"}, nil},
		{"nested root", []string{"sub/lib/base.star"}, []string{"sub/main.star"}},
		{"none", nil, nil},
		{"prelude", []string{"pre/company.star"}, []string{"pre/a/main.star", "pre/b.star"}},
		{"prelude's load", []string{"pre/lib/names.star"}, []string{"pre/a/main.star", "pre/b.star"}},
		{"beside the prelude", []string{"pre/lib/other.star"}, []string{"pre/b.star"}},
	} {
		t.Run(test.name, func(t *testing.T) {
			got, err := lint.Changed(test.changed, lint.ChangedOptions{Cwd: dir})
			if err != nil {
				t.Fatal(err)
			}
			var want []string
			for _, w := range test.want {
				want = append(want, filepath.Join(dir, w))
			}
			if d := cmp.Diff(want, got); d != "" {
				t.Errorf("Changed(%q) (-want +got):\n%s", test.changed, d)
			}
		})
	}
}
