package apply

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/svccfg/svccfg/lib/build"
	"github.com/svccfg/svccfg/lib/diag"
	"github.com/svccfg/svccfg/lib/diff"
	"github.com/svccfg/svccfg/lib/render"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/restmapper"
)

// DefaultTimeout bounds an apply, its wait included, when
// [Options.Timeout] is 0.
const DefaultTimeout = 5 * time.Minute

// A Waiter waits until the applied objects are ready.
type Waiter interface {
	// Wait returns nil once every object of objs is ready, or an error
	// saying which are not, when ctx is done or a rollout failed.
	Wait(ctx context.Context, cfg *rest.Config, objs []build.Object) error
}

// Options configures [Applier.Apply].
type Options struct {
	// ForceConflicts takes the fields another field manager owns instead
	// of stopping at the conflict.
	ForceConflicts bool
	// Timeout bounds the apply and the wait; 0 means DefaultTimeout.
	Timeout time.Duration
	// Concurrency bounds the objects compared at once; 0 means
	// diff.DefaultConcurrency.
	Concurrency int
	// ConfigSets are the config sets the objects were built from, as for
	// [diff.Options].
	ConfigSets []string
	// Prune deletes, once every object is applied, the live objects of
	// ConfigSets that objs no longer include (those svccfg diff lists as to
	// prune: never another config set's, never one with a controlling
	// owner).
	Prune bool
	// Record, if not nil, records the revision applied, with its outcome:
	// history.Applied, or history.Failed when an apply or the wait failed
	// after the dry run succeeded.
	Record func(ctx context.Context, objs []build.Object, outcome string) error
	// Waiter, if not nil, waits for the applied objects to be ready.
	Waiter Waiter
	// Changes, if not nil, is called with the comparison with the cluster
	// once the dry run has succeeded and before anything is applied.
	Changes func(*diff.Result) error
}

// A Result is what an apply did.
type Result struct {
	// Diff is the comparison with the cluster before the apply.
	Diff *diff.Result
	// Applied counts the objects sent, Pruned those deleted.
	Applied, Pruned int
}

// An Applier applies objects to one cluster.
type Applier struct {
	config  *rest.Config
	dynamic dynamic.Interface
	differ  *diff.Differ
}

// New returns an Applier for the cluster of cfg.
func New(cfg *rest.Config) (*Applier, error) {
	cfg = rest.CopyConfig(cfg)
	cfg.WarningHandler = rest.NoWarnings{}
	cfg.QPS = -1
	dyn, err := dynamic.NewForConfig(cfg)
	if err != nil {
		return nil, &Error{Class: diff.Kubeconfig, Err: err}
	}
	d, err := diff.New(cfg)
	if err != nil {
		return nil, &Error{Class: diff.Kubeconfig, Err: err}
	}
	return &Applier{config: cfg, dynamic: dyn, differ: d}, nil
}

// Apply compares objs with the cluster, dry-runs all of them, then applies
// them in dependency order and waits for them. An object rejected by the
// dry run is a [*Rejected] error and nothing is applied; any other failure
// to reach or use the cluster is an [*Error].
func (a *Applier) Apply(ctx context.Context, objs []build.Object, opts Options) (*Result, error) {
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, opts.Timeout)
	defer cancel()
	objs = Order(objs)
	res, err := a.differ.Diff(ctx, objs, diff.Options{Concurrency: opts.Concurrency, Timeout: opts.Timeout, ConfigSets: opts.ConfigSets})
	if err != nil {
		return nil, a.rejected(objs, err)
	}
	mapper, err := a.mapper(ctx)
	if err != nil {
		return nil, err
	}
	var rejected Rejected
	for _, obj := range objs {
		if err := a.send(ctx, mapper, obj, opts.ForceConflicts, true); err != nil {
			if !rejectable(err) {
				return nil, err
			}
			rejected = append(rejected, err.(*Error))
		}
	}
	if len(rejected) > 0 {
		return nil, &rejected
	}
	if opts.Changes != nil {
		if err := opts.Changes(res); err != nil {
			return nil, err
		}
	}
	out := &Result{Diff: res}
	err = a.applyAll(ctx, mapper, objs, res, opts, out)
	if opts.Record != nil {
		outcome := "applied"
		if err != nil {
			outcome = "failed"
		}
		// The record outlives a deadline that ended the apply.
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer cancel()
		if rerr := opts.Record(rctx, objs, outcome); rerr != nil && err == nil {
			err = &Error{Class: diff.Classify(rerr), Err: fmt.Errorf("recording the revision: %w", rerr)}
		}
	}
	return out, err
}

