package diff

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

func TestRisks(t *testing.T) {
	deployment := func(selector, replicas, image string) string {
		return fmt.Sprintf(`{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","namespace":"ns"},
			"spec":{"replicas":%s,"selector":{"matchLabels":{"app":%q}},
			"template":{"spec":{"containers":[{"name":"web","image":%q}]}}}}`, replicas, selector, image)
	}
	service := func(typ, clusterIP, port, app string) string {
		return fmt.Sprintf(`{"apiVersion":"v1","kind":"Service","metadata":{"name":"web","namespace":"ns"},
			"spec":{"type":%q,"clusterIP":%q,"ports":[{"port":%s}],"selector":{"app":%q}}}`, typ, clusterIP, port, app)
	}
	cronJob := func(schedule, image string) string {
		return fmt.Sprintf(`{"apiVersion":"batch/v1","kind":"CronJob","metadata":{"name":"c","namespace":"ns"},
			"spec":{"schedule":%q,"jobTemplate":{"spec":{"template":{"spec":{"containers":[{"name":"c","image":%q}]}}}}}}`, schedule, image)
	}
	job := func(parallelism, image string) string {
		return fmt.Sprintf(`{"apiVersion":"batch/v1","kind":"Job","metadata":{"name":"j","namespace":"ns"},
			"spec":{"parallelism":%s,"template":{"spec":{"containers":[{"name":"j","image":%q}]}}}}`, parallelism, image)
	}
	pdb := func(app, min string) string {
		return fmt.Sprintf(`{"apiVersion":"policy/v1","kind":"PodDisruptionBudget","metadata":{"name":"web","namespace":"ns"},
			"spec":{"minAvailable":%s,"selector":{"matchLabels":{"app":%q}}}}`, min, app)
	}
	statefulSet := func(serviceName, image string) string {
		return fmt.Sprintf(`{"apiVersion":"apps/v1","kind":"StatefulSet","metadata":{"name":"db","namespace":"ns"},
			"spec":{"serviceName":%q,"selector":{"matchLabels":{"app":"db"}},
			"template":{"spec":{"containers":[{"name":"db","image":%q}]}}}}`, serviceName, image)
	}
	for _, test := range []struct {
		name          string
		live, applied string
		want          []Risk
	}{
		{"deployment replicas", deployment("web", "3", "web:1"), deployment("web", "5", "web:1"), nil},
		{"deployment image", deployment("web", "3", "web:1"), deployment("web", "3", "web:2"), []Risk{RestartsPods}},
		{"deployment selector", deployment("web", "3", "web:1"), deployment("www", "3", "web:2"), []Risk{Recreate, RestartsPods}},
		{"statefulset service name", statefulSet("db", "db:1"), statefulSet("db2", "db:1"), []Risk{Recreate}},
		{"statefulset image", statefulSet("db", "db:1"), statefulSet("db", "db:2"), []Risk{RestartsPods}},
		{"service port", service("ClusterIP", "10.0.0.1", "80", "web"), service("ClusterIP", "10.0.0.1", "8080", "web"), []Risk{ShiftsTraffic}},
		{"service selector", service("ClusterIP", "10.0.0.1", "80", "web"), service("ClusterIP", "10.0.0.1", "80", "www"), []Risk{ShiftsTraffic}},
		{"service cluster ip", service("ClusterIP", "10.0.0.1", "80", "web"), service("ClusterIP", "10.0.0.2", "80", "web"), []Risk{Recreate}},
		{"service to external name", service("ClusterIP", "", "80", "web"), service("ExternalName", "", "80", "web"), []Risk{Recreate}},
		{"service to node port", service("ClusterIP", "10.0.0.1", "80", "web"), service("NodePort", "10.0.0.1", "80", "web"), nil},
		{"cronjob schedule", cronJob("0 * * * *", "c:1"), cronJob("30 * * * *", "c:1"), nil},
		{"cronjob image", cronJob("0 * * * *", "c:1"), cronJob("0 * * * *", "c:2"), []Risk{RestartsPods}},
		{"job template", job("1", "j:1"), job("1", "j:2"), []Risk{Recreate}},
		{"job parallelism", job("1", "j:1"), job("2", "j:1"), nil},
		{"pdb selector", pdb("web", "1"), pdb("www", "1"), nil},
		{"pdb min available", pdb("web", "1"), pdb("web", "2"), nil},
	} {
		t.Run(test.name, func(t *testing.T) {
			got := risks(object(t, test.live), object(t, test.applied))
			if !slices.Equal(got, test.want) {
				t.Errorf("risks(%s) = %q, want %q", test.name, got, test.want)
			}
		})
	}
}

func TestRiskTags(t *testing.T) {
	deployment := `{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","namespace":"ns"},
		"spec":{"selector":{"matchLabels":{"app":"web"}},"template":{"spec":{"containers":[{"name":"web","image":"%s"}]}}}}`
	c, err := newChange(deploymentObj, object(t, fmt.Sprintf(deployment, "web:1")), object(t, fmt.Sprintf(deployment, "web:2")))
	if err != nil {
		t.Fatal(err)
	}
	first, _, _ := strings.Cut(string(c.Diff), "\n")
	if want := "diff live/apps/v1/Deployment/ns/web svccfg/apps/v1/Deployment/ns/web [restarts pods]"; first != want {
		t.Errorf("first line of the diff = %q, want %q", first, want)
	}
}

// TestCanaryTag checks that the diff of a canary track's object is tagged
// [canary], before its risks, when it is created, changed and pruned.
func TestCanaryTag(t *testing.T) {
	deployment := `{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web-canary","namespace":"ns","labels":{"track":"%s"}},
		"spec":{"selector":{"matchLabels":{"app":"web"}},"template":{"spec":{"containers":[{"name":"web","image":"%s"}]}}}}`
	obj := deploymentObj
	obj.Name = "web-canary"
	const header = "diff live/apps/v1/Deployment/ns/web-canary svccfg/apps/v1/Deployment/ns/web-canary"
	for _, test := range []struct {
		name          string
		live, applied string
		want          string
	}{
		{"create", "", fmt.Sprintf(deployment, "canary", "web:2"), header + " [canary]"},
		{"update", fmt.Sprintf(deployment, "canary", "web:1"), fmt.Sprintf(deployment, "canary", "web:2"), header + " [canary] [restarts pods]"},
		{"stable", fmt.Sprintf(deployment, "stable", "web:1"), fmt.Sprintf(deployment, "stable", "web:2"), header + " [restarts pods]"},
	} {
		t.Run(test.name, func(t *testing.T) {
			var live *unstructured.Unstructured
			if test.live != "" {
				live = object(t, test.live)
			}
			c, err := newChange(obj, live, object(t, test.applied))
			if err != nil {
				t.Fatal(err)
			}
			first, _, _ := strings.Cut(string(c.Diff), "\n")
			if first != test.want || c.Canary != strings.Contains(test.want, "[canary]") {
				t.Errorf("first line of the diff = %q (Canary %v), want %q", first, c.Canary, test.want)
			}
		})
	}
	t.Run("prune", func(t *testing.T) {
		c, err := pruneChange(obj.GroupVersionKind(), object(t, fmt.Sprintf(deployment, "canary", "web:1")))
		if err != nil {
			t.Fatal(err)
		}
		first, _, _ := strings.Cut(string(c.Diff), "\n")
		if want := "diff live/apps/v1/Deployment/ns/web-canary /dev/null [canary]"; first != want || !c.Canary {
			t.Errorf("first line of the prune diff = %q (Canary %v), want %q", first, c.Canary, want)
		}
	})
}
