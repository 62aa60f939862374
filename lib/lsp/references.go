package lsp

import (
	"fmt"
	"slices"
	"strings"

	"github.com/sourcegraph/jsonrpc2"
	"github.com/svccfg/svccfg/lib/build"
	"go.starlark.net/resolve"
	"go.starlark.net/starlark"
	"go.starlark.net/syntax"
)

// resolved parses text and resolves its names, taking every name that is
// not Starlark's own as predeclared (an undefined one is a diagnostic's
// business, not a reader's); it returns nil if the text does not parse.
func resolved(path, text string) *syntax.File {
	f, err := parse(path, text)
	if err != nil {
		return nil
	}
	resolve.File(f, func(name string) bool { return !starlark.Universe.Has(name) }, starlark.Universe.Has)
	return f
}

// identAt returns the identifier of f at the byte offset off of text, or
// nil; the name of an attribute (x.name) is none.
func (s *Server) identAt(text string, f *syntax.File, off int) *syntax.Ident {
	var id *syntax.Ident
	syntax.Walk(f, func(n syntax.Node) bool {
		switch n := n.(type) {
		case *syntax.DotExpr:
			syntax.Walk(n.X, func(n syntax.Node) bool {
				if x, ok := n.(*syntax.Ident); ok && s.within(text, x, off) {
					id = x
				}
				return true
			})
			return false
		case *syntax.Ident:
			if s.within(text, n, off) {
				id = n
			}
		}
		return true
	})
	return id
}

// nameAt returns d resolved and its identifier at p; a nil identifier if
// there is none or d does not parse.
func (s *Server) nameAt(d *document, p Position) (*syntax.File, *syntax.Ident) {
	f := resolved(d.path, d.text)
	if f == nil {
		return nil, nil
	}
	return f, s.identAt(d.text, f, offset(d.text, p))
}

// bindingKey identifies what an identifier names within its file: the
// identifier that binds it (a function's free variable has a binding of
// its own, but the same one), or for a predeclared name the name.
func bindingKey(id *syntax.Ident) any {
	b, _ := id.Binding.(*resolve.Binding)
	if b == nil || b.First == nil || b.Scope == resolve.Predeclared || b.Scope == resolve.Universal {
		return id.Name
	}
	return b.First
}

// highlights returns where the file reads and writes the name at p.
func (s *Server) highlights(d *document, p Position) []DocumentHighlight {
	out := []DocumentHighlight{}
	f, id := s.nameAt(d, p)
	if id == nil {
		return out
	}
	key := bindingKey(id)
	first := (*syntax.Ident)(nil)
	if b, _ := id.Binding.(*resolve.Binding); b != nil {
		first = b.First
	}
	seen := make(map[*syntax.Ident]bool) // a load()'s name, walked as from and to
	syntax.Walk(f, func(n syntax.Node) bool {
		if x, ok := n.(*syntax.Ident); ok && !seen[x] && bindingKey(x) == key {
			seen[x] = true
			kind := 2
			if x == first {
				kind = 3
			}
			out = append(out, DocumentHighlight{Range: identRange(d.text, x), Kind: kind})
		}
		return true
	})
	return out
}

// references returns where the name at p is used: in the document, and,
// for a top-level name or a predeclared one, in every file of the config
// root that uses it (through a load(), however renamed), with its
// definition if includeDecl.
func (s *Server) references(d *document, p Position, includeDecl bool) []Location {
	out := []Location{}
	f, id := s.nameAt(d, p)
	if id == nil {
		return out
	}
	defs := s.identDefinition(d.path, d.text, f, id)
	b, _ := id.Binding.(*resolve.Binding)
	if len(defs) != 1 || defs[0].URI == d.uri && b != nil && b.Scope != resolve.Global {
		// A function's local name, or one not defined anywhere: this
		// file's uses.
		for _, h := range s.highlights(d, p) {
			if includeDecl || h.Kind != 3 || len(defs) != 1 {
				out = append(out, Location{URI: d.uri, Range: h.Range})
			}
		}
		return out
	}
	def := defs[0]
	s.loads = make(map[loadKey][]Location)
	defer func() { s.loads = nil }()
	names := []string{id.Name}
	if path, ok := filePath(def.URI); ok {
		if text, ok := s.sourceOf(path); ok {
			if name, _, _ := wordAt(text, offset(text, def.Range.Start)); name != "" && name != id.Name {
				names = append(names, name)
			}
		}
	}
	files := []string{d.path}
	if root := s.rootOf(d.path); root != "" {
		if all, err := build.StarFiles(root); err == nil {
			for _, p := range all {
				if p != d.path {
					files = append(files, p)
				}
			}
		}
	}
	for _, path := range files {
		text, ok := s.sourceOf(path)
		if !ok || !slices.ContainsFunc(names, func(n string) bool { return strings.Contains(text, n) }) {
			continue
		}
		out = append(out, s.uses(path, text, names, def, includeDecl)...)
	}
	return out
}

