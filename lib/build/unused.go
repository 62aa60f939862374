package build

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/svccfg/svccfg/lib/diag"
	"github.com/svccfg/svccfg/lib/eval"
	"github.com/svccfg/svccfg/lib/load"
	"go.starlark.net/syntax"
)

// warnUnused warns, through opts.Warn, about the files of a directory walk
// (files, with whether Match selected each and its contents) that Match
// did not select and that look unused (see [Unused]): first against the
// other files of the walk, then, for those still unaccounted for, against
// the other .star files of their config root. A root's prelude is used.
func (f *finder) warnUnused(files []found, match []bool, srcs [][]byte) {
	var walk *mentions
	others := make(map[string]*mentions) // the roots' other files, read once
	preludes := make(map[string]string)  // root -> its prelude, which is used
	for i := range files {
		if match[i] || srcs[i] == nil {
			continue
		}
		root := files[i].root
		if _, ok := preludes[root]; !ok {
			preludes[root] = PreludeOf(root)
		}
		if files[i].path == preludes[root] {
			continue
		}
		if walk == nil {
			walk = newMentions(files, srcs)
		}
		file := files[i].path
		if walk.loaded(file) {
			continue
		}
		if others[root] == nil {
			others[root] = newMentions(f.rootSources(root, files))
		}
		if others[root].loaded(file) {
			continue
		}
		if w := Unused(file, srcs[i]); w != nil {
			f.opts.Warn(w)
		}
	}
}

// rootSources returns the .star files of the config root dir that are not
// among walked, with their contents (nil for a file it cannot read).
func (f *finder) rootSources(dir string, walked []found) ([]found, [][]byte) {
	in := make(map[string]bool, len(walked))
	for _, w := range walked {
		in[w.path] = true
	}
	files, _ := StarFiles(dir)
	var list []found
	var srcs [][]byte
	for _, file := range files {
		if in[file] {
			continue
		}
		src, err := f.root(dir).read(file[len(dir)+1:])
		if err != nil {
			src = nil
		}
		list = append(list, found{file, dir})
		srcs = append(srcs, src)
	}
	return list, srcs
}

// mentions indexes files by the .star base names that each mentions.
type mentions struct {
	files []found
	srcs  [][]byte
	by    map[string][]int // base name -> indexes of the files that mention it
}

func newMentions(files []found, srcs [][]byte) *mentions {
	m := &mentions{files: files, srcs: srcs, by: make(map[string][]int)}
	for i, src := range srcs {
		for _, name := range Mentions(src) {
			m.by[name] = append(m.by[name], i)
		}
	}
	return m
}

// loaded reports whether another of the files loads file, or may: it
// mentions file's base name and either loads file or does not parse.
func (m *mentions) loaded(file string) bool {
	for _, i := range m.by[filepath.Base(file)] {
		if m.files[i].path != file && loads(m.files[i], m.srcs[i], file) {
			return true
		}
	}
	return false
}

// loads reports whether the file f, with contents src, has a load
// statement of file, or does not parse.
func loads(f found, src []byte, file string) bool {
	syn, err := eval.Parse(f.path, src)
	if err != nil {
		return true
	}
	reader := &load.RootReader{Root: f.root}
	for _, stmt := range syn.Stmts {
		if l, ok := stmt.(*syntax.LoadStmt); ok {
			if p, err := reader.Resolve(context.Background(), l.ModuleName(), f.path); err == nil && p == file {
				return true
			}
		}
	}
	return false
}

// Unused returns the warning about a .star file, with source src, that a
// directory build skips because it defines no main function while no file
// loads it, or nil if it is a test file (NAME_test.star, or one that
// defines a test_ function) or does not parse (the build does not skip it
// then). The warning is at a function named like main, if the file defines
// one, with a suggestion.
func Unused(file string, src []byte) *diag.Error {
	if strings.HasSuffix(file, "_test.star") {
		return nil
	}
	f, err := eval.Parse(file, src)
	if err != nil {
		return nil
	}
	var names []string
	defs := make(map[string]*syntax.DefStmt)
	for _, stmt := range f.Stmts {
		if def, ok := stmt.(*syntax.DefStmt); ok {
			if strings.HasPrefix(def.Name.Name, "test_") {
				return nil
			}
			names = append(names, def.Name.Name)
			defs[def.Name.Name] = def
		}
	}
	w := &diag.Error{Pos: diag.Position{File: file, Line: 1, Col: 1},
		Msg: "warning: skipped: this file defines no main function, and no .star file loads it"}
	if near := diag.Nearest("main", names); near != "" {
		w.Pos = eval.Pos(defs[near].Name.NamePos)
		w.Msg += fmt.Sprintf(" (did you mean def main(ctx) instead of def %s?)", near)
	}
	return w
}

// Mentions returns the base names of the .star names in src, sorted: the
// names that a load statement in it may load, and more.
func Mentions(src []byte) []string {
	var names []string
	for i := 0; ; {
		j := bytes.Index(src[i:], starSuffix)
		if j < 0 {
			break
		}
		end := i + j + len(starSuffix)
		start := i + j
		for start > 0 && !bytes.ContainsRune(nameStops, rune(src[start-1])) {
			start--
		}
		if start < i+j {
			names = append(names, string(src[start:end]))
		}
		i = end
	}
	slices.Sort(names)
	return slices.Compact(names)
}

var (
	starSuffix = []byte(".star")
	// nameStops end a module name, leftwards from its ".star": a directory
	// separator or the start of the string literal.
	nameStops = []byte("/\"'\n")
)
