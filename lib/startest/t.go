package startest

import (
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/svccfg/svccfg/lib/diag"
	"github.com/svccfg/svccfg/lib/eval"
	"github.com/svccfg/svccfg/lib/starproto"
	"go.starlark.net/starlark"
	"go.starlark.net/syntax"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// A T is the argument of a test function: its assertions record failures
// in the test, and its helpers build a ctx and pick objects from what main
// returns. The package documentation lists its methods.
type T struct {
	test *Test
	ev   *eval.Evaluator
}

var _ starlark.HasAttrs = (*T)(nil)

// errStop ends a test after t.fatal or t.find recorded its failure.
var errStop = errors.New("test stopped")

// A method is a method of T, called as a Starlark built-in.
type method func(t *T, thread *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error)

var methods = map[string]method{
	"contains": (*T).contains,
	"ctx":      (*T).ctx,
	"eq":       (*T).eq,
	"error":    (*T).error,
	"fails":    (*T).fails,
	"false":    (*T).false,
	"fatal":    (*T).fatal,
	"find":     (*T).find,
	"ne":       (*T).ne,
	"true":     (*T).true,
}

// String returns `<t test_name>`.
func (t *T) String() string { return "<t " + t.test.Name + ">" }

// Type returns "T".
func (t *T) Type() string { return "T" }

// Freeze does nothing: a T belongs to one test's thread.
func (t *T) Freeze() {}

// Truth returns true.
func (t *T) Truth() starlark.Bool { return starlark.True }

// Hash returns an error: a T is not hashable.
func (t *T) Hash() (uint32, error) { return 0, fmt.Errorf("unhashable type: T") }

// Attr returns the method called name, or the test's name for "name".
func (t *T) Attr(name string) (starlark.Value, error) {
	if name == "name" {
		return starlark.String(t.test.Name), nil
	}
	m, ok := methods[name]
	if !ok {
		msg := fmt.Sprintf("T has no .%s field or method", name)
		if near := diag.Nearest(name, t.AttrNames()); near != "" {
			msg += fmt.Sprintf(" (did you mean .%s?)", near)
		}
		return nil, starlark.NoSuchAttrError(msg)
	}
	return starlark.NewBuiltin("t."+name, func(thread *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
		return m(t, thread, fn, args, kwargs)
	}), nil
}

// AttrNames returns the names of T's methods and of its name field.
func (t *T) AttrNames() []string {
	names := append(slices.Collect(maps.Keys(methods)), "name")
	slices.Sort(names)
	return names
}

// failf records a failure at the assertion's line, the caller of the
// built-in running on thread, with the calls that led to it from the test
// function as its call chain.
func (t *T) failf(thread *starlark.Thread, msg string, format string, args ...any) {
	text := fmt.Sprintf(format, args...)
	if msg != "" {
		text = msg + ": " + text
	}
	stack := thread.CallStack() // outermost first; the last frame is the built-in
	var pos diag.Position
	var callers []diag.Frame
	for i := len(stack) - 2; i >= 0; i-- {
		p := toPos(stack[i].Pos)
		if !p.IsValid() {
			continue
		}
		if !pos.IsValid() {
			pos = p
			continue
		}
		callers = append(callers, diag.Frame{Pos: p, Func: stack[i].Name})
	}
	if !pos.IsValid() {
		pos = t.test.Pos
	}
	t.test.fail(pos, callers, "%s", text)
}

func (t *T) eq(thread *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var got, want starlark.Value
	var msg string
	if err := starlark.UnpackArgs(fn.Name(), args, kwargs, "got", &got, "want", &want, "msg?", &msg); err != nil {
		return nil, err
	}
	got, want = plain(got), plain(want)
	eq, err := starlark.Equal(got, want)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", fn.Name(), err)
	}
	if !eq {
		t.failf(thread, msg, "%s", mismatch(got, want))
	}
	return starlark.None, nil
}

