package diff

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/svccfg/svccfg/lib/build"
	"github.com/svccfg/svccfg/lib/render"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/restmapper"
)

// FieldManager is the field manager svccfg applies as.
const FieldManager = "svccfg"

// Defaults of [Options].
const (
	DefaultConcurrency = 8
	DefaultTimeout     = 30 * time.Second
)

// Options configures [Differ.Diff].
type Options struct {
	// Concurrency bounds the objects compared at once; 0 means
	// DefaultConcurrency.
	Concurrency int
	// Timeout bounds the whole comparison, retries included; 0 means
	// DefaultTimeout.
	Timeout time.Duration
	// ConfigSets, if not empty, are the config sets the objects were built
	// from: live objects labelled as rendered for one of them that the
	// objects no longer include are listed as to prune. Nothing is deleted.
	ConfigSets []string
	// PruneKinds are kinds to search for objects to prune besides
	// [PruneKinds] and the kinds of the objects: those an ApplySet's parent
	// lists, say.
	PruneKinds []schema.GroupKind
	// Applied, if not nil, is what svccfg last applied to each object, by
	// [build.Object.Path]: an object found unchanged that way is not sent
	// as a dry run (see [Applied]).
	Applied map[string]Applied
	// Progress, if not nil, is called after each object is compared with
	// the number compared so far and the total, from any goroutine, one call
	// at a time.
	Progress func(done, total int)
}

// A Differ compares objects with one cluster.
type Differ struct {
	config  *rest.Config
	dynamic dynamic.Interface
}

// New returns a Differ for the cluster of cfg.
func New(cfg *rest.Config) (*Differ, error) {
	cfg = rest.CopyConfig(cfg)
	cfg.WarningHandler = rest.NoWarnings{}
	// No client-side rate limit (client-go's default is 5 requests a second,
	// half an hour for a thousand services): Options.Concurrency bounds the
	// requests in flight, and the apiserver's priority and fairness protects
	// it from more.
	cfg.QPS = -1
	dyn, err := dynamic.NewForConfig(cfg)
	if err != nil {
		return nil, &Error{Class: Kubeconfig, Err: err}
	}
	return &Differ{config: cfg, dynamic: dyn}, nil
}

// Diff compares objs with the cluster and returns the result in install
// order (see [render.SortObjects]). It returns an [*Error] if any object
// could not be compared, and no result then.
func (d *Differ) Diff(ctx context.Context, objs []build.Object, opts Options) (*Result, error) {
	if opts.Concurrency <= 0 {
		opts.Concurrency = DefaultConcurrency
	}
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, opts.Timeout)
	defer cancel()
	objs = slices.Clone(objs)
	render.SortObjects(objs)
	mapper, err := d.mapper(ctx, opts.Timeout)
	if err != nil {
		return nil, err
	}
	groups := make([]group, len(objs))
	errs := make([]error, len(objs))
	for i, obj := range objs {
		if groups[i], errs[i] = groupOf(mapper, obj); errs[i] != nil {
			return nil, &Error{Class: classify(errs[i]), Object: obj.Path(), Err: errs[i]}
		}
	}
	// The live objects: first those labelled as built from the config
	// sets, which also shows what to prune; then, for the objects not found
	// that way, the groups where a LIST is cheaper than a GET each.
	live := newLive()
	var pruned []Change
	if len(opts.ConfigSets) > 0 {
		if pruned, err = d.inventory(ctx, live, mapper, objs, opts.ConfigSets, opts.PruneKinds, opts.Concurrency); err != nil {
			return nil, err
		}
	}
	if err := d.prefetch(ctx, live, objs, groups, opts.Concurrency); err != nil {
		return nil, err
	}
	// The namespaces that objs create: their objects cannot be dry-run
	// before they exist.
	creating := make(map[string]bool)
	for _, obj := range objs {
		if obj.Group == "" && obj.Kind == "Namespace" {
			creating[obj.Name] = true
		}
	}
	changes := make([]Change, len(objs))
	// The first failure stops the others; their errors, which that caused,
	// are not reported.
	ctx, stop := context.WithCancel(ctx)
	defer stop()
	sem := make(chan struct{}, opts.Concurrency)
	var wg sync.WaitGroup
	var progress sync.Mutex
	done := 0
	for i, obj := range objs {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			change, err := d.compare(ctx, live, groups[i], obj, opts.Applied, creating)
			if err != nil && errors.Is(ctx.Err(), context.Canceled) {
				return // stopped by another object's failure
			}
			changes[i], errs[i] = change, err
			if err != nil {
				stop()
			}
			if opts.Progress != nil {
				progress.Lock()
				done++
				opts.Progress(done, len(objs))
				progress.Unlock()
			}
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	if err := ctx.Err(); errors.Is(err, context.Canceled) {
		return nil, &Error{Class: Timeout, Err: err} // cancelled from outside
	}
	return newResult(append(changes, pruned...)), nil
}

