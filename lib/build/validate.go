package build

import (
	"fmt"
	"os"
	"strings"

	"github.com/svccfg/svccfg/lib/diag"
	"github.com/svccfg/svccfg/lib/eval"
	"github.com/svccfg/svccfg/lib/k8s"
	"github.com/svccfg/svccfg/lib/load"
	"go.starlark.net/syntax"
	"k8s.io/apimachinery/pkg/runtime"
)

// valueChecker collects the values that the API server would reject (see
// [k8s.Validate]) in the objects of one result of main, r, and positions
// each at the value where the call r.Pos, or a call of its call chain,
// writes it as a literal (or assigns it to the field in the caller's
// function), with the rest of the chain below; else at r.Pos.
type valueChecker struct {
	r     eval.Result
	files map[string]*syntax.File
	found []valueProblem
}

// A valueProblem is a problem of one or more objects, at one position.
type valueProblem struct {
	pos   diag.Position
	stack []diag.Frame
	msg   string   // the problem's, without the object
	kinds []string // of the objects that have it
	name  string   // of the first of them
}

// check records the problems of obj, the kind object called name.
func (c *valueChecker) check(obj runtime.Object, kind, name string) {
	for _, p := range k8s.Validate(obj) {
		if c.files == nil {
			c.files = make(map[string]*syntax.File)
		}
		pos, stack := c.locate(p)
		if i := c.index(pos, p.Msg, name); i >= 0 {
			c.found[i].kinds = append(c.found[i].kinds, kind)
			continue
		}
		c.found = append(c.found, valueProblem{pos: pos, stack: stack, msg: p.Msg, kinds: []string{kind}, name: name})
	}
}

// index returns the index of the problem with msg found at pos in an
// object called name, or -1: the objects that one service() makes share
// their labels.
func (c *valueChecker) index(pos diag.Position, msg, name string) int {
	for i, f := range c.found {
		if f.pos == pos && f.msg == msg && f.name == name {
			return i
		}
	}
	return -1
}

// err returns the problems found as positioned errors, each beginning with
// what, such as `service "web"`, and the objects, or nil.
func (c *valueChecker) err(what string) error {
	var errs diag.ErrorList
	for _, f := range c.found {
		objects := f.kinds[0]
		if n := len(f.kinds); n > 1 {
			objects = strings.Join(f.kinds[:n-1], ", ") + " and " + f.kinds[n-1]
		}
		errs = append(errs, &diag.Error{Pos: f.pos, Msg: fmt.Sprintf("%s: %s %q: %s", what, objects, f.name, f.msg), Stack: f.stack})
	}
	return errs.Err()
}

// locate returns where a problem's value is written: in the call at r.Pos,
// or else in the innermost call of its call chain that writes it, with the
// callers of that call; or else r.Pos and its chain.
func (c *valueChecker) locate(p k8s.Problem) (diag.Position, []diag.Frame) {
	calls := []diag.Position{c.r.Pos}
	for _, f := range c.r.Stack {
		calls = append(calls, f.Pos)
	}
	for i, at := range calls {
		f := c.parsed(at.File)
		if f == nil {
			continue
		}
		if call := eval.CallAt(f, at); call != nil {
			if found, ok := eval.StringPos(call, p.Field, p.Value); ok {
				return found, c.r.Stack[i:]
			}
		}
		if found, ok := eval.AssignPos(f, at, p.Field, p.Value); ok {
			return found, c.r.Stack[i:]
		}
	}
	return c.r.Pos, c.r.Stack
}

// parsed returns the configuration file at path, parsed once, or nil if
// it is a standard library file or cannot be read or parsed.
func (c *valueChecker) parsed(path string) *syntax.File {
	if f, ok := c.files[path]; ok {
		return f
	}
	c.files[path] = nil
	if path == "" || strings.HasPrefix(path, load.StdlibPrefix) {
		return nil
	}
	src, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	if f, err := eval.Parse(path, src); err == nil {
		c.files[path] = f
	}
	return c.files[path]
}
