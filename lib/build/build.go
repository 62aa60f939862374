// Package build runs svccfg's pipeline from configuration paths to checked
// objects: it finds the config roots of the paths' files, with their
// svccfg.yaml (the step that build, test and lint share), evaluates every
// configuration file's main(ctx), converts the Kubernetes messages into
// k8s.io/api objects, validates the Envoy resources, and groups both by the
// service or job that produced them.
package build

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"slices"
	"strings"
	"time"

	"github.com/svccfg/svccfg/internal/parallel"
	"github.com/svccfg/svccfg/lib/diag"
	"github.com/svccfg/svccfg/lib/envoy"
	"github.com/svccfg/svccfg/lib/eval"
	"github.com/svccfg/svccfg/lib/k8s"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/api/validate/content"
	"k8s.io/apimachinery/pkg/util/validation"
)

// Options configures [Build].
type Options struct {
	Vars     map[string]string // from --var; they override svccfg.yaml
	MaxSteps uint64            // per file; 0 means eval.DefaultMaxSteps
	Timeout  time.Duration     // per file; 0 means eval.DefaultTimeout
	// MaxMemory bounds the heap in bytes; 0 means DefaultMaxMemory.
	MaxMemory uint64
	// Cache, if not nil, holds the results of earlier evaluations.
	Cache  *Cache
	Stderr io.Writer // print() output
	Cwd    string    // paths in messages are relative to it
	// Duplicates, if set, makes an object or resource that more than one
	// call produces a [Duplicate] in [Output.Duplicates], kept only as the
	// first call produced it, instead of an error.
	Duplicates bool
	// Typed, if set, makes the build keep each object as its k8s.io/api
	// struct and each Envoy resource as its message, as lib/lint reads
	// them, rather than as their JSON, as lib/render and lib/diff read
	// them (see [Object]). It saves encoding and decoding JSON, but on a
	// large tree costs more than that saves: the structs are many small
	// pointers that the garbage collector scans for the rest of the build
	// (lint of 10,000 services took 8-10 s with it against 5.5 s without,
	// and 50 MB more), so svccfg lint leaves it unset.
	Typed bool
	// EnvoyMessages, if set, keeps each Envoy resource built (not one
	// from the cache) as its message, as [Typed] does, without Typed's
	// cost for the Kubernetes objects: for svccfg xds serve, which serves
	// the messages, so that they are not encoded to JSON and decoded back.
	EnvoyMessages bool
	// KubernetesOnly, if set, is for a caller that uses only the
	// Kubernetes objects, such as the manifest stream: Envoy resources are
	// still checked, but keep only their type and name (their JSON is
	// nil), unless there is a Cache, whose entries must be whole.
	KubernetesOnly bool
	// Overlay, if not nil, holds the contents of .star files by absolute
	// path, read in place of the files on disk: the unsaved buffers of
	// svccfg lsp's editor. It must not change during the build.
	Overlay map[string][]byte
	// Peers, if not nil, are units built earlier from other files of the
	// config sets being built, which a service's calls may name as though
	// they were in this build: svccfg lsp builds the one file being edited
	// against the rest of its config set. A unit of the build itself takes
	// the place of a peer of the same name. Peers are not in the Output.
	Peers []*Unit
	// Partial, if set, makes Build return the units of the files that
	// built along with the errors of those that did not, and skips the
	// check of services' calls: how svccfg lsp finds the Peers of a file.
	Partial bool
	// Spool, if not nil, holds the JSON of the objects and resources
	// instead of memory, as soon as each file is built (see [Spool]).
	Spool *Spool
}

// Output is everything a build produced.
type Output struct {
	// Units are the services, jobs and directly returned objects, sorted
	// by namespace and name.
	Units []*Unit
	// Files is the number of configuration files built, and Cached the
	// number of them whose results came from the cache.
	Files, Cached int
	// ConfigSets are the names of the config sets built (one per config
	// root), sorted; every object carries one in its [ConfigSetLabel] label.
	ConfigSets []string
	// Roots are the config roots built, sorted by directory, with their
	// files.
	Roots []Root
	// Duplicates are the objects and resources produced more than once,
	// in the order of the files built, when [Options.Duplicates] is set.
	Duplicates []Duplicate
}

// A Duplicate is an object or resource that two calls produced.
type Duplicate struct {
	ID   string // such as "Deployment default/web"
	What string // the service, job or "main" that produced it again, such as `service "web"`
	// Source is the call that produced it again, and Prev the one that
	// produced it first.
	Source, Prev Source
}