// applyAll applies objs, prunes and waits, counting in out.
func (a *Applier) applyAll(ctx context.Context, mapper meta.RESTMapper, objs []build.Object, res *diff.Result, opts Options, out *Result) (err error) {
	for _, obj := range objs {
		if err := a.send(ctx, mapper, obj, opts.ForceConflicts, false); err != nil {
			return err
		}
		out.Applied++
	}
	if opts.Prune {
		if out.Pruned, err = a.prune(ctx, mapper, res); err != nil {
			return err
		}
	}
	if opts.Waiter != nil {
		if err := opts.Waiter.Wait(ctx, a.config, objs); err != nil {
			return &RolloutError{Err: err}
		}
	}
	return nil
}

// rejected turns a diff failure into the error of the object it names.
func (a *Applier) rejected(objs []build.Object, err error) error {
	var derr *diff.Error
	if !errors.As(err, &derr) {
		return err
	}
	e := &Error{Class: derr.Class, Err: derr.Err}
	for _, obj := range objs {
		if obj.Path() == derr.Object {
			e.Object = obj
		}
	}
	if e.Object.Kind == "" && derr.Object != "" {
		e.Err = fmt.Errorf("%s: %w", derr.Object, derr.Err)
	}
	if rejectable(e) {
		return &Rejected{e}
	}
	return e
}

// rejectable reports whether err is an object the cluster refused, as
// opposed to a failure to reach or use it.
func rejectable(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Object.Kind != "" && (e.Class == diff.Validation || e.Class == diff.Conflict)
}

// send applies obj, or dry-runs it.
func (a *Applier) send(ctx context.Context, mapper meta.RESTMapper, obj build.Object, force, dryRun bool) error {
	fail := func(err error) error { return &Error{Class: diff.Classify(err), Object: obj, Err: err} }
	m, err := mapper.RESTMapping(obj.GroupVersionKind().GroupKind(), obj.Version)
	if err != nil {
		return fail(err)
	}
	var r dynamic.ResourceInterface = a.dynamic.Resource(m.Resource)
	if m.Scope.Name() == meta.RESTScopeNameNamespace {
		r = a.dynamic.Resource(m.Resource).Namespace(obj.Namespace)
	}
	body, err := obj.JSON()
	if err != nil {
		return fmt.Errorf("%s: %w", obj.Path(), err)
	}
	po := metav1.PatchOptions{FieldManager: diff.FieldManager, Force: &force}
	if dryRun {
		po.DryRun = []string{metav1.DryRunAll}
	}
	err = diff.Retry(ctx, func() error {
		_, err := r.Patch(ctx, obj.Name, types.ApplyPatchType, body, po)
		return err
	})
	if err != nil {
		return fail(err)
	}
	return nil
}

// mapper discovers the cluster's resources.
func (a *Applier) mapper(ctx context.Context) (meta.RESTMapper, error) {
	client, err := discovery.NewDiscoveryClientForConfig(a.config)
	if err != nil {
		return nil, &Error{Class: diff.Kubeconfig, Err: err}
	}
	var groups []*restmapper.APIGroupResources
	err = diff.Retry(ctx, func() (err error) {
		groups, err = restmapper.GetAPIGroupResources(client)
		return err
	})
	if err != nil {
		return nil, &Error{Class: diff.Classify(err), Err: fmt.Errorf("discovering the cluster's resources: %w", err)}
	}
	return restmapper.NewDiscoveryRESTMapper(groups), nil
}

// tiers are the kinds applied first, tier by tier; every other kind
// follows.
var tiers = [][]string{
	{"Namespace", "CustomResourceDefinition"},
	{"ServiceAccount", "ConfigMap", "Secret"},
}

