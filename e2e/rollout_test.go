package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/svccfg/svccfg/internal/testcluster"
	appsv1 "k8s.io/api/apps/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// webConfig returns a service "web" of two replicas running image, with a
// progress deadline of 10 seconds, and extra keyword arguments.
func webConfig(image, extra string) string {
	return fmt.Sprintf(`def main(ctx):
    return service(
        name = "web",
        owner = "web-team",
        image = %q,
        replicas = 2,
        ports = [port.http(8080)],
        rollout = kube.rollout(progress_deadline = "10s"),%s
    )
`, image, extra)
}

// TestRollout deploys a service with svccfg apply on a control plane with
// controllers and kwok, so that Deployments really roll out: an apply
// waits until the pods are ready; a bad release (pods never ready) fails at
// its progress deadline with one classified line, is recorded as failed,
// and --rollback-on-failure restores the previous revision, whose old
// ReplicaSet serves again; a canary is labelled in the diff and rolls out
// beside the stable track; a slow release is waited for.
func TestRollout(t *testing.T) {
	c := testcluster.StartControllers(t)
	bin := buildSvccfg(t)
	const ns = "rollout-e2e"
	createNamespaces(t, c, []string{ns})
	dir := writeConfig(t, "web", webConfig("registry.example.com/web:1", ""))
	set := func(text string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, "main.star"), []byte(text), 0o666); err != nil {
			t.Fatal(err)
		}
	}
	nobjs1 := itoa(len(buildDir(t, ns, dir)) - 1) // all but the Deployment
	apply := func(flags ...string) (int, string, string) {
		t.Helper()
		args := append([]string{"apply", "--kubeconfig", c.Kubeconfig, "--var", "namespace=" + ns, "--timeout", "2m"}, flags...)
		return run(t, bin, append(args, dir)...)
	}
	history := func() string {
		t.Helper()
		_, stdout, _ := run(t, bin, "history", "--kubeconfig", c.Kubeconfig, "--var", "namespace="+ns, dir)
		return stdout
	}
	deployment := func(name string) *appsv1.Deployment {
		t.Helper()
		d, err := c.Clientset.AppsV1().Deployments(ns).Get(t.Context(), name, metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		return d
	}

	code, stdout, stderr := apply()
	if code != 0 || !strings.HasSuffix(stdout, ", pruned 0, all ready\n") || !regexp.MustCompile(`(?m)^Deployment rollout-e2e/web: ready `+elapsed+`\nrollout: (\d+) of (\d+) objects ready `+elapsed+`\n\z`).MatchString(stderr) {
		t.Fatalf("first apply: exit %d, stdout:\n%s\nstderr:\n%s\nwant exit 0, the Deployment ready and everything ready", code, stdout, stderr)
	}
	if d := deployment("web"); d.Status.ReadyReplicas != 2 || d.Status.ObservedGeneration != d.Generation {
		t.Fatalf("after the first apply: %d ready replicas at generation %d of %d, want 2 ready", d.Status.ReadyReplicas, d.Status.ObservedGeneration, d.Generation)
	}
	good := deployment("web").Status.ObservedGeneration

	t.Run("bad release rolled back", func(t *testing.T) {
		set(webConfig("registry.example.com/web:2-bad-release", ""))
		code, stdout, stderr := apply("--rollback-on-failure")
		wantFailure := regexp.MustCompile(`(?m)^Deployment rollout-e2e/web: progress deadline exceeded: [^\n]*\n`)
		if code != 1 || !wantFailure.MatchString(stderr) || !strings.HasSuffix(stderr, "\nrolled back to revision 1\n") {
			t.Errorf("bad release: exit %d, stderr:\n%s\nwant exit 1, the Deployment's failure classified, and rolled back to revision 1", code, stderr)
		}
		if !strings.Contains(stdout, "rolling back to revision 1\n") || !strings.HasSuffix(stdout, "rolled back to revision 1: applied 1 object, "+nobjs1+" unchanged, pruned 0, all ready\n") {
			t.Errorf("bad release: stdout:\n%s\nwant the rollback applied and ready", stdout)
		}
		d := deployment("web")
		if img := d.Spec.Template.Spec.Containers[0].Image; img != "registry.example.com/web:1" || d.Status.ReadyReplicas != 2 || d.Status.ObservedGeneration <= good {
			t.Errorf("after the rollback: image %s, %d ready replicas, generation %d; want web:1 back, 2 ready", img, d.Status.ReadyReplicas, d.Status.ObservedGeneration)
		}
		// The ReplicaSet of the first release serves again: it is the one
		// whose pods are ready.
		rss, err := c.Clientset.AppsV1().ReplicaSets(ns).List(t.Context(), metav1.ListOptions{LabelSelector: "app=web,track=stable"})
		if err != nil {
			t.Fatal(err)
		}
		for _, rs := range rss.Items {
			img := rs.Spec.Template.Spec.Containers[0].Image
			if want := map[bool]int32{true: 2, false: 0}[img == "registry.example.com/web:1"]; *rs.Spec.Replicas != want {
				t.Errorf("ReplicaSet %s (%s): %d replicas, want %d", rs.Name, img, *rs.Spec.Replicas, want)
			}
		}
		if h := history(); !regexp.MustCompile(`^1\t\S+\tapplied\t[^\n]*\n2\t\S+\tfailed\t[^\n]*\n3\t\S+\trolled-back\t[^\n]*\n\z`).MatchString(h) {
			t.Errorf("history:\n%s\nwant 1 applied, 2 failed, 3 rolled-back", h)
		}
	})

	t.Run("bad release kept", func(t *testing.T) {
		set(webConfig("registry.example.com/web:3-bad-release", ""))
		code, _, stderr := apply()
		if code != 1 || !strings.Contains(stderr, "Deployment rollout-e2e/web: progress deadline exceeded: ") || !strings.HasSuffix(stderr, "\nnot rolled back\n") {
			t.Errorf("bad release without --rollback-on-failure: exit %d, stderr:\n%s\nwant exit 1, classified, not rolled back", code, stderr)
		}
		// svccfg rollback restores the last applied revision, the first
		// (revision 3 re-applied it as a rollback).
		code, stdout, stderr := run(t, bin, "rollback", "--kubeconfig", c.Kubeconfig, "--var", "namespace="+ns, dir)
		if code != 0 || !strings.HasSuffix(stdout, "rolled back to revision 1: applied 1 object, "+nobjs1+" unchanged, pruned 0, all ready\n") {
			t.Errorf("svccfg rollback: exit %d, stdout:\n%s\nstderr:\n%s", code, stdout, stderr)
		}
	})

	t.Run("canary", func(t *testing.T) {
		set(webConfig("registry.example.com/web:1", `
        canary = canary(hosts = 1, image = "registry.example.com/web:4"),`))
		code, stdout, stderr := apply()
		if code != 0 || !strings.Contains(stdout, "diff live/apps/v1/Deployment/rollout-e2e/web-canary svccfg/apps/v1/Deployment/rollout-e2e/web-canary [canary]\n") ||
			!strings.Contains(stderr, "Deployment rollout-e2e/web-canary: ready (") {
			t.Fatalf("canary: exit %d, stdout:\n%s\nstderr:\n%s\nwant the canary labelled and ready", code, stdout, stderr)
		}
		if d := deployment("web-canary"); d.Status.ReadyReplicas != 1 || d.Spec.Template.Labels["track"] != "canary" {
			t.Errorf("canary: %d ready, track %q; want 1 ready pod of track canary", d.Status.ReadyReplicas, d.Spec.Template.Labels["track"])
		}
	})

	t.Run("slow release", func(t *testing.T) {
		set(webConfig("registry.example.com/web:5", `
        pod_annotations = {"svccfg.dev/test-ready-after": "4s"},`))
		code, _, stderr := apply()
		m := regexp.MustCompile(`(?m)^Deployment rollout-e2e/web: ready \((\d+)(\.\d+)?s\)$`).FindStringSubmatch(stderr)
		if code != 0 || m == nil || atoi(t, m[1]) < 4 {
			t.Errorf("slow release: exit %d, stderr:\n%s\nwant the Deployment ready after 4s or more", code, stderr)
		}
	})

	t.Run("timeout", func(t *testing.T) {
		set(webConfig("registry.example.com/web:6", `
        pod_annotations = {"svccfg.dev/test-ready-after": "1h"},`))
		code, _, stderr := apply("--timeout", "5s")
		if code != 1 || !strings.Contains(stderr, "Deployment rollout-e2e/web: timeout: ") || !strings.HasSuffix(stderr, "\nnot rolled back\n") {
			t.Errorf("--timeout 5s: exit %d, stderr:\n%s\nwant exit 1 and the Deployment timed out", code, stderr)
		}
	})
}

func atoi(t *testing.T, s string) int {
	t.Helper()
	n, err := strconv.Atoi(s)
	if err != nil {
		t.Fatal(err)
	}
	return n
}
