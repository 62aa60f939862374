package doc

import (
	"fmt"
	"strings"

	"github.com/svccfg/svccfg/lib/eval"
	"go.starlark.net/starlark"
)

// A Prelude is a config root's prelude as `svccfg doc` documents it, run
// inside the root: the functions and values that the platform team
// predeclares in the root's configuration files.
type Prelude struct {
	// Name is the prelude's file as the reader knows it: its path
	// relative to the working directory.
	Name string
	// Doc is its docstring, the string literal that starts it, or "".
	Doc string
	// Globals are its exported globals, sorted by name.
	Globals []eval.PreludeGlobal
}

// A value is a prelude global that is not a function, as the list shows it.
type value struct{ name, repr string }

// maxRepr bounds the text of a value in the list.
const maxRepr = 60

// AddPrelude adds the exported globals of a config root's prelude to the
// documentation, listed first: svccfg doc lists them under the prelude, and
// svccfg doc NAME (or "prelude") shows one of them (or all). A prelude
// function hides a standard library function of the same name that
// configuration files load, as it does in the files.
func (d *Docs) AddPrelude(p Prelude) {
	g := &group{title: "Prelude " + p.Name + ", predeclared in this config root", names: []string{"prelude", p.Name}, doc: p.Doc, prelude: true}
	for _, gl := range p.Globals {
		switch v := gl.Value.(type) {
		case *starlark.Function:
			g.funcs = append(g.funcs, eval.DescribeFunction(gl.Name, v))
		case *eval.Function:
			g.funcs = append(g.funcs, eval.DescribeFunction(gl.Name, v.Starlark()))
		default:
			repr := v.String()
			if len(repr) > maxRepr {
				repr = repr[:maxRepr-3] + "..."
			}
			g.values = append(g.values, value{gl.Name, repr})
		}
	}
	d.groups = append([]*group{g}, d.groups...)
	d.prelude = g
}

// preludeFunction returns the prelude's function called name, or nil.
func (d *Docs) preludeFunction(name string) *eval.Function {
	if d.prelude == nil {
		return nil
	}
	for _, f := range d.prelude.funcs {
		if f.Name() == name {
			return f
		}
	}
	return nil
}

// preludeValue returns the prelude's value called name.
func (d *Docs) preludeValue(name string) (value, bool) {
	if d.prelude != nil {
		for _, v := range d.prelude.values {
			if v.name == name {
				return v, true
			}
		}
	}
	return value{}, false
}

// writePreludeNote writes where a prelude function comes from, and which
// standard library function of the same name it hides.
func (d *Docs) writePreludeNote(b *strings.Builder, f *eval.Function) {
	note := fmt.Sprintf("Predeclared in this config root by its prelude, %s.", d.prelude.names[1])
	for _, g := range d.groups {
		if g.prelude || !g.load {
			continue
		}
		for _, sf := range g.funcs {
			if sf.Name() == f.Name() {
				note += fmt.Sprintf(" The standard library's %s, in %s, is another function: svccfg doc %s.", f.Name(), g.file, g.file)
			}
		}
	}
	b.WriteString("\n" + reflow(note, "", lineWidth) + "\n")
}

// writeValue writes a prelude value.
func (d *Docs) writeValue(b *strings.Builder, v value) {
	fmt.Fprintf(b, "%s = %s\n\nA value predeclared in this config root by its prelude, %s.\n", v.name, v.repr, d.prelude.names[1])
}

// writePrelude writes the prelude's docstring and its globals' summaries.
func (d *Docs) writePrelude(b *strings.Builder, g *group) {
	b.WriteString(g.title + "\n")
	if g.doc != "" {
		b.WriteString("\n" + reflow(g.doc, "", lineWidth) + "\n")
	}
	b.WriteString("\n")
	writeRows(b, preludeRows(g))
}

// preludeRows returns the rows of a prelude's list: each function with its
// summary, then each value.
func preludeRows(g *group) [][2]string {
	var rows [][2]string
	for _, f := range g.funcs {
		rows = append(rows, [2]string{f.Name(), f.Signature().Summary})
	}
	for _, v := range g.values {
		rows = append(rows, [2]string{v.name, "= " + v.repr})
	}
	return rows
}

// isPreludeValue reports whether name is a value of the prelude.
func (d *Docs) isPreludeValue(name string) bool {
	_, ok := d.preludeValue(name)
	return ok
}
