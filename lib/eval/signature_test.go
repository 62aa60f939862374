package eval

import (
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/svccfg/svccfg/stdlib"
	"go.starlark.net/starlark"
	"go.starlark.net/syntax"
)

// function returns the Starlark function f defined by src.
func function(t *testing.T, src string) *starlark.Function {
	t.Helper()
	globals, err := starlark.ExecFileOptions(&syntax.FileOptions{}, &starlark.Thread{}, "lib.star", src, nil)
	if err != nil {
		t.Fatal(err)
	}
	return globals["f"].(*starlark.Function)
}

func TestParseSignature(t *testing.T) {
	fn := function(t, `
def f(name, count = 2, tags = []):
    """Returns a thing.

    More about the thing.

    Args:
      name (string): the name; it
        continues here.
      count (int or None): how many.
      tags (list of string): labels.
    """
`)
	sig, err := ParseSignature("ns.f", fn)
	if err != nil {
		t.Fatal(err)
	}
	if sig.Summary != "Returns a thing." || sig.Doc != "More about the thing." {
		t.Errorf("Summary, Doc = %q, %q", sig.Summary, sig.Doc)
	}
	want := []Param{
		{Name: "name", Type: "string", Doc: "the name; it continues here."},
		{Name: "count", Type: "int or None", Default: "2", Doc: "how many."},
		{Name: "tags", Type: "list of string", Default: "[]", Doc: "labels."},
	}
	if len(sig.Params) != len(want) {
		t.Fatalf("Params = %+v, want %+v", sig.Params, want)
	}
	for i, p := range sig.Params {
		w := want[i]
		if p.Name != w.Name || p.Type != w.Type || p.Default != w.Default || p.Doc != w.Doc {
			t.Errorf("Params[%d] = %+v, want %+v", i, p, w)
		}
	}
}

func TestParseSignatureErrors(t *testing.T) {
	for _, test := range []struct{ src, want string }{
		{"def f(x):\n    pass\n", "lib.star:1:1: ns.f: no docstring"},
		{"def f(x):\n    \"\"\"Does.\"\"\"\n", "lib.star:1:1: ns.f: parameter x is not documented in the docstring's Args section"},
		{"def f(x):\n    \"\"\"Does.\n\n    Args:\n      x: no type.\n    \"\"\"\n", "docstring Args: want lines of the form `name (type): description`, got \"x: no type.\""},
		{"def f(x):\n    \"\"\"Does.\n\n    Args:\n      x (widget): a widget.\n    \"\"\"\n", "ns.f: parameter x: unknown type \"widget\""},
		{"def f(x):\n    \"\"\"Does.\n\n    Args:\n      x (int): one.\n      y (int): two.\n    \"\"\"\n", "ns.f: the docstring documents y, which is not a parameter"},
		{"def f(**kw):\n    \"\"\"Does.\"\"\"\n", "ns.f: public functions take named parameters only"},
		{"def f(x):\n    \"\"\"Does.\n\n    Args:\n      x (int): \n    \"\"\"\n", "docstring Args: want lines of the form `name (type): description`, got \"x (int):\""}, // no description
	} {
		_, err := ParseSignature("ns.f", function(t, test.src))
		if err == nil || !strings.Contains(err.Error(), test.want) {
			t.Errorf("ParseSignature(%q) error = %v, want %q", test.src, err, test.want)
		}
	}
}

func TestTypeChecks(t *testing.T) {
	for _, test := range []struct {
		typ  string
		expr string
		want string // "" if the value has the type
	}{
		{"int", "1", ""},
		{"int", "'1'", "got string, want int"},
		{"int or float", "1.5", ""},
		{"string or None", "None", ""},
		{"bool", "1", "got int, want bool"},
		{"list of string", "['a', 'b']", ""},
		{"list of string", "('a',)", ""},
		{"list of string", "'ab'", "got string, want list of string"},
		{"list of string", "['a', 2]", "at index 1: got int, want string"},
		{"dict of string to int", "{'a': 1}", ""},
		{"dict of string to int", "{'a': 'x'}", `for key "a": got string, want int`},
		{"dict of string to int", "{1: 1}", "for key 1: got int, want string"},
		{"any", "[]", ""},
		{"Quantity", "1", "got int, want Quantity"},
	} {
		check, err := parseType(test.typ)
		if err != nil {
			t.Fatal(err)
		}
		v, err := starlark.EvalOptions(&syntax.FileOptions{}, &starlark.Thread{}, "x", test.expr, nil)
		if err != nil {
			t.Fatal(err)
		}
		if got := check(v); got != test.want {
			t.Errorf("check(%s, %s) = %q, want %q", test.typ, test.expr, got, test.want)
		}
	}
}

