package startest

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/svccfg/svccfg/internal/parallel"
	"github.com/svccfg/svccfg/lib/build"
	"github.com/svccfg/svccfg/lib/diag"
	"github.com/svccfg/svccfg/lib/eval"
	"go.starlark.net/starlark"
	"go.starlark.net/syntax"
)

// Options configures [Run].
type Options struct {
	Vars     map[string]string // from --var; they override svccfg.yaml
	MaxSteps uint64            // per file load and per test; 0 means eval.DefaultMaxSteps
	Timeout  time.Duration     // per file load and per test; 0 means eval.DefaultTimeout
	// Run, if not nil, selects the tests whose names it matches.
	Run    *regexp.Regexp
	Stderr io.Writer // print() output
	Cwd    string    // paths in messages are relative to it
}

// Run runs the tests in the files at paths: files, or directories searched
// for .star files that define main or a test function. It returns an error
// only when a path names no such file, a config root's svccfg.yaml is
// invalid, or ctx is done; test failures and files that cannot be evaluated
// are in the result.
func Run(ctx context.Context, paths []string, opts Options) (*Result, error) {
	std, err := eval.DefaultStdlib()
	if err != nil {
		return nil, err
	}
	roots, err := build.Roots(paths, build.FindOptions{Cwd: opts.Cwd, Match: isTestable, Want: "a main or test function"})
	if err != nil {
		return nil, err
	}
	bopts := build.Options{Vars: opts.Vars, MaxSteps: opts.MaxSteps, Timeout: opts.Timeout, Cwd: opts.Cwd}
	res := &Result{}
	var evs []*eval.Evaluator
	for _, r := range roots {
		ev := build.NewEvaluator(std, r, bopts)
		evs = append(evs, ev)
		for _, f := range r.Files {
			res.Files = append(res.Files, &File{Path: f, ev: ev})
		}
	}
	slices.SortFunc(res.Files, func(a, b *File) int { return strings.Compare(a.Path, b.Path) })
	parallel.Do(len(res.Files), 0, func(i int) error {
		res.Files[i].run(ctx, opts.Run)
		return nil
	})
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	for _, ev := range evs {
		if opts.Stderr != nil {
			opts.Stderr.Write(ev.PreludeOutput())
		}
	}
	for _, f := range res.Files {
		if opts.Stderr != nil {
			opts.Stderr.Write(f.stderr.Bytes())
		}
	}
	return res, nil
}

// isTestable reports whether the file with source src defines main or a
// test function at top level (or does not parse, for the error to be
// reported).
func isTestable(filename string, src []byte) bool {
	f, err := eval.Parse(filename, src)
	if err != nil {
		return true
	}
	for _, stmt := range f.Stmts {
		if def, ok := stmt.(*syntax.DefStmt); ok && (def.Name.Name == "main" || isTestName(def.Name.Name)) {
			return true
		}
	}
	return false
}

func isTestName(name string) bool { return strings.HasPrefix(name, "test_") }

// run evaluates the file and runs the tests that match re (all if re is nil).
func (f *File) run(ctx context.Context, re *regexp.Regexp) {
	defer func() {
		if r := recover(); r != nil {
			f.Err = internalError(diag.Position{File: f.Path}, r)
		}
	}()
	thread, stop := f.ev.NewThread(ctx, &f.stderr)
	var globals starlark.StringDict
	err := f.ev.Bounded(ctx, func() (err error) {
		globals, err = f.ev.ExecFile(thread, f.Path)
		return err
	})
	stop()
	var d *diag.Error
	var list diag.ErrorList
	if err != nil && !errors.As(err, &d) && !errors.As(err, &list) {
		err = &diag.Error{Pos: diag.Position{File: f.Path}, Msg: err.Error()}
	}
	if err != nil {
		f.Err = err
		return
	}
	tests := testFunctions(globals, f.Path)
	f.Found = len(tests)
	for _, fn := range tests {
		if ctx.Err() != nil {
			return
		}
		if re == nil || re.MatchString(fn.Name()) {
			f.Tests = append(f.Tests, f.runTest(ctx, fn))
		}
	}
}

// testFunctions returns the test functions that the file at path defines,
// in order of definition.
func testFunctions(globals starlark.StringDict, path string) []*starlark.Function {
	var tests []*starlark.Function
	for name, v := range globals {
		if fn, ok := v.(*starlark.Function); ok && isTestName(name) && fn.Name() == name && fn.Position().Filename() == path {
			tests = append(tests, fn)
		}
	}
	slices.SortFunc(tests, func(a, b *starlark.Function) int {
		p, q := a.Position(), b.Position()
		return cmp.Or(cmp.Compare(p.Line, q.Line), cmp.Compare(p.Col, q.Col))
	})
	return tests
}

