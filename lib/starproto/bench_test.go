package starproto_test

import (
	"fmt"
	"testing"

	"github.com/stripe/skycfg/go/protomodule"
	"go.starlark.net/starlark"
	"go.starlark.net/syntax"
)

// nestedSrc builds a message depth levels deep from the bottom up, as
// configurations build nested constructors, then reads and writes through
// it from the top.
const nestedSrc = `
def build(depth):
    v = Value(string_value = "leaf")
    for i in range(depth):
        v = Value(list_value = ListValue(values = [v, Value(number_value = i)]))
    return v
`

// BenchmarkNested compares building nested messages with svccfg's binding
// and with skycfg v0.4.0's proto module (which re-validates the whole
// subtree on every assignment) side by side, in one run:
//
//	go test -run '^$' -bench Nested ./lib/starproto/ | benchstat -col /impl -
func BenchmarkNested(b *testing.B) {
	r := registry()
	svccfgPkg, err := r.Package("google.protobuf")
	if err != nil {
		b.Fatal(err)
	}
	skycfgPkg := protomodule.NewProtoPackage(r.Types(), "google.protobuf")
	for _, depth := range []int{4, 16, 64} {
		for _, impl := range []struct {
			name string
			pkg  starlark.HasAttrs
		}{{"svccfg", svccfgPkg}, {"skycfg", skycfgPkg}} {
			b.Run(fmt.Sprintf("depth=%d/impl=%s", depth, impl.name), func(b *testing.B) {
				predeclared := starlark.StringDict{}
				for _, name := range []string{"Value", "ListValue"} {
					v, err := impl.pkg.Attr(name)
					if err != nil {
						b.Fatal(err)
					}
					predeclared[name] = v
				}
				thread := &starlark.Thread{}
				globals, err := starlark.ExecFileOptions(&syntax.FileOptions{}, thread, "bench.star", nestedSrc, predeclared)
				if err != nil {
					b.Fatal(err)
				}
				build := globals["build"]
				b.ReportAllocs()
				for b.Loop() {
					if _, err := starlark.Call(thread, build, starlark.Tuple{starlark.MakeInt(depth)}, nil); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
