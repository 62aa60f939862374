package startest

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/svccfg/svccfg/lib/build"
	"go.starlark.net/starlark"
)

// run writes files into a new directory, runs the tests there with opts
// (Cwd set to the directory), and returns the report that Write writes.
func run(t *testing.T, files map[string]string, opts Options, verbose bool, paths ...string) (string, *Result) {
	t.Helper()
	dir := t.TempDir()
	for name, src := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	opts.Cwd = dir
	if len(paths) == 0 {
		paths = []string{"."}
	}
	res, err := Run(context.Background(), paths, opts)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	var b strings.Builder
	res.Write(&b, verbose, dir)
	return b.String(), res
}

const app = `def main(ctx):
    return service(name = "app", owner = "team", image = "r.example.com/app:1", port = 8080,
                   replicas = 3 if ctx.vars["environment"] == "production" else 1)
`

func TestReport(t *testing.T) {
	files := map[string]string{
		"app.star": app + `
def test_in_config(t):
    t.eq(main(t.ctx()).name, "app")
`,
		"app_test.star": `load("app.star", "main")

def test_replicas(t):
    d = t.find(main(t.ctx(vars = {"environment": "production"})), "Deployment")
    t.eq(d.spec.replicas, 2)
    t.eq(d.metadata.name, "app")
    t.ne(d.metadata.name, "app", "msg")

def test_passes(t):
    t.true(True)

def test_helper(t):
    check(t, 1)
    t.fatal("stop")
    t.error("not reached")

def check(t, n):
    t.eq(n, 2)
`,
		"lib.star":            "x = 1\n",
		"sub/none.star":       "def main(ctx):\n    return []\n",
		"testdata/x.star":     "def test_skipped(t):\n    t.error(\"in testdata\")\n",
		".hidden/x_test.star": "def test_hidden(t):\n    t.error(\"hidden\")\n",
	}
	got, res := run(t, files, Options{}, false)
	want := `ok   app.star (1 test)
--- FAIL: test_replicas
    app_test.star:5:9: test_replicas: got 3, want 2
    app_test.star:7:9: test_replicas: msg: got "app", want a different value
--- FAIL: test_helper
    app_test.star:18:9: test_helper: got 1, want 2
    	app_test.star:13:10: in test_helper
    app_test.star:14:12: test_helper: stop
FAIL app_test.star (3 tests, 2 failed)
?    sub/none.star [no tests]
`
	if got != want {
		t.Errorf("report:\n%s\nwant:\n%s", got, want)
	}
	if !res.Failed() {
		t.Error("Failed() = false, want true")
	}

	got, res = run(t, files, Options{Run: regexp.MustCompile("pass|config")}, true)
	want = `--- PASS: test_in_config
ok   app.star (1 test)
--- PASS: test_passes
ok   app_test.star (1 test)
?    sub/none.star [no tests]
`
	if got != want {
		t.Errorf("-run pass|config -v: report:\n%s\nwant:\n%s", got, want)
	}
	if res.Failed() {
		t.Error("Failed() = true, want false")
	}

	got, _ = run(t, files, Options{Run: regexp.MustCompile("nothing")}, false, "app_test.star")
	if want := "ok   app_test.star [no tests to run]\n"; got != want {
		t.Errorf("-run nothing: report %q, want %q", got, want)
	}
}

// TestOrder checks that files run in order of their paths, whatever the
// order of the PATH arguments, and tests in order of definition, whatever
// their names.
func TestOrder(t *testing.T) {
	files := map[string]string{
		"b.star": "def test_z(t):\n    pass\n\ndef test_a(t):\n    pass\n\ndef test_m(t):\n    pass\n",
		"a.star": "def test_only(t):\n    pass\n",
	}
	got, _ := run(t, files, Options{}, true, "b.star", "a.star", "b.star")
	want := `--- PASS: test_only
ok   a.star (1 test)
--- PASS: test_z
--- PASS: test_a
--- PASS: test_m
ok   b.star (3 tests)
`
	if got != want {
		t.Errorf("report:\n%s\nwant:\n%s", got, want)
	}
}

