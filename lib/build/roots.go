package build

import (
	"cmp"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/svccfg/svccfg/internal/parallel"
	"github.com/svccfg/svccfg/lib/diag"
	"github.com/svccfg/svccfg/lib/eval"
	"github.com/svccfg/svccfg/lib/load"
)

// A Root is a config root and the configuration files under it that a
// build's PATHs name. A directory holding svccfg.yaml is the root of every
// file at or below it that no nearer svccfg.yaml claims; a file that no
// svccfg.yaml claims has its own directory as its root.
type Root struct {
	Dir       string   // absolute
	Config    *Config  // its svccfg.yaml; empty if it has none
	ConfigSet string   // the name of its config set
	Files     []string // absolute, in the order of a directory walk
	// Prelude is the absolute path of the prelude that its svccfg.yaml
	// names, or "": a .star file whose exported globals are predeclared in
	// every file of the root (but itself and the files it loads). It is
	// not a configuration file itself, and never one of Files.
	Prelude string
}

// FindOptions configures [Roots].
type FindOptions struct {
	// Cwd is the directory that relative PATHs are relative to.
	Cwd string
	// Match reports whether a .star file found in a directory PATH, with
	// source src, is one to build; a PATH that names a file is always
	// built. Nil matches every .star file.
	Match func(file string, src []byte) bool
	// Want names what Match looks for, as the error about a directory that
	// holds none says it: "no .star files with " + Want.
	Want string
	// Warn, if not nil, is called with a warning about each .star file in
	// a directory PATH that Match does not select and that looks unused:
	// no .star file under its config root mentions its name (as a load
	// statement would), and it is not a test file (see [Unused]).
	Warn func(*diag.Error)
	// Overlay, if not nil, holds .star files by absolute path that a PATH
	// may name although they are not on disk ([Options.Overlay]).
	Overlay map[string][]byte
}

// MainFiles are the [FindOptions] of svccfg build: configuration files
// define main.
var MainFiles = FindOptions{Match: eval.HasMain, Want: "a main function"}

// Roots returns the config roots of the files that paths name, sorted by
// directory, each with its svccfg.yaml and those of its files that the
// paths name. A path relative to opts.Cwd that names a file names just that
// file; one that names a directory names the *.star files under it that
// opts.Match selects, skipping hidden and testdata directories below it. A
// file named by several paths is listed once.
//
// A path that does not exist, or a directory with no file to build, is a
// [*PathError]; invalid svccfg.yaml files are a [diag.ErrorList] of
// positioned errors, one per root.
//
// Each root's files are read through one [os.Root] of its directory, which
// keeps the reads under it; the directories of a path are listed, and
// their files read, in parallel.
func Roots(paths []string, opts FindOptions) ([]Root, error) {
	f := &finder{opts: opts, roots: make(map[string]*rootFiles)}
	defer f.close()
	for _, p := range paths {
		if err := f.path(p); err != nil {
			return nil, err
		}
	}
	var roots []Root
	var errs diag.ErrorList
	for _, dir := range slices.SortedFunc(maps.Keys(f.roots), comparePaths) {
		r := f.roots[dir]
		if len(r.files) == 0 {
			continue // only files that no path selects
		}
		cfg, set, err := r.config()
		if err != nil {
			errs = appendError(errs, err)
			continue
		}
		prelude, err := r.prelude(cfg)
		if err != nil {
			errs = appendError(errs, err)
			continue
		}
		if len(r.files) == 0 {
			continue // only the prelude, found in a directory
		}
		slices.SortFunc(r.files, comparePaths)
		roots = append(roots, Root{Dir: dir, Config: cfg, ConfigSet: set, Files: r.files, Prelude: prelude})
	}
	if err := errs.Err(); err != nil {
		return nil, err
	}
	return roots, nil
}

// A finder collects the files that paths name, by config root.
type finder struct {
	opts  FindOptions
	roots map[string]*rootFiles // by directory
}

// rootFiles is a config root while its files are found.
type rootFiles struct {
	dir   string
	files []string
	seen  map[string]bool
	named map[string]string // files named by a PATH -> the PATH

	once sync.Once
	fs   *os.Root // dir, opened at the first read
	err  error
}

