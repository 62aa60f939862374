package diff

import (
	"testing"

	"github.com/svccfg/svccfg/lib/build"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	dynamicfake "k8s.io/client-go/dynamic/fake"
)

func TestManagedHash(t *testing.T) {
	u := object(t, `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c","managedFields":[
		{"manager":"kubectl","operation":"Update","apiVersion":"v1","fieldsType":"FieldsV1","fieldsV1":{"f:data":{"f:a":{}}}},
		{"manager":"svccfg","operation":"Apply","apiVersion":"v1","fieldsType":"FieldsV1","subresource":"status","fieldsV1":{"f:status":{}}},
		{"manager":"svccfg","operation":"Apply","apiVersion":"v1","fieldsType":"FieldsV1","fieldsV1":{"f:data":{"f:b":{}}}}]}}`)
	h := ManagedHash(u)
	if h == "" {
		t.Fatal("ManagedHash = \"\", want the hash of svccfg's apply entry")
	}
	// Another manager taking a field from svccfg changes svccfg's entry.
	stolen := object(t, `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c","managedFields":[
		{"manager":"svccfg","operation":"Apply","apiVersion":"v1","fieldsType":"FieldsV1","fieldsV1":{"f:data":{}}}]}}`)
	if ManagedHash(stolen) == h {
		t.Error("two different field sets have the same hash")
	}
	if ManagedHash(object(t, `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"}}`)) != "" || ManagedHash(nil) != "" {
		t.Error("ManagedHash of an object svccfg does not manage is not empty")
	}
}

// TestUnchangedWithoutDryRun checks that an object whose configuration and
// managed fields are those of the last apply is found unchanged without a
// dry run (the fake client cannot do server-side apply: any dry run fails),
// and that a different configuration or different managed fields do need
// one.
func TestUnchangedWithoutDryRun(t *testing.T) {
	live := object(t, `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c","namespace":"ns","managedFields":[
		{"manager":"svccfg","operation":"Apply","apiVersion":"v1","fieldsType":"FieldsV1","fieldsV1":{"f:data":{"f:k":{}}}}]},"data":{"k":"v"}}`)
	managed := ManagedHash(live)
	obj := build.Object{ID: build.ID{Version: "v1", Kind: "ConfigMap", Namespace: "ns", Name: "c"}}.
		WithJSON([]byte(`{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c","namespace":"ns"},"data":{"k":"v"}}`))
	config, err := ConfigHash(obj)
	if err != nil {
		t.Fatal(err)
	}
	client := dynamicfake.NewSimpleDynamicClient(runtime.NewScheme(), live)
	d := &Differ{dynamic: client}
	g := group{resource: schema.GroupVersionResource{Version: "v1", Resource: "configmaps"}, namespace: "ns"}
	for _, test := range []struct {
		name    string
		last    Applied
		dryRuns bool
	}{
		{"same", Applied{Config: config, Managed: managed}, false},
		{"config changed", Applied{Config: "other", Managed: managed}, true},
		{"fields taken", Applied{Config: config, Managed: "other"}, true},
		{"never applied", Applied{}, true},
	} {
		t.Run(test.name, func(t *testing.T) {
			client.ClearActions()
			c, err := d.compare(t.Context(), newLive(), g, obj, map[string]Applied{obj.Path(): test.last}, nil)
			patched := false
			for _, a := range client.Actions() {
				patched = patched || a.GetVerb() == "patch"
			}
			if patched != test.dryRuns {
				t.Errorf("dry run sent: %v, want %v (err %v)", patched, test.dryRuns, err)
			}
			if !test.dryRuns && (err != nil || c.Action != Unchanged || c.Managed != managed) {
				t.Errorf("compare = %+v, %v; want unchanged, with the managed hash", c, err)
			}
		})
	}
}