// TestAssertions checks the message and position of each kind of failure.
func TestAssertions(t *testing.T) {
	for _, test := range []struct {
		name, body, want string
	}{
		{"eq", `t.eq([1, "a"], [1, "b"])`, `x_test.star:2:9: test_it: got [1, "a"], want [1, "b"]`},
		{"eq msg", `t.eq(1, 2, "the count")`, `x_test.star:2:9: test_it: the count: got 1, want 2`},
		{"eq float", `t.eq(1, 1.5 - 0.5 + 0.0000000001)`, `x_test.star:2:9: test_it: got 1, want 1.0000000001`},
		{"eq string and message", `t.eq(kube.cores(1).string, kube.cores(1))`, `x_test.star:2:9: test_it: got "1", want k8s.io.apimachinery.pkg.api.resource.Quantity(string = "1")`},
		{"eq identity", `t.eq(service(name = "a", owner = "o", image = "i"), service(name = "a", owner = "o", image = "i"))`, `x_test.star:2:9: test_it: got service("a"), want service("a"): values of type service are equal only to themselves`},
		{"eq types", `t.eq([1], (1,))`, `x_test.star:2:9: test_it: got [1], want (1,)`},
		{"eq list and proto list", `t.eq(service(name = "a", owner = "o", image = "i").objects[1].spec.template.spec.containers[0].command, ["x"])`, `x_test.star:2:9: test_it: got [], want ["x"]`},
		{"eq message", `t.eq(kube.cores(1), kube.cores(2))`, `x_test.star:2:9: test_it: got k8s.io.apimachinery.pkg.api.resource.Quantity(string = "1"), want k8s.io.apimachinery.pkg.api.resource.Quantity(string = "2")`},
		{"message map in key order", `t.eq(proto.package("k8s.io.apimachinery.pkg.apis.meta.v1").ObjectMeta(labels = {"b": "1", "a": "2"}), None)`, `x_test.star:2:9: test_it: got k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta(labels = {"a": "2", "b": "1"}), want None`},
		{"map field in key order", `t.eq(proto.package("k8s.io.apimachinery.pkg.apis.meta.v1").ObjectMeta(labels = {"b": "1", "a": "2"}).labels, {})`, `x_test.star:2:9: test_it: got {"a": "2", "b": "1"}, want {}`},
		{"ne", `t.ne({"a": 1}, {"a": 1})`, `x_test.star:2:9: test_it: got {"a": 1}, want a different value`},
		{"true", `t.true([])`, `x_test.star:2:11: test_it: got [], want a true value`},
		{"false", `t.false("x", "empty")`, `x_test.star:2:12: test_it: empty: got "x", want a false value`},
		{"contains string", `t.contains("abc", "d")`, `x_test.star:2:15: test_it: got "abc", want it to contain "d"`},
		{"contains list", `t.contains([1, 2], 3)`, `x_test.star:2:15: test_it: got [1, 2], want it to contain 3`},
		{"contains error", `t.contains(1, 3)`, `x_test.star:2:15: test_it: t.contains: unknown binary op: int in int`},
		{"fails no error", `t.fails(lambda: 1, "x")`, `x_test.star:2:12: test_it: got no error, want an error matching "x"`},
		{"fails other error", `t.fails(lambda: kube.cores(0), "negative")`, `x_test.star:2:12: test_it: got error "kube.cores: got 0, want a number greater than zero", want an error matching "negative"`},
		{"fails bad pattern", `t.fails(lambda: 1, "(")`, "x_test.star:2:12: test_it: t.fails: for parameter pattern: error parsing regexp: missing closing ): `(`"},
		{"error", `t.error("bad")`, `x_test.star:2:12: test_it: bad`},
		{"fail", `fail("bad")`, `x_test.star:2:9: test_it: bad`},
		{"raised error", `service(name = "a", owner = "o", image = "i", replicas = -1)`, "x_test.star:2:12: test_it: service: for parameter replicas: got -1, want at least 0\n\t@stdlib//service.star:"},
		{"argument error", `service(name = "a", owner = "o", image = 1)`, `x_test.star:2:38: test_it: service: for parameter image: got int, want string`},
		{"find none", `t.find(service(name = "a", owner = "o", image = "i"), "Service")`, `x_test.star:2:11: test_it: t.find: no Service among ServiceAccount "a", Deployment "a"`},
		{"find named", `t.find([kube.cores(1)], "Quantity", name = "x")`, `x_test.star:2:11: test_it: t.find: no Quantity named "x" among Quantity ""`},
		{"find many", `t.find([service(name = "a", owner = "o", image = "i"), service(name = "b", owner = "o", image = "i")], "Deployment")`, `x_test.star:2:11: test_it: t.find: 2 values are a Deployment, want one (choose with name =)`},
		{"find no messages", `t.find([1], "Deployment")`, `x_test.star:2:11: test_it: t.find: no Deployment: got [1], which holds no proto messages`},
		{"ctx vars", `t.ctx(vars = {"a": 1})`, `x_test.star:2:10: test_it: t.ctx: for parameter vars: got int for key "a", want string`},
		{"unknown method", `t.equal(1, 1)`, `x_test.star:2:6: test_it: T has no .equal field or method (did you mean .eq?)`},
	} {
		t.Run(test.name, func(t *testing.T) {
			src := "def test_it(t):\n    " + test.body + "\n"
			_, res := run(t, map[string]string{"x_test.star": src}, Options{}, false)
			f := res.Files[0]
			if f.Err != nil {
				t.Fatal(f.Err)
			}
			var b strings.Builder
			res.Write(&b, false, filepath.Dir(f.Path))
			lines := strings.SplitN(b.String(), "\n", 2)
			if lines[0] != "--- FAIL: test_it" {
				t.Fatalf("report:\n%s\nwant a failure of test_it", b.String())
			}
			got := strings.ReplaceAll(lines[1], "\n    ", "\n")
			got = strings.TrimPrefix(got, "    ")
			if !strings.HasPrefix(got, test.want) {
				t.Errorf("failure:\n%s\nwant prefix:\n%s", got, test.want)
			}
		})
	}
}

