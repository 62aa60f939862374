package eval

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/svccfg/svccfg/lib/diag"
	"go.starlark.net/starlark"
)

func TestMissingVar(t *testing.T) {
	vars := func(names ...string) *starlark.Dict {
		d := starlark.NewDict(len(names))
		for _, n := range names {
			d.SetKey(starlark.String(n), starlark.String("v"))
		}
		return d
	}
	for _, test := range []struct {
		name string
		vars *starlark.Dict
		want string
	}{
		{"region", vars("cluster", "namespace"), `ctx.vars has no variable "region"; the variables are cluster, namespace: set it with --var region=VALUE or under vars: in svccfg.yaml (or read it with ctx.vars.get("region", DEFAULT))`},
		{"clustr", vars("cluster"), `ctx.vars has no variable "clustr" (did you mean "cluster"?); the variables are cluster: set it with --var clustr=VALUE or under vars: in svccfg.yaml (or read it with ctx.vars.get("clustr", DEFAULT))`},
		{"a b", vars(), `ctx.vars has no variable "a b"; no variables are set: set it with --var NAME=VALUE or under vars: in svccfg.yaml (or read it with ctx.vars.get("a b", DEFAULT))`},
	} {
		if got := missingVar(test.name, test.vars); got != test.want {
			t.Errorf("missingVar(%q) = %q, want %q", test.name, got, test.want)
		}
	}
}

func TestIndexesVars(t *testing.T) {
	src := `def main(ctx):
    v = ctx.vars
    w = ctx.vars
    w = {}
    return [ctx.vars["a"], v["b"], w["c"], {}["d"]]
`
	file := filepath.Join(t.TempDir(), "main.star")
	if err := os.WriteFile(file, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, test := range []struct {
		col  int
		want bool
	}{{21, true}, {29, true}, {37, false}, {46, false}, {1, false}} {
		if got := indexesVars(diag.Position{File: file, Line: 5, Col: test.col}, nil); got != test.want {
			t.Errorf("indexesVars(5:%d) = %v, want %v", test.col, got, test.want)
		}
	}
}
