package lsp

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/sourcegraph/jsonrpc2"
	"github.com/svccfg/svccfg/lib/build"
	"github.com/svccfg/svccfg/lib/diag"
	"github.com/svccfg/svccfg/lib/doc"
	"github.com/svccfg/svccfg/lib/eval"
	"github.com/svccfg/svccfg/lib/format"
	"github.com/svccfg/svccfg/lib/starproto"
	"go.starlark.net/starlark"
	"go.starlark.net/syntax"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// packageAssign matches a top-level `name = proto.package("pkg")`.
var packageAssign = regexp.MustCompile(`(?m)^([A-Za-z_][A-Za-z0-9_]*)\s*=\s*proto\.package\(\s*"([A-Za-z0-9_.]+)"\s*\)`)

// resolve returns the value that a dotted name (kube.cores, core.Container)
// stands for in document d: a predeclared name or a proto.package of the
// file's top level, and their attributes. It returns nil for names that
// only an evaluation would know.
func (s *Server) resolve(d *document, dotted string) starlark.Value {
	parts := strings.Split(dotted, ".")
	var v starlark.Value
	for _, m := range packageAssign.FindAllStringSubmatch(d.text, -1) {
		if m[1] == parts[0] {
			if p, err := s.std.Registry().Package(m[2]); err == nil {
				v = p
			}
		}
	}
	if v == nil {
		v = s.std.Predeclared()[parts[0]]
	}
	for _, name := range parts[1:] {
		x, ok := v.(starlark.HasAttrs)
		if !ok {
			return nil
		}
		next, err := x.Attr(name)
		if err != nil || next == nil {
			return nil
		}
		v = next
	}
	return v
}

// describe returns the documentation of a value that a dotted name stands
// for, as svccfg doc shows it.
func (s *Server) describe(dotted string, v starlark.Value) string {
	name := dotted
	switch v := v.(type) {
	case *starproto.MessageType:
		name = string(v.Descriptor().FullName())
	case *starproto.Package:
		name = strings.TrimSuffix(strings.TrimPrefix(v.String(), `<proto.Package "`), `">`)
	case *eval.Function:
		name = v.Name()
	}
	text, err := s.docs.Text(name)
	if err != nil {
		text, err = s.docs.Text(dotted)
		if err != nil {
			return ""
		}
	}
	return text
}

// wordAt returns the dotted name under the byte offset off of text, up to
// the end of the word there, and the byte offsets of that word.
func wordAt(text string, off int) (dotted string, start, end int) {
	start, end = off, off
	for start > 0 && (isWordByte(text[start-1]) || text[start-1] == '.') {
		start--
	}
	for end < len(text) && isWordByte(text[end]) {
		end++
	}
	dotted = strings.TrimLeft(text[start:end], ".")
	word := end
	for word > start && isWordByte(text[word-1]) {
		word--
	}
	return dotted, word, end
}