// TestDiff checks that long values that differ are shown as a diff.
func TestDiff(t *testing.T) {
	src := `def test_it(t):
    a = service(name = "api", owner = "core", image = "i:1")
    b = service(name = "api", owner = "core", image = "i:2")
    t.eq(t.find(a, "Deployment").spec.template, t.find(b, "Deployment").spec.template)
`
	got, _ := run(t, map[string]string{"x_test.star": src}, Options{}, false)
	want := `--- FAIL: test_it
    x_test.star:4:9: test_it: got and want differ (-want +got):
        @@ -6,7 +6,7 @@
                 containers = [
                     k8s.io.api.core.v1.Container(
                         name = "api",
        -                image = "i:2",
        +                image = "i:1",
                         securityContext = k8s.io.api.core.v1.SecurityContext(
                             capabilities = k8s.io.api.core.v1.Capabilities(drop = ["ALL"]),
                             readOnlyRootFilesystem = True,
FAIL x_test.star (1 test, 1 failed)
`
	if got != want {
		t.Errorf("report:\n%s\nwant:\n%s", got, want)
	}
}

// TestIsolation checks that a test that raises an error, fails fatally or
// runs out of steps ends alone, and that t.fails does not catch those.
func TestIsolation(t *testing.T) {
	src := `def spin():
    for i in range(1000000):
        pass

def test_steps(t):
    spin()

def test_steps_in_fails(t):
    t.fails(spin, "")
    t.error("not reached")

def test_fatal_in_fails(t):
    t.fails(lambda: t.fatal("inner"), "")
    t.error("not reached")

def test_after(t):
    t.eq(t.name, "test_after")

def test_params():
    pass
`
	got, _ := run(t, map[string]string{"x_test.star": src}, Options{MaxSteps: 10000}, true)
	want := `--- FAIL: test_steps
    x_test.star:2:5: test_steps: evaluation exceeded 10000 execution steps (raise the limit with --max-steps)
    	x_test.star:6:9: in test_steps
--- FAIL: test_steps_in_fails
    x_test.star:2:5: test_steps_in_fails: evaluation exceeded 10000 execution steps (raise the limit with --max-steps)
    	x_test.star:9:12: in test_steps_in_fails
--- FAIL: test_fatal_in_fails
    x_test.star:13:28: test_fatal_in_fails: inner
    	x_test.star:13:12: in test_fatal_in_fails
--- PASS: test_after
--- FAIL: test_params
    x_test.star:19:1: test_params: takes one parameter, t; got 0
FAIL x_test.star (5 tests, 4 failed)
`
	if got != want {
		t.Errorf("report:\n%s\nwant:\n%s", got, want)
	}
}

