package doc

import (
	"fmt"
	"strings"
)

// A builtin is a function of a module defined in Go, which has no
// docstring to document it.
type builtin struct{ name, params, summary string }

// A builtinModule is a predeclared module defined in Go: skycfg's json,
// yaml, hash and url. A test checks that funcs matches the module.
type builtinModule struct {
	name, summary string
	funcs         []builtin
}

// structFunction documents skycfg's predeclared struct.
var structFunction = builtin{"struct", "**kwargs", `Returns an immutable struct whose attributes are the keyword arguments: struct(port = 80).port is 80.`}

// skycfgModules are the modules that skycfg predeclares besides proto, in
// the order listed.
var skycfgModules = []builtinModule{
	{"json", "json: JSON encoding and decoding (go.starlark.net/lib/json, as skycfg predeclares it).", []builtin{
		{"encode", "x", "Returns x (None, a bool, number, string, list, tuple, dict with string keys, or struct) as compact JSON, with the keys of each object sorted."},
		{"encode_indent", `x, *, prefix = "", indent = "\t"`, "Returns x as JSON, each element on a line of its own, indented."},
		{"decode", "x[, default]", "Returns the value that the JSON string x denotes, objects as dicts with their keys in the order written; fails on bad JSON unless default is given, which it then returns."},
		{"indent", `str, *, prefix = "", indent = "\t"`, "Returns the JSON string str pretty-printed."},
		{"marshal", "x", "The same as json.encode, by skycfg's older name."},
		{"unmarshal", "x[, default]", "The same as json.decode, by skycfg's older name."},
	}},
	{"yaml", "yaml: YAML encoding and decoding (skycfg's yaml module, YAML 1.1 as gopkg.in/yaml.v2 reads it).", []builtin{
		{"encode", "x", "Returns x (None, a bool, number, string, list, tuple or dict) as a YAML document, with the keys of each mapping sorted."},
		{"decode", "s", `Returns the value of the YAML document s, mappings as dicts with their keys sorted; YAML 1.1 reads yes, no, on, off, y and n as booleans.`},
		{"marshal", "x", "The same as yaml.encode, by skycfg's older name."},
		{"unmarshal", "s", "The same as yaml.decode, by skycfg's older name."},
	}},
	{"hash", "hash: hashes of strings, as lowercase hexadecimal (skycfg's hash module).", []builtin{
		{"md5", "s", "Returns the MD5 hash of the string s, in hexadecimal."},
		{"sha1", "s", "Returns the SHA-1 hash of the string s, in hexadecimal."},
		{"sha256", "s", "Returns the SHA-256 hash of the string s, in hexadecimal."},
		{"murmur3", "s", "Returns the 64-bit MurmurHash3 of the string s, in hexadecimal."},
	}},
	{"url", "url: URL query strings (skycfg's url module).", []builtin{
		{"encode_query", "d", `Returns the dict d of string keys and string values as a URL query string, sorted by key: {"q": "a b"} gives "q=a+b".`},
	}},
}

// findBuiltin returns the Go-defined function called name ("json.encode",
// "proto.merge", "struct"), or false.
func findBuiltin(name string) (builtin, bool) {
	if name == structFunction.name {
		return structFunction, true
	}
	mod, fn, ok := strings.Cut(name, ".")
	if !ok {
		return builtin{}, false
	}
	if mod == "proto" {
		return findIn(protoFunctions, fn, "proto.")
	}
	for _, m := range skycfgModules {
		if m.name == mod {
			return findIn(m.funcs, fn, mod+".")
		}
	}
	return builtin{}, false
}

// findIn returns the function of funcs called name, under its full name.
func findIn(funcs []builtin, name, prefix string) (builtin, bool) {
	for _, f := range funcs {
		if f.name == name {
			f.name = prefix + f.name
			return f, true
		}
	}
	return builtin{}, false
}

// isBuiltin reports whether name is a Go-defined function.
func isBuiltin(name string) bool {
	_, ok := findBuiltin(name)
	return ok
}

// writeBuiltin writes a Go-defined function's signature and summary.
func writeBuiltin(b *strings.Builder, f builtin) {
	fmt.Fprintf(b, "%s(%s)\n\n%s\n", f.name, f.params, reflow(f.summary, "", lineWidth))
}

// writeBuiltinModule writes a Go-defined module's summary and functions.
func writeBuiltinModule(b *strings.Builder, g *group) {
	fmt.Fprintf(b, "%s\n\n%s\n\nFunctions:\n", g.title, reflow(g.doc, "", lineWidth))
	for _, f := range g.builtins {
		fmt.Fprintf(b, "  %s(%s)\n%s\n", f.name, f.params, reflow(f.summary, "      ", lineWidth))
	}
}

// prefixed returns funcs with their names prefixed with the module's.
func prefixed(module string, funcs []builtin) []builtin {
	out := make([]builtin, len(funcs))
	for i, f := range funcs {
		f.name = module + "." + f.name
		out[i] = f
	}
	return out
}
