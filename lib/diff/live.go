package diff

import (
	"context"
	"fmt"
	"sync"

	"github.com/svccfg/svccfg/internal/parallel"
	"github.com/svccfg/svccfg/lib/build"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
)

// listThreshold is the number of objects of one resource in one namespace
// from which their live versions are fetched with one paginated LIST
// rather than a GET each. Every GET is a round trip through the
// apiserver's filters, which costs about as much as serving a few dozen
// objects from its watch cache; a LIST also returns the namespace's other
// objects of that resource, so a few objects are still fetched one by one.
const listThreshold = 4

// listPageSize bounds the objects in one LIST response.
const listPageSize = 500

// A group is the objects of one resource, at one version, in one
// namespace ("" for cluster-scoped resources and for all namespaces).
type group struct {
	resource  schema.GroupVersionResource
	namespace string
}

// live holds the live objects fetched before the comparisons.
type live struct {
	mu sync.Mutex
	// objects are the live objects by group and name.
	objects map[group]map[string]*unstructured.Unstructured
	// listed are the groups whose objects were all fetched, so that an
	// object not in objects does not exist.
	listed map[group]bool
	// managed are the [ManagedHash] values of the objects, taken before
	// clean drops managedFields.
	managed map[group]map[string]string
}

func newLive() *live {
	return &live{
		objects: make(map[group]map[string]*unstructured.Unstructured),
		listed:  make(map[group]bool),
		managed: make(map[group]map[string]string),
	}
}

// add records the live object u of group g, without what the server
// manages (see clean), which is most of its size.
func (l *live) add(g group, u *unstructured.Unstructured) {
	h := ManagedHash(u)
	clean(u)
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.objects[g] == nil {
		l.objects[g] = make(map[string]*unstructured.Unstructured)
		l.managed[g] = make(map[string]string)
	}
	l.objects[g][u.GetName()] = u
	l.managed[g][u.GetName()] = h
}

// has reports whether the live object of g named name is known, either
// way.
func (l *live) has(g group, name string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.listed[g] || l.objects[g][name] != nil
}

// get returns the live object of g named name (nil when it does not exist)
// and true if it is known, or false if it must be fetched. Each object is
// handed out once: the caller may modify it.
func (l *live) get(g group, name string) (*unstructured.Unstructured, bool) {
	u, _, ok := l.getManaged(g, name)
	return u, ok
}

// getManaged is get, which also returns the object's [ManagedHash].
func (l *live) getManaged(g group, name string) (*unstructured.Unstructured, string, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	u := l.objects[g][name]
	delete(l.objects[g], name)
	return u, l.managed[g][name], u != nil || l.listed[g]
}

// groupOf returns the group of obj.
func groupOf(mapper meta.RESTMapper, obj build.Object) (group, error) {
	m, err := mapper.RESTMapping(obj.GroupVersionKind().GroupKind(), obj.Version)
	if err != nil {
		return group{}, err
	}
	g := group{resource: m.Resource}
	if m.Scope.Name() == meta.RESTScopeNameNamespace {
		g.namespace = obj.Namespace
	}
	return g, nil
}

// client returns the client for the resource of g, in its namespace.
func (d *Differ) client(g group) dynamic.ResourceInterface {
	if g.namespace != "" {
		return d.dynamic.Resource(g.resource).Namespace(g.namespace)
	}
	return d.dynamic.Resource(g.resource)
}

// prefetch lists, concurrently, the groups that hold at least
// listThreshold of objs whose live versions l does not know yet, and adds
// to l the live objects that objs name.
func (d *Differ) prefetch(ctx context.Context, l *live, objs []build.Object, groups []group, concurrency int) error {
	names := make(map[group]map[string]bool)
	for i, g := range groups {
		if l.has(g, objs[i].Name) {
			continue
		}
		if names[g] == nil {
			names[g] = make(map[string]bool)
		}
		names[g][objs[i].Name] = true
	}
	var todo []group
	for g, want := range names {
		if len(want) >= listThreshold {
			todo = append(todo, g)
		}
	}
	errs := make([]error, len(todo))
	parallel.Do(len(todo), concurrency, func(i int) error {
		g := todo[i]
		errs[i] = d.list(ctx, g, "", func(u *unstructured.Unstructured) {
			if names[g][u.GetName()] {
				l.add(g, u)
			}
		})
		if errs[i] == nil {
			l.mu.Lock()
			l.listed[g] = true
			l.mu.Unlock()
		}
		return nil
	})
	return firstError(errs)
}

// list calls f with each live object of g that selector selects, page by
// page.
func (d *Differ) list(ctx context.Context, g group, selector string, f func(*unstructured.Unstructured)) error {
	opts := metav1.ListOptions{LabelSelector: selector, Limit: listPageSize}
	for {
		var page *unstructured.UnstructuredList
		err := retry(ctx, func() (err error) {
			page, err = d.client(g).List(ctx, opts)
			return err
		})
		if err != nil {
			what := g.resource.GroupResource().String()
			if g.namespace != "" {
				what += " in namespace " + g.namespace
			}
			return &Error{Class: classify(err), Err: fmt.Errorf("listing %s: %w", what, err)}
		}
		for _, item := range page.Items {
			f(&item) // a copy: keeping it does not keep the page
		}
		if opts.Continue = page.GetContinue(); opts.Continue == "" {
			return nil
		}
	}
}

// firstError returns the first error of errs that is not nil.
func firstError(errs []error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
