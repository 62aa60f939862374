package build

import (
	"context"
	"os"
	"path/filepath"

	"github.com/svccfg/svccfg/lib/eval"
)

// A Prelude is a config root's prelude, evaluated: what `svccfg doc` lists
// when it runs inside the root.
type Prelude struct {
	Path    string // absolute
	Config  string // the absolute path of the svccfg.yaml that names it
	Doc     string // its docstring, or ""
	Globals []eval.PreludeGlobal
}

// LoadPrelude evaluates the prelude of the config root of dir (the nearest
// directory at or above it holding svccfg.yaml), with the variables and
// limits of opts, and returns it; nil if there is no such root or its
// svccfg.yaml names no prelude. Its errors are positioned, as a build
// reports them.
func LoadPrelude(ctx context.Context, dir string, opts Options) (*Prelude, error) {
	root := FindRoot(dir, true)
	if !hasConfig(root) {
		return nil, nil
	}
	r := &rootFiles{dir: root, seen: make(map[string]bool), named: make(map[string]string)}
	defer func() {
		if r.fs != nil {
			r.fs.Close()
		}
	}()
	cfg, set, err := r.config()
	if err != nil {
		return nil, err
	}
	path, err := r.prelude(cfg)
	if err != nil || path == "" {
		return nil, err
	}
	std, err := eval.DefaultStdlib()
	if err != nil {
		return nil, err
	}
	ev := NewEvaluator(std, Root{Dir: root, Config: cfg, ConfigSet: set, Prelude: path}, opts)
	thread, stop := ev.NewThread(ctx, opts.Stderr)
	defer stop()
	var globals []eval.PreludeGlobal
	err = ev.Bounded(ctx, func() (err error) {
		globals, err = ev.Prelude(thread)
		return err
	})
	if err != nil {
		return nil, err
	}
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return &Prelude{Path: path, Config: filepath.Join(root, ConfigFile), Doc: eval.FileDoc(path, src), Globals: globals}, nil
}