// path adds the files that the PATH p names.
func (f *finder) path(p string) error {
	abs := p
	if !filepath.IsAbs(abs) {
		abs = filepath.Join(f.opts.Cwd, p)
	}
	abs = filepath.Clean(abs)
	_, overlaid := f.opts.Overlay[abs]
	info, err := os.Stat(abs)
	if err != nil && !overlaid {
		return &PathError{Path: p, Err: unwrapPathError(err)}
	}
	if overlaid || !info.IsDir() {
		r := f.root(FindRoot(abs, false))
		r.add(abs)
		r.named[abs] = p
		return nil
	}
	found, err := walk(abs, ownerOf(abs), false)
	if err != nil {
		return fmt.Errorf("%s: %w", p, unwrapPathError(err))
	}
	roots := make([]*rootFiles, len(found))
	for i, file := range found {
		roots[i] = f.root(file.root)
	}
	match := make([]bool, len(found))
	srcs := make([][]byte, len(found))
	err = parallel.Do(len(found), 0, func(i int) error {
		var err error
		match[i], srcs[i], err = f.match(roots[i], found[i].path)
		return err
	})
	if err != nil {
		return fmt.Errorf("%s: %w", p, unwrapPathError(err))
	}
	if !slices.Contains(match, true) {
		return &PathError{Path: p, Err: errors.New("no .star files with " + f.opts.Want)}
	}
	for i, file := range found {
		if match[i] {
			roots[i].add(file.path)
		}
	}
	if f.opts.Warn != nil {
		f.warnUnused(found, match, srcs)
	}
	return nil
}

// match reports whether opts.Match selects the file under the root r, and
// returns the file's contents if it read them.
func (f *finder) match(r *rootFiles, file string) (bool, []byte, error) {
	if f.opts.Match == nil {
		return true, nil, nil
	}
	src, err := r.read(file[len(r.dir)+1:])
	if load.IsEscape(err) {
		return true, nil, nil // let the evaluation report it
	}
	if err != nil {
		return false, nil, &diag.Error{Pos: diag.Position{File: file}, Msg: unwrapPathError(err).Error()}
	}
	return f.opts.Match(file, src), src, nil
}

// root returns the config root with directory dir.
func (f *finder) root(dir string) *rootFiles {
	r, ok := f.roots[dir]
	if !ok {
		r = &rootFiles{dir: dir, seen: make(map[string]bool), named: make(map[string]string)}
		f.roots[dir] = r
	}
	return r
}

// close closes the roots opened.
func (f *finder) close() {
	for _, r := range f.roots {
		if r.fs != nil {
			r.fs.Close()
		}
	}
}

// add adds a file, unless it is there already.
func (r *rootFiles) add(file string) {
	if !r.seen[file] {
		r.seen[file] = true
		r.files = append(r.files, file)
	}
}

// read reads the file rel, relative to the root, through its os.Root.
func (r *rootFiles) read(rel string) ([]byte, error) {
	r.once.Do(func() { r.fs, r.err = os.OpenRoot(r.dir) })
	if r.err != nil {
		return nil, r.err
	}
	return r.fs.ReadFile(rel)
}

// config reads and checks the root's svccfg.yaml, if any, and returns it
// and the name of the root's config set.
func (r *rootFiles) config() (*Config, string, error) {
	path := filepath.Join(r.dir, ConfigFile)
	data, err := r.read(ConfigFile)
	var cfg *Config
	switch {
	case errors.Is(err, fs.ErrNotExist):
		cfg = &Config{}
	case load.IsEscape(err):
		return nil, "", &diag.Error{Pos: diag.Position{File: path}, Msg: "a symbolic link leads outside the config root"}
	case err != nil:
		return nil, "", &diag.Error{Pos: diag.Position{File: path}, Msg: unwrapPathError(err).Error()}
	default:
		if cfg, err = parseConfig(path, data); err != nil {
			return nil, "", err
		}
	}
	set, err := configSet(r.dir, cfg)
	return cfg, set, err
}

// prelude returns the absolute path of the prelude that cfg, the root's
// svccfg.yaml, names, or "", after checking that it is a file under the
// root (a symbolic link that leads outside it is refused, as load() refuses
// it), and takes it out of the root's files: a PATH that names it is an
// error, and a directory PATH skips it.
func (r *rootFiles) prelude(cfg *Config) (string, error) {
	rel := cfg.Prelude.Value
	if rel == "" {
		return "", nil
	}
	abs := filepath.Join(r.dir, filepath.FromSlash(rel))
	fail := func(msg string) error { return &diag.Error{Pos: cfg.Prelude.Pos, Msg: "prelude: " + msg} }
	info, err := os.Stat(abs)
	if err == nil && info.IsDir() {
		return "", fail(fmt.Sprintf("%q is a directory, want a .star file", rel))
	}
	if _, err := r.read(filepath.FromSlash(rel)); err != nil {
		err = unwrapPathError(err)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			return "", fail(fmt.Sprintf("no such file %q under the config root", rel))
		case load.IsEscape(err):
			return "", fail(fmt.Sprintf("%q: a symbolic link leads outside the config root", rel))
		}
		return "", fail(fmt.Sprintf("%q: %v", rel, err))
	}
	if p, ok := r.named[abs]; ok {
		return "", &PathError{Path: p, Err: fmt.Errorf("the prelude of its config root's %s, not a configuration file", ConfigFile)}
	}
	if r.seen[abs] {
		r.files = slices.DeleteFunc(r.files, func(f string) bool { return f == abs })
		delete(r.seen, abs)
	}
	return abs, nil
}

