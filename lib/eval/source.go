package eval

import (
	"github.com/svccfg/svccfg/lib/diag"
	"github.com/svccfg/svccfg/lib/starproto"
	"go.starlark.net/starlark"
	"go.starlark.net/syntax"
)

// ParseFile parses the source of a configuration file in svccfg's dialect
// of Starlark, keeping its comments, so that later phases can point at the
// syntax that produced a value.
func ParseFile(filename string, src []byte) (*syntax.File, error) {
	return fileOptions.Parse(filename, src, syntax.RetainComments)
}

// Pos converts a position in a parsed file.
func Pos(p syntax.Position) diag.Position { return toPos(p) }

// CallAt returns the call in f whose opening parenthesis is at pos, the
// position every service, job and message records, or nil.
func CallAt(f *syntax.File, pos diag.Position) *syntax.CallExpr {
	var found *syntax.CallExpr
	syntax.Walk(f, func(n syntax.Node) bool {
		if found != nil {
			return false
		}
		if c, ok := n.(*syntax.CallExpr); ok && int(c.Lparen.Line) == pos.Line && int(c.Lparen.Col) == pos.Col {
			found = c
			return false
		}
		return true
	})
	return found
}

// ArgPos returns the position of an argument written in call: the keyword
// argument called name or, when name is "", the positional argument at
// index. It reports false if call has no such argument.
func ArgPos(call *syntax.CallExpr, name string, index int) (diag.Position, bool) {
	for i, a := range call.Args {
		if b, ok := a.(*syntax.BinaryExpr); ok && b.Op == syntax.EQ {
			if id, ok := b.X.(*syntax.Ident); ok && name != "" && id.Name == name {
				return toPos(id.NamePos), true
			}
			continue
		}
		if name == "" && i == index {
			start, _ := a.Span()
			return toPos(start), true
		}
	}
	return diag.Position{}, false
}

// ValuePos returns the position of the part of an argument of call that path
// leads to: the value of a dict entry for a field or a map key, an element
// of a list for an index. It follows the path as far as the argument is
// written as literals; without a path, it is [ArgPos]. It reports false if
// call has no such argument.
func ValuePos(call *syntax.CallExpr, name string, index int, path []starproto.PathElem, atKey bool) (diag.Position, bool) {
	pos, ok := ArgPos(call, name, index)
	if !ok || len(path) == 0 {
		return pos, ok
	}
	var x syntax.Expr
	for i, a := range call.Args {
		if b, isKw := a.(*syntax.BinaryExpr); isKw && b.Op == syntax.EQ {
			if id, _ := b.X.(*syntax.Ident); id != nil && name != "" && id.Name == name {
				x = b.Y
			}
		} else if name == "" && i == index {
			x = a
		}
	}
	for i, p := range path {
		next, key := step(x, p)
		if next == nil {
			break
		}
		if atKey && i == len(path)-1 && key != nil {
			next = key
		}
		x = next
	}
	start, _ := x.Span()
	return toPos(start), true
}

// step returns the part of x, a literal, that p names, or nil; and, in a
// dict literal, the key that names it.
func step(x syntax.Expr, p starproto.PathElem) (value, key syntax.Expr) {
	for {
		paren, ok := x.(*syntax.ParenExpr)
		if !ok {
			break
		}
		x = paren.X
	}
	switch x := x.(type) {
	case *syntax.DictExpr:
		want := p.Field
		if p.Key != nil {
			want = literal(p.Key)
		} else if want == "" {
			return nil, nil
		} else {
			want = literal(starlark.String(want))
		}
		for _, e := range x.List {
			entry := e.(*syntax.DictEntry)
			if lit, ok := entry.Key.(*syntax.Literal); ok && literal(lit.Value) == want {
				return entry.Value, entry.Key
			}
		}
	case *syntax.ListExpr:
		if p.Field == "" && p.Key == nil && p.Index < len(x.List) {
			return x.List[p.Index], nil
		}
	case *syntax.TupleExpr:
		if p.Field == "" && p.Key == nil && p.Index < len(x.List) {
			return x.List[p.Index], nil
		}
	}
	return nil, nil
}