// A Unit is the output of one service or job: the objects written to one
// file under kubernetes/ and the Envoy resources written to one under envoy/.
// Objects returned directly by main are grouped by namespace and name.
type Unit struct {
	Name      string
	Namespace string // "" for cluster-scoped objects
	Objects   []Object
	Envoy     []Resource
	Pos       diag.Position // the call that produced it
}

// A Source is what produced an object or resource: the answer to "which
// line of the configuration generates this?".
type Source struct {
	// Pos is the call in the configuration that made it: of service() or
	// cron(), or, for a message that main returned itself, of the
	// message's constructor (or main's definition when unknown).
	Pos diag.Position
	// Stack holds the callers of the function that made the call, when
	// main did not make it itself (a helper of a loaded module did),
	// innermost first: the call chain from Pos back to main.
	Stack []diag.Frame
	// By names the call: `service "web"`, `cron "report"` or "main".
	By string
}

// Origin returns the line of the configuration file whose main led to the
// call: the outermost frame of the call chain, or Pos if there is none. It
// tells apart what one helper made for different callers.
func (s Source) Origin() diag.Position {
	if len(s.Stack) > 0 {
		return s.Stack[len(s.Stack)-1].Pos
	}
	return s.Pos
}

// Build evaluates the configuration files at paths: files, or directories
// searched for *.star files that define main. It warns on opts.Stderr
// about the files of a directory that it skips but that look like they
// were meant to be built or loaded (see [Unused]). Files are evaluated and
// converted in parallel; the result, errors and print() output are the same
// as if they were processed one by one in order.
func Build(ctx context.Context, paths []string, opts Options) (*Output, error) {
	std, err := eval.DefaultStdlib()
	if err != nil {
		return nil, err
	}
	var warnings diag.ErrorList
	find := FindOptions{Cwd: opts.Cwd, Match: MainFiles.Match, Want: MainFiles.Want, Overlay: opts.Overlay,
		Warn: func(w *diag.Error) { warnings = append(warnings, w) }}
	roots, err := Roots(paths, find)
	if err != nil {
		return nil, err
	}
	if opts.Stderr != nil {
		diag.Print(opts.Stderr, warnings.Err(), diag.Config{Cwd: opts.Cwd})
	}
	b := &builder{opts: opts, units: make(map[unitKey]*Unit), seen: make(map[string]Source)}
	var jobs []job
	var sets []string
	var evs []*eval.Evaluator
	for _, r := range roots {
		ev := NewEvaluator(std, r, opts)
		evs = append(evs, ev)
		if !slices.Contains(sets, r.ConfigSet) {
			sets = append(sets, r.ConfigSet)
		}
		for _, f := range r.Files {
			jobs = append(jobs, job{file: f, ev: ev, configSet: r.ConfigSet})
		}
	}
	limit := cmp.Or(opts.MaxMemory, DefaultMaxMemory)
	evalCtx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	stop := watchMemory(evalCtx, cancel, limit)
	outs := make([]jobOutput, len(jobs))
	parallel.Do(len(jobs), 0, func(i int) error {
		if evalCtx.Err() == nil { // after a cancellation, report only the files it stopped
			outs[i] = b.run(evalCtx, jobs[i])
		}
		return nil
	})
	stop()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var errs diag.ErrorList
	for _, ev := range evs {
		if out := ev.PreludeOutput(); b.opts.Stderr != nil && len(out) > 0 {
			b.opts.Stderr.Write(out)
		}
	}
	for _, o := range outs {
		if b.opts.Stderr != nil && o.stderr.Len() > 0 {
			b.opts.Stderr.Write(o.stderr.Bytes())
		}
		if o.err != nil {
			errs = appendError(errs, o.err)
			continue
		}
		for _, it := range o.items {
			if err := b.add(it); err != nil {
				errs = appendError(errs, err)
			}
		}
	}
	if err := errs.Err(); err != nil && !opts.Partial {
		return nil, err
	}
	if !opts.Partial {
		if err := b.mesh(); err != nil {
			return nil, err
		}
	}
	slices.Sort(sets)
	out := &Output{Files: len(jobs), ConfigSets: sets, Roots: roots, Duplicates: b.duplicates}
	for _, o := range outs {
		if o.cached {
			out.Cached++
		}
	}
	for _, u := range b.units {
		out.Units = append(out.Units, u)
	}
	slices.SortFunc(out.Units, func(a, b *Unit) int {
		return cmp.Or(strings.Compare(a.Namespace, b.Namespace), strings.Compare(a.Name, b.Name))
	})
	return out, errs.Err()
}

