package lint_test

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/txtar"
	"github.com/svccfg/svccfg/lib/build"
	"github.com/svccfg/svccfg/lib/diag"
	"github.com/svccfg/svccfg/lib/lint"
)

// TestRules lints each testdata/*.txtar archive, a config root, in the
// manner of go/analysis's analysistest: a comment `# want "regexp" ...` on
// a line of a .star file expects one finding on that line per regexp,
// matched against "message (rule)"; every finding must be expected and
// every expectation met. An archive with a file named "error" expects
// that configuration error instead, paths relative to the root.
func TestRules(t *testing.T) {
	archives, err := filepath.Glob("testdata/*.txtar")
	if err != nil || len(archives) == 0 {
		t.Fatalf("no testdata: %v", err)
	}
	for _, archive := range archives {
		t.Run(strings.TrimSuffix(filepath.Base(archive), ".txtar"), func(t *testing.T) {
			dir := extract(t, archive)
			findings, err := lintDir(t, dir)
			if want, rerr := os.ReadFile(filepath.Join(dir, "error")); rerr == nil {
				var got strings.Builder
				diag.Print(&got, err, diag.Config{Cwd: dir})
				if got.String() != string(want) {
					t.Errorf("got error:\n%s\nwant:\n%s", got.String(), want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			checkWants(t, dir, findings)
		})
	}
}

// extract writes the files of a txtar archive into a new directory.
func extract(t *testing.T, archive string) string {
	t.Helper()
	a, err := txtar.ParseFile(archive)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for _, f := range a.Files {
		p := filepath.Join(dir, f.Name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, f.Data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func lintDir(t *testing.T, dir string) ([]lint.Finding, error) {
	out, err := build.Build(t.Context(), []string{dir}, build.Options{Cwd: dir, Duplicates: true, Typed: true})
	if err != nil {
		return nil, err
	}
	return lint.Run(out, lint.Options{Cwd: dir})
}

// An expectation is a `# want` regexp and where it is written.
type expectation struct {
	re  *regexp.Regexp
	pos diag.Position
	met bool
}

var wantComment = regexp.MustCompile(`#\s*want\s+(.*)$`)

// wants returns the expectations written in the .star files under dir,
// by file and line.
func wants(t *testing.T, dir string) map[string]map[int][]*expectation {
	m := make(map[string]map[int][]*expectation)
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".star") {
			return err
		}
		src, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		m[p] = make(map[int][]*expectation)
		for i, line := range strings.Split(string(src), "\n") {
			match := wantComment.FindStringSubmatchIndex(line)
			if match == nil {
				continue
			}
			pos := diag.Position{File: p, Line: i + 1, Col: match[0] + 1}
			for rest := strings.TrimSpace(line[match[2]:]); rest != ""; {
				q, err := strconv.QuotedPrefix(rest)
				if err != nil {
					t.Fatalf("%s: want: %v", pos, err)
				}
				s, _ := strconv.Unquote(q)
				m[p][i+1] = append(m[p][i+1], &expectation{re: regexp.MustCompile(s), pos: pos})
				rest = strings.TrimSpace(rest[len(q):])
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func checkWants(t *testing.T, dir string, findings []lint.Finding) {
	t.Helper()
	exp := wants(t, dir)
	for _, f := range findings {
		text := fmt.Sprintf("%s (%s)", f.Msg, f.Rule)
		i := slices.IndexFunc(exp[f.Pos.File][f.Pos.Line], func(e *expectation) bool { return !e.met && e.re.MatchString(text) })
		if i < 0 {
			t.Errorf("%s: unexpected finding: %s", f.Pos.Format(dir), text)
			continue
		}
		exp[f.Pos.File][f.Pos.Line][i].met = true
	}
	for _, lines := range exp {
		for _, list := range lines {
			for _, e := range list {
				if !e.met {
					t.Errorf("%s: no finding matches %q", e.pos.Format(dir), e.re)
				}
			}
		}
	}
}

// TestEveryRuleTested requires each rule to be named in an expectation in
// testdata, and to have a kebab-case name and a one-line description.
func TestEveryRuleTested(t *testing.T) {
	archives, _ := filepath.Glob("testdata/*.txtar")
	var text strings.Builder
	for _, a := range archives {
		data, err := os.ReadFile(a)
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(string(data), "\n") {
			if _, want, ok := strings.Cut(line, "# want "); ok {
				text.WriteString(want + "\n")
			}
		}
	}
	kebab := regexp.MustCompile(`^[a-z]+(-[a-z0-9]+)*$`)
	for _, r := range lint.Rules() {
		if !kebab.MatchString(r.Name) || r.Doc == "" || strings.Contains(r.Doc, "\n") {
			t.Errorf("rule %q: want a kebab-case name and a one-line doc, got %q", r.Name, r.Doc)
		}
		if !strings.Contains(text.String(), r.Name) {
			t.Errorf("rule %s: no # want in testdata names it", r.Name)
		}
	}
}

// TestOverlay lints a build of a file's overlay text, which differs from
// the file on disk: findings are placed, and ignore comments read, in the
// overlay, the text that the build evaluated.
func TestOverlay(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "main.star")
	if err := os.WriteFile(path, []byte("def main(ctx):\n    return []\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, test := range []struct{ src, want string }{
		{
			"def main(ctx):\n    return service(\n        name = \"web\",\n        owner = \"web\",\n        image = \"r/web:1\",\n        cpu = \"1\",\n    )\n",
			`main.star:2:19: Deployment "web": container "web" requests no memory (resources-set)`,
		},
		{
			"def main(ctx):\n    return service(  # svccfg:ignore resources-set\n        name = \"web\",\n        owner = \"web\",\n        image = \"r/web:1\",\n        cpu = \"1\",\n    )\n",
			"",
		},
	} {
		overlay := map[string][]byte{path: []byte(test.src)}
		out, err := build.Build(t.Context(), []string{path}, build.Options{Cwd: dir, Duplicates: true, Overlay: overlay})
		if err != nil {
			t.Fatal(err)
		}
		findings, err := lint.Run(out, lint.Options{Cwd: dir, Overlay: overlay})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, f := range findings {
			got = append(got, fmt.Sprintf("%s: %s (%s)", f.Pos.Format(dir), f.Msg, f.Rule))
		}
		if strings.Join(got, "\n") != test.want {
			t.Errorf("findings of\n%s: got %q, want %q", test.src, got, test.want)
		}
	}
}
