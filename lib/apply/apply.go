package apply

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/svccfg/svccfg/internal/parallel"
	"github.com/svccfg/svccfg/lib/applyset"
	"github.com/svccfg/svccfg/lib/build"
	"github.com/svccfg/svccfg/lib/diag"
	"github.com/svccfg/svccfg/lib/diff"
	"github.com/svccfg/svccfg/lib/render"
	"github.com/svccfg/svccfg/lib/rollout"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/restmapper"
)

// DefaultTimeout bounds an apply, its wait included, when
// [Options.Timeout] is 0.
const DefaultTimeout = 5 * time.Minute

// recordTimeout bounds the recording of a revision, which outlives the
// apply's own deadline so that a failed apply is recorded too.
const recordTimeout = 10 * time.Second

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
	// Wait, if not nil, waits once everything is applied (and pruned)
	// until every applied object is ready, with these options, their
	// Timeout cut to what is left of the apply's. A failed wait is a
	// [*RolloutError].
	Wait *rollout.Options
	// Changes, if not nil, is called with the comparison with the cluster
	// once the dry run has succeeded and before anything is applied.
	Changes func(*diff.Result) error
	// ApplySet, if not nil, applies the objects as the members of the
	// ApplySet of one config set (see [MarkApplySet]).
	ApplySet *ApplySet
}

// An ApplySet is the ApplySet (KEP-3659) of the config set Set, whose
// parent is Parent.
type ApplySet struct {
	Set    string
	Parent applyset.Parent
}

// A Result is what an apply did.
type Result struct {
	// Diff is the comparison with the cluster before the apply.
	Diff *diff.Result
	// Applied counts the objects sent, Unchanged those left as they were
	// (unchanged, so not sent), Pruned those deleted.
	Applied, Unchanged, Pruned int
	// Rollout is how the wait ended, or nil if there was none.
	Rollout *rollout.Report
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
	// The wait takes its deadline from what the apply left (every object
	// not ready by then fails, diagnosed), under the caller's ctx.
	waitCtx := ctx
	ctx, cancel := context.WithTimeout(ctx, opts.Timeout)
	defer cancel()
	objs = Order(objs)
	dopts := diff.Options{Concurrency: opts.Concurrency, Timeout: opts.Timeout, ConfigSets: opts.ConfigSets}
	var set *applySetState
	if opts.ApplySet != nil {
		var err error
		if objs, set, err = a.applySet(ctx, opts.ApplySet, objs); err != nil {
			return nil, err
		}
		dopts.PruneKinds = set.live.Inventory.Kinds
		dopts.Applied = set.live.Applied
	}
	res, err := a.differ.Diff(ctx, objs, dopts)
	if err != nil {
		return nil, a.rejected(objs, err)
	}
	mapper, err := a.mapper(ctx)
	if err != nil {
		return nil, err
	}
	// An object the comparison found unchanged is left as it is: applying
	// it would change nothing, and it has no conflict (it sets no value
	// other than the live one). The rest are dry-run with the conflict
	// policy of the apply, all of them, so that every rejection is listed,
	// unless the comparison's own dry run (which takes conflicting fields)
	// already said all there is: for an object to create, or when the apply
	// takes conflicting fields too.
	actions := make(map[string]diff.Action, len(res.Changes))
	deferred := make(map[string]bool) // in namespaces this apply creates
	for _, c := range res.Changes {
		actions[c.Object.Path()] = c.Action
		deferred[c.Object.Path()] = c.InNewNamespace
	}
	var changed, check []build.Object
	for _, obj := range objs {
		switch actions[obj.Path()] {
		case diff.Unchanged:
		case diff.Create:
			changed = append(changed, obj)
		default:
			changed = append(changed, obj)
			if !opts.ForceConflicts {
				check = append(check, obj)
			}
		}
	}
	// A parent in a namespace that this apply creates is dry-run and
	// written once the namespace exists.
	newNS := make(map[string]bool)
	for _, obj := range objs {
		if obj.Group == "" && obj.Kind == "Namespace" && actions[obj.Path()] == diff.Create {
			newNS[obj.Name] = true
		}
	}
	parentLate := set != nil && newNS[set.parent.Namespace]
	if set != nil && set.write && !parentLate {
		check = append(check, set.superset())
	}
	if err := a.dryRun(ctx, mapper, check, opts); err != nil {
		return nil, err
	}
	if opts.Changes != nil {
		if err := opts.Changes(res); err != nil {
			return nil, err
		}
	}
	out := &Result{Diff: res, Unchanged: len(objs) - len(changed)}
	// Dry-run once the namespaces are applied.
	var late []build.Object
	for _, obj := range changed {
		if deferred[obj.Path()] {
			late = append(late, obj)
		}
	}
	if parentLate && set.write {
		late = append(late, set.superset())
	}
	err = a.applyAll(ctx, waitCtx, mapper, objs, changed, late, parentLate, set, res, opts, out)
	// An apply that changed nothing is no new revision: a rollback's
	// default target stays the revision before the current one.
	if opts.Record != nil && (err != nil || res.HasDifferences()) {
		outcome := "applied"
		if err != nil {
			outcome = "failed"
		}
		// The record outlives a deadline that ended the apply.
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), recordTimeout)
		defer cancel()
		if rerr := opts.Record(rctx, objs, outcome); rerr != nil && err == nil {
			err = &Error{Class: diff.Classify(rerr), Err: fmt.Errorf("recording the revision: %w", rerr)}
		}
	}
	return out, err
}

