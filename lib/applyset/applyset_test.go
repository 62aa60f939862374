package applyset

import (
	"encoding/json"
	"maps"
	"strings"
	"testing"

	"github.com/svccfg/svccfg/lib/build"
	"github.com/svccfg/svccfg/lib/diff"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

func TestID(t *testing.T) {
	p := ParentOf("shop", "prod")
	id := p.ID()
	// "applyset-" + 43 characters of unpadded URL-safe base64 + "-v1": a
	// label value (at most 63 characters, alphanumeric at both ends).
	if !strings.HasPrefix(id, "applyset-") || !strings.HasSuffix(id, "-v1") || len(id) != len("applyset-")+43+len("-v1") || strings.ContainsAny(id, "+/=") {
		t.Errorf("ID = %q, want applyset-<43 base64url characters>-v1", id)
	}
	if other := ParentOf("shop", "staging").ID(); other == id {
		t.Errorf("the parents of shop in two namespaces have the same ID %q", id)
	}
	if p.Name != "svccfg-shop" || p.String() != "Secret prod/svccfg-shop" {
		t.Errorf("parent = %+v (%s), want Secret prod/svccfg-shop", p, p)
	}
}

func TestInventory(t *testing.T) {
	p := ParentOf("shop", "prod")
	objs := []build.Object{
		{ID: build.ID{Group: "apps", Version: "v1", Kind: "Deployment", Namespace: "prod", Name: "web"}},
		{ID: build.ID{Version: "v1", Kind: "Service", Namespace: "prod", Name: "web"}},
		{ID: build.ID{Version: "v1", Kind: "Service", Namespace: "edge", Name: "web"}},
		{ID: build.ID{Version: "v1", Kind: "Namespace", Name: "edge"}},
		{ID: build.ID{Group: "apps", Version: "v1", Kind: "Deployment", Namespace: "prod", Name: "api"}},
	}
	inv := p.InventoryOf(objs)
	applied := map[string]diff.Applied{"apps/v1/Deployment/prod/web": {Config: "c", Managed: "m"}}
	parent := p.Object(inv, applied)
	data, err := parent.JSON()
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Metadata struct {
			Labels      map[string]string
			Annotations map[string]string
		}
		Data map[string]string
	}
	if err := json.Unmarshal(data, &got); err != nil {
		t.Fatal(err)
	}
	// What was applied comes back as the API returns data: base64.
	if back := decodeApplied(got.Data[appliedKey]); !maps.Equal(back, applied) {
		t.Errorf("applied, encoded and decoded = %v, want %v", back, applied)
	}
	if decodeApplied("not base64!") != nil || decodeApplied("aGVsbG8=") != nil {
		t.Error("unreadable data decoded to something")
	}
	if got.Metadata.Labels[IDLabel] != p.ID() || got.Metadata.Labels[build.ManagedByLabel] != "svccfg" || got.Metadata.Labels[build.ConfigSetLabel] != "" {
		t.Errorf("parent labels = %v, want the ID and managed-by, and no config set (never pruned)", got.Metadata.Labels)
	}
	a := got.Metadata.Annotations
	if a[KindsAnnotation] != "Deployment.apps,Namespace,Service" || a[NamespacesAnnotation] != "edge" || !strings.HasPrefix(a[ToolingAnnotation], "svccfg/") {
		t.Errorf("parent annotations = %v", a)
	}
	if back := ParseInventory(a); !back.Equal(inv) {
		t.Errorf("ParseInventory(annotations) = %+v, want %+v", back, inv)
	}
	union := inv.Union(Inventory{Kinds: []schema.GroupKind{{Group: "batch", Kind: "CronJob"}, {Kind: "Service"}}, Namespaces: []string{"batch"}})
	want := Inventory{Kinds: []schema.GroupKind{{Group: "batch", Kind: "CronJob"}, {Group: "apps", Kind: "Deployment"}, {Kind: "Namespace"}, {Kind: "Service"}}, Namespaces: []string{"batch", "edge"}}
	if !union.Equal(want) || union.Equal(inv) {
		t.Errorf("union = %+v, want %+v", union, want)
	}
}

func TestCheckTooling(t *testing.T) {
	p := ParentOf("shop", "prod")
	if err := p.CheckTooling(map[string]string{ToolingAnnotation: "svccfg/v1.2.0"}); err != nil {
		t.Errorf("svccfg's own parent: %v", err)
	}
	for _, tooling := range []string{"kubectl/v1.37.2", "svccfgx/v1", ""} {
		err := p.CheckTooling(map[string]string{ToolingAnnotation: tooling})
		if err == nil || !strings.Contains(err.Error(), "Secret prod/svccfg-shop is the parent of an ApplySet that ") {
			t.Errorf("tooling %q: error %v, want the parent left alone", tooling, err)
		}
	}
}

func TestMark(t *testing.T) {
	p := ParentOf("shop", "prod")
	obj := build.Object{ID: build.ID{Version: "v1", Kind: "ConfigMap", Namespace: "prod", Name: "c"}}.
		WithJSON([]byte(`{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c","labels":{"app":"c"}},"data":{"n":"1"},"big":9007199254740993}`))
	bare := build.Object{ID: build.ID{Version: "v1", Kind: "ConfigMap", Name: "d"}}.WithJSON([]byte(`{"apiVersion":"v1","kind":"ConfigMap"}`))
	marked, err := p.Mark([]build.Object{obj, bare})
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []string{
		`{"apiVersion":"v1","big":9007199254740993,"data":{"n":"1"},"kind":"ConfigMap","metadata":{"labels":{"app":"c","applyset.kubernetes.io/part-of":"` + p.ID() + `"},"name":"c"}}`,
		`{"apiVersion":"v1","kind":"ConfigMap","metadata":{"labels":{"applyset.kubernetes.io/part-of":"` + p.ID() + `"}}}`,
	} {
		got, _ := marked[i].JSON()
		if string(got) != want {
			t.Errorf("marked object %d:\n%s\nwant\n%s", i, got, want)
		}
		if marked[i].ID != []build.Object{obj, bare}[i].ID {
			t.Errorf("marked object %d: ID %v changed", i, marked[i].ID)
		}
	}
}

func TestParentName(t *testing.T) {
	for set, want := range map[string]string{
		"shop":       "svccfg-shop",
		"shop.eu-1":  "svccfg-shop.eu-1",
		"Shop_EU":    "svccfg-shop-eu-",
		"script-a_b": "svccfg-script-a-b-",
		"script-a-b": "svccfg-script-a-b",
	} {
		got := ParentOf(set, "ns").Name
		if got != want && !(strings.HasSuffix(want, "-") && strings.HasPrefix(got, want) && len(got) == len(want)+8) {
			t.Errorf("ParentOf(%q).Name = %q, want %q (and 8 hex digits if it ends in -)", set, got, want)
		}
	}
	if a, b := ParentOf("a_b", "ns").Name, ParentOf("a.b", "ns").Name; a == b {
		t.Errorf("config sets a_b and a.b share the parent %s", a)
	}
}
