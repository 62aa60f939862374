package k8s_test

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/svccfg/svccfg/lib/k8s"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/types/dynamicpb"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

func TestKindOf(t *testing.T) {
	for _, test := range []struct {
		name       protoreflect.FullName
		apiVersion string
		kind       string
		namespaced bool
	}{
		{"k8s.io.api.apps.v1.Deployment", "apps/v1", "Deployment", true},
		{"k8s.io.api.core.v1.Service", "v1", "Service", true},
		{"k8s.io.api.core.v1.Namespace", "v1", "Namespace", false},
		{"k8s.io.api.policy.v1.PodDisruptionBudget", "policy/v1", "PodDisruptionBudget", true},
		{"k8s.io.api.batch.v1.CronJob", "batch/v1", "CronJob", true},
		{"k8s.io.api.rbac.v1.ClusterRole", "rbac.authorization.k8s.io/v1", "ClusterRole", false},
	} {
		k := k8s.KindOf(test.name)
		if k == nil {
			t.Errorf("KindOf(%s) = nil, want %s", test.name, test.kind)
			continue
		}
		if got := k.GVK.GroupVersion().String(); got != test.apiVersion || k.GVK.Kind != test.kind || k.Namespaced != test.namespaced {
			t.Errorf("KindOf(%s) = %s %s namespaced=%v, want %s %s namespaced=%v", test.name, got, k.GVK.Kind, k.Namespaced, test.apiVersion, test.kind, test.namespaced)
		}
	}
	for _, name := range []protoreflect.FullName{"k8s.io.api.apps.v1.DeploymentSpec", "k8s.io.apimachinery.pkg.apis.meta.v1.Status", "envoy.config.cluster.v3.Cluster"} {
		if k := k8s.KindOf(name); k != nil {
			t.Errorf("KindOf(%s) = %v, want nil: not a top-level object", name, k.GVK)
		}
	}
}

