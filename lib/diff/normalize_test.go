package diff

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/svccfg/svccfg/lib/build"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

func object(t *testing.T, js string) *unstructured.Unstructured {
	t.Helper()
	var u unstructured.Unstructured
	if err := u.UnmarshalJSON([]byte(js)); err != nil {
		t.Fatal(err)
	}
	return &u
}

func TestNewChange(t *testing.T) {
	obj := build.Object{ID: build.ID{Group: "apps", Version: "v1", Kind: "Deployment", Namespace: "ns", Name: "web"}}
	const noisy = `{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","namespace":"ns",
		"uid":"u1","resourceVersion":"7","generation":2,"creationTimestamp":"2026-01-01T00:00:00Z",
		"selfLink":"/x","managedFields":[{"manager":"svccfg"}],
		"annotations":{"kubectl.kubernetes.io/last-applied-configuration":"{}"}},
		"spec":{"replicas":%s},"status":{"replicas":1}}`
	const dryRun = `{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","namespace":"ns",
		"uid":"u2","resourceVersion":"8","generation":3,"creationTimestamp":"2026-02-01T00:00:00Z",
		"managedFields":[{"manager":"other"}]},"spec":{"replicas":%s}}`
	sprintf := func(f, v string) string { return strings.Replace(f, "%s", v, 1) }

	c, err := newChange(obj, object(t, sprintf(noisy, "3")), object(t, sprintf(dryRun, "3")))
	if err != nil || c.Action != Unchanged || c.Diff != nil {
		t.Errorf("only server-managed fields differ: got %v, %v, diff:\n%s; want unchanged", c.Action, err, c.Diff)
	}

	c, err = newChange(obj, object(t, sprintf(noisy, "3")), object(t, sprintf(dryRun, "5")))
	want := `diff live/apps/v1/Deployment/ns/web svccfg/apps/v1/Deployment/ns/web
--- live/apps/v1/Deployment/ns/web
+++ svccfg/apps/v1/Deployment/ns/web
@@ -4,4 +4,4 @@
   name: web
   namespace: ns
 spec:
-  replicas: 3
+  replicas: 5
`
	if err != nil || c.Action != Update {
		t.Errorf("replicas differ: got %v, %v; want update", c.Action, err)
	}
	if d := cmp.Diff(want, string(c.Diff)); d != "" {
		t.Errorf("diff (-want +got):\n%s", d)
	}

	c, err = newChange(obj, nil, object(t, sprintf(dryRun, "5")))
	if err != nil || c.Action != Create || !strings.Contains(string(c.Diff), "\n+  replicas: 5\n") {
		t.Errorf("no live object: got %v, %v, diff:\n%s; want create", c.Action, err, c.Diff)
	}
}

func TestRedactSecrets(t *testing.T) {
	obj := build.Object{ID: build.ID{Version: "v1", Kind: "Secret", Namespace: "ns", Name: "db"}}
	live := object(t, `{"apiVersion":"v1","kind":"Secret","metadata":{"name":"db","namespace":"ns"},
		"data":{"same":"c2FtZQ==","old":"b2xk","gone":"Z29uZQ=="}}`)
	applied := object(t, `{"apiVersion":"v1","kind":"Secret","metadata":{"name":"db","namespace":"ns"},
		"data":{"same":"c2FtZQ==","old":"bmV3","added":"YWRkZWQ="}}`)
	c, err := newChange(obj, live, applied)
	if err != nil || c.Action != Update {
		t.Fatalf("got %v, %v; want update", c.Action, err)
	}
	out := string(c.Diff)
	for _, secret := range []string{"c2FtZQ==", "b2xk", "Z29uZQ==", "bmV3", "YWRkZWQ="} {
		if strings.Contains(out, secret) {
			t.Errorf("diff shows the value %q:\n%s", secret, out)
		}
	}
	for _, want := range []string{
		"\n   same: " + Redacted + "\n",
		"\n-  old: " + RedactedBefore + "\n", "\n+  old: " + RedactedAfter + "\n",
		"\n-  gone: " + RedactedBefore + "\n", "\n+  added: " + RedactedAfter + "\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("diff lacks %q:\n%s", want, out)
		}
	}
}

var deploymentObj = build.Object{ID: build.ID{Group: "apps", Version: "v1", Kind: "Deployment", Namespace: "ns", Name: "web"}}
