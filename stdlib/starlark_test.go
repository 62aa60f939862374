package stdlib_test

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/svccfg/svccfg/lib/diag"
	"github.com/svccfg/svccfg/lib/startest"
)

// TestStarlark runs the Starlark tests of the standard library,
// testdata/*_test.star, as `svccfg test testdata` does: each test function
// is a subtest, which fails with the failures the test recorded.
func TestStarlark(t *testing.T) {
	cwd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	res, err := startest.Run(context.Background(), []string{"testdata"}, startest.Options{Cwd: cwd, Stderr: os.Stderr})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Files) == 0 {
		t.Fatal("no test files in testdata")
	}
	for _, f := range res.Files {
		name := diag.RelPath(f.Path, cwd)
		t.Run(strings.TrimPrefix(name, "testdata/"), func(t *testing.T) {
			if f.Err != nil {
				t.Fatal(errorText(f.Err, cwd))
			}
			if len(f.Tests) == 0 {
				t.Fatal("no test functions")
			}
			for _, test := range f.Tests {
				t.Run(test.Name, func(t *testing.T) {
					if test.Failed() {
						t.Error("\n" + errorText(diag.ErrorList(test.Failures), cwd))
					}
				})
			}
		})
	}
}

func errorText(err error, cwd string) string {
	var b strings.Builder
	diag.Print(&b, err, diag.Config{Cwd: cwd})
	return b.String()
}
