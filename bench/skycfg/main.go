// Command skycfg is the skycfg v0.4.0 reference of `make bench`: it builds
// the objects svccfg builds from a configuration tree through skycfg's own
// [skycfg.Load] and [skycfg.Config.Main] and skycfg's proto module, with
// the Kubernetes and Envoy types svccfg uses (lib/k8s and lib/envoy fill the
// registry), against a standard library written in skycfg's conventions
// (stdlib/*.star, embedded: svccfg's standard library with enum values,
// Durations, IntOrStrings and wrappers written as messages, and plain lists
// where svccfg has its own builtins). Files are loaded and run in parallel
// on every CPU, sharing one [skycfg.LoadCache].
//
// What main returns is then processed as svccfg's pipeline needs it: each
// Kubernetes message is converted by lib/k8s into its k8s.io/api struct,
// labelled as svccfg labels it, encoded by Kubernetes' JSON (svccfg's
// k8s.AppendJSON, which leaves out empty values) and re-encoded
// canonically by lib/render; each Envoy resource is checked with its
// ValidateAll and encoded with protojson, as svccfg build does. The
// Kubernetes objects are printed to stdout as one YAML stream in svccfg's
// order (the bytes `svccfg build TREE` prints); the Envoy resources are not
// printed, as `svccfg build` without -o does not print them. A summary line
// goes to stderr.
//
// Usage:
//
//	skycfg TREE > stream.yaml
package main

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/stripe/skycfg"
	"github.com/svccfg/svccfg/bench/internal/cfgtree"
	"github.com/svccfg/svccfg/internal/parallel"
	"github.com/svccfg/svccfg/lib/canon"
	"github.com/svccfg/svccfg/lib/envoy"
	"github.com/svccfg/svccfg/lib/k8s"
	"go.starlark.net/starlark"
	"go.starlark.net/starlarkstruct"
	"go.starlark.net/syntax"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoregistry"
	"k8s.io/apimachinery/pkg/api/meta"
)

//go:embed stdlib/*.star
var stdlibFiles embed.FS

const stdlibPrefix = "@stdlib//"

// fileOptions is svccfg's Starlark dialect (lib/eval).
var fileOptions = &syntax.FileOptions{Set: true, TopLevelControl: true}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: skycfg TREE")
		os.Exit(2)
	}
	if err := run(os.Args[1]); err != nil {
		fmt.Fprintln(os.Stderr, "skycfg:", err)
		os.Exit(1)
	}
}

// An object is one Kubernetes object in lib/render's canonical form.
type object struct {
	id   cfgtree.ID
	tree canon.Node
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
	types := new(protoregistry.Types)
	if err := k8s.RegisterTypes(types); err != nil {
		return err
	}
	if err := envoy.RegisterTypes(types); err != nil {
		return err
	}
	ctx := context.Background()
	opts := []skycfg.LoadOption{
		skycfg.WithFileReader(&reader{root: root}),
		skycfg.WithProtoRegistry(skycfg.NewUnstableProtobufRegistryV2(types)),
		skycfg.WithLoadCache(new(skycfg.LoadCache)),
		skycfg.WithFileOptions(fileOptions),
	}
	globals, err := loadStdlib(ctx, opts, vars)
	if err != nil {
		return err
	}
	opts = append(opts, skycfg.WithGlobals(globals))
	mainVars := make(starlark.StringDict, len(vars))
	for k, v := range vars {
		mainVars[k] = starlark.String(v)
	}
	results := make([]result, len(files))
	err = parallel.Do(len(files), 0, func(i int) error {
		config, err := skycfg.Load(ctx, files[i], opts...)
		if err != nil {
			return err
		}
		msgs, err := config.Main(ctx, skycfg.WithVars(mainVars), skycfg.WithFlattenLists())
		if err != nil {
			return fmt.Errorf("%s: %v", files[i], err)
		}
		results[i], err = convert(msgs, set)
		if err != nil {
			return fmt.Errorf("%s: %v", files[i], err)
		}
		return nil
	})
	if err != nil {
		return err
	}
	var objs []object
	envoyCount, envoyBytes := 0, 0
	for _, r := range results {
		objs = append(objs, r.objects...)
		envoyCount += r.envoy
		envoyBytes += r.envoyBytes
	}
	slices.SortFunc(objs, func(a, b object) int { return cfgtree.Compare(a.id, b.id) })
	trees := make([]canon.Node, len(objs))
	for i, o := range objs {
		trees[i] = o.tree
	}
	if _, err := os.Stdout.Write(canon.Stream(trees, canon.YAML)); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "skycfg: %d files, %d Kubernetes objects, %d Envoy resources (%d bytes of JSON)\n", len(files), len(objs), envoyCount, envoyBytes)
	return nil
}

