package eval

import (
	"fmt"
	"strings"
	"time"

	"github.com/svccfg/svccfg/lib/diag"
	"github.com/svccfg/svccfg/lib/load"
	"go.starlark.net/starlark"
	"go.starlark.net/starlarkstruct"
	"k8s.io/apimachinery/pkg/util/validation"
)

// internal is the "_svccfg" module that only standard library files see.
//
//	_svccfg.vars() -> dict                     the evaluation's variables (ctx.vars)
//	_svccfg.unit(kind, name, namespace, objects, envoy=[], calls=[]) -> Unit
//	_svccfg.command(argv, port=None) -> Command
//	_svccfg.dns_label_problem(s) -> string     why s is not a DNS-1123 label, or ""
//	_svccfg.port_name_problem(s) -> string     why s is not a port name (IANA_SVC_NAME), or ""
//	_svccfg.record(kind, **fields) -> Record   a port, probe, volume... (see RecordKinds)
//	_svccfg.seconds(d) -> int                  a Seconds value (int or "1m30s") in seconds
var internal = &starlarkstruct.Module{
	Name: "_svccfg",
	Members: starlark.StringDict{
		"vars":              starlark.NewBuiltin("_svccfg.vars", builtinVars),
		"unit":              starlark.NewBuiltin("_svccfg.unit", builtinUnit),
		"command":           starlark.NewBuiltin("_svccfg.command", builtinCommand),
		"dns_label_problem": starlark.NewBuiltin("_svccfg.dns_label_problem", builtinDNSLabelProblem),
		"port_name_problem": starlark.NewBuiltin("_svccfg.port_name_problem", builtinPortNameProblem),
		"record":            starlark.NewBuiltin("_svccfg.record", builtinRecord),
		"seconds":           starlark.NewBuiltin("_svccfg.seconds", builtinSeconds),
	},
}

const varsKey = "svccfg.vars"

// readKey is the thread-local key of the [readFunc] through which errors of
// calls on a thread refine their positions ([ThreadError]).
const readKey = "svccfg.read"

func builtinVars(thread *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	if err := starlark.UnpackPositionalArgs(fn.Name(), args, kwargs, 0); err != nil {
		return nil, err
	}
	vars, ok := thread.Local(varsKey).(*starlark.Dict)
	if !ok {
		return nil, fmt.Errorf("%s: called while loading a module, before main(ctx) runs", fn.Name())
	}
	return vars, nil
}

func builtinUnit(thread *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	u := &Unit{}
	u.Pos, u.Stack = userCallers(thread)
	envoy := starlark.NewList(nil)
	var calls *starlark.List
	if err := starlark.UnpackArgs(fn.Name(), args, kwargs,
		"kind", &u.Kind, "name", &u.Name, "namespace", &u.Namespace, "objects", &u.Objects, "envoy?", &envoy, "calls?", &calls); err != nil {
		return nil, err
	}
	u.Envoy = envoy
	if calls != nil {
		for i := range calls.Len() {
			s, ok := starlark.AsString(calls.Index(i))
			if !ok {
				return nil, fmt.Errorf("%s: for parameter calls: at index %d: got %s, want string", fn.Name(), i, calls.Index(i).Type())
			}
			u.Calls = append(u.Calls, s)
		}
	}
	return u, nil
}

func builtinCommand(thread *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	c := &Command{Port: starlark.None}
	if err := starlark.UnpackArgs(fn.Name(), args, kwargs, "argv", &c.Argv, "port?", &c.Port); err != nil {
		return nil, err
	}
	return c, nil
}

func builtinDNSLabelProblem(thread *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var s string
	if err := starlark.UnpackPositionalArgs(fn.Name(), args, kwargs, 1, &s); err != nil {
		return nil, err
	}
	return starlark.String(strings.Join(validation.IsDNS1123Label(s), "; ")), nil
}

// userCallers returns the position of the innermost call on thread's stack
// that is in a configuration file rather than the standard library, and
// the frames that called it, innermost first, as the call chain of an
// error lists them; no frames when main made the call itself.
func userCallers(thread *starlark.Thread) (diag.Position, []diag.Frame) {
	pos, at := userFrame(thread)
	var stack []diag.Frame
	for i := at + 1; at >= 0 && i < thread.CallStackDepth(); i++ {
		f := thread.CallFrame(i)
		if p := toPos(f.Pos); p.IsValid() {
			stack = append(stack, diag.Frame{Pos: p, Func: frameName(f.Name)})
		}
	}
	return pos, stack
}

// userFrame returns the position of the innermost call on thread's stack
// that is in a configuration file, and the depth of its frame, or -1.
func userFrame(thread *starlark.Thread) (diag.Position, int) {
	for i := range thread.CallStackDepth() {
		pos := thread.CallFrame(i).Pos
		if f := pos.Filename(); f != "<builtin>" && !strings.HasPrefix(f, load.StdlibPrefix) {
			return toPos(pos), i
		}
	}
	return diag.Position{}, -1
}

func builtinPortNameProblem(thread *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var s string
	if err := starlark.UnpackPositionalArgs(fn.Name(), args, kwargs, 1, &s); err != nil {
		return nil, err
	}
	return starlark.String(strings.Join(validation.IsValidPortName(s), "; ")), nil
}

func builtinSeconds(thread *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var v starlark.Value
	if err := starlark.UnpackPositionalArgs(fn.Name(), args, kwargs, 1, &v); err != nil {
		return nil, err
	}
	n, problem := seconds(v)
	if problem != "" {
		return nil, fmt.Errorf("%s: %s", fn.Name(), problem)
	}
	return starlark.MakeInt64(n), nil
}

// seconds returns the whole number of seconds of v, an int or a duration
// string such as "90s" or "1m30s", or what is wrong with it.
func seconds(v starlark.Value) (int64, string) {
	switch v := v.(type) {
	case starlark.Int:
		n, ok := v.Int64()
		if !ok || n < 0 {
			return 0, fmt.Sprintf("got %s, want a number of seconds, at least 0", v)
		}
		return n, ""
	case starlark.String:
		d, err := time.ParseDuration(string(v))
		if err != nil || d < 0 {
			return 0, fmt.Sprintf("invalid duration %s: want a duration such as \"30s\" or \"1m30s\"", v)
		}
		if d%time.Second != 0 {
			return 0, fmt.Sprintf("invalid duration %s: want a whole number of seconds", v)
		}
		return int64(d / time.Second), ""
	}
	return 0, fmt.Sprintf("got %s, want a duration such as \"30s\" or a number of seconds", TypeOf(v))
}