// A job is one configuration file to evaluate.
type job struct {
	file      string
	ev        *eval.Evaluator
	configSet string
}

// jobOutput is what evaluating and converting one file produced.
type jobOutput struct {
	items  []item
	err    error
	stderr bytes.Buffer // print() output
	cached bool
}

// An item is one converted and checked Kubernetes object or Envoy resource,
// not yet filed under its unit.
type item struct {
	key   unitKey
	what  string // the service, job or "main" that produced it, for messages
	pos   diag.Position
	stack []diag.Frame // the call chain from pos, see [Source.Stack]
	obj   *Object      // a Kubernetes object, or
	res   *Resource    // an Envoy resource, or
	calls []string     // the services the service calls, as "name.namespace"
}

// source returns what produced the item.
func (it *item) source() Source { return Source{Pos: it.pos, Stack: it.stack, By: it.what} }

// id returns the identity of the item's object or resource, as
// duplicates are detected and reported: "Deployment ns/name", or
// `envoy.config.cluster.v3.Cluster "name"`.
func (it *item) id() string {
	switch {
	case it.obj != nil:
		return it.obj.ID.String()
	case it.res != nil:
		return it.res.String()
	}
	return "calls of " + it.what
}

// run evaluates one file and converts what its main returned.
func (b *builder) run(ctx context.Context, j job) (out jobOutput) {
	defer func() {
		if r := recover(); r != nil {
			out.err = fmt.Errorf("%s: internal error: %v (this is a bug in svccfg; please report it)", diag.RelPath(j.file, b.opts.Cwd), r)
		}
	}()
	var key [32]byte
	cache := b.opts.Cache
	if cache != nil {
		var err error
		if key, err = cache.key(j.file, j.ev.Vars(), j.ev.MaxSteps(), j.configSet, j.ev.PreludePath()); err != nil {
			cache = nil // unreadable: let the evaluation report it
		} else if cached, ok := cache.get(key); ok {
			cached.cached = true
			b.spool(cached)
			return *cached
		}
	}
	results, err := j.ev.EvalFile(ctx, j.file, &out.stderr)
	if err != nil {
		out.err = err
		return out
	}

	ns := j.ev.Vars()["namespace"]
	var errs diag.ErrorList
	for _, r := range results {
		// The cache keeps whole results, for any later build.
		items, err := convert(r, ns, j.configSet, b.opts.Typed, b.opts.Typed || b.opts.EnvoyMessages, b.opts.KubernetesOnly && cache == nil)
		if err != nil {
			errs = appendError(errs, err) // and report the other results' errors too
			continue
		}
		out.items = append(out.items, items...)
	}
	if err := errs.Err(); err != nil {
		out.items, out.err = nil, err
		return out
	}
	if cache != nil {
		cache.put(key, &out, j.ev.Deps(j.file))
	}
	b.spool(&out)
	return out
}

