// Package build runs svccfg's pipeline from configuration paths to checked
// objects: it finds each path's config root and svccfg.yaml, evaluates every
// configuration file's main(ctx), converts the Kubernetes messages into
// k8s.io/api objects, validates the Envoy resources, and groups both by the
// service or job that produced them.
package build

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/svccfg/svccfg/lib/diag"
	"github.com/svccfg/svccfg/lib/envoy"
	"github.com/svccfg/svccfg/lib/eval"
	"github.com/svccfg/svccfg/lib/k8s"
	"google.golang.org/protobuf/proto"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/api/validate/content"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/validation"
)

// Options configures [Build].
type Options struct {
	Vars     map[string]string // from --var; they override svccfg.yaml
	MaxSteps uint64            // per file; 0 means eval.DefaultMaxSteps
	Timeout  time.Duration     // per file; 0 means eval.DefaultTimeout
	Stderr   io.Writer         // print() output
	Cwd      string            // paths in messages are relative to it
}

// Output is everything a build produced.
type Output struct {
	// Units are the services, jobs and directly returned objects, sorted
	// by namespace and name.
	Units []*Unit
}

// A Unit is the output of one service or job: the objects written to one
// file under kubernetes/ and the Envoy resources written to one under envoy/.
// Objects returned directly by main are grouped by namespace and name.
type Unit struct {
	Name      string
	Namespace string // "" for cluster-scoped objects
	Objects   []runtime.Object
	Envoy     []proto.Message
	Pos       diag.Position // the call that produced it
}

// Build evaluates the configuration files at paths: files, or directories
// searched for *.star files that define main.
func Build(ctx context.Context, paths []string, opts Options) (*Output, error) {
	std, err := eval.DefaultStdlib()
	if err != nil {
		return nil, err
	}
	b := &builder{opts: opts, std: std, evaluators: make(map[string]*eval.Evaluator), units: make(map[unitKey]*Unit), seen: make(map[string]diag.Position)}
	var errs diag.ErrorList
	done := make(map[string]bool) // files named by more than one PATH are built once
	for _, p := range paths {
		files, root, err := b.files(p)
		if err != nil {
			return nil, err
		}
		ev, err := b.evaluator(root)
		if err != nil {
			return nil, err
		}
		for _, f := range files {
			if done[f] {
				continue
			}
			done[f] = true
			results, err := ev.EvalFile(ctx, f)
			if err != nil {
				if ctx.Err() != nil {
					return nil, ctx.Err()
				}
				errs = appendError(errs, err)
				continue
			}
			for _, r := range results {
				if err := b.add(r, ev.Vars()["namespace"]); err != nil {
					errs = appendError(errs, err)
				}
			}
		}
	}
	if err := errs.Err(); err != nil {
		return nil, err
	}
	out := &Output{}
	for _, u := range b.units {
		out.Units = append(out.Units, u)
	}
	slices.SortFunc(out.Units, func(a, b *Unit) int {
		return cmp.Or(strings.Compare(a.Namespace, b.Namespace), strings.Compare(a.Name, b.Name))
	})
	return out, nil
}

func appendError(list diag.ErrorList, err error) diag.ErrorList {
	var l diag.ErrorList
	var d *diag.Error
	switch {
	case errors.As(err, &l):
		return append(list, l...)
	case errors.As(err, &d):
		return append(list, d)
	}
	return append(list, &diag.Error{Msg: err.Error()})
}

type unitKey struct{ namespace, name string }

type builder struct {
	opts       Options
	std        *eval.Stdlib
	evaluators map[string]*eval.Evaluator // by config root
	units      map[unitKey]*Unit
	seen       map[string]diag.Position // object and resource identities
}

// files returns the configuration files that path names, and their root.
func (b *builder) files(path string) ([]string, string, error) {
	abs := path
	if !filepath.IsAbs(abs) {
		abs = filepath.Join(b.opts.Cwd, path)
	}
	abs = filepath.Clean(abs)
	info, err := os.Stat(abs)
	if err != nil {
		return nil, "", &PathError{Path: path, Err: unwrapPathError(err)}
	}
	root := findRoot(abs, info.IsDir())
	if !info.IsDir() {
		return []string{abs}, root, nil
	}
	var files []string
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
		if eval.HasMain(p, src) {
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		return nil, "", fmt.Errorf("%s: %w", path, unwrapPathError(err))
	}
	if len(files) == 0 {
		return nil, "", &PathError{Path: path, Err: errors.New("no .star files with a main function")}
	}
	return files, root, nil
}

// A PathError reports a PATH argument that names no configuration.
type PathError struct {
	Path string
	Err  error
}

