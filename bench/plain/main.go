// Command plain is the floor of svccfg's design in `make bench`: it
// evaluates every configuration file of a tree, with go.starlark.net and
// svccfg's dialect, against a standard library that mirrors svccfg's
// (stdlib/*.star: service, cron, einhorn, kube, envoy, port, probe, on
// the paths the generated services take) but builds plain
// dicts and lists shaped like the Kubernetes objects and Envoy resources
// svccfg renders, with no protobuf. Files are evaluated in parallel on every
// CPU, as svccfg does, sharing the modules they load; every Kubernetes
// object gets svccfg's managed-by and config-set labels, and every object and
// Envoy resource is encoded as JSON. The Kubernetes objects are printed to
// stdout as one JSON stream (an object per line) in svccfg's stream order,
// as `svccfg build` prints them; the Envoy resources are encoded but not
// printed, as `svccfg build` without -o encodes them and prints nothing of
// them. A summary line goes to stderr.
//
// Usage:
//
//	plain TREE > objects.json
package main

import (
	"bufio"
	"embed"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"

	"github.com/svccfg/svccfg/bench/internal/cfgtree"
	"github.com/svccfg/svccfg/internal/parallel"
	"go.starlark.net/starlark"
	"go.starlark.net/starlarkstruct"
)

//go:embed stdlib/*.star
var stdlibFiles embed.FS

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: plain TREE")
		os.Exit(2)
	}
	if err := run(os.Args[1]); err != nil {
		fmt.Fprintln(os.Stderr, "plain:", err)
		os.Exit(1)
	}
}

// An object is one encoded Kubernetes object.
type object struct {
	id   cfgtree.ID
	json []byte
}

// A result is what one file produced.
type result struct {
	objects    []object
	envoy      int // Envoy resources
	envoyBytes int
}

func run(tree string) error {
	root, err := filepath.Abs(tree)
	if err != nil {
		return err
	}
	files, err := cfgtree.Files(root)
	if err != nil {
		return err
	}
	vars, err := cfgtree.Vars(root)
	if err != nil {
		return err
	}
	set, err := cfgtree.ConfigSet(root)
	if err != nil {
		return err
	}
	l, err := newLoader(root, vars)
	if err != nil {
		return err
	}
	ctx := starlarkstruct.FromStringDict(starlark.String("ctx"), starlark.StringDict{"vars": cfgtree.VarsDict(vars)})
	results := make([]result, len(files))
	err = parallel.Do(len(files), 0, func(i int) error {
		var err error
		results[i], err = evalFile(l, ctx, files[i], set)
		return err
	})
	if err != nil {
		return err
	}
	var objs []object
	envoy, envoyBytes := 0, 0
	for _, r := range results {
		objs = append(objs, r.objects...)
		envoy += r.envoy
		envoyBytes += r.envoyBytes
	}
	slices.SortFunc(objs, func(a, b object) int { return cfgtree.Compare(a.id, b.id) })
	w := bufio.NewWriterSize(os.Stdout, 1<<16)
	for _, o := range objs {
		w.Write(o.json)
		w.WriteByte('\n')
	}
	if err := w.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "plain: %d files, %d Kubernetes objects, %d Envoy resources (%d bytes of JSON)\n", len(files), len(objs), envoy, envoyBytes)
	return nil
}

// newLoader returns the loader of the files under root, whose standard
// library is the embedded one.
func newLoader(root string, vars map[string]string) (*loader, error) {
	sub, err := fs.Sub(stdlibFiles, "stdlib")
	if err != nil {
		return nil, err
	}
	std := starlark.StringDict{
		"struct": starlark.NewBuiltin("struct", starlarkstruct.Make),
		"proto":  protoModule,
		"_bench": cfgtree.Builtins(vars),
	}
	l := &loader{root: root, stdlib: sub, stdlibDecls: std, modules: make(map[string]*module)}
	user := starlark.StringDict{"struct": std["struct"], "proto": protoModule}
	thread := &starlark.Thread{Name: "stdlib", Load: l.load}
	for _, ns := range []string{"kube", "envoy"} {
		globals, err := l.load(thread, stdlibPrefix+ns+".star")
		if err != nil {
			return nil, err
		}
		user[ns] = &starlarkstruct.Module{Name: ns, Members: globals}
	}
	for _, fn := range []string{"service", "cron"} {
		globals, err := l.load(thread, stdlibPrefix+fn+".star")
		if err != nil {
			return nil, err
		}
		user[fn] = globals[fn]
	}
	l.userDecls = user
	return l, nil
}

// evalFile executes the configuration file at path, calls its main(ctx),
// and encodes what it returned: a unit (service() or cron()) or a list of them.
func evalFile(l *loader, ctx starlark.Value, path, configSet string) (result, error) {
	thread := &starlark.Thread{Name: "main", Load: l.load}
	globals, err := l.exec(thread, path)
	if err != nil {
		return result{}, err
	}
	v, err := starlark.Call(thread, globals["main"], starlark.Tuple{ctx}, nil)
	if err != nil {
		return result{}, fmt.Errorf("%s: %v", path, err)
	}
	units := []starlark.Value{v}
	if list, ok := v.(*starlark.List); ok {
		units = slices.Collect(list.Elements())
	}
	var r result
	for _, u := range units {
		if err := r.add(u, configSet); err != nil {
			return result{}, fmt.Errorf("%s: %v", path, err)
		}
	}
	return r, nil
}

// add encodes the objects and resources of unit u.
func (r *result) add(u starlark.Value, configSet string) error {
	d, ok := u.(*starlark.Dict)
	if !ok {
		return fmt.Errorf("main returned %s, want a service or cron job", u.Type())
	}
	for v := range field(d, "objects").(*starlark.List).Elements() {
		obj := v.(*starlark.Dict)
		meta := field(obj, "metadata").(*starlark.Dict)
		labels := field(meta, "labels").(*starlark.Dict)
		labels.SetKey(starlark.String(cfgtree.ManagedByLabel), starlark.String(cfgtree.ManagedBy))
		labels.SetKey(starlark.String(cfgtree.ConfigSetLabel), starlark.String(configSet))
		data, err := appendJSON(nil, obj)
		if err != nil {
			return err
		}
		id := cfgtree.ID{Kind: str(field(obj, "kind")), Namespace: str(field(meta, "namespace")), Name: str(field(meta, "name"))}
		r.objects = append(r.objects, object{id, data})
	}
	for v := range field(d, "envoy").(*starlark.List).Elements() {
		data, err := appendJSON(nil, v)
		if err != nil {
			return err
		}
		r.envoy++
		r.envoyBytes += len(data)
	}
	return nil
}

func field(d *starlark.Dict, key string) starlark.Value {
	v, _, _ := d.Get(starlark.String(key))
	return v
}

func str(v starlark.Value) string {
	s, _ := starlark.AsString(v)
	return s
}
