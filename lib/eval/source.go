package eval

import (
	"github.com/svccfg/svccfg/lib/diag"
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