// TestLoadStdlibRejectsUndocumented checks that every public standard
// library file, function and parameter must be documented, in any public
// file (predeclared or only loadable), so that `svccfg doc` lacks nothing.
func TestLoadStdlibRejectsUndocumented(t *testing.T) {
	reg, err := DefaultRegistry()
	if err != nil {
		t.Fatal(err)
	}
	const doc = "\"\"\"Helpers.\"\"\"\n"
	for _, test := range []struct{ file, src, want string }{
		{"kube.star", "def cores(n):\n    return n\n",
			"@stdlib//kube.star:1:1: no module docstring: a public standard library file starts with a string that says what it provides"},
		{"einhorn.star", "# einhorn\ndef einhorn(script):\n    pass\n",
			"@stdlib//einhorn.star:1:1: no module docstring: a public standard library file starts with a string that says what it provides"},
		{"kube.star", doc + "def cores(n):\n    return n\n",
			"@stdlib//kube.star:2:1: kube.cores: no docstring"},
		{"einhorn.star", doc + "def einhorn(script):\n    \"\"\"Runs.\"\"\"\n",
			"@stdlib//einhorn.star:2:1: einhorn: parameter script is not documented in the docstring's Args section"},
		{"einhorn.star", doc + "def einhorn(script, workers = 1):\n    \"\"\"Runs.\n\n    Args:\n      script (string): the script.\n    \"\"\"\n",
			"@stdlib//einhorn.star:2:1: einhorn: parameter workers is not documented in the docstring's Args section"},
		{"einhorn.star", doc + "def einhorn(script):\n    \"\"\"Runs.\n\n    Args:\n      script: the script.\n    \"\"\"\n",
			"@stdlib//einhorn.star:2:1: einhorn: docstring Args: want lines of the form `name (type): description`, got \"script: the script.\""},
	} {
		fsys := fstest.MapFS{test.file: {Data: []byte(test.src)}}
		_, err = LoadStdlib(reg, fsys)
		if err == nil || err.Error() != test.want {
			t.Errorf("LoadStdlib(%s: %q) error = %v, want %q", test.file, test.src, err, test.want)
		}
	}
	// Private files and functions need no docstrings.
	fsys := fstest.MapFS{}
	files, _ := fs.Glob(stdlib.FS, "*.star")
	for _, f := range files {
		data, _ := fs.ReadFile(stdlib.FS, f)
		fsys[f] = &fstest.MapFile{Data: data}
	}
	fsys["_extra.star"] = &fstest.MapFile{Data: []byte("def labels(name):\n    return {}\n")}
	fsys["einhorn.star"].Data = append(fsys["einhorn.star"].Data, "\ndef _argv(x):\n    return []\n"...)
	if _, err := LoadStdlib(reg, fsys); err != nil {
		t.Errorf("LoadStdlib(private, undocumented) error = %v, want none", err)
	}
}

func TestDefaultStdlib(t *testing.T) {
	std, err := DefaultStdlib()
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range std.Functions() {
		names = append(names, f.Name())
	}
	want := "canary cron einhorn env.config_map env.field env.secret envoy.cluster envoy.route_configuration job " +
		"kube.autoscale kube.container kube.cores kube.gigabytes kube.megabytes kube.millicores kube.rollout kube.security kube.service_account kube.shutdown kube.spread kube.track kube.unlimited " +
		"port.grpc port.h2c port.http port.tcp probe.exec probe.grpc probe.http probe.tcp service " +
		"volume.config_map volume.empty_dir volume.files volume.pvc volume.secret"
	if got := strings.Join(names, " "); got != want {
		t.Errorf("Functions() = %s, want %s", got, want)
	}
	for _, name := range []string{"service", "canary", "cron", "job", "kube", "envoy", "proto", "port", "probe", "env", "volume"} {
		if _, ok := std.Predeclared()[name]; !ok {
			t.Errorf("%s is not predeclared", name)
		}
	}
	if got, want := strings.Join(std.Files(), " "), "@stdlib//canary.star @stdlib//cron.star @stdlib//einhorn.star @stdlib//env.star @stdlib//envoy.star @stdlib//job.star @stdlib//kube.star @stdlib//port.star @stdlib//probe.star @stdlib//service.star @stdlib//volume.star"; got != want {
		t.Errorf("Files() = %s, want %s", got, want)
	}
	if got, want := std.Doc("@stdlib//port.star"), "port: the ports a service listens on, by the protocol it speaks."; got != want {
		t.Errorf("Doc(port.star) = %q, want %q", got, want)
	}
	if _, ok := std.Predeclared()["einhorn"]; ok {
		t.Errorf("einhorn is predeclared; it is loaded from @stdlib//einhorn.star")
	}
}
