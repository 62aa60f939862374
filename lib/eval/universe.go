package eval

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/stripe/skycfg/go/hashmodule"
	"github.com/stripe/skycfg/go/urlmodule"
	"github.com/stripe/skycfg/go/yamlmodule"
	starlarkjson "go.starlark.net/lib/json"
	"go.starlark.net/starlark"
	"go.starlark.net/starlarkstruct"
	"go.starlark.net/syntax"
	yaml "gopkg.in/yaml.v2"
)

// skycfgModules returns skycfg's universe besides proto, as
// skycfg.UnstablePredeclaredModules defines it, so that a configuration
// written for skycfg builds unchanged:
//
//	struct(**kwargs)                      starlarkstruct.Make
//	json.encode, decode, encode_indent, indent, and the aliases marshal, unmarshal
//	yaml.encode, decode, and the aliases marshal, unmarshal
//	hash.md5, sha1, sha256, murmur3
//	url.encode_query
//
// None of them reads a file, the network, the environment, the clock or a
// source of randomness. One change keeps the output a function of the
// input: skycfg's yaml.decode builds each dict by ranging over a Go map,
// so its keys come in a different order from run to run; here they are
// sorted.
func skycfgModules() starlark.StringDict {
	json := &starlarkstruct.Module{Name: starlarkjson.Module.Name, Members: make(starlark.StringDict)}
	for name, v := range starlarkjson.Module.Members {
		json.Members[name] = v
	}
	json.Members["marshal"] = json.Members["encode"]
	json.Members["unmarshal"] = json.Members["decode"]

	yml := yamlmodule.NewModule()
	yml.Members["decode"] = starlark.NewBuiltin("yaml.decode", yamlDecode)
	hash, url := hashmodule.NewModule(), urlmodule.NewModule()
	for _, m := range []*starlarkstruct.Module{yml, hash, url} {
		for name, v := range m.Members {
			m.Members[name] = prefixErrors(v.(*starlark.Builtin))
		}
	}
	yml.Members["marshal"] = yml.Members["encode"]
	yml.Members["unmarshal"] = yml.Members["decode"]

	modules := starlark.StringDict{
		"struct": starlark.NewBuiltin("struct", starlarkstruct.Make),
		"json":   json,
		"yaml":   yml,
		"hash":   hash,
		"url":    url,
	}
	modules.Freeze()
	return modules
}

// prefixErrors returns b with its errors in the house style: prefixed with
// its name, and lower case ("url.encode_query: key is not string: 1"
// for skycfg's "Key is not string: 1").
func prefixErrors(b *starlark.Builtin) *starlark.Builtin {
	prefix := b.Name() + ": "
	return starlark.NewBuiltin(b.Name(), func(thread *starlark.Thread, _ *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
		v, err := b.CallInternal(thread, args, kwargs)
		if err == nil || strings.HasPrefix(err.Error(), prefix) {
			return v, err
		}
		msg := strings.TrimPrefix(err.Error(), "TypeError: ")
		if r, size := utf8.DecodeRuneInString(msg); unicode.IsUpper(r) && !unicode.IsUpper(rune(msg[min(size, len(msg)-1)])) {
			msg = string(unicode.ToLower(r)) + msg[size:]
		}
		return nil, &builtinError{msg: prefix + msg, err: err}
	})
}

// A builtinError is the error of a built-in function, reworded.
type builtinError struct {
	msg string
	err error
}

func (e *builtinError) Error() string { return e.msg }
func (e *builtinError) Unwrap() error { return e.err }

// yamlDecode is skycfg's yaml.decode with the keys of each dict sorted:
// skycfg ranges over the Go map that yaml.v2 decodes a mapping into, so
// its keys would come in a different order from run to run. (yaml.v2's
// order-keeping MapSlice drops the keys that a "<<" merges in.)
func yamlDecode(_ *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var blob string
	if err := starlark.UnpackPositionalArgs(fn.Name(), args, kwargs, 1, &blob); err != nil {
		return nil, err
	}
	var doc any
	if err := yaml.Unmarshal([]byte(blob), &doc); err != nil {
		return nil, fmt.Errorf("%s: %s", fn.Name(), strings.TrimPrefix(err.Error(), "yaml: "))
	}
	v, err := yamlValue(doc)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", fn.Name(), err)
	}
	return v, nil
}

// yamlValue converts a value that yaml.v2 decoded to Starlark, as skycfg's
// yamlmodule does, but with each dict's keys sorted: by type, then value.
func yamlValue(v any) (starlark.Value, error) {
	switch v := v.(type) {
	case nil:
		return starlark.None, nil
	case bool:
		return starlark.Bool(v), nil
	case int:
		return starlark.MakeInt(v), nil
	case int64:
		return starlark.MakeInt64(v), nil
	case uint64:
		return starlark.MakeUint64(v), nil
	case float64:
		return starlark.Float(v), nil
	case string:
		return starlark.String(v), nil
	case map[any]any:
		items := make([]starlark.Tuple, 0, len(v))
		for k, val := range v {
			sk, err := yamlValue(k)
			if err != nil {
				return nil, err
			}
			sv, err := yamlValue(val)
			if err != nil {
				return nil, err
			}
			items = append(items, starlark.Tuple{sk, sv})
		}
		slices.SortFunc(items, func(a, b starlark.Tuple) int { return compareKeys(a[0], b[0]) })
		d := starlark.NewDict(len(items))
		for _, item := range items {
			if err := d.SetKey(item[0], item[1]); err != nil {
				return nil, err
			}
		}
		return d, nil
	case []any:
		elems := make([]starlark.Value, len(v))
		for i, e := range v {
			var err error
			if elems[i], err = yamlValue(e); err != nil {
				return nil, err
			}
		}
		return starlark.NewList(elems), nil
	}
	return nil, fmt.Errorf("%T (%v) is not a supported type", v, v)
}

// compareKeys orders the scalar keys of a decoded mapping: by type name,
// then by value.
func compareKeys(a, b starlark.Value) int {
	if c := cmp.Compare(a.Type(), b.Type()); c != 0 {
		return c
	}
	if lt, err := starlark.Compare(syntax.LT, a, b); err == nil && lt {
		return -1
	}
	if gt, err := starlark.Compare(syntax.GT, a, b); err == nil && gt {
		return 1
	}
	return 0
}
