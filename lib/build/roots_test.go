package build

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const mainStar = "def main(ctx):\n    return []\n"

// rootsTree is a tree of config roots: shop holds svccfg.yaml and, inside
// it, the root shop/payments; solo and solo/sub hold none, so each is the
// root of its own files.
var rootsTree = map[string]string{
	"shop/svccfg.yaml":                "vars:\n  namespace: shop\n",
	"shop/web/main.star":              mainStar,
	"shop/lib/common.star":            "X = 1\n",
	"shop/z.star":                     mainStar,
	"shop/.hidden/main.star":          mainStar,
	"shop/testdata/main.star":         mainStar,
	"shop/payments/svccfg.yaml":       "vars:\n  namespace: payments\n",
	"shop/payments/api/main.star":     mainStar,
	"shop/payments/lib/common.star":   "X = 2\n",
	"solo/main.star":                  mainStar,
	"solo/sub/main.star":              mainStar,
	"solo/sub/testdata/x/main.star":   mainStar,
	"empty/lib.star":                  "X = 3\n",
	"bad/svccfg.yaml":                 "var: {}\n",
	"bad/main.star":                   mainStar,
	"bad2/svccfg.yaml":                "- a\n",
	"bad2/main.star":                  mainStar,
	"shop/payments/api/testdata/a.go": "",
}

// rootsSummary writes roots as "dir: file file ...; " with paths relative to top.
func rootsSummary(top string, roots []Root) string {
	var b strings.Builder
	for _, r := range roots {
		rel := func(p string) string { s, _ := filepath.Rel(top, p); return filepath.ToSlash(s) }
		b.WriteString(rel(r.Dir) + " (" + r.ConfigSet + ", " + r.Config.Vars["namespace"] + "):")
		for _, f := range r.Files {
			b.WriteString(" " + rel(f))
		}
		b.WriteString("\n")
	}
	return b.String()
}

func TestRoots(t *testing.T) {
	top := t.TempDir()
	writeFiles(t, top, rootsTree)
	for _, test := range []struct {
		name  string
		paths []string
		want  string
	}{{
		name:  "nested",
		paths: []string{"shop"},
		want: "shop (shop, shop): shop/web/main.star shop/z.star\n" +
			"shop/payments (payments, payments): shop/payments/api/main.star\n",
	}, {
		name:  "below a root",
		paths: []string{"shop/web", "shop/payments/api"},
		want: "shop (shop, shop): shop/web/main.star\n" +
			"shop/payments (payments, payments): shop/payments/api/main.star\n",
	}, {
		name:  "no svccfg.yaml",
		paths: []string{"solo"},
		want:  "solo (solo, ): solo/main.star\nsolo/sub (sub, ): solo/sub/main.star\n",
	}, {
		name:  "named twice",
		paths: []string{"solo/sub/main.star", "solo", "./solo/sub", "shop/payments", "shop"},
		want: "shop (shop, shop): shop/web/main.star shop/z.star\n" +
			"shop/payments (payments, payments): shop/payments/api/main.star\n" +
			"solo (solo, ): solo/main.star\nsolo/sub (sub, ): solo/sub/main.star\n",
	}, {
		name:  "hidden file named",
		paths: []string{"shop/.hidden/main.star", "solo/sub/testdata/x"},
		want:  "shop (shop, shop): shop/.hidden/main.star\nsolo/sub/testdata/x (x, ): solo/sub/testdata/x/main.star\n",
	}} {
		t.Run(test.name, func(t *testing.T) {
			roots, err := Roots(test.paths, FindOptions{Cwd: top, Match: MainFiles.Match, Want: MainFiles.Want})
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(test.want, rootsSummary(top, roots)); d != "" {
				t.Errorf("Roots(%q) (-want +got):\n%s", test.paths, d)
			}
		})
	}
}