// mismatch describes got and want, which differ: "got X, want Y", or a
// diff when they are long.
func mismatch(got, want starlark.Value) string {
	g, w := Repr(got), Repr(want)
	if g == w && got.Type() != want.Type() {
		return fmt.Sprintf("got %s (%s), want %s (%s)", g, got.Type(), w, want.Type())
	}
	if g == w {
		return fmt.Sprintf("got %s, want %s: values of type %s are equal only to themselves", g, w, got.Type())
	}
	if len(g)+len(w) > lineWidth {
		if d := valueDiff(got, want); d != "" {
			return "got and want differ (-want +got):\n    " + strings.ReplaceAll(d, "\n", "\n    ")
		}
	}
	return fmt.Sprintf("got %s, want %s", g, w)
}

func (t *T) ne(thread *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var got, want starlark.Value
	var msg string
	if err := starlark.UnpackArgs(fn.Name(), args, kwargs, "got", &got, "want", &want, "msg?", &msg); err != nil {
		return nil, err
	}
	eq, err := starlark.Equal(plain(got), plain(want))
	if err != nil {
		return nil, fmt.Errorf("%s: %v", fn.Name(), err)
	}
	if eq {
		t.failf(thread, msg, "got %s, want a different value", Repr(got))
	}
	return starlark.None, nil
}

func (t *T) true(thread *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	return t.truth(thread, fn, args, kwargs, true)
}

func (t *T) false(thread *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	return t.truth(thread, fn, args, kwargs, false)
}

func (t *T) truth(thread *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple, want bool) (starlark.Value, error) {
	var cond starlark.Value
	var msg string
	if err := starlark.UnpackArgs(fn.Name(), args, kwargs, "cond", &cond, "msg?", &msg); err != nil {
		return nil, err
	}
	if bool(cond.Truth()) != want {
		kind := "a true"
		if !want {
			kind = "a false"
		}
		t.failf(thread, msg, "got %s, want %s value", Repr(cond), kind)
	}
	return starlark.None, nil
}

func (t *T) contains(thread *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var container, x starlark.Value
	var msg string
	if err := starlark.UnpackArgs(fn.Name(), args, kwargs, "container", &container, "x", &x, "msg?", &msg); err != nil {
		return nil, err
	}
	in, err := starlark.Binary(syntax.IN, plain(x), plain(container))
	if err != nil {
		return nil, fmt.Errorf("%s: %v", fn.Name(), err)
	}
	if !in.Truth() {
		t.failf(thread, msg, "got %s, want it to contain %s", Repr(container), Repr(x))
	}
	return starlark.None, nil
}

func (t *T) fails(thread *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var f starlark.Callable
	var pattern string
	if err := starlark.UnpackArgs(fn.Name(), args, kwargs, "fn", &f, "pattern", &pattern); err != nil {
		return nil, err
	}
	re, err := regexp.Compile(pattern)
	if err != nil {
		return nil, fmt.Errorf("%s: for parameter pattern: %v", fn.Name(), err)
	}
	_, err = starlark.Call(thread, f, nil, nil)
	if err == nil {
		t.failf(thread, "", "got no error, want an error matching %q", pattern)
		return starlark.None, nil
	}
	if errors.Is(err, errStop) || cancelled(err) {
		return nil, err // not an error of f's own
	}
	msg := eval.Message(err)
	if !re.MatchString(msg) {
		t.failf(thread, "", "got error %q, want an error matching %q", msg, pattern)
	}
	return starlark.String(msg), nil
}

// cancelled reports whether err ends the evaluation: the step limit, the
// timeout or a cancellation.
func cancelled(err error) bool {
	var e *starlark.EvalError
	return errors.As(err, &e) && strings.HasPrefix(e.Msg, "Starlark computation cancelled")
}