// literal returns a literal's value (a string, int or, from a path, a
// Starlark value) in one spelling, so that keys compare.
func literal(v any) string {
	switch v := v.(type) {
	case string:
		return starlark.String(v).String()
	case int64:
		return starlark.MakeInt64(v).String()
	case starlark.Value:
		return v.String()
	}
	return ""
}

// StringPos returns the position of a string literal equal to value written
// in call or in a call nested in its arguments: preferably one written as
// the keyword argument key = "value" or the dict entry "key": "value" or,
// when key is "", as a dict's key; else any such literal. It reports false
// if there is none.
func StringPos(call *syntax.CallExpr, key, value string) (diag.Position, bool) {
	var exact, any syntax.Expr
	isValue := func(x syntax.Expr) bool {
		lit, ok := x.(*syntax.Literal)
		return ok && lit.Token == syntax.STRING && lit.Value == value
	}
	syntax.Walk(call, func(n syntax.Node) bool {
		if exact != nil {
			return false
		}
		switch n := n.(type) {
		case *syntax.BinaryExpr:
			if id, ok := n.X.(*syntax.Ident); ok && n.Op == syntax.EQ && key != "" && id.Name == key && isValue(n.Y) {
				exact = n.Y
			}
		case *syntax.DictEntry:
			switch {
			case key == "" && isValue(n.Key):
				exact = n.Key
			case key != "" && isValue(n.Value):
				if lit, ok := n.Key.(*syntax.Literal); ok && lit.Token == syntax.STRING && lit.Value == key {
					exact = n.Value
				}
			}
		case *syntax.Literal:
			if any == nil && isValue(n) {
				any = n
			}
		}
		return exact == nil
	})
	if exact == nil {
		exact = any
	}
	if exact == nil {
		return diag.Position{}, false
	}
	start, _ := exact.Span()
	return toPos(start), true
}

// AssignPos returns the position of a string literal equal to value that
// the function of f holding pos (or f's top level) assigns to a field
// called key: x.key = "value" or x["key"] = "value". It reports false if
// there is none, or key is "".
func AssignPos(f *syntax.File, pos diag.Position, key, value string) (diag.Position, bool) {
	if key == "" {
		return diag.Position{}, false
	}
	var body []syntax.Stmt = f.Stmts
	for _, stmt := range f.Stmts {
		if def, ok := stmt.(*syntax.DefStmt); ok && contains(def, pos) {
			body = def.Body
		}
	}
	var found syntax.Expr
	for _, stmt := range body {
		syntax.Walk(stmt, func(n syntax.Node) bool {
			if found != nil {
				return false
			}
			switch n := n.(type) {
			case *syntax.DefStmt, *syntax.LambdaExpr:
				return false
			case *syntax.AssignStmt:
				lit, ok := n.RHS.(*syntax.Literal)
				if n.Op != syntax.EQ || !ok || lit.Token != syntax.STRING || lit.Value != value {
					return true
				}
				switch lhs := n.LHS.(type) {
				case *syntax.DotExpr:
					if lhs.Name.Name == key {
						found = n.RHS
					}
				case *syntax.IndexExpr:
					if k, ok := lhs.Y.(*syntax.Literal); ok && k.Token == syntax.STRING && k.Value == key {
						found = n.RHS
					}
				}
			}
			return true
		})
	}
	if found == nil {
		return diag.Position{}, false
	}
	start, _ := found.Span()
	return toPos(start), true
}

// contains reports whether pos lies within the syntax of n.
func contains(n syntax.Node, pos diag.Position) bool {
	start, end := n.Span()
	s, e := toPos(start), toPos(end)
	before := func(a, b diag.Position) bool { return a.Line < b.Line || a.Line == b.Line && a.Col <= b.Col }
	return before(s, pos) && before(pos, e)
}
