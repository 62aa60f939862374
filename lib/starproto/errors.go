package starproto

import (
	"fmt"
	"strings"

	"go.starlark.net/starlark"
)

// An ArgError is an error in one argument of a call: the keyword argument
// called Name, or else the positional argument at Index. Path, when not
// empty, leads from the argument's value to the part of it that is wrong (a
// field of a dict, an element of a list), so that the error can point at
// that part of a literal rather than at the whole argument.
type ArgError struct {
	Name  string
	Index int
	Path  []PathElem
	Err   error
	// AtKey says the error is about the key of the last element of Path (a
	// field a dict names that the message does not have), not its value.
	AtKey bool
}

// Error returns the underlying error's message.
func (e *ArgError) Error() string { return e.Err.Error() }

// Unwrap returns the underlying error.
func (e *ArgError) Unwrap() error { return e.Err }

// A PathElem is one step into a value: a field of a message (a key of a
// dict that stands for one), an index of a list, or a key of a map.
type PathElem struct {
	Field string         // a message field, or ""
	Index int            // a list index, when Field is "" and Key is nil
	Key   starlark.Value // a map key, or nil
}

// String returns the step as a path writes it: the field name, "[2]" or
// `["key"]`.
func (p PathElem) String() string {
	switch {
	case p.Field != "":
		return p.Field
	case p.Key != nil:
		return "[" + p.Key.String() + "]"
	}
	return fmt.Sprintf("[%d]", p.Index)
}

// formatPath writes a path as "spec.template.containers[0].ports".
func formatPath(path []PathElem) string {
	var b strings.Builder
	for i, p := range path {
		if i > 0 && p.Field != "" {
			b.WriteByte('.')
		}
		b.WriteString(p.String())
	}
	return b.String()
}

// A valueError is an error in a value written into a message: msg says what
// is wrong, path where inside the value (outermost first), once complete.
// Conversions return it from the innermost step and each enclosing step
// prepends its own element, so that building the path costs nothing unless
// there is an error.
type valueError struct {
	rev []PathElem // innermost first
	msg string
	key bool // about the key of the innermost element
}

func (e *valueError) Error() string { return formatPath(e.path()) + ": " + e.msg }

func (e *valueError) path() []PathElem {
	p := make([]PathElem, len(e.rev))
	for i, x := range e.rev {
		p[len(p)-1-i] = x
	}
	return p
}

// errorf returns a valueError with no path yet.
func errorf(format string, args ...any) *valueError {
	return &valueError{msg: fmt.Sprintf(format, args...)}
}

// within prepends elem to the path of err, a *valueError; other errors are
// returned unchanged.
func within(err error, elem PathElem) error {
	if ve, ok := err.(*valueError); ok {
		ve.rev = append(ve.rev, elem)
	}
	return err
}

func inField(err error, name string) error { return within(err, PathElem{Field: name}) }
func atIndex(err error, i int) error       { return within(err, PathElem{Index: i}) }
func atKey(err error, k starlark.Value) error {
	return within(err, PathElem{Key: k})
}

// messageError turns err, from writing into a message of type typ, into the
// error a user sees: "typ: path: msg". When the path starts with a field,
// the error is an [*ArgError] for that keyword argument, for constructors.
func messageError(typ string, err error) error {
	ve, ok := err.(*valueError)
	if !ok {
		return fmt.Errorf("%s: %w", typ, err)
	}
	path := ve.path()
	text := typ + ": " + ve.msg
	if len(path) > 0 {
		text = typ + ": " + formatPath(path) + ": " + ve.msg
	}
	out := fmt.Errorf("%s", text)
	if len(path) > 0 && path[0].Field != "" {
		return &ArgError{Name: path[0].Field, Path: path[1:], Err: out, AtKey: ve.key}
	}
	return out
}

// CleanMessage rewrites an error message into svccfg's dialect: no
// "TypeError:" style prefix, no trailing period.
func CleanMessage(msg string) string {
	for _, p := range []string{"TypeError: ", "ValueError: ", "AttributeError: "} {
		msg = strings.ReplaceAll(msg, p, "")
	}
	return strings.TrimSuffix(msg, ".")
}
