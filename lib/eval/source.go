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
func ValuePos(call *syntax.CallExpr, name string, index int, path []starproto.PathElem) (diag.Position, bool) {
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
	for _, p := range path {
		next := step(x, p)
		if next == nil {
			break
		}
		x = next
	}
	start, _ := x.Span()
	return toPos(start), true
}

// step returns the part of x, a literal, that p names, or nil.
func step(x syntax.Expr, p starproto.PathElem) syntax.Expr {
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
			return nil
		} else {
			want = literal(starlark.String(want))
		}
		for _, e := range x.List {
			entry := e.(*syntax.DictEntry)
			if lit, ok := entry.Key.(*syntax.Literal); ok && literal(lit.Value) == want {
				return entry.Value
			}
		}
	case *syntax.ListExpr:
		if p.Field == "" && p.Key == nil && p.Index < len(x.List) {
			return x.List[p.Index]
		}
	case *syntax.TupleExpr:
		if p.Field == "" && p.Key == nil && p.Index < len(x.List) {
			return x.List[p.Index]
		}
	}
	return nil
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
