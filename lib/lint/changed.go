package lint

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/svccfg/svccfg/internal/parallel"
	"github.com/svccfg/svccfg/lib/build"
	"github.com/svccfg/svccfg/lib/eval"
	"github.com/svccfg/svccfg/lib/load"
	"go.starlark.net/syntax"
)

// Changed returns the configuration files to lint after a change to files
// (absolute or relative to cwd), as a pre-commit hook passes them: each
// that is a .star file defining main, and every configuration file under
// the same config root whose load graph reaches one of them, directly or
// through other modules. A file that no longer exists is not linted, but
// the files that load it are. Other files, and files in hidden or testdata
// directories (which a directory build skips), are left out without an
// error. The result is absolute and sorted.
//
// The tree is not evaluated: Changed reads every .star file under the
// config root in parallel, and parses only those whose bytes mention the
// base name of a file already known to be affected.
func Changed(files []string, cwd string) ([]string, error) {
	byRoot := make(map[string][]string)
	for _, f := range files {
		if !strings.HasSuffix(f, ".star") {
			continue
		}
		if !filepath.IsAbs(f) {
			f = filepath.Join(cwd, f)
		}
		f = filepath.Clean(f)
		root := build.FindRoot(f, false)
		if !skipped(root, f) {
			byRoot[root] = append(byRoot[root], f)
		}
	}
	var configs []string
	for root, changed := range byRoot {
		t, err := readTree(root)
		if err != nil {
			return nil, err
		}
		configs = append(configs, t.configs(changed)...)
	}
	slices.Sort(configs)
	return slices.Compact(configs), nil
}

// skipped reports whether file lies in a hidden or testdata directory
// under root.
func skipped(root, file string) bool {
	rel, err := filepath.Rel(root, filepath.Dir(file))
	if err != nil {
		return false
	}
	for _, dir := range strings.Split(rel, string(filepath.Separator)) {
		if dir == "testdata" || strings.HasPrefix(dir, ".") && dir != "." && dir != ".." {
			return true
		}
	}
	return false
}

// A tree is the .star files under a config root.
type tree struct {
	reader *load.RootReader
	paths  []string
	srcs   [][]byte
	files  map[string]*treeFile // parsed, by path
}

// A treeFile is what a tree's file loads and whether it defines main.
type treeFile struct {
	loads  []string // canonical names
	main   bool
	broken bool // a syntax error: it may load anything it mentions
}

// readTree reads every .star file under root, skipping hidden and testdata
// directories and other config roots below it. Directories are listed, and
// files read, in parallel.
func readTree(root string) (*tree, error) {
	t := &tree{reader: &load.RootReader{Root: root}, files: make(map[string]*treeFile)}
	for dirs := []string{root}; len(dirs) > 0; {
		entries := make([][]fs.DirEntry, len(dirs))
		err := parallel.Do(len(dirs), 0, func(i int) error {
			var err error
			entries[i], err = os.ReadDir(dirs[i])
			return err
		})
		if err != nil {
			return nil, err
		}
		var next []string
		for i, dir := range dirs {
			if dir != root && slices.ContainsFunc(entries[i], func(e fs.DirEntry) bool { return e.Name() == build.ConfigFile }) {
				continue // another config root
			}
			for _, e := range entries[i] {
				name := e.Name()
				switch {
				case e.IsDir() && !strings.HasPrefix(name, ".") && name != "testdata":
					next = append(next, filepath.Join(dir, name))
				case !e.IsDir() && strings.HasSuffix(name, ".star"):
					t.paths = append(t.paths, filepath.Join(dir, name))
				}
			}
		}
		dirs = next
	}
	t.srcs = make([][]byte, len(t.paths))
	err := parallel.Do(len(t.paths), 0, func(i int) error {
		data, err := readFile(t.paths[i])
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		t.srcs[i] = data
		return nil
	})
	return t, err
}

// file returns the parsed file at index i.
func (t *tree) file(i int) *treeFile {
	p := t.paths[i]
	if f, ok := t.files[p]; ok {
		return f
	}
	tf := &treeFile{}
	t.files[p] = tf
	f, err := eval.ParseFile(p, t.srcs[i])
	if err != nil {
		tf.main, tf.broken = true, true // let the build report the syntax error
		return tf
	}
	tf.main = eval.DefinesMain(f)
	for _, stmt := range f.Stmts {
		if l, ok := stmt.(*syntax.LoadStmt); ok {
			if name, err := t.reader.Resolve(context.Background(), l.ModuleName(), p); err == nil {
				tf.loads = append(tf.loads, name)
			}
		}
	}
	return tf
}

// configs returns the files of t that define main and are, or load
// (transitively), one of changed.
func (t *tree) configs(changed []string) []string {
	affected := make(map[string]bool)
	for _, c := range changed {
		affected[c] = true
	}
	for frontier := changed; len(frontier) > 0; {
		in := make(map[string]bool, len(frontier))
		names := make(map[string]bool)
		for _, f := range frontier {
			in[f] = true
			names[filepath.Base(f)] = true
		}
		var next []string
		for i, p := range t.paths {
			if affected[p] || !mentions(t.srcs[i], names) {
				continue
			}
			if f := t.file(i); f.broken || slices.ContainsFunc(f.loads, func(l string) bool { return in[l] }) {
				affected[p] = true
				next = append(next, p)
			}
		}
		frontier = next
	}
	var configs []string
	for i, p := range t.paths {
		if affected[p] && t.srcs[i] != nil && t.file(i).main {
			configs = append(configs, p)
		}
	}
	return configs
}

// mentions reports whether src contains one of names.
func mentions(src []byte, names map[string]bool) bool {
	for n := range names {
		if bytes.Contains(src, []byte(n)) {
			return true
		}
	}
	return false
}