func (t *T) error(thread *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var msg string
	if err := starlark.UnpackArgs(fn.Name(), args, kwargs, "msg", &msg); err != nil {
		return nil, err
	}
	t.failf(thread, "", "%s", msg)
	return starlark.None, nil
}

func (t *T) fatal(thread *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	if _, err := t.error(thread, fn, args, kwargs); err != nil {
		return nil, err
	}
	return nil, errStop
}

func (t *T) ctx(thread *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	vars := new(starlark.Dict)
	if err := starlark.UnpackArgs(fn.Name(), args, kwargs, "vars?", &vars); err != nil {
		return nil, err
	}
	m := make(map[string]string, vars.Len())
	for _, kv := range vars.Items() {
		k, ok := kv[0].(starlark.String)
		if !ok {
			return nil, fmt.Errorf("%s: for parameter vars: got a %s key, want string", fn.Name(), kv[0].Type())
		}
		v, ok := kv[1].(starlark.String)
		if !ok {
			return nil, fmt.Errorf("%s: for parameter vars: got %s for key %s, want string", fn.Name(), kv[1].Type(), k)
		}
		m[string(k)] = string(v)
	}
	return t.ev.NewContext(thread, m), nil
}

func (t *T) find(thread *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var values starlark.Value
	var typ string
	var name starlark.Value = starlark.None
	if err := starlark.UnpackArgs(fn.Name(), args, kwargs, "values", &values, "type", &typ, "name?", &name); err != nil {
		return nil, err
	}
	want, named := name.(starlark.String)
	if !named && name != starlark.None {
		return nil, fmt.Errorf("%s: for parameter name: got %s, want string or None", fn.Name(), name.Type())
	}
	var all, found []starlark.Value
	var have []string
	for _, v := range flatten(values, nil) {
		m, ok := starproto.AsMessage(v)
		if !ok {
			continue
		}
		all = append(all, v)
		desc := m.ProtoReflect().Descriptor()
		n := messageName(m.ProtoReflect())
		have = append(have, fmt.Sprintf("%s %q", desc.Name(), n))
		if (string(desc.FullName()) == typ || string(desc.Name()) == typ) && (!named || n == string(want)) {
			found = append(found, v)
		}
	}
	if len(found) == 1 {
		return found[0], nil
	}
	what := typ
	if named {
		what += fmt.Sprintf(" named %q", string(want))
	}
	switch {
	case len(found) > 1:
		t.failf(thread, "", "%s: %d values are a %s, want one (choose with name =)", fn.Name(), len(found), what)
	case len(all) == 0:
		t.failf(thread, "", "%s: no %s: got %s, which holds no proto messages", fn.Name(), what, Repr(values))
	default:
		t.failf(thread, "", "%s: no %s among %s", fn.Name(), what, strings.Join(have, ", "))
	}
	return nil, errStop
}

// flatten appends to out the values v holds: the objects and Envoy
// resources of a service or cron job, the elements of a list or tuple, and
// any other value itself.
func flatten(v starlark.Value, out []starlark.Value) []starlark.Value {
	switch v := v.(type) {
	case *eval.Unit:
		out = flatten(v.Objects, out)
		return flatten(v.Envoy, out)
	case *starlark.List, starlark.Tuple:
		seq := v.(starlark.Indexable)
		for i := range seq.Len() {
			out = flatten(seq.Index(i), out)
		}
		return out
	}
	return append(out, v)
}

// messageName returns the name of a Kubernetes object (metadata.name) or an
// Envoy resource (name), or "".
func messageName(m protoreflect.Message) string {
	if fd := m.Descriptor().Fields().ByName("metadata"); fd != nil && fd.Message() != nil && fd.Message().Name() == "ObjectMeta" {
		m = m.Get(fd).Message()
	}
	if fd := m.Descriptor().Fields().ByName("name"); fd != nil && fd.Kind() == protoreflect.StringKind {
		return m.Get(fd).String()
	}
	return ""
}
