package eval

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"time"

	"github.com/svccfg/svccfg/lib/diag"
	"go.starlark.net/starlark"
	"go.starlark.net/starlarkstruct"
	"go.starlark.net/syntax"
)

// NewThread returns a sandboxed thread for one evaluation under the
// evaluator's root: it stops after the evaluator's step limit, when its
// timeout has passed, or when ctx is done. print() output goes to stderr as
// "path:line:col: print: msg"; a nil stderr discards it. The caller must call
// stop when the evaluation is over.
func (e *Evaluator) NewThread(ctx context.Context, stderr io.Writer) (thread *starlark.Thread, stop func()) {
	ctx, cancel := context.WithTimeout(ctx, e.opts.Timeout)
	thread = e.newThread(ctx, stderr)
	stopCancel := context.AfterFunc(ctx, func() {
		switch cause := context.Cause(ctx); {
		case errors.Is(ctx.Err(), context.DeadlineExceeded) && cause == context.DeadlineExceeded:
			thread.Cancel(fmt.Sprintf("evaluation took longer than %s (raise the limit with --timeout)", e.opts.Timeout))
		case cause != nil && cause != context.Canceled:
			thread.Cancel(cause.Error())
		default:
			thread.Cancel("evaluation cancelled")
		}
	})
	return thread, func() { stopCancel(); cancel() }
}

// stopGrace is how long past its deadline an evaluation may take to stop
// before [Evaluator.Bounded] gives up waiting for it.
const stopGrace = 2 * time.Second

// Bounded calls f, which evaluates on a thread that [Evaluator.NewThread]
// made from ctx just before, and returns its error. The thread stops itself
// between execution steps once its deadline passes or ctx is done, but not
// inside a built-in function: str() of a list nested a million deep is
// quadratic and cannot be interrupted. If f has not returned stopGrace
// after that, Bounded returns an error saying so and leaves f running, to
// end with the process; f must not touch the caller's variables then.
func (e *Evaluator) Bounded(ctx context.Context, f func() error) error {
	ctx, cancel := context.WithTimeout(ctx, e.opts.Timeout)
	defer cancel()
	type outcome struct {
		err      error
		panicked any
	}
	done := make(chan outcome, 1)
	go func() {
		defer func() {
			if r := recover(); r != nil {
				done <- outcome{panicked: r}
			}
		}()
		done <- outcome{err: f()}
	}()
	// A panic in f is raised again on the caller's goroutine, where the
	// caller's recover turns it into an internal error.
	result := func(o outcome) error {
		if o.panicked != nil {
			panic(o.panicked)
		}
		return o.err
	}
	select {
	case o := <-done:
		return result(o)
	case <-ctx.Done():
	}
	grace := time.NewTimer(stopGrace)
	defer grace.Stop()
	select {
	case o := <-done:
		return result(o)
	case <-grace.C:
	}
	cause := fmt.Sprintf("evaluation took longer than %s (raise the limit with --timeout)", e.opts.Timeout)
	if c := context.Cause(ctx); c != context.DeadlineExceeded && c != nil {
		cause = c.Error()
	}
	return errors.New(cause + ", and did not stop inside a built-in function")
}

// ExecFile executes the file at path (absolute, under the root) on thread,
// a thread from [Evaluator.NewThread], and returns its frozen globals. The
// file sees the standard library's names and the root's prelude's, which
// the first call evaluates. Its errors are positioned, as [Error] returns
// them.
func (e *Evaluator) ExecFile(thread *starlark.Thread, path string) (starlark.StringDict, error) {
	predeclared, err := e.predeclaredNames(thread)
	if err != nil {
		return nil, err
	}
	globals, err := e.cache.Exec(thread, path, func(thread *starlark.Thread, name string, src []byte) (starlark.StringDict, error) {
		return starlark.ExecFileOptions(fileOptions, thread, name, src, predeclared)
	})
	if err != nil {
		if cerr := convertError(err, e.source); isPositioned(cerr) {
			return nil, relativizeMessages(suggestPredeclared(cerr, predeclared), e.opts.Cwd)
		}
		return nil, &diag.Error{Pos: diag.Position{File: path}, Msg: cleanMessage(err.Error())}
	}
	return globals, nil
}

// NewContext returns a ctx like the one main receives, whose ctx.vars are
// the evaluator's variables overridden by vars, and makes those the
// variables that the standard library sees on thread from then on (the
// default namespace of a service, for one).
func (e *Evaluator) NewContext(thread *starlark.Thread, vars map[string]string) starlark.Value {
	d := starlark.NewDict(len(e.opts.Vars) + len(vars))
	merged := maps.Clone(e.opts.Vars)
	if merged == nil {
		merged = make(map[string]string)
	}
	maps.Copy(merged, vars)
	for _, k := range slices.Sorted(maps.Keys(merged)) {
		d.SetKey(starlark.String(k), starlark.String(merged[k]))
	}
	d.Freeze()
	thread.SetLocal(varsKey, d)
	return e.newContext(d)
}

func (e *Evaluator) newContext(vars *starlark.Dict) starlark.Value {
	return starlarkstruct.FromStringDict(starlark.String("ctx"), starlark.StringDict{"vars": vars})
}

// Error converts an error from a Starlark call on a thread of the evaluator
// into svccfg's positioned errors, as [Evaluator.EvalFile] reports them: at
// the innermost frame in a configuration file, with the call chain below.
func Error(err error) error { return convertError(err, nil) }

// ThreadError is [Error] for an error from a call on thread, a thread of
// the evaluator: it also explains a missing variable of the ctx.vars that
// [Evaluator.NewContext] last made on it, as [Evaluator.EvalFile] does.
func ThreadError(thread *starlark.Thread, err error) error {
	vars, _ := thread.Local(varsKey).(*starlark.Dict)
	read, _ := thread.Local(readKey).(readFunc)
	return explainVars(convertError(err, read), vars, read)
}

// Message returns the message of err, an error from Starlark, without the
// prefixes that Starlark and skycfg put on it ("fail: ", "ValueError: ").
func Message(err error) string {
	var eerr *starlark.EvalError
	if errors.As(err, &eerr) {
		return cleanMessage(eerr.Msg)
	}
	return cleanMessage(err.Error())
}

// Parse parses a configuration file in svccfg's Starlark dialect.
func Parse(filename string, src []byte) (*syntax.File, error) {
	return fileOptions.Parse(filename, src, 0)
}
