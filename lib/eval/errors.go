package eval

import (
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/svccfg/svccfg/lib/diag"
	"github.com/svccfg/svccfg/lib/load"
	"github.com/svccfg/svccfg/lib/starproto"
	"go.starlark.net/resolve"
	"go.starlark.net/starlark"
	"go.starlark.net/syntax"
)

// toPos converts a Starlark position.
func toPos(p syntax.Position) diag.Position {
	if !p.IsValid() || p.Filename() == "<builtin>" {
		return diag.Position{}
	}
	return diag.Position{File: p.Filename(), Line: int(p.Line), Col: int(p.Col)}
}

// convertError turns an error from Starlark into svccfg's positioned errors:
// syntax and resolve errors keep their positions; an evaluation error is
// reported at the innermost frame in a configuration file, with the other
// frames, standard library ones included, as its call chain.
//
// read reads the source of a configuration file to place an argument's
// error at the argument; nil means the file on disk.
func convertError(err error, read readFunc) error {
	var (
		serr  syntax.Error
		rerrs resolve.ErrorList
		eerr  *starlark.EvalError
		derr  *diag.Error
		dlist diag.ErrorList
	)
	switch {
	case errors.As(err, &eerr):
		// A failed load wraps the loaded module's error: report that one,
		// with the load statement as a caller.
		if inner := convertError(eerr.Unwrap(), read); inner != nil && isPositioned(inner) {
			return withCaller(inner, eerr.CallStack)
		}
		return evalError(eerr, read)
	case errors.As(err, &serr):
		return &diag.Error{Pos: toPos(serr.Pos), Msg: serr.Msg}
	case errors.As(err, &rerrs):
		var list diag.ErrorList
		for _, e := range rerrs {
			list.Add(toPos(e.Pos), e.Msg)
		}
		return list.Err()
	case errors.As(err, &dlist), errors.As(err, &derr):
		return err
	}
	return err
}

func isPositioned(err error) bool {
	var (
		d *diag.Error
		l diag.ErrorList
	)
	return errors.As(err, &d) || errors.As(err, &l)
}

// withCaller appends the frames of stack to the call chain of err, except
// those it already holds: a module loaded on the same thread fails with a
// call stack that includes the frames of the files that loaded it.
func withCaller(err error, stack starlark.CallStack) error {
	var d *diag.Error
	if !errors.As(err, &d) {
		return err
	}
	for i := len(stack) - 1; i >= 0; i-- {
		pos := toPos(stack[i].Pos)
		frame := diag.Frame{Pos: pos, Func: frameName(stack[i].Name)}
		if pos.IsValid() && pos != d.Pos && !slices.Contains(d.Stack, frame) {
			d.Stack = append(d.Stack, frame)
		}
	}
	return d
}

func evalError(e *starlark.EvalError, read readFunc) *diag.Error {
	d := &diag.Error{Msg: cleanMessage(e.Msg), Err: e}
	at := -1
	for i := len(e.CallStack) - 1; i >= 0; i-- {
		pos := toPos(e.CallStack[i].Pos)
		if !pos.IsValid() {
			continue
		}
		if at < 0 {
			at = i // the innermost frame, unless a configuration frame follows
		}
		if !strings.HasPrefix(pos.File, load.StdlibPrefix) {
			at = i
			break
		}
	}
	if at >= 0 {
		d.Pos = toPos(e.CallStack[at].Pos)
		var arg *starproto.ArgError
		if errors.As(e, &arg) && innermost(e.CallStack, at) {
			d.Pos = argPos(d.Pos, arg, read)
		}
	}
	for i := len(e.CallStack) - 1; i >= 0; i-- {
		if pos := toPos(e.CallStack[i].Pos); pos.IsValid() && i != at {
			d.Stack = append(d.Stack, diag.Frame{Pos: pos, Func: frameName(e.CallStack[i].Name)})
		}
	}
	return d
}

func frameName(name string) string {
	if name == "<toplevel>" {
		return "module"
	}
	return name
}

// cleanMessage removes the prefixes Starlark and skycfg put on messages.
func cleanMessage(msg string) string {
	msg = strings.TrimPrefix(msg, "fail: ")
	msg = strings.TrimPrefix(msg, "Starlark computation cancelled: ")
	return starproto.CleanMessage(msg)
}

// suggestPredeclared adds a "did you mean" to each "undefined: name" error
// in err that Starlark's resolver, which suggests only the file's own names,
// left without one: the nearest of the names predeclared in every file and
// Starlark's built-ins (servce → service).
func suggestPredeclared(err error, predeclared starlark.StringDict) error {
	names := slices.Sorted(maps.Keys(predeclared))
	names = append(names, slices.Sorted(maps.Keys(starlark.Universe))...)
	for _, e := range errorsIn(err) {
		name, ok := strings.CutPrefix(e.Msg, "undefined: ")
		if !ok || strings.Contains(name, " ") {
			continue
		}
		if near := diag.Nearest(name, names); near != "" && near != name {
			e.Msg += fmt.Sprintf(" (did you mean %s?)", near)
		}
	}
	return err
}

// relativizeMessages rewrites the absolute name of each error's own file in
// its message ("cannot reassign global x declared at /abs/main.star:1:1") to
// the path relative to cwd that the error's position is printed with.
func relativizeMessages(err error, cwd string) error {
	for _, e := range errorsIn(err) {
		if filepath.IsAbs(e.Pos.File) {
			e.Msg = strings.ReplaceAll(e.Msg, e.Pos.File+":", diag.RelPath(e.Pos.File, cwd)+":")
		}
	}
	return err
}

// errorsIn returns the positioned errors that err holds.
func errorsIn(err error) diag.ErrorList {
	var (
		list diag.ErrorList
		d    *diag.Error
	)
	switch {
	case errors.As(err, &list):
		return list
	case errors.As(err, &d):
		return diag.ErrorList{d}
	}
	return nil
}

// innermost reports whether frame at is the innermost frame of stack with a
// position, so that an error raised by a built-in it called is about that
// call's arguments.
func innermost(stack starlark.CallStack, at int) bool {
	for _, f := range stack[at+1:] {
		if toPos(f.Pos).IsValid() {
			return false
		}
	}
	return true
}

// argPos returns the position of the argument that arg names in the call
// whose opening parenthesis is at call, or call if it cannot be found.
func argPos(call diag.Position, arg *starproto.ArgError, read readFunc) diag.Position {
	if strings.HasPrefix(call.File, load.StdlibPrefix) {
		return call
	}
	src, err := read.file(call.File)
	if err != nil {
		return call
	}
	f, err := ParseFile(call.File, src)
	if err != nil {
		return call
	}
	if c := CallAt(f, call); c != nil {
		if pos, ok := ValuePos(c, arg.Name, arg.Index, arg.Path, arg.AtKey); ok {
			return pos
		}
	}
	return call
}

// A readFunc reads the source of a configuration file, by absolute path,
// to refine the position of an error in it: an [Evaluator] reads its
// Options.Overlay before the disk, so that positions are those of the text
// it evaluated.
type readFunc func(path string) ([]byte, error)

// file reads path with read, or from disk if read is nil.
func (read readFunc) file(path string) ([]byte, error) {
	if read == nil {
		return os.ReadFile(path)
	}
	return read(path)
}

// source reads a configuration file as the evaluator sees it: from
// Options.Overlay if it is there, else from disk.
func (e *Evaluator) source(path string) ([]byte, error) {
	if data, ok := e.opts.Overlay[path]; ok {
		return data, nil
	}
	return os.ReadFile(path)
}
