package lsp

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/svccfg/svccfg/lib/build"
	"github.com/svccfg/svccfg/lib/diag"
	"github.com/svccfg/svccfg/lib/eval"
	"github.com/svccfg/svccfg/lib/load"
	"github.com/svccfg/svccfg/stdlib"
	"go.starlark.net/resolve"
	"go.starlark.net/starlark"
	"go.starlark.net/syntax"
)

// definition returns where the name under p in d is defined: a local or a
// top-level name of d; through a load() (or on its module string or a name
// it loads) the definition in the loaded file, however many loads away; for
// a standard library function, module or one of its functions, its
// definition in the standard library, written out read-only (see
// [Server.stdlibDir]) so that an editor can open it.
func (s *Server) definition(d *document, p Position) []Location {
	f := resolved(d.path, d.text)
	if f == nil {
		return []Location{}
	}
	off := offset(d.text, p)
	// On a load statement: its module, or one of the names it loads.
	for _, stmt := range f.Stmts {
		ld, ok := stmt.(*syntax.LoadStmt)
		if !ok {
			continue
		}
		if s.within(d.text, ld.Module, off) {
			if path, ok := s.resolveLoad(d.path, ld.Module.Value.(string)); ok {
				return []Location{s.location(diag.Position{File: path, Line: 1, Col: 1})}
			}
			return []Location{}
		}
		for i, from := range ld.From {
			if s.within(d.text, from, off) || s.within(d.text, ld.To[i], off) {
				return s.loaded(d.path, ld.Module.Value.(string), ld.From[i].Name, 0)
			}
		}
	}
	var id *syntax.Ident
	var dot *syntax.DotExpr
	syntax.Walk(f, func(n syntax.Node) bool {
		switch n := n.(type) {
		case *syntax.Ident:
			if s.within(d.text, n, off) {
				id = n
			}
		case *syntax.DotExpr:
			if s.within(d.text, n.Name, off) {
				dot = n
			}
		}
		return true
	})
	if dot != nil {
		// kube.cores, or core.Container: only the standard library's
		// attributes are known without evaluating.
		if dotted := dottedName(dot); dotted != "" {
			if loc, ok := s.stdlibLocation(s.resolve(d, dotted)); ok {
				return []Location{loc}
			}
		}
		return []Location{}
	}
	if id == nil {
		return []Location{}
	}
	return s.identDefinition(d.path, d.text, f, id)
}

// identDefinition returns where the identifier id of the resolved file f
// (at path, whose text is text) is defined.
func (s *Server) identDefinition(path, text string, f *syntax.File, id *syntax.Ident) []Location {
	b, _ := id.Binding.(*resolve.Binding)
	if b == nil {
		return []Location{}
	}
	switch b.Scope {
	case resolve.Predeclared, resolve.Universal:
		if loc, ok := s.stdlibLocation(s.std.Predeclared()[id.Name]); ok {
			return []Location{loc}
		}
		if prelude := s.preludeOf(path); prelude != "" {
			if locs := s.topLevel(prelude, id.Name, 0); len(locs) > 0 {
				return locs
			}
		}
		return []Location{}
	}
	if b.First == nil {
		return []Location{}
	}
	for _, stmt := range f.Stmts {
		if ld, ok := stmt.(*syntax.LoadStmt); ok {
			for i, to := range ld.To {
				if to == b.First {
					return s.loaded(path, ld.Module.Value.(string), ld.From[i].Name, 0)
				}
			}
		}
	}
	return []Location{s.identLocation(path, text, b.First)}
}

// within reports whether the byte offset off of text falls in n, or just
// after it (where the cursor is when a name is selected).
func (s *Server) within(text string, n syntax.Node, off int) bool {
	start, end := n.Span()
	a, b := byteOffset(text, start), byteOffset(text, end)
	return a >= 0 && a <= off && off <= b
}

// dottedName returns the dotted name that a chain of attribute selections
// of an identifier spells (kube.rollout), or "".
func dottedName(e syntax.Expr) string {
	switch e := e.(type) {
	case *syntax.Ident:
		return e.Name
	case *syntax.DotExpr:
		if x := dottedName(e.X); x != "" {
			return x + "." + e.Name.Name
		}
	}
	return ""
}

// A loadKey is a name that a load() in a directory loads from a module.
type loadKey struct{ dir, module, name string }

// maxLoadDepth bounds how many load()s definition follows.
const maxLoadDepth = 16

