package eval

import (
	"fmt"
	"io/fs"
	"maps"
	"slices"
	"strings"
	"sync"

	"github.com/svccfg/svccfg/lib/envoy"
	"github.com/svccfg/svccfg/lib/k8s"
	"github.com/svccfg/svccfg/lib/load"
	"github.com/svccfg/svccfg/lib/starproto"
	"github.com/svccfg/svccfg/stdlib"
	"go.starlark.net/starlark"
	"go.starlark.net/starlarkstruct"
	"go.starlark.net/syntax"
	"google.golang.org/protobuf/reflect/protoregistry"
)

// fileOptions are the Starlark dialect of configuration and standard
// library files: sets allowed, no while loops, no recursion, and no
// reassignment of globals.
var fileOptions = &syntax.FileOptions{Set: true, TopLevelControl: true}

// namespaces are the standard library files that configuration files see as
// a predeclared module of the same name (kube.cores, envoy.cluster).
var namespaces = []string{"env", "envoy", "kube", "port", "probe", "volume"}

// functions are the standard library functions predeclared in
// configuration files, each defined in the file of the same name.
var functions = []string{"canary", "cron", "job", "service"}

// Stdlib is the loaded standard library. Its modules are frozen, so one
// Stdlib serves any number of evaluations.
type Stdlib struct {
	fsys        fs.FS
	registry    *starproto.Registry
	modules     map[string]starlark.StringDict // "@stdlib//kube.star" -> public functions
	docs        map[string]string              // "@stdlib//kube.star" -> its docstring
	predeclared starlark.StringDict
	functions   []*Function
}

// DefaultRegistry returns the registry of Kubernetes and Envoy types.
var DefaultRegistry = sync.OnceValues(func() (*starproto.Registry, error) {
	types := new(protoregistry.Types)
	if err := k8s.RegisterTypes(types); err != nil {
		return nil, fmt.Errorf("registering Kubernetes types: %w", err)
	}
	if err := envoy.RegisterTypes(types); err != nil {
		return nil, fmt.Errorf("registering Envoy types: %w", err)
	}
	return starproto.NewRegistry(types), nil
})

// DefaultStdlib returns the embedded standard library, loaded once.
var DefaultStdlib = sync.OnceValues(func() (*Stdlib, error) {
	reg, err := DefaultRegistry()
	if err != nil {
		return nil, err
	}
	return LoadStdlib(reg, stdlib.FS)
})

// LoadStdlib loads every public file of a standard library in fsys, with
// the types of reg.
func LoadStdlib(reg *starproto.Registry, fsys fs.FS) (*Stdlib, error) {
	std := &Stdlib{fsys: fsys, registry: reg, modules: make(map[string]starlark.StringDict), docs: make(map[string]string)}
	skycfg := skycfgModules()
	predeclared := starlark.StringDict{"proto": reg.Module(), "_svccfg": internal}
	maps.Copy(predeclared, skycfg)
	cache := load.NewCache(&load.RootReader{Stdlib: fsys}, func(thread *starlark.Thread, name string, src []byte) (starlark.StringDict, error) {
		return starlark.ExecFileOptions(fileOptions, thread, name, src, predeclared)
	})
	thread := &starlark.Thread{Name: "stdlib", Load: cache.Load}
	files, err := fs.Glob(fsys, "*.star")
	if err != nil {
		return nil, err
	}
	for _, file := range files {
		if strings.HasPrefix(file, "_") {
			continue
		}
		name := load.StdlibPrefix + file
		globals, err := cache.LoadFile(thread, name)
		if err != nil {
			return nil, convertError(err, nil)
		}
		if std.docs[name], err = moduleDoc(fsys, file, name); err != nil {
			return nil, err
		}
		mod := strings.TrimSuffix(file, ".star")
		prefix := ""
		if slices.Contains(namespaces, mod) {
			prefix = mod + "."
		}
		exports := make(starlark.StringDict)
		for _, g := range globals.Keys() {
			fn, ok := globals[g].(*starlark.Function)
			if !ok || strings.HasPrefix(g, "_") || fn.Position().Filename() != name {
				continue
			}
			f, err := NewFunction(prefix+g, fn)
			if err != nil {
				return nil, err
			}
			exports[g] = f
			std.functions = append(std.functions, f)
		}
		std.modules[name] = exports
	}
	slices.SortFunc(std.functions, func(a, b *Function) int { return strings.Compare(a.Name(), b.Name()) })

	std.predeclared = starlark.StringDict{"proto": reg.Module()}
	maps.Copy(std.predeclared, skycfg)
	for _, ns := range namespaces {
		std.predeclared[ns] = &starlarkstruct.Module{Name: ns, Members: std.modules[load.StdlibPrefix+ns+".star"]}
	}
	for _, fn := range functions {
		f, ok := std.modules[load.StdlibPrefix+fn+".star"][fn]
		if !ok {
			return nil, fmt.Errorf("standard library: %s.star does not define %s", fn, fn)
		}
		std.predeclared[fn] = f
	}
	return std, nil
}

// Predeclared returns the names predeclared in every configuration file:
// service, canary, cron, job, kube, port, probe, env, volume, envoy and proto, and
// skycfg's struct, json, yaml, hash and url.
func (std *Stdlib) Predeclared() starlark.StringDict { return std.predeclared }

// Functions returns every public standard library function, sorted by name.
func (std *Stdlib) Functions() []*Function { return std.functions }

// Files returns the names of the loadable standard library files, sorted.
func (std *Stdlib) Files() []string {
	var names []string
	for name := range std.modules {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}

// Module returns the public functions of the standard library file called
// name ("@stdlib//einhorn.star"), as a load() of it sees them.
func (std *Stdlib) Module(name string) (starlark.StringDict, bool) {
	m, ok := std.modules[name]
	return m, ok
}

// Doc returns the docstring of the standard library file called name
// ("@stdlib//kube.star"): the string literal that starts the file.
func (std *Stdlib) Doc(name string) string { return std.docs[name] }

// moduleDoc returns the docstring of the standard library file called name,
// which must have one.
func moduleDoc(fsys fs.FS, file, name string) (string, error) {
	src, err := fs.ReadFile(fsys, file)
	if err != nil {
		return "", err
	}
	f, err := fileOptions.Parse(name, src, 0)
	if err != nil {
		return "", err
	}
	if len(f.Stmts) > 0 {
		if e, ok := f.Stmts[0].(*syntax.ExprStmt); ok {
			if lit, ok := e.X.(*syntax.Literal); ok && lit.Token == syntax.STRING {
				if doc := strings.TrimSpace(dedent(lit.Value.(string))); doc != "" {
					return doc, nil
				}
			}
		}
	}
	return "", fmt.Errorf("%s:1:1: no module docstring: a public standard library file starts with a string that says what it provides", name)
}

// Registry returns the protobuf types the standard library was loaded with.
func (std *Stdlib) Registry() *starproto.Registry { return std.registry }
