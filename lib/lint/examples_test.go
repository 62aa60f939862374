package lint_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/svccfg/svccfg/lib/build"
	"github.com/svccfg/svccfg/lib/lint"
)

// TestExamplesClean requires the examples, built together as make examples
// builds them, to have no findings: they teach the rules too.
func TestExamplesClean(t *testing.T) {
	entries, err := os.ReadDir("../../examples")
	if err != nil || len(entries) == 0 {
		t.Fatalf("no examples: %v", err)
	}
	var dirs []string
	for _, e := range entries {
		if e.IsDir() {
			dirs = append(dirs, filepath.Join("../../examples", e.Name()))
		}
	}
	cwd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	out, err := build.Build(t.Context(), dirs, build.Options{Cwd: cwd, Duplicates: true})
	if err != nil {
		t.Fatal(err)
	}
	findings, err := lint.Run(out, lint.Options{Cwd: cwd})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range findings {
		t.Errorf("%s: %s (%s)", f.Pos.Format(cwd), f.Msg, f.Rule)
	}
}
