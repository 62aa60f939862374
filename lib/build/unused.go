package build

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/svccfg/svccfg/lib/diag"
	"github.com/svccfg/svccfg/lib/eval"
	"github.com/svccfg/svccfg/lib/load"
	"go.starlark.net/syntax"
)

// warnUnused warns, through opts.Warn, about the files of a directory walk
// (files, with whether Match selected each and its contents) that Match
// did not select and that look unused (see [Unused]): first against the
// other files of the walk, then, for those still unmentioned, against the
// other .star files of their config root.
func (f *finder) warnUnused(files []found, match []bool, srcs [][]byte) {
	var candidates []int
	for i := range files {
		if !match[i] && srcs[i] != nil && !mentioned(files[i].path, files, srcs) {
			candidates = append(candidates, i)
		}
	}
	others := make(map[string][]found) // the root's other files, read once
	otherSrcs := make(map[string][][]byte)
	for _, i := range candidates {
		file, root := files[i].path, files[i].root
		if _, ok := others[root]; !ok {
			others[root], otherSrcs[root] = f.rootSources(root, files)
		}
		if mentioned(file, others[root], otherSrcs[root]) {
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

// mentioned reports whether a file other than file among files (with
// contents srcs) loads file, or may: it mentions file's base name and
// either loads file or does not parse.
func mentioned(file string, files []found, srcs [][]byte) bool {
	name := []byte(filepath.Base(file))
	for i, other := range files {
		if other.path != file && bytes.Contains(srcs[i], name) && loads(other, srcs[i], file) {
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
