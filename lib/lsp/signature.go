package lsp

import (
	"regexp"
	"strings"

	"github.com/svccfg/svccfg/lib/doc"
	"github.com/svccfg/svccfg/lib/eval"
	"github.com/svccfg/svccfg/lib/starproto"
	"go.starlark.net/syntax"
)

// A param is one parameter of a signature that signatureHelp shows.
type param struct {
	name, label, doc string
}

// signatureHelp returns the signature of the call around p: of a standard
// library function (with each parameter's type and default), a message
// constructor (its fields and their types), or a function of the file or
// one that it loads; the active parameter is the keyword argument being
// written, or else the positional one.
func (s *Server) signatureHelp(d *document, p Position) *SignatureHelp {
	off := offset(d.text, p)
	fn, lparen := callAt(d.text, off)
	if fn == "" {
		return nil
	}
	var name, summary string
	var params []param
	switch v := s.resolve(d, fn).(type) {
	case *eval.Function:
		sig := v.Signature()
		name, summary = sig.Name, sig.Summary
		for _, p := range sig.Params {
			label := p.Name
			if p.Default != "" {
				label += " = " + p.Default
			}
			params = append(params, param{p.Name, label, p.Type + ": " + p.Doc})
		}
	case *starproto.MessageType:
		desc := v.Descriptor()
		name, summary = fn, "message "+string(desc.FullName())
		fields := desc.Fields()
		for i := range fields.Len() {
			fd := fields.Get(i)
			params = append(params, param{string(fd.Name()), string(fd.Name()), doc.FieldType(fd)})
		}
	default:
		def, text := s.defOf(d, fn)
		if def == nil {
			return nil
		}
		name, summary = fn, docSummary(def)
		for _, p := range def.Params {
			start, end := p.Span()
			label := text[byteOffset(text, start):byteOffset(text, end)]
			pname := label
			if i := strings.IndexAny(label, " ="); i >= 0 {
				pname = label[:i]
			}
			params = append(params, param{strings.TrimLeft(pname, "*"), label, ""})
		}
	}
	info := SignatureInformation{Label: name + "(", Parameters: []ParameterInformation{}}
	if summary != "" {
		info.Documentation = &MarkupContent{Kind: "plaintext", Value: summary}
	}
	for i, p := range params {
		if i > 0 {
			info.Label += ", "
		}
		start := utf16Len([]rune(info.Label))
		info.Label += p.label
		pi := ParameterInformation{Label: [2]int{start, utf16Len([]rune(info.Label))}}
		if p.doc != "" {
			pi.Documentation = &MarkupContent{Kind: "plaintext", Value: p.doc}
		}
		info.Parameters = append(info.Parameters, pi)
	}
	info.Label += ")"
	active := activeParam(d.text[lparen+1:off], params)
	return &SignatureHelp{Signatures: []SignatureInformation{info}, ActiveParameter: active}
}

// keywordArg matches the start of a keyword argument.
var keywordArg = regexp.MustCompile(`^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=($|[^=])`)

// activeParam returns the index of the parameter that the argument being
// written (the end of args, the text after a call's opening parenthesis)
// fills: the one it names, or the one at its place.
func activeParam(args string, params []param) int {
	depth, n, last := 0, 0, 0
	for i := 0; i < len(args); i++ {
		switch args[i] {
		case '(', '[', '{':
			depth++
		case ')', ']', '}':
			depth--
		case ',':
			if depth == 0 {
				n, last = n+1, i+1
			}
		case '"', '\'':
			q := args[i]
			for i++; i < len(args) && args[i] != q; i++ {
				if args[i] == '\\' {
					i++
				}
			}
		}
	}
	if m := keywordArg.FindStringSubmatch(args[last:]); m != nil {
		for i, p := range params {
			if p.name == m[1] {
				return i
			}
		}
		return len(params) // no such parameter: none is active
	}
	return n
}

// defOf returns the def statement of the function called name in d, or
// that a load of d binds to name, and the text of the file that holds it.
func (s *Server) defOf(d *document, name string) (*syntax.DefStmt, string) {
	path, text := d.path, d.text
	for range maxLoadDepth {
		f, err := parse(path, text)
		if err != nil {
			return nil, ""
		}
		next := ""
		for _, stmt := range f.Stmts {
			switch stmt := stmt.(type) {
			case *syntax.DefStmt:
				if stmt.Name.Name == name {
					return stmt, text
				}
			case *syntax.LoadStmt:
				for i, to := range stmt.To {
					if to.Name == name {
						if p, ok := s.resolveLoad(path, stmt.Module.Value.(string)); ok {
							next, name = p, stmt.From[i].Name
						}
					}
				}
			}
		}
		if next == "" {
			return nil, ""
		}
		var ok bool
		if text, ok = s.sourceOf(next); !ok {
			return nil, ""
		}
		path = next
	}
	return nil, ""
}

// docSummary returns the first line of a function's docstring.
func docSummary(def *syntax.DefStmt) string {
	first, _, _ := strings.Cut(docString(def), "\n")
	return first
}