// loadStdlib loads every file of the embedded standard library through
// skycfg.Load, with "_bench" predeclared, and returns what configuration
// files see predeclared: service, cron, and the modules kube and envoy.
func loadStdlib(ctx context.Context, opts []skycfg.LoadOption, vars map[string]string) (starlark.StringDict, error) {
	std := append(slices.Clone(opts), skycfg.WithGlobals(starlark.StringDict{"_bench": cfgtree.Builtins(vars)}))
	files, err := fs.Glob(stdlibFiles, "stdlib/*.star")
	if err != nil {
		return nil, err
	}
	modules := make(map[string]starlark.StringDict)
	for _, f := range files {
		name := strings.TrimSuffix(path.Base(f), ".star")
		config, err := skycfg.Load(ctx, stdlibPrefix+name+".star", std...)
		if err != nil {
			return nil, err
		}
		modules[name] = config.Locals()
	}
	return starlark.StringDict{
		"service": modules["service"]["service"],
		"cron":    modules["cron"]["cron"],
		"kube":    &starlarkstruct.Module{Name: "kube", Members: modules["kube"]},
		"envoy":   &starlarkstruct.Module{Name: "envoy", Members: modules["envoy"]},
	}, nil
}

// convert processes the messages of one file as svccfg build does.
func convert(msgs []proto.Message, configSet string) (result, error) {
	var r result
	for _, m := range msgs {
		name := m.ProtoReflect().Descriptor().FullName()
		if envoy.IsResource(m) {
			if err := envoy.Validate(m); err != nil {
				return r, fmt.Errorf("%s: %v", name, err)
			}
			data, err := envoy.Marshal(m)
			if err != nil {
				return r, err
			}
			r.envoy++
			r.envoyBytes += len(data)
			continue
		}
		obj, err := k8s.ToObject(m)
		if err != nil {
			return r, err
		}
		acc, err := meta.Accessor(obj)
		if err != nil {
			return r, err
		}
		labels := acc.GetLabels()
		if labels == nil {
			labels = make(map[string]string)
		}
		labels[cfgtree.ManagedByLabel] = cfgtree.ManagedBy
		labels[cfgtree.ConfigSetLabel] = configSet
		acc.SetLabels(labels)
		// Kubernetes' JSON of the struct as svccfg encodes it: k8s.AppendJSON
		// writes what encoding/json writes but leaves out the zero structs
		// tagged omitempty and the nil fields (strategy: {}, resources: {}).
		// It is svccfg's own encoder, used here because the work is the
		// same: encoding/json, which skycfg users would call, writes those
		// empty values and so different bytes.
		data, err := k8s.AppendJSON(nil, obj)
		if err != nil {
			return r, err
		}
		tree, err := canon.ParseJSON(data)
		if err != nil {
			return r, err
		}
		tree.Delete("status") // the cluster's, as svccfg drops it
		id := cfgtree.ID{Kind: k8s.KindOf(name).GVK.Kind, Namespace: acc.GetNamespace(), Name: acc.GetName()}
		r.objects = append(r.objects, object{id, tree})
	}
	return r, nil
}

// A reader is the [skycfg.FileReader] of a config root: "@stdlib//x.star"
// from the embedded standard library, "//x" from the root, other names
// relative to the loading file.
type reader struct{ root string }

// Resolve implements [skycfg.FileReader].
func (r *reader) Resolve(ctx context.Context, name, from string) (string, error) {
	switch {
	case from == "" || strings.HasPrefix(name, stdlibPrefix):
		return name, nil
	case strings.HasPrefix(name, "//"):
		return filepath.Join(r.root, filepath.FromSlash(path.Clean("/"+name[2:]))), nil
	case strings.HasPrefix(from, stdlibPrefix):
		return stdlibPrefix + path.Clean(name), nil
	}
	return filepath.Join(filepath.Dir(from), filepath.FromSlash(name)), nil
}

// ReadFile implements [skycfg.FileReader].
func (r *reader) ReadFile(ctx context.Context, name string) ([]byte, error) {
	if file, ok := strings.CutPrefix(name, stdlibPrefix); ok {
		return fs.ReadFile(stdlibFiles, "stdlib/"+file)
	}
	return os.ReadFile(name)
}
