package lsp

import (
	"fmt"
	"path/filepath"
	"strings"

	"go.starlark.net/syntax"
)

// maxDefLines bounds the lines of a definition that a hover shows.
const maxDefLines = 8

// definitionHover returns the hover of a name that the configuration
// itself defines, in d, a file it loads, or the prelude: a function's
// header and docstring, the assignment of a variable, a parameter with
// its function's header; and where it is defined if not in d. It returns
// "" for other names.
func (s *Server) definitionHover(d *document, p Position) string {
	locs := s.definition(d, p)
	if len(locs) != 1 {
		return ""
	}
	path, ok := filePath(locs[0].URI)
	if !ok {
		return ""
	}
	text, ok := s.sourceOf(path)
	if !ok {
		return ""
	}
	f, err := parse(path, text)
	if err != nil {
		return ""
	}
	off := offset(text, locs[0].Range.Start)
	var code, docs string
	var def *syntax.DefStmt // the innermost def around off
	var stmt syntax.Stmt    // the innermost other statement around off
	syntax.Walk(f, func(n syntax.Node) bool {
		st, ok := n.(syntax.Stmt)
		if !ok || !s.within(text, n, off) {
			return ok || n == f
		}
		if fn, ok := st.(*syntax.DefStmt); ok {
			def, stmt = fn, nil
		} else {
			stmt = st
		}
		return true
	})
	switch {
	case stmt != nil:
		code = statementText(text, stmt)
	case def != nil && s.within(text, def.Name, off):
		code, docs = defHeader(text, def), docString(def)
	case def != nil:
		name, _, _ := wordAt(text, off)
		code, docs = defHeader(text, def), fmt.Sprintf("`%s` is a parameter of `%s`.", name, def.Name.Name)
	default:
		return ""
	}
	out := "```python\n" + code + "\n```"
	if docs != "" {
		out += "\n\n" + docs
	}
	if path != d.path {
		out += "\n\nDefined in " + s.displayPath(d.path, path) + fmt.Sprintf(":%d", locs[0].Range.Start.Line+1)
	}
	return out
}

// statementText returns the source of a statement, its first lines if it
// is long.
func statementText(text string, st syntax.Stmt) string {
	start, end := st.Span()
	a, b := byteOffset(text, start), byteOffset(text, end)
	if a < 0 || b < a {
		return ""
	}
	if fs, ok := st.(*syntax.ForStmt); ok {
		// The loop's header, not its body.
		_, xEnd := fs.X.Span()
		if x := byteOffset(text, xEnd); x >= a {
			return text[a:x] + ":"
		}
	}
	lines := strings.Split(text[a:b], "\n")
	if len(lines) > maxDefLines {
		lines = append(lines[:maxDefLines], "    ...")
	}
	return strings.Join(lines, "\n")
}

// defHeader returns the header of a def statement, from def to the colon.
func defHeader(text string, def *syntax.DefStmt) string {
	a, b := byteOffset(text, def.Def), byteOffset(text, def.Rparen)
	if a < 0 || b < a {
		return "def " + def.Name.Name + "(...)"
	}
	return text[a:b+1] + ":"
}

// docString returns the docstring of a def, dedented.
func docString(def *syntax.DefStmt) string {
	if len(def.Body) == 0 {
		return ""
	}
	e, ok := def.Body[0].(*syntax.ExprStmt)
	if !ok {
		return ""
	}
	lit, ok := e.X.(*syntax.Literal)
	if !ok || lit.Token != syntax.STRING {
		return ""
	}
	lines := strings.Split(strings.TrimSpace(lit.Value.(string)), "\n")
	indent := -1
	for _, l := range lines[1:] {
		if t := strings.TrimLeft(l, " \t"); t != "" && (indent < 0 || len(l)-len(t) < indent) {
			indent = len(l) - len(t)
		}
	}
	for i := 1; i < len(lines); i++ {
		if len(lines[i]) >= indent && indent > 0 {
			lines[i] = lines[i][indent:]
		}
	}
	return strings.Join(lines, "\n")
}

// displayPath names the file path for a reader of the file from: as a
// //path of their config root, or relative to from's directory.
func (s *Server) displayPath(from, path string) string {
	if root := s.rootOf(from); root != "" && under(path, root) {
		if rel, err := filepath.Rel(root, path); err == nil {
			return "//" + filepath.ToSlash(rel)
		}
	}
	if rel, err := filepath.Rel(filepath.Dir(from), path); err == nil {
		return filepath.ToSlash(rel)
	}
	return path
}
