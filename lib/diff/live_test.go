package diff

import (
	"fmt"
	"testing"

	"github.com/svccfg/svccfg/lib/build"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	dynamicfake "k8s.io/client-go/dynamic/fake"
)

func TestPrefetch(t *testing.T) {
	mapper := meta.NewDefaultRESTMapper([]schema.GroupVersion{{Version: "v1"}})
	mapper.Add(schema.GroupVersionKind{Version: "v1", Kind: "ConfigMap"}, meta.RESTScopeNamespace)
	mapper.Add(schema.GroupVersionKind{Version: "v1", Kind: "Service"}, meta.RESTScopeNamespace)
	listKinds := map[schema.GroupVersionResource]string{
		{Version: "v1", Resource: "configmaps"}: "ConfigMapList",
		{Version: "v1", Resource: "services"}:   "ServiceList",
	}
	var objects []runtime.Object
	var objs []build.Object
	for i := range listThreshold + 1 {
		name := fmt.Sprintf("cm%d", i)
		objs = append(objs, build.Object{ID: build.ID{Version: "v1", Kind: "ConfigMap", Namespace: "a", Name: name}})
		if i%2 == 0 {
			objects = append(objects, liveObject(t, "v1", "ConfigMap", "a", name, ""))
		}
	}
	objects = append(objects, liveObject(t, "v1", "ConfigMap", "a", "unrelated", ""))
	objs = append(objs, build.Object{ID: build.ID{Version: "v1", Kind: "Service", Namespace: "a", Name: "web"}})
	objects = append(objects, liveObject(t, "v1", "Service", "a", "web", ""))
	client := dynamicfake.NewSimpleDynamicClientWithCustomListKinds(runtime.NewScheme(), listKinds, objects...)
	d := &Differ{dynamic: client}

	groups := make([]group, len(objs))
	for i, obj := range objs {
		var err error
		if groups[i], err = groupOf(mapper, obj); err != nil {
			t.Fatal(err)
		}
	}
	l := newLive()
	if err := d.prefetch(t.Context(), l, objs, groups, 2); err != nil {
		t.Fatal(err)
	}
	// The ConfigMaps, as many as listThreshold, were listed in one request;
	// the single Service is left to a GET.
	var verbs []string
	for _, a := range client.Actions() {
		verbs = append(verbs, a.GetVerb()+" "+a.GetResource().Resource+" "+a.GetNamespace())
	}
	if len(verbs) != 1 || verbs[0] != "list configmaps a" {
		t.Errorf("requests = %q, want one LIST of configmaps in a", verbs)
	}
	for i, obj := range objs[:listThreshold+1] {
		u, ok := l.get(groups[i], obj.Name)
		if exists := i%2 == 0; !ok || (u != nil) != exists || (exists && u.GetName() != obj.Name) {
			t.Errorf("live %s = %v, %v; want known, existing %v", obj.Name, u, ok, exists)
		}
	}
	if u, ok := l.get(groups[len(objs)-1], "web"); ok {
		t.Errorf("live Service web = %v, %v; want it unknown (to be fetched)", u, ok)
	}
}
