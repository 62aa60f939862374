// Package e2e holds svccfg's real-cluster tests: they send svccfg's output
// to a real kube-apiserver (see internal/testcluster) and check what the
// server makes of it. They skip unless SVCCFG_E2E=1; run them with `make e2e`.
package e2e

import (
	"context"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/svccfg/svccfg/internal/testcluster"
	"github.com/svccfg/svccfg/lib/build"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	corev1ac "k8s.io/client-go/applyconfigurations/core/v1"
	"k8s.io/client-go/discovery/cached/memory"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/restmapper"
)

const (
	examplesDir = "../examples"
	// fieldManager is the field manager svccfg applies as.
	fieldManager = "svccfg"
)

// serverDefaults lists, by kind, fields that the apiserver's defaulting
// fills in when svccfg leaves them out. Finding them in the dry-run result
// proves that the server really decoded, defaulted and validated the object.
var serverDefaults = map[string][]struct {
	path string
	want any
}{
	"Deployment": {
		{"spec.strategy.type", "RollingUpdate"},
		{"spec.revisionHistoryLimit", int64(10)},
		{"spec.template.spec.schedulerName", "default-scheduler"},
	},
	"CronJob": {
		{"spec.jobTemplate.spec.template.spec.schedulerName", "default-scheduler"},
	},
	"Service": {
		{"spec.sessionAffinity", "None"},
		{"spec.type", "ClusterIP"},
	},
}

// TestExamplesAcceptedByServerSideDryRun builds every example and sends each
// of its Kubernetes objects to the apiserver as a server-side apply with
// dryRun=All, the way `svccfg diff` will: every object must be accepted,
// without warnings, and come back defaulted but otherwise as sent.
func TestExamplesAcceptedByServerSideDryRun(t *testing.T) {
	c := testcluster.Start(t)
	warnings := &warningRecorder{}
	client := newApplier(t, c, warnings)

	examples := buildExamples(t)
	var namespaces []string
	for _, objs := range examples {
		for _, u := range objs {
			if ns := u.GetNamespace(); ns != "" && !slices.Contains(namespaces, ns) {
				namespaces = append(namespaces, ns)
			}
		}
	}
	createNamespaces(t, c, namespaces)

	defaulted := map[string]int{} // "Kind path" -> objects where the server filled it in
	for _, name := range slices.Sorted(maps.Keys(examples)) {
		t.Run(name, func(t *testing.T) {
			for _, u := range examples[name] {
				id := fmt.Sprintf("%s %s/%s", u.GetKind(), u.GetNamespace(), u.GetName())
				before := warnings.len()
				got, err := client.dryRunApply(t.Context(), u)
				if err != nil {
					t.Errorf("%s: rejected by the apiserver: %v", id, err)
					continue
				}
				for _, w := range warnings.since(before) {
					t.Errorf("%s: apiserver warning: %s", id, w)
				}
				checkProcessed(t, id, u, got)
				for _, d := range serverDefaults[u.GetKind()] {
					if _, set := lookup(u.Object, d.path); set {
						continue // svccfg set it; checkUnchanged covers it
					}
					if v, _ := lookup(got.Object, d.path); !reflect.DeepEqual(v, d.want) {
						t.Errorf("%s: %s = %#v after the dry run, want the default %#v", id, d.path, v, d.want)
					} else {
						defaulted[u.GetKind()+" "+d.path]++
					}
				}
				for _, diff := range changedFields(u.Object, got.Object, "") {
					t.Errorf("%s: the apiserver changed %s", id, diff)
				}
			}
		})
	}
	// The brief's proof that defaulting ran: at least one Deployment whose
	// strategy type the server filled in.
	if defaulted["Deployment spec.strategy.type"] == 0 {
		t.Errorf("no Deployment got spec.strategy.type defaulted; defaulted fields: %v", defaulted)
	}
	t.Logf("defaulted by the server: %v", defaulted)
}

