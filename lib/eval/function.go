package eval

import (
	"fmt"
	"strings"

	"github.com/svccfg/svccfg/lib/diag"
	"github.com/svccfg/svccfg/lib/starproto"
	"go.starlark.net/starlark"
)

// A Function is a public standard library function as configuration files
// see it: before calling the Starlark function, it checks every argument
// against the types in its docstring, and reports unknown parameters with a
// suggestion.
type Function struct {
	fn  *starlark.Function
	sig *Signature
}

var _ starlark.Callable = (*Function)(nil)

// NewFunction wraps fn, which users call as name.
func NewFunction(name string, fn *starlark.Function) (*Function, error) {
	sig, err := ParseSignature(name, fn)
	if err != nil {
		return nil, err
	}
	return &Function{fn: fn, sig: sig}, nil
}

// Signature returns the function's documented signature.
func (f *Function) Signature() *Signature { return f.sig }

// Starlark returns the underlying Starlark function.
func (f *Function) Starlark() *starlark.Function { return f.fn }

// Name returns the name users call the function by.
func (f *Function) Name() string { return f.sig.Name }

// String returns `<function name>`.
func (f *Function) String() string { return "<function " + f.sig.Name + ">" }

// Type returns "function".
func (f *Function) Type() string { return "function" }

// Freeze does nothing: standard library functions are frozen when loaded.
func (f *Function) Freeze() {}

// Truth returns true.
func (f *Function) Truth() starlark.Bool { return starlark.True }

// Hash hashes the function by identity.
func (f *Function) Hash() (uint32, error) { return f.fn.Hash() }

// CallInternal checks the arguments and calls the function.
func (f *Function) CallInternal(thread *starlark.Thread, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	params := f.sig.Params
	if len(args) > len(params) {
		return nil, fmt.Errorf("%s: got %d positional arguments, want at most %d", f.Name(), len(args), len(params))
	}
	seen := make([]bool, len(params))
	for i, a := range args {
		if err := f.check(i, a); err != nil {
			return nil, &starproto.ArgError{Index: i, Err: err}
		}
		seen[i] = true
	}
	for _, kv := range kwargs {
		name := string(kv[0].(starlark.String))
		i := f.param(name)
		if i < 0 {
			return nil, &starproto.ArgError{Name: name, Err: f.unknown(name)}
		}
		if seen[i] {
			return nil, &starproto.ArgError{Name: name, Err: fmt.Errorf("%s: got multiple values for parameter %s", f.Name(), name)}
		}
		if err := f.check(i, kv[1]); err != nil {
			return nil, &starproto.ArgError{Name: name, Err: err}
		}
		seen[i] = true
	}
	for i, p := range params {
		if !seen[i] && p.Default == "" {
			return nil, fmt.Errorf("%s: missing argument for %s", f.Name(), p.Name)
		}
	}
	return starlark.Call(thread, f.fn, args, kwargs)
}

func (f *Function) param(name string) int {
	for i, p := range f.sig.Params {
		if p.Name == name {
			return i
		}
	}
	return -1
}

func (f *Function) check(i int, v starlark.Value) error {
	p := &f.sig.Params[i]
	if msg := p.check(v); msg != "" {
		if _, isRecord := v.(*Record); !isRecord && strings.Contains(msg, "got ") {
			msg += recordHint(p.Type)
		}
		return fmt.Errorf("%s: for parameter %s: %s", f.Name(), p.Name, msg)
	}
	return nil
}

func (f *Function) unknown(name string) error {
	names := make([]string, len(f.sig.Params))
	for i, p := range f.sig.Params {
		names[i] = p.Name
	}
	msg := fmt.Sprintf("%s: unexpected keyword argument %q", f.Name(), name)
	if near := diag.Nearest(name, names); near != "" {
		msg += fmt.Sprintf(" (did you mean %s?)", near)
	}
	return fmt.Errorf("%s", msg)
}