// loaded returns the definition of name in the module that a load() in
// file names, following the loads of that module in turn.
// While a request sets s.loads, what it finds is remembered: the same
// load from the same directory finds the same place.
func (s *Server) loaded(file, module, name string, depth int) []Location {
	if s.loads == nil {
		return s.findLoaded(file, module, name, depth)
	}
	key := loadKey{filepath.Dir(file), module, name}
	locs, ok := s.loads[key]
	if !ok {
		locs = s.findLoaded(file, module, name, depth)
		s.loads[key] = locs
	}
	return locs
}

func (s *Server) findLoaded(file, module, name string, depth int) []Location {
	path, ok := s.resolveLoad(file, module)
	if !ok {
		return []Location{}
	}
	if strings.HasPrefix(path, load.StdlibPrefix) {
		if m, ok := s.std.Module(path); ok {
			if loc, ok := s.stdlibLocation(m[name]); ok {
				return []Location{loc}
			}
		}
	}
	return s.topLevel(path, name, depth+1)
}

// topLevel returns the definition of the top-level name in the file at
// path: its def, its first assignment, or what the load that binds it
// loads.
func (s *Server) topLevel(path, name string, depth int) []Location {
	text, ok := s.sourceOf(path)
	if !ok || depth > maxLoadDepth {
		return []Location{}
	}
	f, err := eval.Parse(path, []byte(text))
	if err != nil {
		return []Location{}
	}
	for _, stmt := range f.Stmts {
		switch stmt := stmt.(type) {
		case *syntax.DefStmt:
			if stmt.Name.Name == name {
				return []Location{s.identLocation(path, text, stmt.Name)}
			}
		case *syntax.AssignStmt:
			if id, ok := stmt.LHS.(*syntax.Ident); ok && id.Name == name {
				return []Location{s.identLocation(path, text, id)}
			}
		case *syntax.LoadStmt:
			for i, to := range stmt.To {
				if to.Name == name {
					return s.loaded(path, stmt.Module.Value.(string), stmt.From[i].Name, depth)
				}
			}
		}
	}
	return []Location{}
}

// resolveLoad returns the canonical name of the module that a load() in
// file names: an absolute path, or "@stdlib//x.star".
func (s *Server) resolveLoad(file, module string) (string, bool) {
	r := &load.RootReader{Root: s.rootOf(file)}
	path, err := r.Resolve(context.Background(), module, file)
	return path, err == nil
}

// rootOf returns the config root directory of a configuration file.
func (s *Server) rootOf(file string) string {
	if roots, err := build.Roots([]string{file}, build.FindOptions{}); err == nil && len(roots) == 1 {
		return roots[0].Dir
	}
	return filepath.Dir(file)
}

// preludeOf returns the path of the prelude of file's config root, or "".
func (s *Server) preludeOf(file string) string {
	if roots, err := build.Roots([]string{file}, build.FindOptions{}); err == nil && len(roots) == 1 {
		return roots[0].Prelude
	}
	return ""
}

// stdlibLocation returns where the standard library defines v, a function
// or a predeclared module (its file).
func (s *Server) stdlibLocation(v starlark.Value) (Location, bool) {
	pos, ok := stdlibPos(v)
	if !ok {
		return Location{}, false
	}
	if fn, ok := v.(*eval.Function); ok {
		// The function's name in its def, rather than the def keyword.
		if locs := s.topLevel(pos.File, fn.Starlark().Name(), maxLoadDepth); len(locs) == 1 {
			return locs[0], true
		}
	}
	return s.location(pos), true
}

// stdlibPos returns the position of the definition of v in the standard
// library: of a function, or the start of a predeclared module's file.
func stdlibPos(v starlark.Value) (diag.Position, bool) {
	var fn *starlark.Function
	switch v := v.(type) {
	case *eval.Function:
		fn = v.Starlark()
	case *starlark.Function:
		fn = v
	case starlark.HasAttrs:
		for _, name := range v.AttrNames() {
			if a, err := v.Attr(name); err == nil {
				if pos, ok := stdlibPos(a); ok {
					return diag.Position{File: pos.File, Line: 1, Col: 1}, true
				}
			}
		}
		return diag.Position{}, false
	default:
		return diag.Position{}, false
	}
	pos := eval.Pos(fn.Position())
	return pos, strings.HasPrefix(pos.File, load.StdlibPrefix)
}

// identLocation returns the location of an identifier in the file at path,
// whose text is text.
func (s *Server) identLocation(path, text string, id *syntax.Ident) Location {
	return Location{URI: s.uriOf(path), Range: identRange(text, id)}
}