// uses returns the places in the file at path (whose text is text) where
// an identifier named one of names, or bound by a load() of one of them,
// stands for what is defined at def.
func (s *Server) uses(path, text string, names []string, def Location, includeDecl bool) []Location {
	f := resolved(path, text)
	if f == nil {
		return nil
	}
	candidates := slices.Clone(names)
	from := make(map[*syntax.Ident]bool)             // the names load()s load, not bind
	renamed := make(map[*syntax.Ident]*syntax.Ident) // a load()'s new name: the loaded one
	for _, stmt := range f.Stmts {
		if ld, ok := stmt.(*syntax.LoadStmt); ok {
			for i, x := range ld.From {
				if x != ld.To[i] { // the same identifier if not renamed
					from[x], renamed[ld.To[i]] = true, x
				}
				if slices.Contains(names, x.Name) {
					candidates = append(candidates, ld.To[i].Name)
				}
			}
		}
	}
	same := make(map[any]bool) // by bindingKey: whether it names def
	seen := make(map[*syntax.Ident]bool)
	var out []Location
	syntax.Walk(f, func(n syntax.Node) bool {
		x, ok := n.(*syntax.Ident)
		if !ok || from[x] || seen[x] || !slices.Contains(candidates, x.Name) {
			return true
		}
		seen[x] = true
		key := bindingKey(x)
		is, known := same[key]
		if !known {
			locs := s.identDefinition(path, text, f, x)
			is = len(locs) == 1 && locs[0] == def
			same[key] = is
		}
		at := x
		if name := renamed[x]; name != nil {
			at = name // load(m, w = "web") uses web at "web"
		}
		if loc := s.identLocation(path, text, at); is && (includeDecl || loc != def) {
			out = append(out, loc)
		}
		return true
	})
	return out
}

// codeRequestFailed is the LSP error code of a request the server
// understood but could not carry out, such as a rename that would change
// what a name means.
const codeRequestFailed = -32803

// renameTarget returns the identifier at p in d and where it is defined,
// if renaming it is the configuration's business: it is defined in the
// config root (a standard library name is not), and named as it is there
// (not through a load() that renames it).
func (s *Server) renameTarget(d *document, p Position) (*syntax.Ident, Location, error) {
	fail := func(format string, args ...any) (*syntax.Ident, Location, error) {
		return nil, Location{}, &jsonrpc2.Error{Code: codeRequestFailed, Message: fmt.Sprintf(format, args...)}
	}
	f, id := s.nameAt(d, p)
	if f == nil {
		return fail("the file does not parse")
	}
	if id == nil {
		return fail("no name to rename here")
	}
	defs := s.identDefinition(d.path, d.text, f, id)
	if len(defs) != 1 {
		return fail("%s is not defined in the configuration", id.Name)
	}
	path, ok := filePath(defs[0].URI)
	if !ok || !under(path, s.rootOf(d.path)) {
		return fail("%s is defined outside the config root (the standard library's names cannot be renamed)", id.Name)
	}
	text, ok := s.sourceOf(path)
	if name, _, _ := wordAt(text, offset(text, defs[0].Range.Start)); !ok || name != id.Name {
		return fail("%s is another name's new name in a load(): rename %s", id.Name, name)
	}
	return id, defs[0], nil
}

// prepareRename returns the range of the name at p if it can be renamed.
func (s *Server) prepareRename(d *document, p Position) (*Range, error) {
	id, _, err := s.renameTarget(d, p)
	if err != nil {
		return nil, err
	}
	r := identRange(d.text, id)
	return &r, nil
}

// rename returns the edits that rename the name at p to newName: its
// definition, its uses and the load()s that load it, in every file of the
// config root (a load() that gives it a name of its own keeps that name).
// It refuses a name that is not an identifier, and one that any file it
// changes already uses or that is predeclared, which the rename could make
// mean something else.
func (s *Server) rename(d *document, p Position, newName string) (*WorkspaceEdit, error) {
	id, def, err := s.renameTarget(d, p)
	if err != nil {
		return nil, err
	}
	if x, err := (&syntax.FileOptions{}).ParseExpr("", newName, 0); err != nil || !isIdentExpr(x) {
		return nil, &jsonrpc2.Error{Code: jsonrpc2.CodeInvalidParams, Message: fmt.Sprintf("%q is not a name", newName)}
	}
	if _, ok := s.std.Predeclared()[newName]; ok || starlark.Universe.Has(newName) {
		return nil, &jsonrpc2.Error{Code: codeRequestFailed, Message: fmt.Sprintf("%s is predeclared: renaming %s to it would hide it", newName, id.Name)}
	}
	edit := &WorkspaceEdit{Changes: make(map[string][]TextEdit)}
	texts := make(map[string]string) // by URI
	for _, loc := range s.references(d, p, true) {
		text, ok := texts[loc.URI]
		if !ok {
			path, _ := filePath(loc.URI)
			if text, ok = s.sourceOf(path); !ok {
				continue
			}
			texts[loc.URI] = text
		}
		if text[offset(text, loc.Range.Start):offset(text, loc.Range.End)] != id.Name {
			continue // a use through a load() that renames it
		}
		edit.Changes[loc.URI] = append(edit.Changes[loc.URI], TextEdit{Range: loc.Range, NewText: newName})
	}
	if _, ok := edit.Changes[def.URI]; !ok {
		return nil, &jsonrpc2.Error{Code: codeRequestFailed, Message: fmt.Sprintf("cannot find where %s is defined", id.Name)}
	}
	for uri := range edit.Changes {
		path, _ := filePath(uri)
		f := resolved(path, texts[uri])
		clash := false
		syntax.Walk(f, func(n syntax.Node) bool {
			// Only names resolve binds: not attributes, not keywords
			// of calls.
			if x, ok := n.(*syntax.Ident); ok && x.Name == newName && x.Binding != nil {
				clash = true
			}
			return !clash
		})
		if clash {
			return nil, &jsonrpc2.Error{Code: codeRequestFailed, Message: fmt.Sprintf("%s already uses the name %s", s.displayPath(d.path, path), newName)}
		}
	}
	return edit, nil
}

func isIdentExpr(e syntax.Expr) bool {
	_, ok := e.(*syntax.Ident)
	return ok
}