func TestRootsErrors(t *testing.T) {
	top := t.TempDir()
	writeFiles(t, top, rootsTree)
	for _, test := range []struct {
		name  string
		paths []string
		err   string
		path  bool // a *PathError
	}{
		{name: "missing", paths: []string{"shop", "nope"}, err: "nope: no such file or directory", path: true},
		{name: "no main", paths: []string{"empty"}, err: "empty: no .star files with a main function", path: true},
		{name: "only libraries", paths: []string{"shop/lib"}, err: "shop/lib: no .star files with a main function", path: true},
		{name: "bad svccfg.yaml", paths: []string{"shop", "bad2", "bad"}, err: filepath.Join(top, "bad/svccfg.yaml") + `:1:1: unknown field "var" (did you mean vars?)` + "\n" +
			filepath.Join(top, "bad2/svccfg.yaml") + ":1:1: got a list, want a mapping with the fields config_set, lint, prelude and vars"},
	} {
		t.Run(test.name, func(t *testing.T) {
			_, err := Roots(test.paths, FindOptions{Cwd: top, Match: MainFiles.Match, Want: MainFiles.Want})
			var pe *PathError
			if err == nil || err.Error() != test.err || errors.As(err, &pe) != test.path {
				t.Errorf("Roots(%q) error = %v, want %q (a path error: %v)", test.paths, err, test.err, test.path)
			}
		})
	}
}

func TestStarFiles(t *testing.T) {
	top := t.TempDir()
	writeFiles(t, top, rootsTree)
	for _, test := range []struct{ root, want string }{
		{root: "shop", want: "shop/lib/common.star shop/web/main.star shop/z.star"},
		{root: "shop/payments", want: "shop/payments/api/main.star shop/payments/lib/common.star"},
		{root: "solo", want: "solo/main.star"},
		{root: "solo/sub", want: "solo/sub/main.star"},
	} {
		files, err := StarFiles(filepath.Join(top, test.root))
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, f := range files {
			rel, _ := filepath.Rel(top, f)
			got = append(got, filepath.ToSlash(rel))
		}
		if strings.Join(got, " ") != test.want {
			t.Errorf("StarFiles(%s) = %s, want %s", test.root, got, test.want)
		}
	}
}

// TestRootsSymlinkEscape requires a file of a directory PATH that is a
// symbolic link out of its root to be listed, for its evaluation to report
// the escape at the file, and the link not to be read.
func TestRootsSymlinkEscape(t *testing.T) {
	top := t.TempDir()
	writeFiles(t, top, map[string]string{"root/svccfg.yaml": "", "root/main.star": mainStar, "secret.star": "X = 1\n"})
	if err := os.Symlink("../secret.star", filepath.Join(top, "root", "link.star")); err != nil {
		t.Fatal(err)
	}
	roots, err := Roots([]string{"root"}, FindOptions{Cwd: top, Match: func(file string, _ []byte) bool {
		if filepath.Base(file) == "link.star" {
			t.Errorf("Match(%s) called: the link was read", file)
		}
		return true
	}})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := rootsSummary(top, roots), "root (root, ): root/link.star root/main.star\n"; got != want {
		t.Errorf("Roots = %q, want %q", got, want)
	}
}

func TestComparePaths(t *testing.T) {
	sorted := []string{"/a/b/c.star", "/a/b-c.star", "/a/b.star", "/a/b.star.x", "/a/c/d/e.star", "/a/c.star", "/b"}
	for i := range sorted {
		for j := range sorted {
			got := comparePaths(sorted[i], sorted[j])
			if want := cmpInt(i, j); got != want {
				t.Errorf("comparePaths(%s, %s) = %d, want %d", sorted[i], sorted[j], got, want)
			}
		}
	}
}

func cmpInt(a, b int) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func TestRootsPrelude(t *testing.T) {
	top := t.TempDir()
	writeFiles(t, top, map[string]string{
		"svc/svccfg.yaml":      "prelude: lib/company.star\n",
		"svc/lib/company.star": "def main(ctx):\n    return []\n", // skipped even with a main
		"svc/web/main.star":    mainStar,
	})
	roots, err := Roots([]string{"svc"}, FindOptions{Cwd: top})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := rootsSummary(top, roots), "svc (svc, ): svc/web/main.star\n"; got != want {
		t.Errorf("Roots(svc) = %q, want %q", got, want)
	}
	if got, want := roots[0].Prelude, filepath.Join(top, "svc/lib/company.star"); got != want {
		t.Errorf("Roots(svc).Prelude = %q, want %q", got, want)
	}
	if got, want := PreludeOf(filepath.Join(top, "svc")), roots[0].Prelude; got != want {
		t.Errorf("PreludeOf(svc) = %q, want %q", got, want)
	}

	_, err = Roots([]string{"svc/lib/company.star"}, FindOptions{Cwd: top})
	want := "svc/lib/company.star: the prelude of its config root's svccfg.yaml, not a configuration file"
	if err == nil || err.Error() != want {
		t.Errorf("Roots(prelude) error = %v, want %q", err, want)
	}
}
