package render_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/svccfg/svccfg/lib/build"
	"github.com/svccfg/svccfg/lib/canon"
	"github.com/svccfg/svccfg/lib/render"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// deploymentStar builds, in Starlark, the Deployment that goDeployment
// builds in Go.
const deploymentStar = `
apps = proto.package("k8s.io.api.apps.v1")
core = proto.package("k8s.io.api.core.v1")
meta = proto.package("k8s.io.apimachinery.pkg.apis.meta.v1")

def main(ctx):
    labels = {"app": "web", "owner": "web-team"}
    return apps.Deployment(
        metadata = meta.ObjectMeta(name = "web", namespace = "prod", labels = labels),
        spec = apps.DeploymentSpec(
            replicas = 3,
            selector = meta.LabelSelector(matchLabels = {"app": "web"}),
            strategy = apps.DeploymentStrategy(
                type = "RollingUpdate",
                rollingUpdate = apps.RollingUpdateDeployment(maxSurge = "25%", maxUnavailable = 1),
            ),
            template = core.PodTemplateSpec(
                metadata = meta.ObjectMeta(labels = labels),
                spec = core.PodSpec(containers = [core.Container(
                    name = "web",
                    image = "registry.example.com/web:1.0.0",
                    ports = [core.ContainerPort(name = "http", containerPort = 8080)],
                    readinessProbe = core.Probe(handler = core.ProbeHandler(httpGet = core.HTTPGetAction(path = "/ready", port = 8080))),
                    resources = core.ResourceRequirements(
                        requests = {"cpu": kube.millicores(250), "memory": "1Gi"},
                        limits = {"cpu": "1", "memory": kube.gigabytes(1)},
                    ),
                )]),
            ),
        ),
    )
`

func goDeployment() *appsv1.Deployment {
	labels := map[string]string{"app": "web", "owner": "web-team"}
	return &appsv1.Deployment{
		TypeMeta: metav1.TypeMeta{APIVersion: "apps/v1", Kind: "Deployment"},
		ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: "prod", Labels: map[string]string{
			"app": "web", "owner": "web-team", build.ManagedByLabel: build.ManagedBy, build.ConfigSetLabel: "web",
		}},
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
					Name:           "web",
					Image:          "registry.example.com/web:1.0.0",
					Ports:          []corev1.ContainerPort{{Name: "http", ContainerPort: 8080}},
					ReadinessProbe: &corev1.Probe{ProbeHandler: corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Path: "/ready", Port: intstr.FromInt32(8080)}}},
					Resources: corev1.ResourceRequirements{
						Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("250m"), corev1.ResourceMemory: resource.MustParse("1Gi")},
						Limits:   corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("1"), corev1.ResourceMemory: resource.MustParse("1Gi")},
					},
				}}},
			},
		},
	}
}

// TestStarlarkMatchesGo requires a Deployment built in Starlark and the
// same one built in Go to render to the same bytes, in both formats. The
// config root is named web, the config set of the Go Deployment's labels.
func TestStarlarkMatchesGo(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "web")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "main.star"), []byte(deploymentStar), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := build.Build(context.Background(), []string{dir}, build.Options{Cwd: dir})
	if err != nil {
		t.Fatal(err)
	}
	data, err := json.Marshal(goDeployment())
	if err != nil {
		t.Fatal(err)
	}
	tree, err := canon.ParseJSON(data)
	if err != nil {
		t.Fatal(err)
	}
	tree.Delete("status") // the cluster's, never built
	for _, f := range []canon.Format{canon.YAML, canon.JSON} {
		got, err := render.Manifests(out, f)
		if err != nil {
			t.Fatal(err)
		}
		want := canon.Stream([]canon.Node{tree}, f)
		if string(got) != string(want) {
			t.Errorf("%s: Starlark Deployment renders as\n%s\nwant (from Go)\n%s", f, got, want)
		}
	}
}

func TestSortObjects(t *testing.T) {
	objs := []build.Object{
		{ID: build.ID{Kind: "Deployment", Namespace: "b", Name: "x"}},
		{ID: build.ID{Kind: "Service", Namespace: "a", Name: "x"}},
		{ID: build.ID{Kind: "Deployment", Namespace: "a", Name: "y"}},
		{ID: build.ID{Kind: "Unlisted", Namespace: "a", Name: "x"}},
		{ID: build.ID{Kind: "ServiceAccount", Namespace: "z", Name: "z"}},
		{ID: build.ID{Kind: "Deployment", Namespace: "a", Name: "x"}},
	}
	render.SortObjects(objs)
	var got []string
	for _, o := range objs {
		got = append(got, o.Kind+" "+o.Namespace+"/"+o.Name)
	}
	want := []string{"ServiceAccount z/z", "Service a/x", "Deployment a/x", "Deployment a/y", "Deployment b/x", "Unlisted a/x"}
	if strings.Join(got, ", ") != strings.Join(want, ", ") {
		t.Errorf("SortObjects = %v, want %v", got, want)
	}
}