// mapper discovers the cluster's resources, once per run, retrying
// transient failures.
func (d *Differ) mapper(ctx context.Context, timeout time.Duration) (meta.RESTMapper, error) {
	cfg := rest.CopyConfig(d.config)
	cfg.Timeout = timeout // the discovery client does not take a context
	client, err := discovery.NewDiscoveryClientForConfig(cfg)
	if err != nil {
		return nil, &Error{Class: Kubeconfig, Err: err}
	}
	var groups []*restmapper.APIGroupResources
	err = retry(ctx, func() error {
		groups, err = restmapper.GetAPIGroupResources(client)
		if err == nil || ctx.Err() == nil {
			return err
		}
		return fmt.Errorf("%w: %w", ctx.Err(), err)
	})
	if err != nil {
		return nil, &Error{Class: classify(err), Err: fmt.Errorf("discovering the cluster's resources: %w", err)}
	}
	return restmapper.NewDiscoveryRESTMapper(groups), nil
}

// compare compares one object, of group g, with the cluster; its live
// version comes from l if g was listed.
func (d *Differ) compare(ctx context.Context, l *live, g group, obj build.Object, last map[string]Applied, creating map[string]bool) (Change, error) {
	id := obj.Path()
	fail := func(err error) (Change, error) {
		return Change{}, &Error{Class: classify(err), Object: id, Err: err}
	}
	body, err := obj.JSON()
	if err != nil {
		return Change{}, fmt.Errorf("%s: %w", id, err) // a bug in the build: not a cluster error
	}
	r := d.client(g)
	current, managed, listed := l.getManaged(g, obj.Name)
	if !listed {
		err := retry(ctx, func() (err error) {
			current, err = r.Get(ctx, obj.Name, metav1.GetOptions{})
			if apierrors.IsNotFound(err) {
				current, err = nil, nil
			}
			return err
		})
		if err != nil {
			return fail(err)
		}
		managed = ManagedHash(current)
	}
	if a, ok := last[id]; ok && current != nil && a.Managed != "" && a.Managed == managed {
		if h, err := ConfigHash(obj); err == nil && h == a.Config {
			return Change{Object: obj, Action: Unchanged, Managed: managed}, nil
		}
	}
	var applied *unstructured.Unstructured
	force := true
	// The build's JSON has no status, which the controllers own.
	err = retry(ctx, func() (err error) {
		applied, err = r.Patch(ctx, obj.Name, types.ApplyPatchType, body, metav1.PatchOptions{
			FieldManager: FieldManager, Force: &force, DryRun: []string{metav1.DryRunAll},
		})
		return err
	})
	if err != nil && current == nil && creating[obj.Namespace] && apierrors.IsNotFound(err) {
		// In a namespace that the same objects create: shown as built, and
		// checked by the cluster only once the namespace exists.
		u := &unstructured.Unstructured{}
		if uerr := u.UnmarshalJSON(body); uerr != nil {
			return fail(err)
		}
		redactSecrets(nil, u)
		after, cerr := canonicalYAML(u)
		if cerr != nil {
			return fail(err)
		}
		return Change{Object: obj, Action: Create, Diff: unified(id, nil, after), InNewNamespace: true}, nil
	}
	if err != nil {
		return fail(err)
	}
	c, err := newChange(obj, current, applied)
	c.Managed = managed
	return c, err
}
