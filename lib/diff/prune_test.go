package diff

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/svccfg/svccfg/lib/build"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	dynamicfake "k8s.io/client-go/dynamic/fake"
)

// liveObject returns a live object with the labels of config set set (none
// if set is empty).
func liveObject(t *testing.T, apiVersion, kind, ns, name, set string) *unstructured.Unstructured {
	t.Helper()
	labels := `{"app":"x"}`
	if set != "" {
		labels = fmt.Sprintf(`{"app":"x",%q:%q,%q:%q}`, build.ManagedByLabel, build.ManagedBy, build.ConfigSetLabel, set)
	}
	return object(t, fmt.Sprintf(`{"apiVersion":%q,"kind":%q,"metadata":{"name":%q,"namespace":%q,"uid":"u","resourceVersion":"1","labels":%s},"data":{"k":"c2VjcmV0"}}`,
		apiVersion, kind, name, ns, labels))
}

func TestInventory(t *testing.T) {
	gvks := []schema.GroupVersionKind{
		{Group: "apps", Version: "v1", Kind: "Deployment"},
		{Version: "v1", Kind: "Service"},
		{Version: "v1", Kind: "ConfigMap"},
		{Version: "v1", Kind: "Secret"},
		{Group: "batch", Version: "v1", Kind: "CronJob"},
	} // no PodDisruptionBudget, NetworkPolicy or ServiceAccount: skipped
	mapper := meta.NewDefaultRESTMapper([]schema.GroupVersion{{Version: "v1"}, {Group: "apps", Version: "v1"}, {Group: "batch", Version: "v1"}})
	listKinds := make(map[schema.GroupVersionResource]string)
	for _, gvk := range gvks {
		mapper.Add(gvk, meta.RESTScopeNamespace)
		m, _ := mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
		listKinds[m.Resource] = gvk.Kind + "List"
	}
	owned := liveObject(t, "batch/v1", "CronJob", "a", "owned", "shop")
	owned.SetOwnerReferences([]metav1.OwnerReference{{APIVersion: "v1", Kind: "ConfigMap", Name: "o", UID: "o", Controller: new(true)}})
	live := []runtime.Object{
		liveObject(t, "apps/v1", "Deployment", "a", "web", "shop"),     // built
		liveObject(t, "apps/v1", "Deployment", "b", "old-web", "shop"), // to prune, in another namespace
		liveObject(t, "v1", "Service", "a", "old-web", "shop"),         // to prune
		liveObject(t, "v1", "ConfigMap", "a", "other", "blog"),         // another config set
		liveObject(t, "v1", "ConfigMap", "a", "manual", ""),            // not svccfg's
		liveObject(t, "v1", "Secret", "a", "db", "shop"),               // to prune: its kind is built
		owned, // left to its owner
	}
	client := dynamicfake.NewSimpleDynamicClientWithCustomListKinds(runtime.NewScheme(), listKinds, live...)
	d := &Differ{dynamic: client}
	objs := []build.Object{
		{ID: build.ID{Group: "apps", Version: "v1", Kind: "Deployment", Namespace: "a", Name: "web"}},
		{ID: build.ID{Version: "v1", Kind: "Secret", Namespace: "a", Name: "token"}},
	}
	l := newLive()
	changes, err := d.inventory(t.Context(), l, mapper, objs, []string{"shop"}, nil, 2)
	if err != nil {
		t.Fatal(err)
	}
	// The built Deployment was found by its labels: no GET is needed for it.
	deployments := group{schema.GroupVersionResource{Group: "apps", Version: "v1", Resource: "deployments"}, "a"}
	if u, ok := l.get(deployments, "web"); !ok || u == nil || u.GetName() != "web" {
		t.Errorf("live Deployment a/web = %v, %v; want it found by the inventory", u, ok)
	}
	secrets := group{schema.GroupVersionResource{Version: "v1", Resource: "secrets"}, "a"}
	if u, ok := l.get(secrets, "token"); ok {
		t.Errorf("live Secret a/token = %v, %v; want it unknown (to be fetched)", u, ok)
	}
	var ids []string
	for _, c := range changes {
		ids = append(ids, c.Object.Path())
		if c.Action != Prune {
			t.Errorf("%s: action %v, want prune", c.Object.Path(), c.Action)
		}
		header := "--- live/" + c.Object.Path() + "\n+++ /dev/null\n"
		if !strings.Contains(string(c.Diff), header) {
			t.Errorf("%s: diff lacks %q:\n%s", c.Object.Path(), header, c.Diff)
		}
		if c.Object.Kind == "Secret" && strings.Contains(string(c.Diff), "c2VjcmV0") || strings.Contains(string(c.Diff), "resourceVersion") {
			t.Errorf("%s: diff shows a Secret value or server-managed field:\n%s", c.Object.Path(), c.Diff)
		}
	}
	want := []string{"apps/v1/Deployment/b/old-web", "v1/Secret/a/db", "v1/Service/a/old-web"}
	if !slices.Equal(ids, want) {
		t.Errorf("inventory = %q, want %q", ids, want)
	}
	res := newResult(changes)
	if !res.HasDifferences() || res.Summary() != "0 to create, 0 to change, 0 unchanged, 3 to prune" {
		t.Errorf("result: %s, differences %v; want 3 to prune, differences", res.Summary(), res.HasDifferences())
	}
}

func TestPruneSelector(t *testing.T) {
	got, err := pruneSelector([]string{"blog", "shop"})
	if want := "app.kubernetes.io/managed-by=svccfg,svccfg.dev/config-set in (blog,shop)"; err != nil || got != want {
		t.Errorf("pruneSelector = %q, %v, want %q", got, err, want)
	}
}