// runTest runs one test function on its own thread.
func (f *File) runTest(ctx context.Context, fn *starlark.Function) (test *Test) {
	test = &Test{Name: fn.Name(), Pos: toPos(fn.Position())}
	defer func() {
		if r := recover(); r != nil {
			test.Failures = append(test.Failures, internalError(test.Pos, r))
		}
	}()
	if fn.NumParams() != 1 || fn.HasVarargs() || fn.HasKwargs() {
		test.fail(test.Pos, nil, "takes one parameter, t; got %d", fn.NumParams())
		return test
	}
	thread, stop := f.ev.NewThread(ctx, &f.stderr)
	defer stop()
	// The test records into a Test of its own, which is left to it if it
	// does not stop by its deadline.
	inner := &Test{Name: test.Name, Pos: test.Pos}
	err := f.ev.Bounded(ctx, func() error {
		_, err := starlark.Call(thread, fn, starlark.Tuple{&T{test: inner, ev: f.ev}}, nil)
		if err != nil && !errors.Is(err, errStop) {
			inner.addError(eval.ThreadError(thread, err))
		}
		return nil
	})
	if err != nil {
		test.addError(&diag.Error{Pos: test.Pos, Msg: err.Error()})
		return test
	}
	return inner
}

// addError records the errors in err, which a test raised.
func (t *Test) addError(err error) {
	var (
		list diag.ErrorList
		d    *diag.Error
	)
	switch {
	case errors.As(err, &list):
	case errors.As(err, &d):
		list = diag.ErrorList{d}
	default:
		list = diag.ErrorList{{Pos: t.Pos, Msg: err.Error()}}
	}
	for _, e := range list {
		c := *e
		c.Msg = t.Name + ": " + c.Msg
		t.Failures = append(t.Failures, &c)
	}
}

// fail records a failure at pos, with the call chain stack.
func (t *Test) fail(pos diag.Position, stack []diag.Frame, format string, args ...any) {
	t.Failures = append(t.Failures, &diag.Error{Pos: pos, Msg: t.Name + ": " + fmt.Sprintf(format, args...), Stack: stack})
}

func internalError(pos diag.Position, r any) *diag.Error {
	return &diag.Error{Pos: pos, Msg: fmt.Sprintf("internal error: %v (this is a bug in svccfg; please report it)", r)}
}

func toPos(p syntax.Position) diag.Position {
	if !p.IsValid() || p.Filename() == "<builtin>" {
		return diag.Position{}
	}
	return diag.Position{File: p.Filename(), Line: int(p.Line), Col: int(p.Col)}
}

// A File is the outcome of one file's tests.
type File struct {
	Path  string  // absolute
	Err   error   // the file could not be evaluated; no tests ran
	Found int     // the number of test functions the file defines
	Tests []*Test // the tests that ran, in order

	ev     *eval.Evaluator
	stderr bytes.Buffer
}

// Failed reports whether the file could not be evaluated or a test failed.
func (f *File) Failed() bool {
	return f.Err != nil || slices.ContainsFunc(f.Tests, (*Test).Failed)
}

// A Test is the outcome of one test function.
type Test struct {
	Name     string
	Pos      diag.Position // of its definition
	Failures []*diag.Error // in the order they happened
}

// Failed reports whether the test failed.
func (t *Test) Failed() bool { return len(t.Failures) > 0 }

// Result is the outcome of a run, file by file in order of their paths.
type Result struct {
	Files []*File
}

// Failed reports whether a file could not be evaluated or a test failed.
func (r *Result) Failed() bool { return slices.ContainsFunc(r.Files, (*File).Failed) }

// Write writes the outcome of the run to w, in the manner of `go test`: a
// "--- FAIL: name" line for each failed test followed by its failures (and,
// if verbose, a "--- PASS: name" line for each test that passed), then one
// line for each file:
//
//	ok   path (N tests)
//	FAIL path (N tests, M failed)
//	FAIL path [load failed]      (after its errors)
//	ok   path [no tests to run]  (none matched the Run pattern)
//	?    path [no tests]
//
// Paths are relative to cwd.
func (r *Result) Write(w io.Writer, verbose bool, cwd string) {
	var b strings.Builder
	for _, f := range r.Files {
		failed := 0
		for _, t := range f.Tests {
			if t.Failed() {
				failed++
				fmt.Fprintf(&b, "--- FAIL: %s\n", t.Name)
				writeErrors(&b, diag.ErrorList(t.Failures), cwd)
			} else if verbose {
				fmt.Fprintf(&b, "--- PASS: %s\n", t.Name)
			}
		}
		path := diag.RelPath(f.Path, cwd)
		switch {
		case f.Err != nil:
			writeErrors(&b, f.Err, cwd)
			fmt.Fprintf(&b, "FAIL %s [load failed]\n", path)
		case failed > 0:
			fmt.Fprintf(&b, "FAIL %s (%s, %d failed)\n", path, plural(len(f.Tests), "test"), failed)
		case f.Found == 0:
			fmt.Fprintf(&b, "?    %s [no tests]\n", path)
		case len(f.Tests) == 0:
			fmt.Fprintf(&b, "ok   %s [no tests to run]\n", path)
		default:
			fmt.Fprintf(&b, "ok   %s (%s)\n", path, plural(len(f.Tests), "test"))
		}
	}
	io.WriteString(w, b.String())
}

// writeErrors writes err as diag.Print does, each line indented.
func writeErrors(b *strings.Builder, err error, cwd string) {
	var buf strings.Builder
	diag.Print(&buf, err, diag.Config{Cwd: cwd})
	for line := range strings.Lines(buf.String()) {
		b.WriteString("    " + line)
	}
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