// TestInvalidObjectRejected checks that an object the apiserver's
// validation rejects comes back as an Invalid error naming each bad field.
func TestInvalidObjectRejected(t *testing.T) {
	c := testcluster.Start(t)
	client := newApplier(t, c, &warningRecorder{})
	labels := map[string]string{"app": "bad"}
	dep := &appsv1.Deployment{
		TypeMeta: metav1.TypeMeta{APIVersion: "apps/v1", Kind: "Deployment"},
		ObjectMeta: metav1.ObjectMeta{
			Name: "bad", Namespace: "default",
			Labels: map[string]string{"app": "bad", "owner": "not a valid label value!"},
		},
		Spec: appsv1.DeploymentSpec{
			Replicas: new(int32(-1)),
			Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: labels},
				Spec: corev1.PodSpec{Containers: []corev1.Container{{
					Name: "main", Image: "registry.example.com/bad:1",
				}}},
			},
		},
	}
	_, err := client.dryRunApply(t.Context(), toUnstructured(t, dep))
	if !apierrors.IsInvalid(err) {
		t.Fatalf("dry run of an invalid Deployment: got error %v, want an Invalid error", err)
	}
	var fields []string
	if status, ok := err.(apierrors.APIStatus); ok && status.Status().Details != nil {
		for _, cause := range status.Status().Details.Causes {
			fields = append(fields, cause.Field)
		}
	}
	for _, want := range []string{"spec.replicas", "metadata.labels"} {
		if !slices.Contains(fields, want) {
			t.Errorf("Invalid error %q: causes name fields %q, want one to be %q", err, fields, want)
		}
	}
}

