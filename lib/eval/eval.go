// Package eval evaluates configuration files: it runs each file's
// main(ctx) on a sandboxed Starlark thread (no file, network, clock, or
// randomness; an execution step limit and a wall-clock deadline) with the
// standard library predeclared, and returns the typed protobuf messages
// that main produced.
package eval

import (
	"context"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/svccfg/svccfg/lib/diag"
	"github.com/svccfg/svccfg/lib/k8s"
	"github.com/svccfg/svccfg/lib/load"
	"github.com/svccfg/svccfg/lib/starproto"
	"go.starlark.net/starlark"
	"go.starlark.net/syntax"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// Defaults for [Options].
const (
	DefaultMaxSteps = 50_000_000
	DefaultTimeout  = 30 * time.Second
)

// Options configures an [Evaluator].
type Options struct {
	// Vars are the variables main sees as ctx.vars.
	Vars map[string]string
	// MaxSteps bounds the Starlark execution steps of one file's
	// evaluation, its loads included; 0 means DefaultMaxSteps.
	MaxSteps uint64
	// Timeout bounds the wall-clock time of one file's evaluation; 0 means
	// DefaultTimeout.
	Timeout time.Duration
	// Cwd is the directory print positions are relative to.
	Cwd string
	// Prelude, if not "", is the absolute path of the config root's
	// prelude, a file under the root: its exported globals are predeclared
	// in every file of the root that the evaluator evaluates or loads,
	// beside the standard library's names, except the prelude itself and
	// the files it loads, which see the standard library's names alone.
	// The prelude may load files of the root and of the standard library.
	Prelude string
	// PreludeFrom is where svccfg.yaml names the prelude: the prelude's
	// errors show it as their outermost caller.
	PreludeFrom diag.Position
	// Overlay, if not nil, holds the contents of files under the root by
	// absolute path, read in place of the files on disk: an editor's
	// unsaved buffers. It must not change while the evaluator is used.
	Overlay map[string][]byte
}

// An Evaluator evaluates the configuration files under one config root.
// Modules loaded by several files are evaluated once. An Evaluator is safe
// for concurrent use: each EvalFile runs on its own Starlark thread.
type Evaluator struct {
	std   *Stdlib
	root  string
	opts  Options
	cache *load.Cache
	vars  *starlark.Dict

	reader  *load.RootReader
	prelude prelude
}

// New returns an evaluator of files under root, an absolute directory.
func New(std *Stdlib, root string, opts Options) *Evaluator {
	if opts.MaxSteps == 0 {
		opts.MaxSteps = DefaultMaxSteps
	}
	if opts.Timeout == 0 {
		opts.Timeout = DefaultTimeout
	}
	e := &Evaluator{std: std, root: root, opts: opts, prelude: prelude{path: opts.Prelude}}
	e.vars = starlark.NewDict(len(opts.Vars))
	for _, k := range slices.Sorted(maps.Keys(opts.Vars)) {
		e.vars.SetKey(starlark.String(k), starlark.String(opts.Vars[k]))
	}
	e.vars.Freeze()
	reader := &load.RootReader{Root: root, Stdlib: std.fsys, Display: diag.RelPath(root, opts.Cwd), Overlay: opts.Overlay}
	if reader.Display == "." {
		reader.Display = ". (the working directory)"
	}
	e.reader = reader
	e.cache = load.NewCache(reader, func(thread *starlark.Thread, name string, src []byte) (starlark.StringDict, error) {
		return starlark.ExecFileOptions(fileOptions, thread, name, src, e.moduleNames())
	})
	for name, globals := range std.modules {
		e.cache.Add(name, globals)
	}
	return e
}

// A Result is one thing main returned: a service or cron job (Kind is
// "service" or "cron"), or a message returned directly (Kind is "").
type Result struct {
	Kind      string
	Name      string // of a service or job
	Namespace string // of a service or job
	Objects   []proto.Message
	Envoy     []proto.Message
	Calls     []string      // the services a service calls, as "name.namespace"
	Pos       diag.Position // the call that made it, or main's definition
	// Stack holds the callers of the function that made the call, when
	// main did not make it itself, innermost first: the call chain from
	// Pos back to main.
	Stack []diag.Frame
}

// HasMain reports whether the file with source src defines main at top level.
func HasMain(filename string, src []byte) bool {
	f, err := fileOptions.Parse(filename, src, 0)
	if err != nil {
		return true // let evaluation report the syntax error
	}
	return DefinesMain(f)
}

// DefinesMain reports whether the parsed file f defines main at top level.
func DefinesMain(f *syntax.File) bool {
	for _, stmt := range f.Stmts {
		if def, ok := stmt.(*syntax.DefStmt); ok && def.Name.Name == "main" {
			return true
		}
	}
	return false
}

// EvalFile evaluates the file at path (absolute, under the root) and calls
// its main(ctx). print() output goes to stderr as
// "path:line:col: print: msg"; a nil stderr discards it.
func (e *Evaluator) EvalFile(ctx context.Context, path string, stderr io.Writer) ([]Result, error) {
	thread, stop := e.NewThread(ctx, stderr)
	defer stop()
	var results []Result
	err := e.Bounded(ctx, func() (err error) {
		results, err = e.evalFile(thread, path)
		return err
	})
	if err != nil && !isPositioned(err) {
		return nil, &diag.Error{Pos: diag.Position{File: path}, Msg: err.Error()}
	}
	return results, err
}

// evalFile evaluates the file at path on thread, for [Evaluator.EvalFile].
func (e *Evaluator) evalFile(thread *starlark.Thread, path string) ([]Result, error) {
	globals, err := e.ExecFile(thread, path)
	if err != nil {
		return nil, err
	}
	mainFn, ok := globals["main"].(*starlark.Function)
	if !ok {
		return nil, &diag.Error{Pos: diag.Position{File: path, Line: 1, Col: 1}, Msg: "no main function: a config file defines def main(ctx)"}
	}
	mainPos := toPos(mainFn.Position())
	if mainFn.NumParams() != 1 {
		return nil, &diag.Error{Pos: mainPos, Msg: fmt.Sprintf("main takes one parameter, ctx; got %d", mainFn.NumParams())}
	}
	v, err := starlark.Call(thread, mainFn, starlark.Tuple{e.newContext(e.vars)}, nil)
	if err != nil {
		return nil, explainVars(convertError(err, e.source), e.vars, e.source)
	}
	var results []Result
	c := &collector{read: e.source, mainPos: mainPos, origins: origins(thread), prelude: e.prelude.origins}
	if err := c.collect(v, &results, nil); err != nil {
		return nil, err
	}
	return results, nil
}

func (e *Evaluator) newThread(ctx context.Context, stderr io.Writer) *starlark.Thread {
	thread := &starlark.Thread{
		Name:  "main",
		Load:  e.cache.Load,
		Print: e.printer(stderr),
	}
	load.SetContext(thread, ctx)
	thread.SetLocal(originsKey, make(map[starlark.Value]origin))
	starproto.SetConstructHook(thread, func(v starlark.Value) {
		if k8s.KindOf(protoreflect.FullName(v.Type())) != nil || strings.HasPrefix(v.Type(), "envoy.") {
			var o origin
			o.pos, o.stack = userCallers(thread)
			origins(thread)[v] = o
		}
	})
	thread.SetLocal(varsKey, e.vars)
	thread.SetLocal(readKey, readFunc(e.source))
	max := e.opts.MaxSteps
	thread.SetMaxExecutionSteps(max)
	thread.OnMaxSteps = func(thread *starlark.Thread) {
		thread.Cancel(fmt.Sprintf("evaluation exceeded %d execution steps (raise the limit with --max-steps)", max))
	}
	return thread
}

// printer returns a thread's print function, which writes to stderr as
// "path:line:col: print: msg", or discards the output if stderr is nil.
func (e *Evaluator) printer(stderr io.Writer) func(*starlark.Thread, string) {
	return func(thread *starlark.Thread, msg string) {
		if stderr == nil {
			return
		}
		pos := toPos(thread.CallFrame(1).Pos)
		fmt.Fprintf(stderr, "%s: print: %s\n", pos.Format(e.opts.Cwd), msg)
	}
}

const originsKey = "svccfg.origins"

// An origin is where an object or resource was constructed: the
// configuration line of the call, and the callers of its function.
type origin struct {
	pos   diag.Position
	stack []diag.Frame
}

// origins returns where the objects and resources constructed on thread
// were made.
func origins(thread *starlark.Thread) map[starlark.Value]origin {
	m, _ := thread.Local(originsKey).(map[starlark.Value]origin)
	return m
}

// A collector gathers what main returned.
type collector struct {
	read    readFunc
	mainPos diag.Position
	origins map[starlark.Value]origin
	prelude map[starlark.Value]origin // of the prelude's own objects
}

// maxListDepth bounds how deeply the lists that main returns may nest:
// enough for any configuration, and few enough that collecting them takes
// no time, whereas a list nested a million deep would take hours past the
// deadline of the evaluation that built it.
const maxListDepth = 32

// collect appends to results what v, a value main returned, holds. path
// holds the indexes that lead to v in the lists that main returned.
func (c *collector) collect(v starlark.Value, results *[]Result, path []int) error {
	switch v := v.(type) {
	case *Unit:
		r := Result{Kind: v.Kind, Name: v.Name, Namespace: v.Namespace, Calls: v.Calls, Pos: v.Pos, Stack: v.Stack}
		var err error
		if r.Objects, err = messages(v.Objects, v, "objects"); err != nil {
			return err
		}
		if r.Envoy, err = messages(v.Envoy, v, "envoy"); err != nil {
			return err
		}
		*results = append(*results, r)
		return nil
	case *starlark.List, starlark.Tuple:
		if len(path) == maxListDepth {
			return &diag.Error{Pos: resultPos(c.mainPos, nil, v, c.read), Msg: fmt.Sprintf("main returned lists nested more than %d deep, want a service, a cron job, a proto message, or a list of them", maxListDepth)}
		}
		seq := v.(starlark.Indexable)
		for i := range seq.Len() {
			if err := c.collect(seq.Index(i), results, append(path, i)); err != nil {
				return err
			}
		}
		return nil
	}
	if m, ok := starproto.AsMessage(v); ok {
		r := Result{Pos: c.mainPos}
		if o, ok := c.origins[v]; ok {
			r.Pos, r.Stack = o.pos, o.stack
		} else if o, ok := c.prelude[v]; ok {
			r.Pos, r.Stack = o.pos, o.stack
		}
		if isEnvoy(m) {
			r.Envoy = []proto.Message{m}
		} else {
			r.Objects = []proto.Message{m}
		}
		*results = append(*results, r)
		return nil
	}
	got := TypeOf(v)
	if v == starlark.None {
		got = "None"
	}
	var where strings.Builder
	for i := len(path) - 1; i >= 0; i-- {
		fmt.Fprintf(&where, " at index %d of a list", path[i])
	}
	return &diag.Error{Pos: resultPos(c.mainPos, path, v, c.read), Msg: fmt.Sprintf("main returned %s%s, want a service, a cron job, a proto message, or a list of them", got, where.String())}
}

func messages(list *starlark.List, u *Unit, field string) ([]proto.Message, error) {
	out := make([]proto.Message, 0, list.Len())
	for i := range list.Len() {
		m, ok := starproto.AsMessage(list.Index(i))
		if !ok {
			return nil, &diag.Error{Pos: u.Pos, Msg: fmt.Sprintf("%s %q: %s[%d] is a %s, want a proto message", u.Kind, u.Name, field, i, TypeOf(list.Index(i)))}
		}
		out = append(out, m)
	}
	return out, nil
}

func isEnvoy(m proto.Message) bool {
	name := string(m.ProtoReflect().Descriptor().FullName())
	return len(name) > 6 && name[:6] == "envoy."
}

// Vars returns the evaluator's variables.
func (e *Evaluator) Vars() map[string]string { return e.opts.Vars }

// Deps returns the sorted canonical names of the modules that the file at
// path loaded, directly or indirectly, when it was evaluated, and of the
// prelude and the modules it loaded, if the root has a prelude.
func (e *Evaluator) Deps(path string) []string {
	deps := e.cache.Deps(path)
	if p := e.prelude.path; p != "" {
		deps = append(deps, p)
		deps = append(deps, e.cache.Deps(p)...)
		slices.Sort(deps)
		deps = slices.Compact(deps)
	}
	return deps
}

// MaxSteps returns the step limit of one file's evaluation.
func (e *Evaluator) MaxSteps() uint64 { return e.opts.MaxSteps }
