package eval

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/svccfg/svccfg/lib/diag"
	"github.com/svccfg/svccfg/lib/load"
	"go.starlark.net/starlark"
	"go.starlark.net/syntax"
)

// ctx.vars is a frozen *starlark.Dict, so that it is a dict in every way
// (comparisons with dicts, dict(ctx.vars), **ctx.vars, proto map fields),
// and Starlark reports a missing key as any dict's: `key "x" not in dict`.
// [explainVars] rewrites that error when the expression indexed is
// ctx.vars, as far as the syntax tells (see [indexesVars]).

// missingKey matches Starlark's error for a dict's missing string key.
var missingKey = regexp.MustCompile(`^key ("(?:[^"\\]|\\.)*") not in dict$`)

// explainVars rewrites each error in err that reports a missing key of
// ctx.vars (see [indexesVars]) into one that names the variable, lists those of vars, and says how to
// set it.
func explainVars(err error, vars *starlark.Dict, read readFunc) error {
	if vars == nil {
		return err
	}
	for _, e := range errorsIn(err) {
		m := missingKey.FindStringSubmatch(e.Msg)
		if m == nil {
			continue
		}
		name, uerr := strconv.Unquote(m[1])
		if uerr != nil {
			continue
		}
		if _, found, _ := vars.Get(starlark.String(name)); found || !indexesVars(e.Pos, read) {
			continue
		}
		e.Msg = missingVar(name, vars)
	}
	return err
}

// indexesVars reports whether the index expression whose '[' is at pos
// indexes ctx.vars, as far as its syntax tells: it is written x.vars[...],
// or name[...] where every assignment to name in the file is name = x.vars.
func indexesVars(pos diag.Position, read readFunc) bool {
	if !pos.IsValid() || strings.HasPrefix(pos.File, load.StdlibPrefix) {
		return false
	}
	src, err := read.file(pos.File)
	if err != nil {
		return false
	}
	f, err := Parse(pos.File, src)
	if err != nil {
		return false
	}
	var indexed syntax.Expr
	aliases := make(map[string]bool) // whether each name assigned is only ever x.vars
	syntax.Walk(f, func(n syntax.Node) bool {
		switch n := n.(type) {
		case *syntax.IndexExpr:
			if toPos(n.Lbrack) == pos {
				indexed = n.X
			}
		case *syntax.AssignStmt:
			if id, ok := n.LHS.(*syntax.Ident); ok {
				only, seen := aliases[id.Name]
				aliases[id.Name] = isVars(n.RHS) && n.Op == syntax.EQ && (only || !seen)
			}
		}
		return true
	})
	if id, ok := indexed.(*syntax.Ident); ok {
		return aliases[id.Name]
	}
	return isVars(indexed)
}

// isVars reports whether x is written x.vars.
func isVars(x syntax.Expr) bool {
	dot, ok := x.(*syntax.DotExpr)
	return ok && dot.Name.Name == "vars"
}

// missingVar explains that ctx.vars, the variables vars, has no variable
// called name.
func missingVar(name string, vars *starlark.Dict) string {
	var names []string
	for _, k := range vars.Keys() {
		s, _ := starlark.AsString(k)
		names = append(names, s)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "ctx.vars has no variable %q", name)
	if near := diag.Nearest(name, names); near != "" {
		fmt.Fprintf(&b, " (did you mean %q?)", near)
	}
	if len(names) == 0 {
		b.WriteString("; no variables are set")
	} else {
		fmt.Fprintf(&b, "; the variables are %s", strings.Join(names, ", "))
	}
	set := name
	if name == "" || strings.ContainsAny(name, " \t\r\n=,") {
		set = "NAME"
	}
	fmt.Fprintf(&b, ": set it with --var %s=VALUE or under vars: in svccfg.yaml (or read it with ctx.vars.get(%q, DEFAULT))", set, name)
	return b.String()
}