// buildExamples builds each examples/<name> with svccfg's pipeline and
// returns its Kubernetes objects (Envoy resources are not sent) by example.
func buildExamples(t *testing.T) map[string][]*unstructured.Unstructured {
	t.Helper()
	entries, err := os.ReadDir(examplesDir)
	if err != nil {
		t.Fatal(err)
	}
	examples := map[string][]*unstructured.Unstructured{}
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		dir, err := filepath.Abs(filepath.Join(examplesDir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		out, err := build.Build(context.Background(), []string{dir}, build.Options{Cwd: filepath.Dir(dir)})
		if err != nil {
			t.Fatalf("build examples/%s: %v", e.Name(), err)
		}
		for _, unit := range out.Units {
			for _, obj := range unit.Objects {
				examples[e.Name()] = append(examples[e.Name()], fromJSON(t, jsonOf(t, obj)))
			}
		}
	}
	if len(examples) == 0 {
		t.Fatal("no examples with Kubernetes objects")
	}
	return examples
}

// jsonOf returns the JSON of a built object.
func jsonOf(t *testing.T, obj build.Object) []byte {
	t.Helper()
	data, err := obj.JSON()
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// fromJSON decodes an object as the build encoded it into what the dynamic
// client sends, without status, which belongs to the cluster (as in
// lib/build).
func fromJSON(t *testing.T, data []byte) *unstructured.Unstructured {
	t.Helper()
	var u unstructured.Unstructured
	if err := u.UnmarshalJSON(data); err != nil {
		t.Fatal(err)
	}
	delete(u.Object, "status")
	return &u
}

// toUnstructured converts a typed object into what the dynamic client sends,
// without status, which belongs to the cluster (as lib/build leaves it).
func toUnstructured(t *testing.T, obj runtime.Object) *unstructured.Unstructured {
	t.Helper()
	m, err := runtime.DefaultUnstructuredConverter.ToUnstructured(obj)
	if err != nil {
		t.Fatal(err)
	}
	delete(m, "status")
	return &unstructured.Unstructured{Object: m}
}

// createNamespaces creates (for real, not as a dry run) the namespaces the
// objects live in, which admission requires even of a dry run.
func createNamespaces(t *testing.T, c *testcluster.Cluster, names []string) {
	t.Helper()
	for _, ns := range names {
		_, err := c.Clientset.CoreV1().Namespaces().Apply(t.Context(), corev1ac.Namespace(ns),
			metav1.ApplyOptions{FieldManager: "svccfg-e2e"})
		if err != nil {
			t.Fatalf("creating namespace %s: %v", ns, err)
		}
	}
}

// An applier sends objects as server-side apply dry runs.
type applier struct {
	dynamic dynamic.Interface
	mapper  meta.RESTMapper
}

// newApplier returns an applier for c whose warnings go to warnings.
func newApplier(t *testing.T, c *testcluster.Cluster, warnings rest.WarningHandler) *applier {
	t.Helper()
	cfg := rest.CopyConfig(c.Config)
	cfg.WarningHandler = warnings
	dyn, err := dynamic.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	disco := memory.NewMemCacheClient(c.Clientset.Discovery())
	return &applier{dynamic: dyn, mapper: restmapper.NewDeferredDiscoveryRESTMapper(disco)}
}

// dryRunApply sends u as a server-side apply with dryRun=All and field
// manager "svccfg", and returns the object the server would have stored.
func (a *applier) dryRunApply(ctx context.Context, u *unstructured.Unstructured) (*unstructured.Unstructured, error) {
	gvk := u.GroupVersionKind()
	m, err := a.mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
	if err != nil {
		return nil, err
	}
	var r dynamic.ResourceInterface = a.dynamic.Resource(m.Resource)
	if m.Scope.Name() == meta.RESTScopeNameNamespace {
		r = a.dynamic.Resource(m.Resource).Namespace(u.GetNamespace())
	}
	return r.Apply(ctx, u.GetName(), u, metav1.ApplyOptions{
		FieldManager: fieldManager,
		DryRun:       []string{metav1.DryRunAll},
	})
}

// checkProcessed checks that got, the dry-run result for sent, is the object
// as the server would store it: the same kind, name and namespace, a uid and
// creation time the server made up, and managed fields of svccfg's apply.
func checkProcessed(t *testing.T, id string, sent, got *unstructured.Unstructured) {
	t.Helper()
	if got.GetName() != sent.GetName() || got.GetNamespace() != sent.GetNamespace() || got.GetKind() != sent.GetKind() {
		t.Errorf("%s: dry run returned %s %s/%s", id, got.GetKind(), got.GetNamespace(), got.GetName())
	}
	if ts := got.GetCreationTimestamp(); got.GetUID() == "" || ts.IsZero() {
		t.Errorf("%s: dry run result has no uid or creationTimestamp: not processed by the server?", id)
	}
	if !slices.ContainsFunc(got.GetManagedFields(), func(f metav1.ManagedFieldsEntry) bool {
		return f.Manager == fieldManager && f.Operation == metav1.ManagedFieldsOperationApply
	}) {
		t.Errorf("%s: dry run result has no managedFields entry for an Apply by %q", id, fieldManager)
	}
}

// changedFields returns the fields of sent whose value differs in got, as
// "path: sent X, got Y". Fields that only got has (defaults) do not count.
func changedFields(sent, got any, path string) []string {
	switch s := sent.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return []string{fmt.Sprintf("%s: sent %v, got %v", path, sent, got)}
		}
		var diffs []string
		for _, k := range slices.Sorted(maps.Keys(s)) {
			gv, ok := g[k]
			if !ok {
				if !isEmpty(s[k]) {
					diffs = append(diffs, fmt.Sprintf("%s: sent %v, got nothing", join(path, k), s[k]))
				}
				continue
			}
			diffs = append(diffs, changedFields(s[k], gv, join(path, k))...)
		}
		return diffs
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(s) {
			return []string{fmt.Sprintf("%s: sent %v, got %v", path, sent, got)}
		}
		var diffs []string
		for i := range s {
			diffs = append(diffs, changedFields(s[i], g[i], fmt.Sprintf("%s[%d]", path, i))...)
		}
		return diffs
	}
	if !reflect.DeepEqual(sent, got) {
		return []string{fmt.Sprintf("%s: sent %#v, got %#v", path, sent, got)}
	}
	return nil
}

func isEmpty(v any) bool {
	switch v := v.(type) {
	case map[string]any:
		return len(v) == 0
	case []any:
		return len(v) == 0
	}
	return v == nil
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// lookup returns the value at a dotted path of obj.
func lookup(obj map[string]any, path string) (any, bool) {
	v, ok, err := unstructured.NestedFieldNoCopy(obj, strings.Split(path, ".")...)
	return v, ok && err == nil
}

// A warningRecorder collects the warnings the apiserver sends.
type warningRecorder struct {
	mu       sync.Mutex
	messages []string
}

// HandleWarningHeader implements [rest.WarningHandler].
func (w *warningRecorder) HandleWarningHeader(code int, agent, text string) {
	if code != 299 || text == "" {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	w.messages = append(w.messages, text)
}

func (w *warningRecorder) len() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return len(w.messages)
}

// since returns the warnings after the first n.
func (w *warningRecorder) since(n int) []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return slices.Clone(w.messages[n:])
}
