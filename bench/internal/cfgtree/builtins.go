package cfgtree

import (
	"maps"
	"slices"
	"strings"

	"go.starlark.net/starlark"
	"go.starlark.net/starlarkstruct"
	"k8s.io/apimachinery/pkg/util/validation"
)

// Builtins returns the "_bench" module that the references' standard
// libraries use in place of svccfg's "_svccfg" builtins:
//
//	_bench.vars                          the variables (ctx.vars), a frozen dict
//	_bench.dns_label_problem(s) -> str   why s is not a DNS-1123 label, or ""
//	_bench.port_name_problem(s) -> str   why s is not a port name (IANA_SVC_NAME), or ""
//
// dns_label_problem and port_name_problem call the Go functions svccfg's
// builtins call, so that the references do the same work.
func Builtins(vars map[string]string) *starlarkstruct.Module {
	return &starlarkstruct.Module{Name: "_bench", Members: starlark.StringDict{
		"vars":              VarsDict(vars),
		"dns_label_problem": starlark.NewBuiltin("_bench.dns_label_problem", dnsLabelProblem),
		"port_name_problem": starlark.NewBuiltin("_bench.port_name_problem", portNameProblem),
	}}
}

// VarsDict returns vars as a frozen Starlark dict with sorted keys, as
// ctx.vars is in svccfg.
func VarsDict(vars map[string]string) *starlark.Dict {
	d := starlark.NewDict(len(vars))
	for _, k := range slices.Sorted(maps.Keys(vars)) {
		d.SetKey(starlark.String(k), starlark.String(vars[k]))
	}
	d.Freeze()
	return d
}

func dnsLabelProblem(thread *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var s string
	if err := starlark.UnpackPositionalArgs(fn.Name(), args, kwargs, 1, &s); err != nil {
		return nil, err
	}
	return starlark.String(strings.Join(validation.IsDNS1123Label(s), "; ")), nil
}

func portNameProblem(thread *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var s string
	if err := starlark.UnpackPositionalArgs(fn.Name(), args, kwargs, 1, &s); err != nil {
		return nil, err
	}
	return starlark.String(strings.Join(validation.IsValidPortName(s), "; ")), nil
}
