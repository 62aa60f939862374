package lint

import (
	"context"
	"errors"
	"io/fs"
	"maps"
	"path/filepath"
	"slices"
	"strings"

	"github.com/svccfg/svccfg/internal/parallel"
	"github.com/svccfg/svccfg/lib/build"
	"github.com/svccfg/svccfg/lib/eval"
	"github.com/svccfg/svccfg/lib/load"
	"go.starlark.net/syntax"
)

// ChangedOptions configures [Changed].
type ChangedOptions struct {
	// Cwd is the directory that relative paths are relative to.
	Cwd string
	// CacheDir, if not empty, holds an index of the .star file names that
	// each file mentions, so that a later call stats the files of the tree
	// rather than reading them.
	CacheDir string
}

// Changed returns the configuration files to lint after a change to files,
// as a pre-commit hook passes them: each that is a .star file defining main,
// and every configuration file under the same config root whose load graph
// reaches one of them, directly or through other modules. A file that no
// longer exists is not linted, but the files that load it are. Other files,
// and files in hidden or testdata directories (which a directory build
// skips), are left out without an error. A change to the config root's
// prelude (see [build.Root]), or to a file it loads, changes every
// configuration file of the root. The result is absolute and sorted.
//
// The tree is not evaluated: Changed reads every .star file under the
// config root in parallel (or, with an index, only those whose size, times
// or inode changed), notes the .star names each mentions, and parses only
// the files that mention the base name of a file already known to be
// affected.
func Changed(files []string, opts ChangedOptions) ([]string, error) {
	byRoot := make(map[string][]string)
	for _, f := range files {
		if !strings.HasSuffix(f, ".star") {
			continue
		}
		if !filepath.IsAbs(f) {
			f = filepath.Join(opts.Cwd, f)
		}
		f = filepath.Clean(f)
		root := build.FindRoot(f, false)
		if !skipped(root, f) {
			byRoot[root] = append(byRoot[root], f)
		}
	}
	var configs []string
	for _, root := range slices.Sorted(maps.Keys(byRoot)) {
		ix := openIndex(opts.CacheDir, root)
		t, err := readTree(root, ix)
		if err != nil {
			return nil, err
		}
		t.prelude = build.PreludeOf(root)
		configs = append(configs, t.configs(byRoot[root])...)
		ix.save(t)
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
	root    string
	reader  *load.RootReader
	files   []*treeFile
	prelude string // of the root's svccfg.yaml, or ""
}

// A treeFile is a .star file of a tree.
type treeFile struct {
	path     string
	rel      string   // slash-separated, relative to the root
	key      fileKey  // its stat when it was read; zero if unknown
	mentions []string // base names of the .star names in it, sorted
	src      []byte   // nil until read
	indexed  bool     // mentions came from the index
	gone     bool     // it no longer exists

	parsed bool
	loads  []string // canonical names
	main   bool
	broken bool // a syntax error: it may load anything it mentions
}

// readTree lists the .star files of the config root (as a build walks
// them: skipping hidden and testdata directories and other config roots
// below it), and notes what each mentions: from the index if its entry is
// current, or else by reading it. Files are read in parallel.
func readTree(root string, ix *index) (*tree, error) {
	t := &tree{root: root, reader: &load.RootReader{Root: root}}
	paths, err := build.StarFiles(root)
	if err != nil {
		return nil, err
	}
	for _, p := range paths {
		t.files = append(t.files, &treeFile{path: p, rel: filepath.ToSlash(p[len(root)+1:])})
	}
	err = parallel.Do(len(t.files), 0, func(i int) error {
		f := t.files[i]
		f.key = statFile(f.path)
		if mentions, ok := ix.lookup(f.rel, f.key); ok {
			f.mentions, f.indexed = mentions, true
			return nil
		}
		if err := f.read(); err != nil {
			return err
		}
		f.mentions = mentionsOf(f.src)
		return nil
	})
	return t, err
}

// read reads the file, unless it was read already.
func (f *treeFile) read() error {
	if f.src != nil || f.gone {
		return nil
	}
	data, err := readFile(f.path)
	if errors.Is(err, fs.ErrNotExist) {
		f.gone = true
		return nil
	}
	f.src = data
	return err
}

// parse parses f, reading it first if needed, and notes what it loads and
// whether it defines main.
func (t *tree) parse(f *treeFile) *treeFile {
	if f.parsed {
		return f
	}
	f.parsed = true
	if f.read() != nil || f.gone {
		return f
	}
	syn, err := eval.ParseFile(f.path, f.src)
	if err != nil {
		f.main, f.broken = true, true // let the build report the syntax error
		return f
	}
	f.main = eval.DefinesMain(syn)
	for _, stmt := range syn.Stmts {
		if l, ok := stmt.(*syntax.LoadStmt); ok {
			if name, err := t.reader.Resolve(context.Background(), l.ModuleName(), f.path); err == nil {
				f.loads = append(f.loads, name)
			}
		}
	}
	return f
}

// configs returns the files of t that define main and are, or load
// (transitively), one of changed; or every one of them if the root's
// prelude, which each of them sees, is or loads one of changed.
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
		for _, f := range t.files {
			if affected[f.path] || !slices.ContainsFunc(f.mentions, func(m string) bool { return names[m] }) {
				continue
			}
			if f := t.parse(f); f.broken || slices.ContainsFunc(f.loads, func(l string) bool { return in[l] }) {
				affected[f.path] = true
				next = append(next, f.path)
			}
		}
		frontier = next
	}
	all := t.prelude != "" && affected[t.prelude]
	var configs []string
	for _, f := range t.files {
		if (all || affected[f.path]) && f.path != t.prelude && t.parse(f).main && !f.gone {
			configs = append(configs, f.path)
		}
	}
	return configs
}

// mentionsOf returns the base names of the .star names in src, sorted
// (see [build.Mentions]).
func mentionsOf(src []byte) []string { return build.Mentions(src) }
