package doc

import (
	"fmt"
	"slices"
	"strings"

	"github.com/svccfg/svccfg/lib/eval"
	"github.com/svccfg/svccfg/lib/load"
	"go.starlark.net/starlarkstruct"
)

// A group is a set of standard library functions listed together: the
// predeclared functions, a predeclared module, or a file that
// configuration files load.
type group struct {
	title string   // "Predeclared functions", "Predeclared module kube"
	names []string // what `svccfg doc` accepts for it: "kube", "@stdlib//kube.star"
	file  string   // "@stdlib//kube.star"; "" for the predeclared functions
	doc   string   // the file's docstring
	funcs []*eval.Function
	// builtins are its functions defined in Go (struct, proto.merge,
	// json.encode), under their full names, listed after funcs.
	builtins []builtin
	load     bool // whether configuration files load it rather than have it predeclared
	proto    bool // whether it is the proto module
	// prelude is set for a config root's prelude, whose values, besides
	// its functions, are listed too.
	prelude bool
	values  []value
}

// makeGroups returns the standard library's functions by group: the
// predeclared functions, the predeclared modules and the loadable files,
// each sorted by name.
func (d *Docs) makeGroups() []*group {
	pre := d.std.Predeclared()
	fns := &group{title: "Predeclared functions", builtins: []builtin{structFunction}}
	var modules []*group
	seen := make(map[string]bool)     // files whose functions are predeclared
	for _, name := range pre.Keys() { // sorted
		switch v := pre[name].(type) {
		case *eval.Function:
			fns.funcs = append(fns.funcs, v)
			seen[v.Starlark().Position().Filename()] = true
		case *starlarkstruct.Module:
			file := load.StdlibPrefix + name + ".star"
			if _, ok := d.std.Module(file); ok {
				modules = append(modules, &group{
					title: "Predeclared module " + name,
					names: []string{name, file},
					file:  file,
					doc:   d.std.Doc(file),
					funcs: d.fileFunctions(file),
				})
				seen[file] = true
			}
		}
	}
	groups := append([]*group{fns}, modules...)
	groups = append(groups, &group{title: "Predeclared module proto", names: []string{"proto"}, doc: protoSummary,
		builtins: prefixed("proto", protoFunctions), proto: true})
	for _, m := range skycfgModules {
		groups = append(groups, &group{title: "Predeclared module " + m.name, names: []string{m.name}, doc: m.summary,
			builtins: prefixed(m.name, m.funcs)})
	}
	for _, file := range d.std.Files() {
		if !seen[file] {
			groups = append(groups, &group{
				title: "File " + file + ", loaded with load()",
				names: []string{file},
				load:  true,
				file:  file,
				doc:   d.std.Doc(file),
				funcs: d.fileFunctions(file),
			})
		}
	}
	return groups
}

// fileFunctions returns the public functions of a standard library file,
// sorted by name.
func (d *Docs) fileFunctions(file string) []*eval.Function {
	m, _ := d.std.Module(file)
	var fns []*eval.Function
	for _, name := range m.Keys() { // sorted
		if f, ok := m[name].(*eval.Function); ok {
			fns = append(fns, f)
		}
	}
	return fns
}

// function returns the standard library function called name, or nil.
func (d *Docs) function(name string) *eval.Function {
	if f := d.preludeFunction(name); f != nil {
		return f
	}
	for _, f := range d.std.Functions() {
		if f.Name() == name {
			return f
		}
	}
	return nil
}

// group returns the module or file called name, or nil.
func (d *Docs) group(name string) *group {
	for _, g := range d.groups {
		if slices.Contains(g.names, name) {
			return g
		}
	}
	return nil
}

// stdlibNames returns every name of a standard library function, module
// or file.
func (d *Docs) stdlibNames() []string {
	var names []string
	for _, g := range d.groups {
		names = append(names, g.names...)
		for _, f := range g.funcs {
			names = append(names, f.Name())
		}
		for _, f := range g.builtins {
			names = append(names, f.name)
		}
		for _, v := range g.values {
			names = append(names, v.name)
		}
	}
	return names
}

// loadStmt returns the load statement that makes f available, or "" if f
// is predeclared.
func (d *Docs) loadStmt(f *eval.Function) string {
	file := f.Starlark().Position().Filename()
	for _, g := range d.groups {
		if g.file == file && g.load {
			return fmt.Sprintf("load(%q, %q)", file, f.Name())
		}
	}
	return ""
}

