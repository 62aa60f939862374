package build

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/svccfg/svccfg/lib/eval"
)

// Find returns the files that path names, as absolute paths, and their
// config root. A path relative to cwd that names a file names just that
// file; one that names a directory names the *.star files under it for which
// match reports true, in lexical order, skipping hidden and testdata
// directories below it. A path that does not exist is a [*PathError].
func Find(path, cwd string, match func(file string, src []byte) bool) (files []string, root string, err error) {
	abs := path
	if !filepath.IsAbs(abs) {
		abs = filepath.Join(cwd, path)
	}
	abs = filepath.Clean(abs)
	info, err := os.Stat(abs)
	if err != nil {
		return nil, "", &PathError{Path: path, Err: unwrapPathError(err)}
	}
	root = FindRoot(abs, info.IsDir())
	if !info.IsDir() {
		return []string{abs}, root, nil
	}
	err = filepath.WalkDir(abs, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && p != abs && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(p, ".star") {
			return nil
		}
		src, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if match(p, src) {
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		return nil, "", fmt.Errorf("%s: %w", path, unwrapPathError(err))
	}
	return files, root, nil
}

// NewEvaluator returns an evaluator of the files under a config root, with
// the variables of the root's svccfg.yaml overridden by opts.Vars and the
// limits of opts, and the name of the root's config set.
func NewEvaluator(std *eval.Stdlib, root string, opts Options) (*eval.Evaluator, string, error) {
	ev, set, _, err := newEvaluator(std, root, opts)
	return ev, set, err
}

// newEvaluator is [NewEvaluator], also returning root's svccfg.yaml.
func newEvaluator(std *eval.Stdlib, root string, opts Options) (*eval.Evaluator, string, *Config, error) {
	cfg, err := readConfig(root)
	if err != nil {
		return nil, "", nil, err
	}
	set, err := configSet(root, cfg)
	if err != nil {
		return nil, "", nil, err
	}
	ev := eval.New(std, root, eval.Options{
		Vars:     vars(cfg, opts.Vars),
		MaxSteps: opts.MaxSteps,
		Timeout:  opts.Timeout,
		Cwd:      opts.Cwd,
	})
	return ev, set, cfg, nil
}