func TestTimeout(t *testing.T) {
	src := "def test_slow(t):\n    for i in range(100000000000):\n        pass\n\ndef test_fast(t):\n    pass\n"
	got, _ := run(t, map[string]string{"x_test.star": src}, Options{Timeout: 50 * time.Millisecond, MaxSteps: 1 << 50}, false)
	want := "--- FAIL: test_slow\n    x_test.star:2:5: test_slow: evaluation took longer than 50ms (raise the limit with --timeout)\n"
	if !strings.HasPrefix(got, want) || !strings.HasSuffix(got, "FAIL x_test.star (2 tests, 1 failed)\n") {
		t.Errorf("report:\n%s\nwant prefix:\n%s", got, want)
	}
}

// TestCtx checks that t.ctx merges vars into the evaluation's variables
// (svccfg.yaml, then Options.Vars), and that the standard library sees them.
func TestCtx(t *testing.T) {
	files := map[string]string{
		"svccfg.yaml": "vars:\n  environment: staging\n  region: east\n",
		"x_test.star": `def test_vars(t):
    t.eq(t.ctx().vars, {"cluster": "c1", "environment": "staging", "namespace": "default", "region": "east"})
    ctx = t.ctx(vars = {"namespace": "ns2", "extra": "x"})
    t.eq(ctx.vars["namespace"], "ns2")
    t.eq(ctx.vars["extra"], "x")
    t.eq(service(name = "a", owner = "o", image = "i").namespace, "ns2")
`,
	}
	got, _ := run(t, files, Options{Vars: map[string]string{"cluster": "c1"}}, false)
	if want := "ok   x_test.star (1 test)\n"; got != want {
		t.Errorf("report:\n%s\nwant:\n%s", got, want)
	}
}

func TestLoadErrors(t *testing.T) {
	files := map[string]string{
		"a_test.star": "def test_a(t)\n    pass\n",
		"b_test.star": "load(\"missing.star\", \"x\")\n\ndef test_b(t):\n    pass\n",
		"c_test.star": "def test_c(t):\n    pass\n",
	}
	got, res := run(t, files, Options{}, false)
	want := `    a_test.star:2:1: got newline, want ':'
FAIL a_test.star [load failed]
    b_test.star:1:1: cannot load missing.star: no such file
FAIL b_test.star [load failed]
ok   c_test.star (1 test)
`
	if got != want {
		t.Errorf("report:\n%s\nwant:\n%s", got, want)
	}
	if !res.Failed() {
		t.Error("Failed() = false, want true")
	}
}

func TestPathErrors(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "lib.star"), []byte("x = 1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, test := range []struct{ path, want string }{
		{"missing", "missing: no such file or directory"},
		{".", ".: no .star files with a main or test function"},
	} {
		_, err := Run(context.Background(), []string{test.path}, Options{Cwd: dir})
		var pe *build.PathError
		if !errors.As(err, &pe) || err.Error() != test.want {
			t.Errorf("Run(%s) = %v, want the path error %q", test.path, err, test.want)
		}
	}
}

func TestRepr(t *testing.T) {
	d := starlark.NewDict(2)
	d.SetKey(starlark.String("b"), starlark.MakeInt(1))
	d.SetKey(starlark.String("a"), starlark.NewList([]starlark.Value{starlark.None, starlark.True}))
	for _, test := range []struct {
		v    starlark.Value
		want string
	}{
		{starlark.String("a\"b\n"), `"a\"b\n"`},
		{starlark.Tuple{starlark.MakeInt(1)}, "(1,)"},
		{starlark.Tuple{}, "()"},
		{starlark.NewList(nil), "[]"},
		{d, `{"b": 1, "a": [None, True]}`},
		{starlark.Float(0.5), "0.5"},
	} {
		if got := Repr(test.v); got != test.want {
			t.Errorf("Repr(%s) = %s, want %s", test.v, got, test.want)
		}
	}
	long := make([]starlark.Value, 30)
	for i := range long {
		long[i] = starlark.MakeInt(i)
	}
	got := reprLines(starlark.NewList([]starlark.Value{starlark.NewList(long[:3]), starlark.NewList(long)}))
	want := "[\n    [0, 1, 2],\n    [\n        0,\n"
	if !strings.HasPrefix(got, want) || !strings.HasSuffix(got, "        29,\n    ],\n]") {
		t.Errorf("reprLines = %s, want prefix %s", got, want)
	}
}
