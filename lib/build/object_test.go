package build_test

import (
	"encoding/json"
	"testing"

	"github.com/svccfg/svccfg/lib/build"
	appsv1 "k8s.io/api/apps/v1"
	policyv1 "k8s.io/api/policy/v1"
)

func TestID(t *testing.T) {
	for _, test := range []struct {
		id                                    build.ID
		apiVersion, namespacedName, str, path string
	}{
		{build.ID{Group: "apps", Version: "v1", Kind: "Deployment", Namespace: "ns", Name: "web"}, "apps/v1", "ns/web", "Deployment ns/web", "apps/v1/Deployment/ns/web"},
		{build.ID{Version: "v1", Kind: "Secret", Namespace: "ns", Name: "db"}, "v1", "ns/db", "Secret ns/db", "v1/Secret/ns/db"},
		{build.ID{Version: "v1", Kind: "Namespace", Name: "ns"}, "v1", "ns", "Namespace ns", "v1/Namespace/ns"},
	} {
		if got := test.id.APIVersion(); got != test.apiVersion {
			t.Errorf("%#v.APIVersion() = %q, want %q", test.id, got, test.apiVersion)
		}
		if got := test.id.NamespacedName(); got != test.namespacedName {
			t.Errorf("%#v.NamespacedName() = %q, want %q", test.id, got, test.namespacedName)
		}
		if got := test.id.String(); got != test.str {
			t.Errorf("%#v.String() = %q, want %q", test.id, got, test.str)
		}
		if got := test.id.Path(); got != test.path {
			t.Errorf("%#v.Path() = %q, want %q", test.id, got, test.path)
		}
		if got := test.id.GroupVersionKind().GroupVersion().String(); got != test.apiVersion {
			t.Errorf("%#v.GroupVersionKind() has apiVersion %q, want %q", test.id, got, test.apiVersion)
		}
	}
}

// TestObjectsHaveNoStatus builds objects whose configuration sets a status,
// which the cluster owns, and requires both the JSON and the typed object
// to come without it.
func TestObjectsHaveNoStatus(t *testing.T) {
	root := t.TempDir()
	write(t, root+"/main.star", `
apps = proto.package("k8s.io.api.apps.v1")
policy = proto.package("k8s.io.api.policy.v1")
meta = proto.package("k8s.io.apimachinery.pkg.apis.meta.v1")

def main(ctx):
    return [
        apps.Deployment(metadata = meta.ObjectMeta(name = "web"), spec = apps.DeploymentSpec(replicas = 2), status = apps.DeploymentStatus(replicas = 3)),
        policy.PodDisruptionBudget(metadata = meta.ObjectMeta(name = "web"), spec = policy.PodDisruptionBudgetSpec(maxUnavailable = 1), status = policy.PodDisruptionBudgetStatus(currentHealthy = 2)),
    ]
`)
	for _, typed := range []bool{false, true} {
		out, err := build.Build(t.Context(), []string{root}, build.Options{Cwd: root, Typed: typed})
		if err != nil {
			t.Fatal(err)
		}
		checkNoStatus(t, out)
	}
}

// checkNoStatus requires the two objects of out to have no status, in
// either form.
func checkNoStatus(t *testing.T, out *build.Output) {
	t.Helper()
	n := 0
	for _, u := range out.Units {
		for i := range u.Objects {
			o := &u.Objects[i]
			n++
			data, err := o.JSON()
			if err != nil {
				t.Fatal(err)
			}
			var members map[string]json.RawMessage
			if err := json.Unmarshal(data, &members); err != nil {
				t.Fatal(err)
			}
			if _, ok := members["status"]; ok || members["spec"] == nil || members["metadata"] == nil {
				t.Errorf("%s: JSON %s, want metadata and spec but no status", o.ID, data)
			}
			typed, err := o.Typed()
			if err != nil {
				t.Fatal(err)
			}
			switch obj := typed.(type) {
			case *appsv1.Deployment:
				if obj.Status.Replicas != 0 {
					t.Errorf("%s: typed status %+v, want none", o.ID, obj.Status)
				}
			case *policyv1.PodDisruptionBudget:
				if obj.Status.CurrentHealthy != 0 {
					t.Errorf("%s: typed status %+v, want none", o.ID, obj.Status)
				}
			default:
				t.Errorf("%s: typed object is a %T", o.ID, typed)
			}
		}
	}
	if n != 2 {
		t.Errorf("built %d objects, want 2", n)
	}
}