// sourceOf returns the text of a file as the server sees it: an open
// document's buffer, a standard library file, or the file on disk.
func (s *Server) sourceOf(path string) (string, bool) {
	if rest, ok := strings.CutPrefix(path, load.StdlibPrefix); ok {
		data, err := fs.ReadFile(stdlib.FS, rest)
		return string(data), err == nil
	}
	s.mu.Lock()
	for _, d := range s.files {
		if d.path == path {
			s.mu.Unlock()
			return d.text, true
		}
	}
	s.mu.Unlock()
	data, err := os.ReadFile(path)
	return string(data), err == nil
}

// uriOf returns the URI of a file: for a standard library file, that of
// its copy in [Server.stdlibDir], or an "svccfg-stdlib:" URI if there is
// none.
func (s *Server) uriOf(path string) string {
	if rest, ok := strings.CutPrefix(path, load.StdlibPrefix); ok {
		if dir := s.stdlibDir(); dir != "" {
			return pathURI(filepath.Join(dir, rest))
		}
		return "svccfg-stdlib:" + rest
	}
	return pathURI(path)
}

// stdlibDir writes the embedded standard library, once, to a directory of
// the user's cache named for its contents (svccfg-stdlib-<hash>), read-only,
// so that go-to-definition can open its files; it returns "" if it cannot.
// Files already there from an earlier session are kept.
func (s *Server) stdlibDir() string {
	s.stdlibOnce.Do(func() {
		base, err := os.UserCacheDir()
		if err != nil {
			base = os.TempDir()
		}
		h := sha256.New()
		files, _ := fs.Glob(stdlib.FS, "*.star")
		for _, name := range files {
			data, _ := fs.ReadFile(stdlib.FS, name)
			fmt.Fprintf(h, "%s %d\n", name, len(data))
			h.Write(data)
		}
		dir := filepath.Join(base, "svccfg", fmt.Sprintf("stdlib-%x", h.Sum(nil)[:6]))
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return
		}
		for _, name := range files {
			path := filepath.Join(dir, name)
			if _, err := os.Stat(path); err == nil {
				continue
			}
			data, _ := fs.ReadFile(stdlib.FS, name)
			tmp, err := os.CreateTemp(dir, name+".*")
			if err != nil {
				return
			}
			_, werr := tmp.Write(data)
			cerr := tmp.Close()
			if werr != nil || cerr != nil || os.Chmod(tmp.Name(), 0o444) != nil || os.Rename(tmp.Name(), path) != nil {
				os.Remove(tmp.Name())
				return
			}
		}
		s.stdlib = dir
	})
	return s.stdlib
}

// toLSP converts a position of go.starlark.net (1-based line, and column
// in runes) in text to an LSP position (0-based, in UTF-16 units).
func toLSP(text string, p syntax.Position) Position {
	line := max(int(p.Line)-1, 0)
	off := lineStart(text, line)
	if off < 0 {
		return Position{Line: line, Character: max(int(p.Col)-1, 0)}
	}
	var runes []rune
	for _, r := range text[off:] {
		if len(runes) >= int(p.Col)-1 || r == '\n' {
			break
		}
		runes = append(runes, r)
	}
	return Position{Line: line, Character: utf16Len(runes)}
}

// byteOffset returns the byte offset in text of a go.starlark.net
// position, or -1.
func byteOffset(text string, p syntax.Position) int {
	off := lineStart(text, int(p.Line)-1)
	if off < 0 {
		return -1
	}
	for range max(int(p.Col)-1, 0) {
		if off >= len(text) || text[off] == '\n' {
			break
		}
		_, size := utf8.DecodeRuneInString(text[off:])
		off += size
	}
	return off
}

// lineStart returns the byte offset of the start of the 0-based line in
// text, or -1 if text has fewer lines.
func lineStart(text string, line int) int {
	off := 0
	for range line {
		i := strings.IndexByte(text[off:], '\n')
		if i < 0 {
			return -1
		}
		off += i + 1
	}
	return off
}

// parse parses the text of a document for the features that read its
// syntax. While the user types, the text often does not parse: then it
// parses the text before the top-level statement where the error is,
// so that the definitions above it are still known.
func parse(path, text string) (*syntax.File, error) {
	f, err := eval.Parse(path, []byte(text))
	var serr syntax.Error
	if err == nil || !errors.As(err, &serr) {
		return f, err
	}
	end := lineStart(text, max(int(serr.Pos.Line)-1, 0))
	if end < 0 {
		end = len(text)
	}
	for end > 0 && !(end < len(text) && isWordByte(text[end])) {
		end = strings.LastIndexByte(text[:end-1], '\n') + 1
	}
	return eval.Parse(path, []byte(text[:end]))
}
