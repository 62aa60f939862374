package eval

import (
	"strings"

	"github.com/svccfg/svccfg/lib/diag"
	"github.com/svccfg/svccfg/lib/load"
	"github.com/svccfg/svccfg/lib/starproto"
	"go.starlark.net/starlark"
	"go.starlark.net/syntax"
)

// resultPos returns the position to report a value that main returned and
// should not have: v, reached from the returned value through the list
// indexes path. It is the return statement of main that can have returned
// it (the only one, or the only one whose literal result is of v's type),
// or, as far as that statement writes lists literally, the element that v
// is; else def, main's definition.
func resultPos(def diag.Position, path []int, v starlark.Value, read readFunc) diag.Position {
	if strings.HasPrefix(def.File, load.StdlibPrefix) {
		return def
	}
	src, err := read.file(def.File)
	if err != nil {
		return def
	}
	f, err := Parse(def.File, src)
	if err != nil {
		return def
	}
	var fn *syntax.DefStmt
	for _, stmt := range f.Stmts {
		if d, ok := stmt.(*syntax.DefStmt); ok && toPos(d.Def) == def {
			fn = d
		}
	}
	if fn == nil {
		return def
	}
	ret := mainReturn(fn, len(path), v)
	if ret == nil {
		return def
	}
	if ret.Result == nil {
		return toPos(ret.Return)
	}
	x := ret.Result
	for _, i := range path {
		next, _ := step(x, starproto.PathElem{Index: i})
		if next == nil {
			return toPos(ret.Return)
		}
		x = next
	}
	if x == ret.Result {
		return toPos(ret.Return)
	}
	start, _ := x.Span()
	return toPos(start)
}

// mainReturn returns the return statement of fn (not of a function nested
// in it) that returned v at depth lists deep: the only one, or else the
// only one whose result could be v, or nil.
func mainReturn(fn *syntax.DefStmt, depth int, v starlark.Value) *syntax.ReturnStmt {
	var all, possible []*syntax.ReturnStmt
	for _, stmt := range fn.Body {
		syntax.Walk(stmt, func(n syntax.Node) bool {
			switch n := n.(type) {
			case *syntax.DefStmt, *syntax.LambdaExpr:
				return false
			case *syntax.ReturnStmt:
				all = append(all, n)
				if could(n.Result, depth, v) {
					possible = append(possible, n)
				}
			}
			return true
		})
	}
	switch {
	case len(all) == 1:
		return all[0]
	case len(possible) == 1:
		return possible[0]
	}
	return nil
}

// could reports whether x, a returned expression (nil for a bare return),
// could be v or, at depth > 0, a list holding it: false only when x is a
// literal of another type.
func could(x syntax.Expr, depth int, v starlark.Value) bool {
	if depth > 0 {
		switch x.(type) {
		case *syntax.ListExpr, *syntax.TupleExpr, *syntax.Ident, *syntax.CallExpr, *syntax.DotExpr,
			*syntax.IndexExpr, *syntax.BinaryExpr, *syntax.CondExpr, *syntax.ParenExpr, *syntax.Comprehension:
			return true
		}
		return false
	}
	kind := ""
	switch x := x.(type) {
	case nil:
		kind = "NoneType"
	case *syntax.Literal:
		switch x.Token {
		case syntax.STRING:
			kind = "string"
		case syntax.BYTES:
			kind = "bytes"
		case syntax.INT:
			kind = "int"
		case syntax.FLOAT:
			kind = "float"
		}
	case *syntax.Ident:
		switch x.Name {
		case "None":
			kind = "NoneType"
		case "True", "False":
			kind = "bool"
		}
	case *syntax.DictExpr:
		kind = "dict"
	case *syntax.ListExpr:
		kind = "list"
	case *syntax.Comprehension:
		kind = "list"
		if x.Curly {
			kind = "dict"
		}
	case *syntax.TupleExpr:
		kind = "tuple"
	}
	return kind == "" || kind == v.Type()
}
