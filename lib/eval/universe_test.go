package eval

import (
	"strings"
	"testing"

	"go.starlark.net/starlark"
)

// evalExpr evaluates expr with the names predeclared in configuration
// files.
func evalExpr(t *testing.T, expr string) (starlark.Value, error) {
	t.Helper()
	std, err := DefaultStdlib()
	if err != nil {
		t.Fatal(err)
	}
	return starlark.EvalOptions(fileOptions, &starlark.Thread{}, "expr.star", expr, std.Predeclared())
}

// TestSkycfgModules checks that skycfg's struct, json, yaml, hash and url
// are predeclared, with skycfg's functions and aliases, and give what
// skycfg's give.
func TestSkycfgModules(t *testing.T) {
	for _, test := range []struct{ expr, want string }{
		{`struct(b = 1, a = "x").a`, `"x"`},
		{`json.encode({"b": [1, None], "a": True})`, `"{\"a\":true,\"b\":[1,null]}"`},
		{`json.marshal(struct(b = 1, a = 2))`, `"{\"a\":2,\"b\":1}"`},
		{`json.decode('{"b": 1, "a": [2]}')`, `{"b": 1, "a": [2]}`},
		{`json.unmarshal("[1.5]")`, `[1.5]`},
		{`json.indent('{"a":1}', indent = "  ")`, `"{\n  \"a\": 1\n}"`},
		{`json.encode_indent([1], indent = " ")`, `"[\n 1\n]"`},
		{`yaml.encode({"z": 1, "a": [1, {"y": 2, "b": None}]})`, `"a:\n- 1\n- b: null\n  \"y\": 2\nz: 1\n"`},
		{`yaml.marshal("yes")`, `"\"yes\"\n"`},
		{`yaml.decode("b: 1\na: {y: 2, x: [3]}\n")`, `{"a": {True: 2, "x": [3]}, "b": 1}`},
		{`yaml.unmarshal("- 1\n- {b: 1, a: 2.5}")`, `[1, {"a": 2.5, "b": 1}]`},
		{`yaml.decode("")`, `None`},
		{`yaml.decode("base: &b {x: 1}\nd: {<<: *b, z: 2}")`, `{"base": {"x": 1}, "d": {"x": 1, "z": 2}}`},
		{`hash.md5("test md5 string")`, `"e3c37791f9070bc459d677d015016f90"`},
		{`hash.sha1("test sha1 string")`, `"e4d245f6e79cc13f5a4c0261dfb991438b86fed9"`},
		{`hash.sha256("test sha256 string")`, `"a9c78816353b119a0ba2a1281675b147fd47abee11a8d41d5abb739dce8273b7"`},
		{`hash.murmur3("test murmur3 string")`, `"91dd87efc613eb2c"`},
		{`url.encode_query({"q": "a b", "lang": "&"})`, `"lang=%26&q=a+b"`},
	} {
		v, err := evalExpr(t, test.expr)
		if err != nil {
			t.Errorf("%s: %v", test.expr, err)
		} else if v.String() != test.want {
			t.Errorf("%s = %s, want %s", test.expr, v, test.want)
		}
	}
}

// TestSkycfgErrors checks that the errors of skycfg's modules are in the
// house style: prefixed with the function's name, lower case.
func TestSkycfgErrors(t *testing.T) {
	for _, test := range []struct{ expr, want string }{
		{`json.decode("{bad")`, `json.decode: at offset 1, unexpected character 'b'`},
		{`yaml.decode("a: [")`, `yaml.decode: line 1: did not find expected node content`},
		{`yaml.decode("{[1]: 2}")`, `yaml.decode: invalid map key: []interface {}{1}`},
		{`yaml.encode(struct(a = 1))`, "yaml.encode: value struct(a = 1) (type `struct') can't be converted to JSON."},
		{`hash.sha256(1)`, `hash.sha256: for parameter 1: got int, want string`},
		{`url.encode_query({"a": 1})`, `url.encode_query: value is not string: +1`},
		{`url.encode_query({1: "a"})`, `url.encode_query: key is not string: +1`},
		{`struct(1)`, `struct: unexpected positional arguments`},
	} {
		_, err := evalExpr(t, test.expr)
		if err == nil {
			t.Errorf("%s: no error, want %q", test.expr, test.want)
		} else if got := err.(*starlark.EvalError).Msg; got != test.want {
			t.Errorf("%s: error %q, want %q", test.expr, got, test.want)
		}
	}
}

// TestSkycfgDeterministic checks that yaml.decode's dicts, which skycfg
// builds from Go maps, have the same order on every run.
func TestSkycfgDeterministic(t *testing.T) {
	const expr = `str(yaml.decode("e: 1\nd: 2\nc: {z: 1, w: 2, x: 3}\nb: 4\na: 5\n")) + str(yaml.decode("- {q: 1, p: 2, o: 3}"))`
	want := `{"a": 5, "b": 4, "c": {"w": 2, "x": 3, "z": 1}, "d": 2, "e": 1}[{"o": 3, "p": 2, "q": 1}]`
	for range 20 {
		v, err := evalExpr(t, expr)
		if err != nil {
			t.Fatal(err)
		}
		if got := string(v.(starlark.String)); got != want {
			t.Fatalf("%s = %s, want %s", expr, got, want)
		}
	}
}

// TestSkycfgFrozen checks that the modules cannot be changed, since one
// Stdlib serves every evaluation.
func TestSkycfgFrozen(t *testing.T) {
	std, err := DefaultStdlib()
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"struct", "json", "yaml", "hash", "url"} {
		if _, ok := std.Predeclared()[name]; !ok {
			t.Errorf("%s is not predeclared", name)
		}
	}
	for _, expr := range []string{`json.encode.x = 1`, `json.x = 1`} {
		_, err := starlark.ExecFileOptions(fileOptions, &starlark.Thread{}, "frozen.star", expr, std.Predeclared())
		if err == nil || !strings.Contains(err.Error(), "can't assign") {
			t.Errorf("%s: error %v, want can't assign", expr, err)
		}
	}
}