// writeList writes the list of the standard library: every function under
// its group, with its docstring's summary.
func (d *Docs) writeList(b *strings.Builder) {
	groups := d.groups
	var rows [][2]string
	for _, g := range groups {
		for _, f := range g.funcs {
			rows = append(rows, [2]string{f.Name(), f.Signature().Summary})
		}
		for _, f := range g.builtins {
			rows = append(rows, [2]string{f.name, f.summary})
		}
		for _, v := range g.values {
			rows = append(rows, [2]string{v.name, "= " + v.repr})
		}
	}
	width := columnWidth(rows)
	row := func(name, summary string) { fmt.Fprintf(b, "  %-*s  %s\n", width, name, summary) }
	for i, g := range groups {
		if i > 0 {
			b.WriteString("\n")
		}
		if g.doc == "" {
			fmt.Fprintf(b, "%s:\n", g.title)
		} else {
			fmt.Fprintf(b, "%s - %s\n", g.title, firstLine(g.doc))
		}
		for _, f := range g.funcs {
			row(f.Name(), f.Signature().Summary)
		}
		for _, f := range g.builtins {
			row(f.name, f.summary)
		}
		for _, v := range g.values {
			row(v.name, "= "+v.repr)
		}
	}
	b.WriteString("\nTypes of parameters, besides Starlark's own:\n")
	for _, t := range stdlibTypes {
		row(t.name, t.doc)
	}
	b.WriteString("\nsvccfg doc NAME shows the parameters of a function, the functions of a module or\n" +
		"file, the types of a protobuf package (svccfg doc proto lists the packages) or\n" +
		"the fields of a message type.\n")
}

// writeFunction writes a function's signature, docstring and parameters.
func (d *Docs) writeFunction(b *strings.Builder, f *eval.Function) {
	sig := f.Signature()
	b.WriteString(signatureLine(sig) + "\n\n")
	b.WriteString(reflow(sig.Summary, "", lineWidth) + "\n")
	if sig.Doc != "" {
		b.WriteString("\n" + reflow(sig.Doc, "", lineWidth) + "\n")
	}
	if l := d.loadStmt(f); l != "" {
		fmt.Fprintf(b, "\nLoad it with %s.\n", l)
	}
	if d.preludeFunction(f.Name()) == f {
		d.writePreludeNote(b, f)
	}
	if len(sig.Params) == 0 {
		return
	}
	b.WriteString("\nParameters:\n")
	for _, p := range sig.Params {
		if p.Type == "" { // undocumented, in a prelude
			fmt.Fprintf(b, "  %s (%s)\n", p.Name, defaultText(p))
		} else {
			fmt.Fprintf(b, "  %s (%s, %s)\n", p.Name, p.Type, defaultText(p))
		}
		if p.Doc != "" {
			b.WriteString(reflow(p.Doc, "      ", lineWidth) + "\n")
		}
	}
}

// defaultText returns "required", or "default" and p's default value in
// Starlark syntax.
func defaultText(p eval.Param) string {
	if p.Default == "" {
		return "required"
	}
	return "default " + p.Default
}

// writeGroup writes a module's or file's docstring and its functions'
// summaries.
func (d *Docs) writeGroup(b *strings.Builder, g *group) {
	if g.prelude {
		d.writePrelude(b, g)
		return
	}
	if g.proto {
		d.writeProto(b)
		return
	}
	if g.file == "" {
		writeBuiltinModule(b, g)
		return
	}
	title := g.title
	if g.file != "" && !strings.Contains(title, g.file) {
		title += " (" + g.file + ")"
	}
	b.WriteString(title + "\n\n" + reflow(g.doc, "", lineWidth) + "\n")
	if g.load && len(g.funcs) > 0 {
		var names []string
		for _, f := range g.funcs {
			names = append(names, fmt.Sprintf("%q", f.Name()))
		}
		fmt.Fprintf(b, "\n    load(%q, %s)\n", g.file, strings.Join(names, ", "))
	}
	var rows [][2]string
	for _, f := range g.funcs {
		rows = append(rows, [2]string{f.Name(), f.Signature().Summary})
	}
	b.WriteString("\n")
	writeRows(b, rows)
}

// signatureLine returns a call of the function with every parameter, and
// its default value if any, wrapped after a comma when it grows too long.
func signatureLine(sig *eval.Signature) string {
	var parts []string
	for _, p := range sig.Params {
		if p.Default == "" {
			parts = append(parts, p.Name)
		} else {
			parts = append(parts, p.Name+" = "+p.Default)
		}
	}
	indent := strings.Repeat(" ", len(sig.Name)+1)
	var b strings.Builder
	line := sig.Name + "("
	for i, part := range parts {
		if i < len(parts)-1 {
			part += ","
		} else {
			part += ")"
		}
		if i > 0 {
			if len(line)+1+len(part) > lineWidth {
				b.WriteString(line + "\n")
				line = indent + part
				continue
			}
			line += " "
		}
		line += part
	}
	if len(parts) == 0 {
		line += ")"
	}
	return b.String() + line
}
