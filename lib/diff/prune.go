package diff

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/svccfg/svccfg/internal/parallel"
	"github.com/svccfg/svccfg/lib/build"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/selection"
)

// PruneKinds are the kinds searched for objects to prune, besides those
// of the objects built: the kinds the standard library produces.
var PruneKinds = []schema.GroupKind{
	{Group: "apps", Kind: "Deployment"},
	{Group: "", Kind: "Service"},
	{Group: "", Kind: "ServiceAccount"},
	{Group: "", Kind: "ConfigMap"},
	{Group: "policy", Kind: "PodDisruptionBudget"},
	{Group: "networking.k8s.io", Kind: "NetworkPolicy"},
	{Group: "batch", Kind: "CronJob"},
}

// pruneSelector selects the objects svccfg rendered for one of sets.
func pruneSelector(sets []string) (string, error) {
	managed, err := labels.NewRequirement(build.ManagedByLabel, selection.Equals, []string{build.ManagedBy})
	if err != nil {
		return "", err
	}
	set, err := labels.NewRequirement(build.ConfigSetLabel, selection.In, sets)
	if err != nil {
		return "", err
	}
	return labels.NewSelector().Add(*managed, *set).String(), nil
}

// objectKey identifies an object across API versions.
type objectKey struct{ group, kind, namespace, name string }

// inventory lists, concurrently and across namespaces, the live objects
// that carry the labels of one of the config sets sets, of PruneKinds and
// of extra and of the kinds of objs that the cluster serves. It adds them to l, and
// returns as changes to prune those that objs do not include. Objects with
// a controlling owner are left to their owner. The changes are sorted by
// ID.
func (d *Differ) inventory(ctx context.Context, l *live, mapper meta.RESTMapper, objs []build.Object, sets []string, extra []schema.GroupKind, concurrency int) ([]Change, error) {
	selector, err := pruneSelector(sets)
	if err != nil {
		return nil, err
	}
	built := make(map[objectKey]bool)
	kinds := slices.Concat(PruneKinds, extra)
	for _, obj := range objs {
		built[objectKey{obj.Group, obj.Kind, obj.Namespace, obj.Name}] = true
		kinds = append(kinds, schema.GroupKind{Group: obj.Group, Kind: obj.Kind})
	}
	slices.SortFunc(kinds, func(a, b schema.GroupKind) int {
		return cmp.Or(strings.Compare(a.Group, b.Group), strings.Compare(a.Kind, b.Kind))
	})
	kinds = slices.Compact(kinds)
	var mappings []*meta.RESTMapping
	for _, gk := range kinds {
		m, err := mapper.RESTMapping(gk)
		if meta.IsNoMatchError(err) {
			continue // a kind the cluster does not serve has no objects
		} else if err != nil {
			return nil, &Error{Class: classify(err), Err: fmt.Errorf("listing %s to prune: %w", gk, err)}
		}
		mappings = append(mappings, m)
	}
	found := make([][]Change, len(mappings))
	errs := make([]error, len(mappings))
	parallel.Do(len(mappings), concurrency, func(i int) error {
		m := mappings[i]
		gk := m.GroupVersionKind.GroupKind()
		namespaced := m.Scope.Name() == meta.RESTScopeNameNamespace
		var bad error
		err := d.list(ctx, group{resource: m.Resource}, selector, func(u *unstructured.Unstructured) {
			if built[objectKey{gk.Group, gk.Kind, u.GetNamespace(), u.GetName()}] {
				g := group{resource: m.Resource}
				if namespaced {
					g.namespace = u.GetNamespace()
				}
				l.add(g, u)
				return
			}
			if metav1.GetControllerOf(u) != nil {
				return
			}
			c, err := pruneChange(m.GroupVersionKind, u)
			if err != nil {
				bad = cmp.Or(bad, err)
				return
			}
			found[i] = append(found[i], c)
		})
		errs[i] = cmp.Or(err, bad)
		return nil
	})
	if err := firstError(errs); err != nil {
		return nil, err
	}
	changes := slices.Concat(found...)
	slices.SortFunc(changes, func(a, b Change) int { return strings.Compare(a.Object.Path(), b.Object.Path()) })
	return changes, nil
}

// pruneChange returns the change that deletes the live object u, of kind
// gvk: a diff from it to /dev/null, with Secret values redacted.
func pruneChange(gvk schema.GroupVersionKind, u *unstructured.Unstructured) (Change, error) {
	obj := build.Object{ID: build.ID{Group: gvk.Group, Version: gvk.Version, Kind: gvk.Kind, Namespace: u.GetNamespace(), Name: u.GetName()}}
	u.SetAPIVersion(obj.APIVersion())
	u.SetKind(obj.Kind)
	clean(u)
	if obj.Group == "" && obj.Version == "v1" && obj.Kind == "Secret" {
		for _, field := range []string{"data", "stringData"} {
			if m, ok, _ := unstructured.NestedMap(u.Object, field); ok {
				unstructured.SetNestedMap(u.Object, markers(m, nil, RedactedBefore), field)
			}
		}
	}
	before, err := canonicalYAML(u)
	if err != nil {
		return Change{}, fmt.Errorf("%s: %w", obj.Path(), err)
	}
	canary := isCanary(u)
	return Change{Object: obj, Action: Prune, Diff: tagHeader(pruneDiff(obj.Path(), before), canary, nil), Canary: canary}, nil
}
