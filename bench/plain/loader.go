package main

import (
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"

	"go.starlark.net/starlark"
	"go.starlark.net/syntax"
)

// fileOptions is svccfg's Starlark dialect (lib/eval).
var fileOptions = &syntax.FileOptions{Set: true, TopLevelControl: true}

const stdlibPrefix = "@stdlib//"

// A loader executes each module that load() names once, shared by every
// file's thread, as svccfg's lib/load does: "@stdlib//x.star" from the
// embedded standard library, "//x" from the config root, other names
// relative to the loading file.
type loader struct {
	root        string
	stdlib      fs.FS
	stdlibDecls starlark.StringDict // predeclared in standard library files
	userDecls   starlark.StringDict // predeclared in configuration files

	mu      sync.Mutex
	modules map[string]*module
}

type module struct {
	once    sync.Once
	globals starlark.StringDict
	err     error
}

// load is a [starlark.Thread] Load function.
func (l *loader) load(thread *starlark.Thread, name string) (starlark.StringDict, error) {
	from := ""
	if thread.CallStackDepth() > 0 {
		from = thread.CallFrame(0).Pos.Filename()
	}
	p := l.resolve(name, from)
	l.mu.Lock()
	m := l.modules[p]
	if m == nil {
		m = new(module)
		l.modules[p] = m
	}
	l.mu.Unlock()
	m.once.Do(func() {
		m.globals, m.err = l.exec(&starlark.Thread{Name: p, Load: l.load}, p)
		if m.err == nil {
			m.globals.Freeze()
		}
	})
	return m.globals, m.err
}

func (l *loader) resolve(name, from string) string {
	switch {
	case strings.HasPrefix(name, stdlibPrefix):
		return name
	case strings.HasPrefix(name, "//"):
		return filepath.Join(l.root, filepath.FromSlash(path.Clean("/"+name[2:])))
	case strings.HasPrefix(from, stdlibPrefix):
		return stdlibPrefix + path.Clean(name)
	}
	return filepath.Join(filepath.Dir(from), filepath.FromSlash(name))
}

// exec executes the module or configuration file at p on thread.
func (l *loader) exec(thread *starlark.Thread, p string) (starlark.StringDict, error) {
	if name, ok := strings.CutPrefix(p, stdlibPrefix); ok {
		src, err := fs.ReadFile(l.stdlib, name)
		if err != nil {
			return nil, fmt.Errorf("load(%q): %v", p, err)
		}
		return starlark.ExecFileOptions(fileOptions, thread, p, src, l.stdlibDecls)
	}
	src, err := os.ReadFile(p)
	if err != nil {
		return nil, err
	}
	return starlark.ExecFileOptions(fileOptions, thread, p, src, l.userDecls)
}