// TestToObjectMatchesGo builds the same Deployment twice, once as a dynamic
// message of the compiled descriptors and once as a k8s.io/api struct, and
// requires the bridge to produce an equal struct and the same JSON bytes.
func TestToObjectMatchesGo(t *testing.T) {
	types := new(protoregistry.Types)
	if err := k8s.RegisterTypes(types); err != nil {
		t.Fatal(err)
	}
	msg := func(name protoreflect.FullName, fields map[string]any) *dynamicpb.Message {
		mt, err := types.FindMessageByName(name)
		if err != nil {
			t.Fatal(err)
		}
		m := dynamicpb.NewMessage(mt.Descriptor())
		for k, v := range fields {
			fd := m.Descriptor().Fields().ByName(protoreflect.Name(k))
			if fd == nil {
				t.Fatalf("%s has no field %s", name, k)
			}
			switch v := v.(type) {
			case *dynamicpb.Message:
				m.Set(fd, protoreflect.ValueOfMessage(v))
			case []*dynamicpb.Message:
				l := m.Mutable(fd).List()
				for _, e := range v {
					l.Append(protoreflect.ValueOfMessage(e))
				}
			case map[string]string:
				mm := m.Mutable(fd).Map()
				for mk, mv := range v {
					mm.Set(protoreflect.ValueOfString(mk).MapKey(), protoreflect.ValueOfString(mv))
				}
			case map[string]*dynamicpb.Message:
				mm := m.Mutable(fd).Map()
				for mk, mv := range v {
					mm.Set(protoreflect.ValueOfString(mk).MapKey(), protoreflect.ValueOfMessage(mv))
				}
			default:
				m.Set(fd, protoreflect.ValueOf(v))
			}
		}
		return m
	}
	quantity := func(s string) *dynamicpb.Message {
		return msg("k8s.io.apimachinery.pkg.api.resource.Quantity", map[string]any{"string": s})
	}
	labels := map[string]string{"app": "web", "owner": "web-team"}
	dyn := msg("k8s.io.api.apps.v1.Deployment", map[string]any{
		"metadata": msg("k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta", map[string]any{"name": "web", "namespace": "prod", "labels": labels}),
		"spec": msg("k8s.io.api.apps.v1.DeploymentSpec", map[string]any{
			"replicas": int32(3),
			"selector": msg("k8s.io.apimachinery.pkg.apis.meta.v1.LabelSelector", map[string]any{"matchLabels": map[string]string{"app": "web"}}),
			"strategy": msg("k8s.io.api.apps.v1.DeploymentStrategy", map[string]any{
				"type": "RollingUpdate",
				"rollingUpdate": msg("k8s.io.api.apps.v1.RollingUpdateDeployment", map[string]any{
					"maxSurge":       msg("k8s.io.apimachinery.pkg.util.intstr.IntOrString", map[string]any{"type": int64(1), "strVal": "25%"}),
					"maxUnavailable": msg("k8s.io.apimachinery.pkg.util.intstr.IntOrString", map[string]any{"type": int64(0), "intVal": int32(1)}),
				}),
			}),
			"template": msg("k8s.io.api.core.v1.PodTemplateSpec", map[string]any{
				"metadata": msg("k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta", map[string]any{"labels": labels}),
				"spec": msg("k8s.io.api.core.v1.PodSpec", map[string]any{
					"containers": []*dynamicpb.Message{msg("k8s.io.api.core.v1.Container", map[string]any{
						"name":  "web",
						"image": "registry.example.com/web:1.0.0",
						"ports": []*dynamicpb.Message{msg("k8s.io.api.core.v1.ContainerPort", map[string]any{"name": "http", "containerPort": int32(8080)})},
						"resources": msg("k8s.io.api.core.v1.ResourceRequirements", map[string]any{
							"requests": map[string]*dynamicpb.Message{"cpu": quantity("250m"), "memory": quantity("1Gi")},
						}),
					})},
				}),
			}),
		}),
	})

	want := &appsv1.Deployment{
		TypeMeta:   metav1.TypeMeta{APIVersion: "apps/v1", Kind: "Deployment"},
		ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: "prod", Labels: labels},
		Spec: appsv1.DeploymentSpec{
			Replicas: new(int32(3)),
			Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "web"}},
			Strategy: appsv1.DeploymentStrategy{
				Type: appsv1.RollingUpdateDeploymentStrategyType,
				RollingUpdate: &appsv1.RollingUpdateDeployment{
					MaxSurge:       new(intstr.FromString("25%")),
					MaxUnavailable: new(intstr.FromInt32(1)),
				},
			},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: labels},
				Spec: corev1.PodSpec{Containers: []corev1.Container{{
					Name:  "web",
					Image: "registry.example.com/web:1.0.0",
					Ports: []corev1.ContainerPort{{Name: "http", ContainerPort: 8080}},
					Resources: corev1.ResourceRequirements{Requests: corev1.ResourceList{
						corev1.ResourceCPU:    resource.MustParse("250m"),
						corev1.ResourceMemory: resource.MustParse("1Gi"),
					}},
				}}},
			},
		},
	}

	got, err := k8s.ToObject(dyn)
	if err != nil {
		t.Fatal(err)
	}
	gotJSON, err := json.Marshal(got)
	if err != nil {
		t.Fatal(err)
	}
	wantJSON, err := json.Marshal(want)
	if err != nil {
		t.Fatal(err)
	}
	if string(gotJSON) != string(wantJSON) {
		t.Errorf("ToObject(Deployment) JSON:\n got %s\nwant %s", gotJSON, wantJSON)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ToObject(Deployment) mismatch (-want +got):\n%s", diff)
	}
}

func TestToObjectRejectsNonObjects(t *testing.T) {
	types := new(protoregistry.Types)
	if err := k8s.RegisterTypes(types); err != nil {
		t.Fatal(err)
	}
	mt, err := types.FindMessageByName("k8s.io.api.apps.v1.DeploymentSpec")
	if err != nil {
		t.Fatal(err)
	}
	_, err = k8s.ToObject(mt.New().Interface())
	if want := "k8s.io.api.apps.v1.DeploymentSpec is not a Kubernetes object type"; err == nil || err.Error() != want {
		t.Errorf("ToObject(DeploymentSpec) error = %v, want %q", err, want)
	}
}