func tier(kind string) int {
	for i, t := range tiers {
		if slices.Contains(t, kind) {
			return i
		}
	}
	return len(tiers)
}

// Order returns objs in the order they are applied: by tier (namespaces
// and CRDs; service accounts, config maps and secrets; the rest), and
// within a tier in install order ([render.SortObjects]).
func Order(objs []build.Object) []build.Object {
	objs = slices.Clone(objs)
	render.SortObjects(objs)
	slices.SortStableFunc(objs, func(a, b build.Object) int { return tier(a.Kind) - tier(b.Kind) })
	return objs
}

// An Error is a failure to apply an object, or to reach or use the
// cluster, classified as lib/diff classifies them.
type Error struct {
	Class diff.Class
	// Object is the object concerned; its Kind is empty when the failure
	// concerns no one object.
	Object build.Object
	Err    error
}

// Error returns "apply: class: Kind namespace/name: message", on one line.
func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "apply: %s: ", e.Class)
	if e.Object.Kind != "" {
		b.WriteString(e.Object.String() + ": ")
	}
	b.WriteString(diff.Message(e.Err))
	return b.String()
}

// Unwrap returns the underlying error.
func (e *Error) Unwrap() error { return e.Err }

// Rejected are the objects the dry run rejected; nothing was applied.
type Rejected []*Error

// Error returns one line per object: "path:line:col: apply: class: Kind
// namespace/name: message", at the call in the configuration that made it.
func (r *Rejected) Error() string {
	var lines []string
	for _, e := range *r {
		lines = append(lines, e.Diag().Error())
	}
	return strings.Join(lines, "\n")
}

// Diag returns e as a positioned error, at the call in the configuration
// that made its object, with the call chain.
func (e *Error) Diag() *diag.Error {
	return &diag.Error{Pos: e.Object.Source.Pos, Stack: e.Object.Source.Stack, Msg: e.Error(), Err: e}
}

// Diags returns r as a list of positioned errors.
func (r *Rejected) Diags() diag.ErrorList {
	var l diag.ErrorList
	for _, e := range *r {
		l = append(l, e.Diag())
	}
	return l
}

// A RolloutError is a wait that failed after everything was applied.
type RolloutError struct {
	// RolledBack says whether the previous revision was applied again.
	RolledBack bool
	Err        error
}

// Error returns "apply: rollout failed: ...", saying whether it was
// rolled back.
func (e *RolloutError) Error() string {
	s := "apply: rollout failed: " + e.Err.Error()
	if e.RolledBack {
		return s + " (rolled back to the previous revision)"
	}
	return s + " (not rolled back)"
}

// Unwrap returns the underlying error.
func (e *RolloutError) Unwrap() error { return e.Err }

// prune deletes the live objects of res to prune, in reverse install
// order, propagating the deletion to what they own.
func (a *Applier) prune(ctx context.Context, mapper meta.RESTMapper, res *diff.Result) (int, error) {
	var n int
	for _, c := range slices.Backward(res.Changes) {
		if c.Action != diff.Prune {
			continue
		}
		obj := c.Object
		fail := func(err error) error {
			return &Error{Class: diff.Classify(err), Object: obj, Err: fmt.Errorf("pruning: %w", err)}
		}
		m, err := mapper.RESTMapping(obj.GroupVersionKind().GroupKind(), obj.Version)
		if err != nil {
			return n, fail(err)
		}
		var r dynamic.ResourceInterface = a.dynamic.Resource(m.Resource)
		if m.Scope.Name() == meta.RESTScopeNameNamespace {
			r = a.dynamic.Resource(m.Resource).Namespace(obj.Namespace)
		}
		policy := metav1.DeletePropagationBackground
		err = diff.Retry(ctx, func() error {
			err := r.Delete(ctx, obj.Name, metav1.DeleteOptions{PropagationPolicy: &policy})
			if apierrors.IsNotFound(err) {
				return nil
			}
			return err
		})
		if err != nil {
			return n, fail(err)
		}
		n++
	}
	return n, nil
}