// Error returns "path: reason".
func (e *PathError) Error() string { return e.Path + ": " + e.Err.Error() }

// Unwrap returns the reason.
func (e *PathError) Unwrap() error { return e.Err }

func unwrapPathError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

func (b *builder) evaluator(root string) (*eval.Evaluator, error) {
	if ev, ok := b.evaluators[root]; ok {
		return ev, nil
	}
	cfg, err := readConfig(root)
	if err != nil {
		return nil, err
	}
	ev := eval.New(b.std, root, eval.Options{
		Vars:     vars(cfg, b.opts.Vars),
		MaxSteps: b.opts.MaxSteps,
		Timeout:  b.opts.Timeout,
		Stderr:   b.opts.Stderr,
		Cwd:      b.opts.Cwd,
	})
	b.evaluators[root] = ev
	return ev, nil
}

// add converts and checks one result of main and files it under its unit.
func (b *builder) add(r eval.Result, defaultNamespace string) error {
	what := "main"
	if r.Kind != "" {
		what = fmt.Sprintf("%s %q", r.Kind, r.Name)
	}
	fail := func(format string, args ...any) error {
		return &diag.Error{Pos: r.Pos, Msg: what + ": " + fmt.Sprintf(format, args...)}
	}
	for _, m := range r.Objects {
		name := m.ProtoReflect().Descriptor().FullName()
		kind := k8s.KindOf(name)
		if kind == nil {
			return fail("%s is not a Kubernetes object type or an Envoy resource", name)
		}
		obj, err := k8s.ToObject(m)
		if err != nil {
			return fail("%v", err)
		}
		acc, err := meta.Accessor(obj)
		if err != nil {
			return fail("%v", err)
		}
		if acc.GetName() == "" {
			return fail("a %s has no metadata.name", kind.GVK.Kind)
		}
		if !kind.Namespaced && acc.GetNamespace() != "" {
			return fail("%s %q is cluster-scoped but has namespace %q", kind.GVK.Kind, acc.GetName(), acc.GetNamespace())
		}
		if problems := content.IsPathSegmentName(acc.GetName()); len(problems) > 0 {
			return fail("%s %q: not a valid name: %s", kind.GVK.Kind, acc.GetName(), strings.Join(problems, "; "))
		}
		if kind.Namespaced && acc.GetNamespace() == "" {
			acc.SetNamespace(defaultNamespace)
		}
		if ns := acc.GetNamespace(); kind.Namespaced {
			if problems := validation.IsDNS1123Label(ns); len(problems) > 0 {
				return fail("%s %q: %q is not a valid namespace: %s", kind.GVK.Kind, acc.GetName(), ns, strings.Join(problems, "; "))
			}
		}
		id := fmt.Sprintf("%s %s", kind.GVK.Kind, objectName(acc.GetNamespace(), acc.GetName()))
		if err := b.claim(id, r.Pos); err != nil {
			return fail("%v", err)
		}
		key := unitKey{r.Namespace, r.Name}
		if r.Kind == "" {
			key = unitKey{acc.GetNamespace(), acc.GetName()}
		}
		u := b.unit(key, r.Pos)
		u.Objects = append(u.Objects, obj)
	}
	for _, m := range r.Envoy {
		name := envoy.Name(m)
		typ := m.ProtoReflect().Descriptor().FullName()
		if name == "" {
			return fail("%s has no name", typ)
		}
		if err := envoy.Validate(m); err != nil {
			return fail("%s %q: %v", typ.Name(), name, err)
		}
		if err := b.claim(fmt.Sprintf("%s %q", typ, name), r.Pos); err != nil {
			return fail("%v", err)
		}
		key := unitKey{r.Namespace, r.Name}
		if r.Kind == "" {
			key = unitKey{"", name}
		}
		u := b.unit(key, r.Pos)
		u.Envoy = append(u.Envoy, m)
	}
	return nil
}

// claim records that the object or resource id was produced at pos, and
// fails if something else already produced it.
func (b *builder) claim(id string, pos diag.Position) error {
	if prev, ok := b.seen[id]; ok {
		return fmt.Errorf("%s is also produced at %s", id, prev.Format(b.opts.Cwd))
	}
	b.seen[id] = pos
	return nil
}

func (b *builder) unit(key unitKey, pos diag.Position) *Unit {
	u, ok := b.units[key]
	if !ok {
		u = &Unit{Name: key.name, Namespace: key.namespace, Pos: pos}
		b.units[key] = u
	}
	return u
}

func objectName(namespace, name string) string {
	if namespace == "" {
		return name
	}
	return namespace + "/" + name
}