// applyAll applies changed, the objects of objs to change (in apply
// order), tier by tier and concurrently within a tier, prunes, and waits
// for all of objs (under waitCtx), counting in out. Once the namespaces
// are applied, it dry-runs late, the objects in the namespaces it created,
// and then writes the ApplySet parent if parentLate (it is in one of them).
func (a *Applier) applyAll(ctx, waitCtx context.Context, mapper meta.RESTMapper, objs, changed, late []build.Object, parentLate bool, set *applySetState, res *diff.Result, opts Options, out *Result) (err error) {
	// The parent lists the members old and new before any is applied, so
	// that an apply that stops half-way leaves none untracked (or, in a
	// namespace this apply creates, before any but the namespaces).
	writeParent := func() error {
		if set == nil || !set.write {
			return nil
		}
		_, err := a.send(ctx, mapper, set.superset(), opts.ForceConflicts, false)
		return err
	}
	afterNamespaces := func() error {
		if len(late) > 0 {
			if err := a.dryRun(ctx, mapper, late, opts); err != nil {
				return err
			}
		}
		if parentLate {
			return writeParent()
		}
		return nil
	}
	if !parentLate {
		if err := writeParent(); err != nil {
			return err
		}
	}
	namespacesDone := false
	gens := make(map[string]int64, len(changed))
	applied := make(map[string]diff.Applied, len(objs))
	for len(changed) > 0 {
		if !namespacesDone && tier(changed[0].Kind) > 0 {
			namespacesDone = true
			if err := afterNamespaces(); err != nil {
				return err
			}
		}
		n := 1
		for n < len(changed) && tier(changed[n].Kind) == tier(changed[0].Kind) {
			n++
		}
		batch := changed[:n]
		changed = changed[n:]
		got := make([]*unstructured.Unstructured, len(batch))
		errs := make([]error, len(batch))
		parallel.Do(len(batch), opts.Concurrency, func(i int) error {
			got[i], errs[i] = a.send(ctx, mapper, batch[i], opts.ForceConflicts, false)
			return nil
		})
		for i, err := range errs {
			if err != nil {
				return err
			}
			path := batch[i].Path()
			gens[path] = got[i].GetGeneration()
			applied[path] = diff.Applied{Managed: diff.ManagedHash(got[i])}
			out.Applied++
		}
	}
	if !namespacesDone {
		if err := afterNamespaces(); err != nil {
			return err
		}
	}
	if opts.Prune {
		if out.Pruned, err = a.prune(ctx, mapper, res); err != nil {
			return err
		}
	}
	if set != nil {
		// What was applied to each member, for the next comparison; and,
		// once pruned, exactly the members left.
		for _, c := range res.Changes {
			if c.Action == diff.Unchanged {
				applied[c.Object.Path()] = diff.Applied{Managed: c.Managed}
			}
		}
		for _, obj := range objs {
			last := applied[obj.Path()]
			if last.Config, err = diff.ConfigHash(obj); err != nil {
				return err
			}
			applied[obj.Path()] = last
		}
		if parent, ok := set.final(opts.Prune, applied); ok {
			if _, err := a.send(ctx, mapper, parent, opts.ForceConflicts, false); err != nil {
				return err
			}
		}
	}
	if opts.Wait == nil {
		return nil
	}
	// Every object is waited for, unchanged ones too: a rollout that an
	// earlier apply started may still be under way.
	refs := make([]rollout.Ref, len(objs))
	for i, obj := range objs {
		refs[i] = rollout.Ref{ID: obj.ID, Generation: gens[obj.Path()], Timeout: ReadyTimeout(obj)}
	}
	wopts := *opts.Wait
	if dl, ok := ctx.Deadline(); ok {
		left := max(time.Until(dl), time.Second)
		if wopts.Timeout <= 0 || left < wopts.Timeout {
			wopts.Timeout = left
		}
	}
	out.Rollout, err = rollout.NewForClient(a.dynamic, mapper).Wait(waitCtx, refs, wopts)
	if err != nil {
		return &RolloutError{Report: out.Rollout, Err: err}
	}
	return nil
}

// dryRun sends objs as server-side apply dry runs, all of them, and
// returns the objects rejected as a [*Rejected], or the first other
// failure.
func (a *Applier) dryRun(ctx context.Context, mapper meta.RESTMapper, objs []build.Object, opts Options) error {
	errs := make([]error, len(objs))
	parallel.Do(len(objs), opts.Concurrency, func(i int) error {
		_, errs[i] = a.send(ctx, mapper, objs[i], opts.ForceConflicts, true)
		return nil
	})
	var rejected Rejected
	for _, err := range errs {
		if err == nil {
			continue
		}
		if !rejectable(err) {
			return err
		}
		rejected = append(rejected, err.(*Error))
	}
	if len(rejected) > 0 {
		return &rejected
	}
	return nil
}

