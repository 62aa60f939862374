package eval

import (
	"bytes"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/svccfg/svccfg/lib/diag"
	"github.com/svccfg/svccfg/lib/load"
	"go.starlark.net/resolve"
	"go.starlark.net/starlark"
	"go.starlark.net/syntax"
)

// A prelude is the state of a config root's prelude in one [Evaluator]:
// the file that svccfg.yaml names, whose exported globals (those whose
// names do not start with "_") are predeclared in every file of the root
// (but itself and the files it loads), beside the standard library's names. It is evaluated once,
// on the thread of the first file that needs it, and its globals are
// frozen; its error, if any, is every file's error.
type prelude struct {
	path string // absolute; "" for none

	mu          sync.Mutex
	done        bool
	globals     starlark.StringDict // its exported globals
	predeclared starlark.StringDict // the standard library's and its own
	err         error
	stderr      bytes.Buffer              // its print() output
	origins     map[starlark.Value]origin // of the messages it constructs

	// ready is predeclared once the prelude has been evaluated without
	// error: the names of the modules loaded from then on. The modules
	// that the prelude loads, while it is evaluated, see the standard
	// library's names alone.
	ready atomic.Pointer[starlark.StringDict]
}

// predeclaredNames returns the names predeclared in the configuration
// files of e's root: the standard library's, and the exported globals of
// the prelude, which it evaluates on thread the first time.
func (e *Evaluator) predeclaredNames(thread *starlark.Thread) (starlark.StringDict, error) {
	p := &e.prelude
	if p.path == "" {
		return e.std.predeclared, nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.done {
		// Its print() output, and where the messages it constructs were
		// made, are its own, whichever file's thread runs it.
		saved, savedOrigins := thread.Print, origins(thread)
		p.origins = make(map[starlark.Value]origin)
		thread.Print = e.printer(&p.stderr)
		thread.SetLocal(originsKey, p.origins)
		p.globals, p.err = e.loadPrelude(thread)
		thread.Print = saved
		thread.SetLocal(originsKey, savedOrigins)
		p.done = true
		if from := e.opts.PreludeFrom; p.err != nil && from.IsValid() {
			for _, d := range errorsIn(p.err) {
				d.Stack = append(d.Stack, diag.Frame{Pos: from, Func: "prelude"})
			}
		}
		if p.err == nil {
			p.predeclared = maps.Clone(e.std.predeclared)
			maps.Copy(p.predeclared, p.globals)
			p.ready.Store(&p.predeclared)
		}
	}
	return p.predeclared, p.err
}

// moduleNames returns the names predeclared in a module that a file of the
// root loads: the standard library's and, once it has been evaluated, the
// prelude's. Every file of the root is evaluated after the prelude, so only
// the prelude and the modules it loads see the standard names alone.
func (e *Evaluator) moduleNames() starlark.StringDict {
	if names := e.prelude.ready.Load(); names != nil {
		return *names
	}
	return e.std.predeclared
}

// loadPrelude evaluates the prelude on thread, with the standard library's
// names predeclared (through the load cache, so that the files it loads
// are shared with the configuration files), and returns its exported
// globals. A global whose name the standard library predeclares, or that
// is one of Starlark's built-ins, is an error at its definition.
func (e *Evaluator) loadPrelude(thread *starlark.Thread) (starlark.StringDict, error) {
	path := e.prelude.path
	src, err := e.reader.ReadFile(load.Context(thread), path)
	if err != nil {
		return nil, &diag.Error{Pos: diag.Position{File: path}, Msg: err.Error()}
	}
	if err := e.checkPreludeNames(path, src); err != nil {
		return nil, err
	}
	globals, err := e.cache.LoadFile(thread, path)
	if err != nil {
		if cerr := convertError(err, e.source); isPositioned(cerr) {
			return nil, relativizeMessages(suggestPredeclared(cerr, e.std.predeclared), e.opts.Cwd)
		}
		return nil, &diag.Error{Pos: diag.Position{File: path}, Msg: cleanMessage(err.Error())}
	}
	exported := make(starlark.StringDict)
	for name, v := range globals {
		if !strings.HasPrefix(name, "_") {
			exported[name] = v
		}
	}
	return exported, nil
}

// checkPreludeNames checks that no exported global of the prelude at path,
// with source src, is a name that the standard library predeclares or one
// of Starlark's built-ins: a configuration file would see one of them in
// place of the other. Syntax errors are left to the evaluation.
func (e *Evaluator) checkPreludeNames(path string, src []byte) error {
	f, err := fileOptions.Parse(path, src, 0)
	if err != nil {
		return nil
	}
	if resolve.File(f, e.std.predeclared.Has, starlark.Universe.Has) != nil {
		return nil
	}
	mod, _ := f.Module.(*resolve.Module)
	if mod == nil {
		return nil
	}
	var errs diag.ErrorList
	for _, b := range mod.Globals {
		name := b.First.Name
		if strings.HasPrefix(name, "_") {
			continue
		}
		var what string
		switch {
		case e.std.predeclared.Has(name):
			what = "the standard library's predeclared " + name
		case starlark.Universe.Has(name):
			what = "Starlark's built-in " + name
		default:
			continue
		}
		errs.Add(toPos(b.First.NamePos), fmt.Sprintf("the prelude's global %s collides with %s: rename it (or make it private as _%s)", name, what, name))
	}
	return errs.Err()
}

// Prelude evaluates the prelude of the evaluator's root, if it has one, and
// returns its exported globals, frozen, sorted by name in [PreludeGlobal]s;
// nil if the root has none. Its errors are positioned in the prelude, as
// [Evaluator.EvalFile] reports them.
func (e *Evaluator) Prelude(thread *starlark.Thread) ([]PreludeGlobal, error) {
	if e.prelude.path == "" {
		return nil, nil
	}
	if _, err := e.predeclaredNames(thread); err != nil {
		return nil, err
	}
	var out []PreludeGlobal
	for _, name := range slices.Sorted(maps.Keys(e.prelude.globals)) {
		out = append(out, PreludeGlobal{Name: name, Value: e.prelude.globals[name]})
	}
	return out, nil
}

// A PreludeGlobal is an exported global of a prelude.
type PreludeGlobal struct {
	Name  string
	Value starlark.Value
}

// PreludeOutput returns the print() output of the prelude, if it was
// evaluated: it goes to no file's stderr, for the output not to depend on
// which file's evaluation ran it, and the caller writes it before theirs.
func (e *Evaluator) PreludeOutput() []byte {
	p := &e.prelude
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.stderr.Bytes()
}

// PreludePath returns the absolute path of the evaluator's prelude, or "".
func (e *Evaluator) PreludePath() string { return e.prelude.path }

// FileDoc returns the docstring of a file with source src: the string
// literal that starts it, dedented; "" if it has none or does not parse.
func FileDoc(filename string, src []byte) string {
	f, err := fileOptions.Parse(filename, src, 0)
	if err != nil || len(f.Stmts) == 0 {
		return ""
	}
	if e, ok := f.Stmts[0].(*syntax.ExprStmt); ok {
		if lit, ok := e.X.(*syntax.Literal); ok && lit.Token == syntax.STRING {
			return strings.TrimSpace(dedent(lit.Value.(string)))
		}
	}
	return ""
}
