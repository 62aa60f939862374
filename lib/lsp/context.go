package lsp

import (
	"fmt"
	"io/fs"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/svccfg/svccfg/lib/doc"
	"github.com/svccfg/svccfg/lib/load"
	"github.com/svccfg/svccfg/lib/starproto"
	"go.starlark.net/syntax"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// An opening is an open bracket around the cursor, with the name that
// leads to it: the function a '(' calls, or the keyword argument or dict
// key whose value a '[' or '{' starts ("" for a list element).
type opening struct {
	bracket byte
	name    string
}

// keyBefore matches the end of `name =` or `"name":` before a bracket or a
// string value.
var keyBefore = regexp.MustCompile(`(?:([A-Za-z_][A-Za-z0-9_]*)\s*=|"([A-Za-z_][A-Za-z0-9_]*)"\s*:)\s*$`)

// openings returns the open brackets around the byte offset off of text,
// outermost first, back to the start of the top-level statement.
func openings(text string, off int) []opening {
	var out []opening
	for _, i := range scanTo(text, off).brackets {
		o := opening{bracket: text[i]}
		if o.bracket == '(' {
			o.name, _, _ = wordAt(text, i)
		} else if m := keyBefore.FindStringSubmatch(text[max(0, i-200):i]); m != nil {
			o.name = m[1] + m[2]
		}
		out = append(out, o)
	}
	return out
}

// messageAt returns the message type that the innermost bracket around off
// stands for: a message constructor's call, or a dict literal that a field
// of a message takes (skycfg converts it to the field's type), as deep as
// the fields lead; nil if none does.
func (s *Server) messageAt(d *document, off int) protoreflect.MessageDescriptor {
	var cur protoreflect.MessageDescriptor
	var elem protoreflect.MessageDescriptor // of the list or map value just opened
	for _, o := range openings(d.text, off) {
		switch o.bracket {
		case '(':
			cur, elem = nil, nil
			if mt, ok := s.resolve(d, o.name).(*starproto.MessageType); ok {
				cur = mt.Descriptor()
			}
		case '[', '{':
			next := elem
			elem = nil
			if o.name != "" && cur != nil {
				next = nil
				if fd := cur.Fields().ByName(protoreflect.Name(o.name)); fd != nil {
					switch {
					case fd.IsMap():
						if o.bracket == '{' && fd.MapValue().Message() != nil {
							elem = fd.MapValue().Message()
						}
					case fd.Message() != nil && fd.IsList():
						if o.bracket == '[' {
							elem = fd.Message()
						}
					case fd.Message() != nil && o.bracket == '{':
						next = fd.Message()
					}
				}
			}
			cur = next
		}
	}
	return cur
}

// inString returns whether the byte offset off is inside a string literal,
// and where that string starts.
func inString(text string, off int) (bool, int) {
	sc := scanTo(text, off)
	return sc.str >= 0, sc.str
}

// fieldItems returns the completions of the fields of md that start with
// prefix; quoted, as the keys of a dict literal, they insert `"name": `.
func fieldItems(md protoreflect.MessageDescriptor, prefix string, dictKey bool) []CompletionItem {
	var items []CompletionItem
	fields := md.Fields()
	for i := range fields.Len() {
		fd := fields.Get(i)
		name := string(fd.Name())
		if !strings.HasPrefix(name, prefix) {
			continue
		}
		it := CompletionItem{Label: name, Kind: KindField, Detail: doc.FieldType(fd)}
		if dictKey {
			it.InsertText = `"` + name + `": `
		}
		items = append(items, it)
	}
	return items
}

// enumField returns the enum field of a message whose string value starts
// at quote in d (its opening quote), or nil.
func (s *Server) enumField(d *document, quote int) protoreflect.FieldDescriptor {
	m := keyBefore.FindStringSubmatch(d.text[max(0, quote-200):quote])
	if m == nil {
		return nil
	}
	md := s.messageAt(d, quote)
	if md == nil {
		return nil
	}
	fd := md.Fields().ByName(protoreflect.Name(m[1] + m[2]))
	if fd == nil || fd.Enum() == nil {
		return nil
	}
	return fd
}

// enumItems returns the values of the enum field whose string value starts
// at quote in d, starting with prefix.
func (s *Server) enumItems(d *document, quote int, prefix string) []CompletionItem {
	fd := s.enumField(d, quote)
	if fd == nil {
		return nil
	}
	var items []CompletionItem
	values := fd.Enum().Values()
	for i := range values.Len() {
		if name := string(values.Get(i).Name()); strings.HasPrefix(name, prefix) {
			items = append(items, CompletionItem{Label: name, Kind: KindEnumMember, Detail: string(fd.Enum().FullName())})
		}
	}
	return items
}

// stringDoc returns the documentation of the string literal around off
// in d, whose opening quote is at quote: the field that a dict literal's
// key names, for a dict that stands for a message, or the enum value that
// the value of an enum field names.
func (s *Server) stringDoc(d *document, off, quote int) string {
	end := off
	for end < len(d.text) && d.text[end] != d.text[quote] && d.text[end] != '\n' {
		end++
	}
	word := d.text[quote+1 : end]
	if strings.HasPrefix(strings.TrimLeft(d.text[min(end+1, len(d.text)):], " \t"), ":") && isDict(d.text, quote) {
		if md := s.messageAt(d, quote); md != nil {
			if fd := md.Fields().ByName(protoreflect.Name(word)); fd != nil {
				return s.docs.Field(fd)
			}
		}
		return ""
	}
	fd := s.enumField(d, quote)
	if fd == nil {
		return ""
	}
	v := fd.Enum().Values().ByName(protoreflect.Name(word))
	if v == nil {
		return ""
	}
	text := fmt.Sprintf("%s = %d\n", v.FullName(), v.Number())
	if c := s.docs.Comment(v.FullName()); c != "" {
		text += "\n" + c + "\n"
	}
	return text + "\n" + s.docs.Field(fd)
}

// assignedCall matches an assignment of a call's result: `x = f(`.
var assignedCall = regexp.MustCompile(`(?m)^[ \t]*([A-Za-z_][A-Za-z0-9_]*)[ \t]*=[ \t]*([A-Za-z_][A-Za-z0-9_.]*)\(`)

// messageOf returns the message type of the value that a dotted name
// stands for before the byte offset off of d: a name last assigned a
// message constructor's result (c = core.Container(...)), and its message
// fields after it (c.resources); nil if the syntax does not tell.
func (s *Server) messageOf(d *document, dotted string, off int) protoreflect.MessageDescriptor {
	parts := strings.Split(dotted, ".")
	var md protoreflect.MessageDescriptor
	for _, m := range assignedCall.FindAllStringSubmatchIndex(d.text[:off], -1) {
		if d.text[m[2]:m[3]] == parts[0] {
			md = nil
			if mt, ok := s.resolve(d, d.text[m[4]:m[5]]).(*starproto.MessageType); ok {
				md = mt.Descriptor()
			}
		}
	}
	for _, name := range parts[1:] {
		if md == nil {
			return nil
		}
		fd := md.Fields().ByName(protoreflect.Name(name))
		if fd == nil || fd.Message() == nil || fd.IsList() || fd.IsMap() {
			return nil
		}
		md = fd.Message()
	}
	return md
}

// loadModule matches an unfinished load statement up to its module string,
// and what follows it.
var loadModule = regexp.MustCompile(`(?s)\bload\(\s*"([^"\n]*)("?)([^)]*)$`)

// loadItems returns the completions inside a load statement at off: the
// module paths that can be loaded while the module string is written, then
// the names that module exports; ok is false outside a load.
func (s *Server) loadItems(d *document, off int) (items []CompletionItem, ok bool) {
	start := max(0, off-2000)
	m := loadModule.FindStringSubmatchIndex(d.text[start:off])
	if m == nil {
		return nil, false
	}
	module := d.text[start+m[2] : start+m[3]]
	if m[5] == m[4] { // the module string is still open
		r := Range{Start: position(d.text, start+m[2]), End: position(d.text, off)}
		for _, p := range s.loadablePaths(d.path) {
			if strings.HasPrefix(p, module) {
				items = append(items, CompletionItem{Label: p, Kind: KindFile, TextEdit: &TextEdit{Range: r, NewText: p}})
			}
		}
		return items, true
	}
	in, quote := inString(d.text, off)
	if !in {
		return []CompletionItem{}, true
	}
	prefix := d.text[quote+1 : off]
	path, ok := s.resolveLoad(d.path, module)
	if !ok {
		return []CompletionItem{}, true
	}
	for _, name := range s.exported(path) {
		if strings.HasPrefix(name, prefix) {
			items = append(items, CompletionItem{Label: name, Kind: KindVariable, Detail: module})
		}
	}
	return items, true
}

// maxLoadable bounds the files of a config root that load completion lists.
const maxLoadable = 1000

// loadablePaths returns the modules that a load() in file can name: the
// public standard library files, the .star files of its config root as
// //paths, and those under file's directory as relative paths.
func (s *Server) loadablePaths(file string) []string {
	paths := slices.Clone(s.std.Files())
	root, dir := s.rootOf(file), filepath.Dir(file)
	n := 0
	filepath.WalkDir(root, func(p string, e fs.DirEntry, err error) error {
		if err != nil || n >= maxLoadable {
			return filepath.SkipDir
		}
		if e.IsDir() {
			if p != root && (strings.HasPrefix(e.Name(), ".") || e.Name() == "testdata") {
				return filepath.SkipDir
			}
			return nil
		}
		if filepath.Ext(p) != ".star" || p == file {
			return nil
		}
		n++
		if rel, err := filepath.Rel(root, p); err == nil {
			paths = append(paths, "//"+filepath.ToSlash(rel))
		}
		if rel, err := filepath.Rel(dir, p); err == nil && !strings.HasPrefix(rel, "..") {
			paths = append(paths, filepath.ToSlash(rel))
		}
		return nil
	})
	slices.Sort(paths)
	return slices.Compact(paths)
}

// exported returns the names that a load of the module at path can bind:
// a standard library file's public functions, or a file's public
// top-level definitions.
func (s *Server) exported(path string) []string {
	var names []string
	if strings.HasPrefix(path, load.StdlibPrefix) {
		m, _ := s.std.Module(path)
		for name := range m {
			names = append(names, name)
		}
		slices.Sort(names)
		return names
	}
	text, ok := s.sourceOf(path)
	if !ok {
		return nil
	}
	f, err := parse(path, text)
	if err != nil {
		return nil
	}
	for _, stmt := range f.Stmts {
		switch stmt := stmt.(type) {
		case *syntax.DefStmt:
			names = append(names, stmt.Name.Name)
		case *syntax.AssignStmt:
			if id, ok := stmt.LHS.(*syntax.Ident); ok {
				names = append(names, id.Name)
			}
		}
	}
	names = slices.DeleteFunc(names, func(n string) bool { return strings.HasPrefix(n, "_") })
	slices.Sort(names)
	return slices.Compact(names)
}
