package main

import (
	"fmt"

	"go.starlark.net/starlark"
	"go.starlark.net/starlarkstruct"
)

// protoModule is the stand-in of svccfg's proto module for configuration
// files that build messages themselves: proto.package(name).Message(**kw)
// returns the dict of its keyword arguments.
var protoModule = &starlarkstruct.Module{Name: "proto", Members: starlark.StringDict{
	"package": starlark.NewBuiltin("proto.package", func(thread *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
		var name string
		if err := starlark.UnpackPositionalArgs(fn.Name(), args, kwargs, 1, &name); err != nil {
			return nil, err
		}
		return dictPackage(name), nil
	}),
}}

// A dictPackage is the stand-in of a protobuf package: its attributes are
// constructors that return dicts.
type dictPackage string

func (p dictPackage) String() string        { return fmt.Sprintf("<proto.package %q>", string(p)) }
func (p dictPackage) Type() string          { return "proto.package" }
func (p dictPackage) Freeze()               {}
func (p dictPackage) Truth() starlark.Bool  { return starlark.True }
func (p dictPackage) Hash() (uint32, error) { return starlark.String(p).Hash() }
func (p dictPackage) AttrNames() []string   { return nil }

func (p dictPackage) Attr(name string) (starlark.Value, error) {
	return starlark.NewBuiltin(string(p)+"."+name, func(thread *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
		if len(args) > 0 {
			return nil, fmt.Errorf("%s: unexpected positional arguments", fn.Name())
		}
		d := starlark.NewDict(len(kwargs))
		for _, kv := range kwargs {
			d.SetKey(kv[0], kv[1])
		}
		return d, nil
	}), nil
}