func isWordByte(c byte) bool {
	return c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

// enclosingCall returns the dotted name of the function called by the
// innermost call whose parentheses hold the byte offset off of text.
func enclosingCall(text string, off int) string {
	name, _ := callAt(text, off)
	return name
}

// callAt returns the dotted name of the function called by the innermost
// call whose parentheses hold the byte offset off of text, and the offset
// of its opening parenthesis; "" and -1 if the innermost bracket around
// off is not a call's.
func callAt(text string, off int) (string, int) {
	b := scanTo(text, off).brackets
	if len(b) == 0 || text[b[len(b)-1]] != '(' {
		return "", -1
	}
	i := b[len(b)-1]
	name, _, _ := wordAt(text, i)
	return name, i
}

// isKeyword reports whether the word ending at end in text is a keyword
// argument's name: followed by = but not ==.
func isKeyword(text string, end int) bool {
	rest := strings.TrimLeft(text[end:], " \t")
	return strings.HasPrefix(rest, "=") && !strings.HasPrefix(rest, "==")
}

// hover returns the documentation of what is under p: a standard library
// function, module or message type, a keyword argument (a parameter of a
// function, a field of a message), and for a service() or cron() call also
// the objects it generated in the last build of the document.
func (s *Server) hover(d *document, p Position) *Hover {
	off := offset(d.text, p)
	dotted, start, end := wordAt(d.text, off)
	if dotted == "" {
		return nil
	}
	if in, quote := inString(d.text, off); in {
		if text := s.stringDoc(d, off, quote); text != "" {
			return textHover(text, Range{Start: position(d.text, start), End: position(d.text, end)})
		}
		return nil
	}
	var text, md string // plain text, and Markdown
	if isKeyword(d.text, end) && !strings.Contains(dotted, ".") {
		text = s.argDoc(d, enclosingCall(d.text, start), dotted)
	}
	if text == "" {
		if v := s.resolve(d, dotted); v != nil {
			text = s.describe(dotted, v)
		} else if !strings.Contains(dotted, ".") {
			md = s.definitionHover(d, p)
		}
	}
	if lparen := end + len(d.text[end:]) - len(strings.TrimLeft(d.text[end:], " \t")); lparen < len(d.text) && d.text[lparen] == '(' && d.madeVersion == d.version {
		// A call: what it generated in the last build, as --explain says.
		p := position(d.text, lparen)
		line := d.text[lineStart(d.text, p.Line):lparen]
		if list := madeBy(d.made, diag.Position{File: d.path, Line: p.Line + 1, Col: utf8.RuneCountInString(line) + 1}); list != "" {
			text = strings.TrimRight(list+"\n"+text, "\n")
		}
	}
	r := Range{Start: position(d.text, start), End: position(d.text, end)}
	switch {
	case md != "" && text != "":
		h := textHover(text, r)
		h.Contents.Value += "\n\n" + md
		return h
	case md != "":
		return &Hover{Contents: MarkupContent{Kind: "markdown", Value: md}, Range: &r}
	case text != "":
		return textHover(text, r)
	}
	return nil
}

// textHover returns a hover of plain text at r, as a Markdown code block
// so that editors keep its layout.
func textHover(text string, r Range) *Hover {
	return &Hover{Contents: MarkupContent{Kind: "markdown", Value: "```text\n" + strings.TrimRight(text, "\n") + "\n```"}, Range: &r}
}

// argDoc returns the documentation of the keyword argument name of a call
// of the function called fn.
func (s *Server) argDoc(d *document, fn, name string) string {
	switch v := s.resolve(d, fn).(type) {
	case *eval.Function:
		for _, p := range v.Signature().Params {
			if p.Name == name {
				text := fmt.Sprintf("%s(%s): %s", v.Name(), p.Name, p.Type)
				if p.Default != "" {
					text += " = " + p.Default
				}
				return text + "\n\n" + p.Doc
			}
		}
	case *starproto.MessageType:
		if fd := v.Descriptor().Fields().ByName(protoreflect.Name(name)); fd != nil {
			return s.docs.Field(fd)
		}
	}
	return ""
}

// complete returns the completions at p: the attributes of a module,
// proto package or message type after a dot; else the keyword arguments of
// the call around p (parameters or fields, with their types), the
// predeclared names and the file's own top-level names; inside
// ctx.vars["...", the variables of svccfg.yaml.
func (s *Server) complete(d *document, p Position) CompletionList {
	off := offset(d.text, p)
	items := []CompletionItem{}
	if load, ok := s.loadItems(d, off); ok {
		return CompletionList{Items: append(items, load...)}
	}
	lineStart := strings.LastIndexByte(d.text[:off], '\n') + 1
	if m := varsKey.FindStringSubmatch(d.text[lineStart:off]); m != nil {
		for _, k := range s.vars(d) {
			if strings.HasPrefix(k, m[1]) {
				items = append(items, CompletionItem{Label: k, Kind: KindVariable, Detail: "ctx.vars"})
			}
		}
		return CompletionList{Items: items}
	}
	if m := packageArg.FindStringSubmatch(d.text[lineStart:off]); m != nil {
		for _, pkg := range s.std.Registry().Packages() {
			if strings.HasPrefix(pkg, m[1]) {
				items = append(items, CompletionItem{Label: pkg, Kind: KindModule, Detail: "proto package",
					TextEdit: &TextEdit{Range: Range{Start: position(d.text, off-len(m[1])), End: p}, NewText: pkg}})
			}
		}
		return CompletionList{Items: items}
	}
	if in, quote := inString(d.text, off); in {
		// A string: a key of a dict literal that stands for a message,
		// or the value of an enum field.
		prefix := d.text[quote+1 : off]
		before := strings.TrimRight(d.text[:quote], " \t\n")
		if md := s.messageAt(d, quote); md != nil && (strings.HasSuffix(before, "{") || strings.HasSuffix(before, ",")) && isDict(d.text, quote) {
			return CompletionList{Items: append(items, fieldItems(md, prefix, false)...)}
		}
		return CompletionList{Items: append(items, s.enumItems(d, quote, prefix)...)}
	}
	start := off
	for start > 0 && (isWordByte(d.text[start-1]) || d.text[start-1] == '.') {
		start--
	}
	expr := d.text[start:off]
	if isDict(d.text, start) {
		// The key of a dict literal that stands for a message.
		if before := strings.TrimRight(d.text[:start], " \t\n"); strings.HasSuffix(before, "{") || strings.HasSuffix(before, ",") {
			if md := s.messageAt(d, start); md != nil {
				return CompletionList{Items: append(items, fieldItems(md, expr, true)...)}
			}
		}
	}
	if i := strings.LastIndexByte(expr, '.'); i >= 0 {
		base, partial := expr[:i], expr[i+1:]
		if s.resolve(d, base) == nil {
			if md := s.messageOf(d, base, start); md != nil {
				return CompletionList{Items: append(items, fieldItems(md, partial, false)...)}
			}
		}
		if x, ok := s.resolve(d, base).(starlark.HasAttrs); ok {
			for _, name := range x.AttrNames() {
				if !strings.HasPrefix(name, partial) {
					continue
				}
				item := CompletionItem{Label: name, Kind: KindField}
				if v, err := x.Attr(name); err == nil && v != nil {
					item.Kind, item.Detail = itemKind(v)
				}
				items = append(items, item)
			}
		}
		return CompletionList{Items: items}
	}
	if fn := enclosingCall(d.text, off); fn != "" {
		switch v := s.resolve(d, fn).(type) {
		case *eval.Function:
			for _, p := range v.Signature().Params {
				if strings.HasPrefix(p.Name, expr) {
					items = append(items, CompletionItem{Label: p.Name, Kind: KindField, Detail: p.Type})
				}
			}
		case *starproto.MessageType:
			fields := v.Descriptor().Fields()
			for i := range fields.Len() {
				fd := fields.Get(i)
				if name := string(fd.Name()); strings.HasPrefix(name, expr) {
					items = append(items, CompletionItem{Label: name, Kind: KindField, Detail: doc.FieldType(fd)})
				}
			}
		}
	}
	var names []string
	for name := range s.std.Predeclared() {
		names = append(names, name)
	}
	prelude := map[string]bool{}
	if path := s.preludeOf(d.path); path != "" && path != d.path {
		for _, name := range s.exported(path) {
			names, prelude[name] = append(names, name), true
		}
	}
	for _, sym := range symbols(d) {
		names = append(names, sym.Name)
	}
	sort.Strings(names)
	for _, name := range slices.Compact(names) {
		if strings.HasPrefix(name, expr) {
			kind, detail := KindVariable, ""
			if v := s.resolve(d, name); v != nil {
				kind, detail = itemKind(v)
			} else if prelude[name] {
				detail = "prelude"
			}
			items = append(items, CompletionItem{Label: name, Kind: kind, Detail: detail})
		}
	}
	for _, kw := range keywords {
		if expr != "" && strings.HasPrefix(kw, expr) {
			items = append(items, CompletionItem{Label: kw, Kind: KindKeyword})
		}
	}
	return CompletionList{Items: items}
}

// isDict reports whether the innermost bracket around the byte offset off
// of text is a dict literal's.
func isDict(text string, off int) bool {
	o := openings(text, off)
	return len(o) > 0 && o[len(o)-1].bracket == '{'
}

var keywords = []string{"and", "def", "elif", "else", "for", "if", "in", "load", "not", "or", "pass", "return"}

// packageArg matches a line that ends inside proto.package("...
var packageArg = regexp.MustCompile(`proto\.package\(\s*"([A-Za-z0-9_.]*)$`)

// varsKey matches a line that ends inside ctx.vars["...
var varsKey = regexp.MustCompile(`ctx\.vars\[\s*"([A-Za-z0-9_]*)$`)

// vars returns the names of the variables a document's main sees: those
// always set and those of its config root's svccfg.yaml.
func (s *Server) vars(d *document) []string {
	names := []string{}
	for k := range build.DefaultVars {
		names = append(names, k)
	}
	if roots, err := build.Roots([]string{d.path}, build.FindOptions{}); err == nil && len(roots) == 1 && roots[0].Config != nil {
		for k := range roots[0].Config.Vars {
			names = append(names, k)
		}
	}
	for k := range s.opts.Vars {
		names = append(names, k)
	}
	sort.Strings(names)
	return slices.Compact(names)
}

// itemKind returns the completion kind and detail of a value.
func itemKind(v starlark.Value) (int, string) {
	switch v := v.(type) {
	case *eval.Function:
		return KindFunction, v.Signature().Summary
	case *starproto.MessageType:
		return KindStruct, "message " + string(v.Descriptor().FullName())
	case *starproto.Package:
		return KindModule, v.String()
	case starlark.Callable:
		return KindFunction, ""
	case starlark.HasAttrs:
		return KindModule, ""
	}
	return KindVariable, v.Type()
}

// symbols returns the top-level definitions of a document: its functions
// and its assigned names.
func symbols(d *document) []DocumentSymbol {
	syms := []DocumentSymbol{}
	f, err := parse(d.path, d.text)
	if err != nil {
		return syms
	}
	add := func(id *syntax.Ident, n syntax.Node, kind int) {
		start, end := n.Span()
		syms = append(syms, DocumentSymbol{Name: id.Name, Kind: kind,
			Range:          Range{Start: toLSP(d.text, start), End: toLSP(d.text, end)},
			SelectionRange: identRange(d.text, id)})
	}
	for _, stmt := range f.Stmts {
		switch stmt := stmt.(type) {
		case *syntax.DefStmt:
			add(stmt.Name, stmt, SymbolFunction)
		case *syntax.AssignStmt:
			if id, ok := stmt.LHS.(*syntax.Ident); ok {
				add(id, stmt, SymbolVariable)
			}
		case *syntax.LoadStmt:
			for _, id := range stmt.To {
				add(id, stmt, SymbolVariable)
			}
		}
	}
	return syms
}

// identRange returns the range of an identifier in text.
func identRange(text string, id *syntax.Ident) Range {
	start := toLSP(text, id.NamePos)
	return Range{Start: start, End: Position{Line: start.Line, Character: start.Character + utf16Len([]rune(id.Name))}}
}

// formatting returns the edit that formats a document as svccfg fmt does.
func formatting(d *document) ([]TextEdit, error) {
	out, err := format.Source(d.path, []byte(d.text))
	if err != nil {
		return nil, &jsonrpc2.Error{Code: jsonrpc2.CodeInvalidParams, Message: err.Error()}
	}
	if string(out) == d.text {
		return []TextEdit{}, nil
	}
	return []TextEdit{{Range: Range{End: position(d.text, len(d.text))}, NewText: string(out)}}, nil
}

// didYouMean matches the suggestion of a diagnostic.
var didYouMean = regexp.MustCompile(`\(did you mean \.?("[^"]*"|[A-Za-z_@/][A-Za-z0-9_.@/]*)\?\)`)

// codeActions returns a quick fix for each diagnostic that suggests a
// name: the text at the diagnostic's range replaced by the suggestion.
func codeActions(d *document, diags []Diagnostic) []CodeAction {
	actions := []CodeAction{}
	for _, dg := range diags {
		m := didYouMean.FindStringSubmatch(dg.Message)
		if m == nil {
			continue
		}
		want := strings.Trim(m[1], `"`)
		start, end := offset(d.text, dg.Range.Start), offset(d.text, dg.Range.End)
		if start >= end {
			continue
		}
		r, old := dg.Range, d.text[start:end]
		if old == "(" {
			// An error of a call as a whole: the misspelt name is a
			// string literal among its arguments.
			lit, ok := literalIn(d, start, dg.Message, want)
			if !ok {
				continue
			}
			r, old = lit, d.text[offset(d.text, lit.Start):offset(d.text, lit.End)]
		}
		newText := want
		if q := old[0]; q == '"' || q == '\'' {
			newText = string(q) + want + string(q)
		} else if !isIdent(old) || !isIdent(want) {
			continue
		}
		if newText == old {
			continue
		}
		actions = append(actions, CodeAction{
			Title: fmt.Sprintf("Change %s to %s", old, newText), Kind: "quickfix",
			Diagnostics: []Diagnostic{dg},
			Edit:        &WorkspaceEdit{Changes: map[string][]TextEdit{d.uri: {{Range: r, NewText: newText}}}},
		})
	}
	return actions
}

// literalIn returns the range of the string literal, among the arguments
// of the call whose "(" is at byte offset lparen, that a message names (in
// double quotes) and that is nearest the suggestion want. It reports false
// if the document does not parse or no such literal is there once.
func literalIn(d *document, lparen int, msg, want string) (Range, bool) {
	f, err := parse(d.path, d.text)
	if err != nil {
		return Range{}, false
	}
	var lits []*syntax.Literal
	syntax.Walk(f, func(n syntax.Node) bool {
		call, ok := n.(*syntax.CallExpr)
		if !ok || byteOffset(d.text, call.Lparen) != lparen {
			return true
		}
		for _, arg := range call.Args {
			syntax.Walk(arg, func(n syntax.Node) bool {
				if lit, ok := n.(*syntax.Literal); ok && lit.Token == syntax.STRING {
					if v, _ := lit.Value.(string); v != want && strings.Contains(msg, strconv.Quote(v)) {
						lits = append(lits, lit)
					}
				}
				return true
			})
		}
		return false
	})
	values := make([]string, len(lits))
	for i, lit := range lits {
		values[i] = lit.Value.(string)
	}
	near := diag.Nearest(want, values)
	var found *syntax.Literal
	for _, lit := range lits {
		if lit.Value.(string) == near {
			if found != nil {
				return Range{}, false
			}
			found = lit
		}
	}
	if found == nil {
		return Range{}, false
	}
	start, end := found.Span()
	return Range{Start: toLSP(d.text, start), End: toLSP(d.text, end)}, true
}

func isIdent(s string) bool {
	if s == "" || '0' <= s[0] && s[0] <= '9' {
		return false
	}
	for i := range len(s) {
		if !isWordByte(s[i]) {
			return false
		}
	}
	return true
}