// spool moves the JSON of out into the build's spool, if it has one.
func (b *builder) spool(out *jobOutput) {
	if b.opts.Spool == nil || out.err != nil {
		return
	}
	if err := out.spool(b.opts.Spool); err != nil {
		out.err = err
	}
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
	callers    []item // the calls of services, for [builder.mesh]
	duplicates []Duplicate
	units      map[unitKey]*Unit
	seen       map[string]Source // what produced each object and resource identity
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

// convert converts and checks what one result of main holds, and labels
// every Kubernetes object with [ManagedByLabel] and [ConfigSetLabel]
// (configSet), whether the stdlib or a raw proto message made it. It keeps
// objects in their typed form if typed is set, and resources if
// envoyMessages is, or else as
// their JSON; with kubernetesOnly, Envoy resources are checked but keep only
// their type and name.
func convert(r eval.Result, defaultNamespace, configSet string, typed, envoyMessages, kubernetesOnly bool) ([]item, error) {
	what := "main"
	if r.Kind != "" {
		what = fmt.Sprintf("%s %q", r.Kind, r.Name)
	}
	fail := func(format string, args ...any) error {
		return &diag.Error{Pos: r.Pos, Msg: what + ": " + fmt.Sprintf(format, args...)}
	}
	items := make([]item, 0, len(r.Objects)+len(r.Envoy))
	values := &valueChecker{r: r}
	for _, m := range r.Objects {
		name := m.ProtoReflect().Descriptor().FullName()
		kind := k8s.KindOf(name)
		if kind == nil {
			return nil, fail("%s is not a Kubernetes object type or an Envoy resource", name)
		}
		obj, err := k8s.ToObject(m)
		if err != nil {
			return nil, fail("%v", err)
		}
		acc, err := meta.Accessor(obj)
		if err != nil {
			return nil, fail("%v", err)
		}
		if acc.GetName() == "" {
			return nil, fail("a %s has no metadata.name", kind.GVK.Kind)
		}
		values.check(obj, kind.GVK.Kind, acc.GetName())
		if !kind.Namespaced && acc.GetNamespace() != "" {
			return nil, fail("%s %q is cluster-scoped but has namespace %q", kind.GVK.Kind, acc.GetName(), acc.GetNamespace())
		}
		if problems := content.IsPathSegmentName(acc.GetName()); len(problems) > 0 {
			return nil, fail("%s %q: not a valid name: %s", kind.GVK.Kind, acc.GetName(), strings.Join(problems, "; "))
		}
		if kind.Namespaced && acc.GetNamespace() == "" {
			acc.SetNamespace(defaultNamespace)
		}
		if ns := acc.GetNamespace(); kind.Namespaced {
			if problems := validation.IsDNS1123Label(ns); len(problems) > 0 {
				return nil, fail("%s %q: %q is not a valid namespace: %s", kind.GVK.Kind, acc.GetName(), ns, strings.Join(problems, "; "))
			}
		}
		labels := acc.GetLabels()
		if labels == nil {
			labels = make(map[string]string)
		}
		labels[ManagedByLabel] = ManagedBy
		labels[ConfigSetLabel] = configSet
		acc.SetLabels(labels)
		key := unitKey{r.Namespace, r.Name}
		if r.Kind == "" {
			key = unitKey{acc.GetNamespace(), acc.GetName()}
		}
		clearStatus(obj)
		o := &Object{ID: ID{Group: kind.GVK.Group, Version: kind.GVK.Version, Kind: kind.GVK.Kind, Namespace: acc.GetNamespace(), Name: acc.GetName()}, typed: obj}
		if !typed {
			if o.json, err = encodeObject(obj); err != nil {
				return nil, fail("encoding %s %q: %v", kind.GVK.Kind, acc.GetName(), err)
			}
			o.typed = nil
		}
		items = append(items, item{key: key, what: what, pos: r.Pos, stack: r.Stack, obj: o})
	}
	if err := values.err(what); err != nil {
		return nil, err
	}
	for _, m := range r.Envoy {
		name := envoy.Name(m)
		typ := m.ProtoReflect().Descriptor().FullName()
		if name == "" {
			return nil, fail("%s has no name", typ)
		}
		if err := envoy.Validate(m); err != nil {
			return nil, fail("%s %q: %v", typ.Name(), name, err)
		}
		key := unitKey{r.Namespace, r.Name}
		if r.Kind == "" {
			key = unitKey{"", name}
		}
		res := &Resource{Type: string(typ), Name: name, msg: m}
		switch {
		case kubernetesOnly:
			res.msg = nil
		case !envoyMessages:
			data, err := envoy.Marshal(m)
			if err != nil {
				return nil, fail("encoding %s %q: %v", typ.Name(), name, err)
			}
			res.json, res.msg = data, nil
		}
		items = append(items, item{key: key, what: what, pos: r.Pos, stack: r.Stack, res: res})
	}
	if len(r.Calls) > 0 {
		items = append(items, item{key: unitKey{r.Namespace, r.Name}, what: what, pos: r.Pos, stack: r.Stack, calls: r.Calls})
	}
	return items, nil
}

// add files a converted item under its unit, unless something else already
// produced the same object or resource.
func (b *builder) add(it item) error {
	if it.calls != nil {
		b.callers = append(b.callers, it)
		return nil
	}
	id := it.id()
	src := it.source()
	if prev, ok := b.seen[id]; ok && b.opts.Duplicates {
		b.duplicates = append(b.duplicates, Duplicate{ID: id, What: it.what, Source: src, Prev: prev})
		return nil
	}
	if err := b.claim(id, src); err != nil {
		return &diag.Error{Pos: it.pos, Msg: it.what + ": " + err.Error(), Stack: it.stack}
	}
	u := b.unit(it.key, it.pos)
	if it.obj != nil {
		o := *it.obj
		o.Source = src
		u.Objects = append(u.Objects, o)
	} else {
		r := *it.res
		r.Source = src
		u.Envoy = append(u.Envoy, r)
	}
	return nil
}

// claim records that the object or resource id was produced by src, and
// fails if something else already produced it.
func (b *builder) claim(id string, src Source) error {
	if prev, ok := b.seen[id]; ok {
		return fmt.Errorf("%s is also produced at %s", id, prev.Origin().Format(b.opts.Cwd))
	}
	b.seen[id] = src
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