// applySetState is an ApplySet during an apply.
type applySetState struct {
	parent applyset.Parent
	live   *applyset.Live
	// union lists the members before and after the apply; exact, those
	// after.
	union, exact applyset.Inventory
	// write says that the live parent does not list union, or is of
	// another version of svccfg.
	write bool
}

// superset returns the parent that lists the members before and after the
// apply, with what the live parent says was last applied.
func (st *applySetState) superset() build.Object {
	return st.parent.Object(st.union, st.live.Applied)
}

// final returns the parent to apply once the members are applied (and
// pruned, if pruned), with what was applied to each, and whether it
// differs from the parent the cluster has.
func (st *applySetState) final(pruned bool, applied map[string]diff.Applied) (build.Object, bool) {
	inv := st.union
	if pruned {
		inv = st.exact
	}
	before := st.live.Inventory
	if st.write {
		before = st.union
	}
	same := st.live.Exists && before.Equal(inv) && st.live.Tooling == applyset.Tooling() && maps.Equal(st.live.Applied, applied)
	return st.parent.Object(inv, applied), !same
}

// applySet reads the live parent of set and returns objs marked as its
// members, and the state of the ApplySet.
func (a *Applier) applySet(ctx context.Context, set *ApplySet, objs []build.Object) ([]build.Object, *applySetState, error) {
	p := set.Parent
	live, err := p.Read(ctx, a.dynamic)
	if err != nil {
		class := diff.Classify(err)
		var foreign *applyset.ForeignError
		if errors.As(err, &foreign) {
			class = diff.Conflict
		}
		return nil, nil, &Error{Class: class, Err: fmt.Errorf("reading the ApplySet parent %s: %w", p, err)}
	}
	marked, err := p.Mark(objs)
	if err != nil {
		return nil, nil, err
	}
	inv := p.InventoryOf(objs)
	union := live.Inventory.Union(inv)
	st := &applySetState{
		parent: p,
		live:   live,
		union:  union,
		exact:  inv,
		write:  !live.Exists || !live.Inventory.Equal(union) || live.Tooling != applyset.Tooling(),
	}
	return marked, st, nil
}

// progressGrace is how long after its progress deadline a Deployment may
// still become ready, or be reported failed by its controller, before the
// wait gives up on it.
const progressGrace = 30 * time.Second

// ReadyTimeout returns how long the wait gives obj to become ready, or 0
// for the apply's own timeout: for a Deployment that sets
// spec.progressDeadlineSeconds, that deadline and a grace period, by which
// its controller has said whether it is progressing.
func ReadyTimeout(obj build.Object) time.Duration {
	if obj.Group != "apps" || obj.Kind != "Deployment" {
		return 0
	}
	body, err := obj.JSON()
	if err != nil {
		return 0
	}
	var d struct {
		Spec struct {
			ProgressDeadlineSeconds int64 `json:"progressDeadlineSeconds"`
		} `json:"spec"`
	}
	if json.Unmarshal(body, &d) != nil || d.Spec.ProgressDeadlineSeconds <= 0 {
		return 0
	}
	return time.Duration(d.Spec.ProgressDeadlineSeconds)*time.Second + progressGrace
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

// send applies obj, or dry-runs it, and returns the object the cluster
// returned.
func (a *Applier) send(ctx context.Context, mapper meta.RESTMapper, obj build.Object, force, dryRun bool) (*unstructured.Unstructured, error) {
	fail := func(err error) error { return &Error{Class: diff.Classify(err), Object: obj, Err: err} }
	m, err := mapper.RESTMapping(obj.GroupVersionKind().GroupKind(), obj.Version)
	if err != nil {
		return nil, fail(err)
	}
	var r dynamic.ResourceInterface = a.dynamic.Resource(m.Resource)
	if m.Scope.Name() == meta.RESTScopeNameNamespace {
		r = a.dynamic.Resource(m.Resource).Namespace(obj.Namespace)
	}
	body, err := obj.JSON()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", obj.Path(), err)
	}
	po := metav1.PatchOptions{FieldManager: diff.FieldManager, Force: &force}
	if dryRun {
		po.DryRun = []string{metav1.DryRunAll}
	}
	var u *unstructured.Unstructured
	err = diff.Retry(ctx, func() (err error) {
		u, err = r.Patch(ctx, obj.Name, types.ApplyPatchType, body, po)
		return err
	})
	if err != nil {
		return nil, fail(err)
	}
	return u, nil
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
	// Report is how the wait ended; nil if it could not start.
	Report *rollout.Report
	// Err is the wait's error: a [*rollout.Error] listing the failed
	// objects, or the failure to read the cluster.
	Err error
}

// Error returns "apply: rollout failed: ..." and the wait's error, one
// line per failed object.
func (e *RolloutError) Error() string {
	return "apply: rollout failed: " + e.Err.Error()
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