// PreludeOf returns the absolute path of the prelude that the svccfg.yaml
// of the config root dir names, or "" if it has none, or if svccfg.yaml
// cannot be read or is invalid (which a build of the root reports).
func PreludeOf(dir string) string {
	data, err := os.ReadFile(filepath.Join(dir, ConfigFile))
	if err != nil {
		return ""
	}
	cfg, err := parseConfig(filepath.Join(dir, ConfigFile), data)
	if err != nil || cfg.Prelude.Value == "" {
		return ""
	}
	return filepath.Join(dir, filepath.FromSlash(cfg.Prelude.Value))
}

// StarFiles returns the .star files that belong to the config root dir, in
// the order of a directory walk: those under it, outside hidden and
// testdata directories, that no other root claims (see [Root]).
func StarFiles(dir string) ([]string, error) {
	found, err := walk(dir, ownerOf(dir), true)
	var files []string
	for _, f := range found {
		files = append(files, f.path)
	}
	return files, err
}

// A found file is a .star file of a directory walk and its config root.
type found struct{ path, root string }

// ownerOf returns the directory of the svccfg.yaml at or above dir, or ""
// if there is none.
func ownerOf(dir string) string {
	if root := FindRoot(dir, true); hasConfig(root) {
		return root
	}
	return ""
}

// walk returns the .star files under dir, sorted in walk order, skipping
// hidden and testdata directories below dir, each with its config root: the
// nearest directory holding svccfg.yaml, starting with owner (the one at
// or above dir, or "" if none), or else the file's own directory. If only
// is set, it returns only the files of dir's own root. Directories are
// listed in parallel, one level at a time.
func walk(dir, owner string, only bool) ([]found, error) {
	type level struct{ dir, owner string }
	var files []found
	for dirs := []level{{dir, owner}}; len(dirs) > 0; {
		entries := make([][]fs.DirEntry, len(dirs))
		err := parallel.Do(len(dirs), 0, func(i int) error {
			var err error
			entries[i], err = os.ReadDir(dirs[i].dir)
			return err
		})
		if err != nil {
			return nil, err
		}
		var next []level
		for i, d := range dirs {
			if slices.ContainsFunc(entries[i], isConfigEntry) {
				if only && d.dir != dir {
					continue // another config root
				}
				d.owner = d.dir
			}
			if only && d.owner == "" && d.dir != dir {
				continue // its own config root
			}
			root := cmp.Or(d.owner, d.dir)
			for _, e := range entries[i] {
				name := e.Name()
				switch {
				case e.IsDir() && !strings.HasPrefix(name, ".") && name != "testdata":
					next = append(next, level{filepath.Join(d.dir, name), d.owner})
				case !e.IsDir() && strings.HasSuffix(name, ".star"):
					files = append(files, found{filepath.Join(d.dir, name), root})
				}
			}
		}
		dirs = next
	}
	slices.SortFunc(files, func(a, b found) int { return comparePaths(a.path, b.path) })
	return files, nil
}

// isConfigEntry reports whether a directory entry is a svccfg.yaml file.
func isConfigEntry(e fs.DirEntry) bool { return e.Name() == ConfigFile && !e.IsDir() }

// hasConfig reports whether dir holds svccfg.yaml.
func hasConfig(dir string) bool {
	info, err := os.Stat(filepath.Join(dir, ConfigFile))
	return err == nil && !info.IsDir()
}

// comparePaths orders paths as a directory walk visits them: element by
// element, so that "a/b.star" comes before "a.star".
func comparePaths(a, b string) int {
	for a != "" && b != "" {
		x, restA, _ := strings.Cut(a, string(filepath.Separator))
		y, restB, _ := strings.Cut(b, string(filepath.Separator))
		if c := strings.Compare(x, y); c != 0 {
			return c
		}
		a, b = restA, restB
	}
	return strings.Compare(a, b)
}

// NewEvaluator returns an evaluator of the files under a config root, with
// the variables of the root's svccfg.yaml overridden by opts.Vars and the
// limits of opts.
func NewEvaluator(std *eval.Stdlib, root Root, opts Options) *eval.Evaluator {
	return eval.New(std, root.Dir, eval.Options{
		Vars:    vars(root.Config, opts.Vars),
		Prelude: root.Prelude,
		// Where svccfg.yaml names it, for its errors.
		PreludeFrom: root.Config.Prelude.Pos,
		MaxSteps:    opts.MaxSteps,
		Timeout:     opts.Timeout,
		Cwd:         opts.Cwd,
		Overlay:     opts.Overlay,
	})
}
