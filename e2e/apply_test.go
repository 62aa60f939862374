package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/svccfg/svccfg/internal/testcluster"
	"github.com/svccfg/svccfg/lib/applyset"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
)

// badBeside is a configuration of a valid ConfigMap and, beside it, a
// Deployment the apiserver rejects (negative replicas), on line 13.
const badBeside = `apps = proto.package("k8s.io.api.apps.v1")
core = proto.package("k8s.io.api.core.v1")
meta = proto.package("k8s.io.apimachinery.pkg.apis.meta.v1")

def main(ctx):
    labels = {"app": "bad", "owner": "home"}
    return [
        core.ConfigMap(
            metadata = meta.ObjectMeta(name = "good", labels = labels),
            data = {"k": "v"},
        ),
        apps.Deployment(
            metadata = meta.ObjectMeta(name = "bad", labels = labels),
            spec = apps.DeploymentSpec(
                replicas = -1,
                selector = meta.LabelSelector(matchLabels = {"app": "bad"}),
                template = core.PodTemplateSpec(
                    metadata = meta.ObjectMeta(labels = labels),
                    spec = core.PodSpec(containers = [core.Container(name = "main", image = "registry.example.com/bad:1")]),
                ),
            ),
        ),
    ]
`

// elapsed matches a duration in apply's progress lines, such as (1.2s).
const elapsed = `\([0-9.hms]+\)`

// allReady matches the end of apply's stderr, in CI, when all n objects it
// applied are ready: the summary line.
func allReady(n int) *regexp.Regexp {
	return regexp.MustCompile(`(?m)^rollout: ` + itoa(n) + ` of ` + itoa(n) + ` objects ready ` + elapsed + `\n\z`)
}

// TestApplyCommand runs the svccfg binary's apply against a real cluster:
// it creates a service's objects and exits 0, a second apply changes
// nothing, an object the apiserver rejects beside a valid one applies
// neither and exits 1 at the config line, --prune deletes only the config
// set's unowned objects, and a field another manager owns is a conflict
// naming the field and the manager.
func TestApplyCommand(t *testing.T) {
	c := testcluster.StartControllers(t)
	bin := buildSvccfg(t)
	const ns = "apply-e2e"
	createNamespaces(t, c, []string{ns})
	home := readFile(t, filepath.Join(examplesDir, "home-srv", "main.star"))
	shop := writeConfig(t, "shop", home)
	apply := func(dir string, flags ...string) (int, string, string) {
		t.Helper()
		args := append([]string{"apply", "--kubeconfig", c.Kubeconfig, "--var", "namespace=" + ns}, flags...)
		return run(t, bin, append(args, dir)...)
	}
	objs := buildDir(t, ns, shop)

	code, stdout, stderr := apply(shop)
	wantCreate := " to create, 0 to change, 0 unchanged, 0 to prune\napplied " + itoa(len(objs)) + " objects, 0 unchanged, pruned 0, all ready\n"
	if code != 0 || !allReady(len(objs)).MatchString(stderr) || !strings.HasSuffix(stdout, wantCreate) || !strings.Contains(stdout, "+++ svccfg/apps/v1/Deployment/"+ns+"/home-srv\n") {
		t.Fatalf("first apply: exit %d, stderr %q, stdout:\n%s\nwant exit 0 and the objects created", code, stderr, stdout)
	}
	if _, err := c.Clientset.AppsV1().Deployments(ns).Get(t.Context(), "home-srv", metav1.GetOptions{}); err != nil {
		t.Fatalf("after apply: %v", err)
	}

	t.Run("applyset", func(t *testing.T) {
		// The parent of the config set's ApplySet (KEP-3659), and the label
		// on each member, as kubectl's --applyset reads them.
		parent, err := c.Clientset.CoreV1().Secrets(ns).Get(t.Context(), "svccfg-shop", metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		id := parent.Labels["applyset.kubernetes.io/id"]
		if !strings.HasPrefix(id, "applyset-") || !strings.HasPrefix(parent.Annotations["applyset.kubernetes.io/tooling"], "svccfg/") ||
			parent.Annotations["applyset.kubernetes.io/contains-group-kinds"] != "Deployment.apps,PodDisruptionBudget.policy,Service,ServiceAccount" {
			t.Errorf("ApplySet parent: labels %v, annotations %v", parent.Labels, parent.Annotations)
		}
		d, err := c.Clientset.AppsV1().Deployments(ns).Get(t.Context(), "home-srv", metav1.GetOptions{})
		if err != nil || d.Labels["applyset.kubernetes.io/part-of"] != id {
			t.Errorf("Deployment's labels %v (%v), want part-of %s", d.Labels, err, id)
		}
		if want := (applyset.Parent{Namespace: ns, Name: "svccfg-shop"}).ID(); id != want {
			t.Errorf("ApplySet ID %s, want %s", id, want)
		}
		// kubectl sees that svccfg manages the set, and refuses to touch it.
		manifest := filepath.Join(t.TempDir(), "cm.yaml")
		if err := os.WriteFile(manifest, []byte("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: from-kubectl\n"), 0o666); err != nil {
			t.Fatal(err)
		}
		kubectl := func(set string) (string, error) {
			cmd := exec.CommandContext(t.Context(), c.Kubectl(), "--kubeconfig", c.Kubeconfig, "apply", "--server-side", "--prune", "--applyset=secret/"+set, "-n", ns, "-f", manifest)
			cmd.Env = append(os.Environ(), "KUBECTL_APPLYSET=true")
			out, err := cmd.CombinedOutput()
			return string(out), err
		}
		if out, err := kubectl("svccfg-shop"); err == nil || !strings.Contains(out, `managed by tooling "svccfg"`) {
			t.Errorf("kubectl apply --prune --applyset of svccfg's ApplySet: %v, output:\n%s\nwant a refusal naming svccfg's tooling", err, out)
		}
		// kubectl's own ApplySet has the ID svccfg computes for its parent.
		if out, err := kubectl("kubectl-set"); err != nil {
			t.Fatalf("kubectl apply --applyset: %v\n%s", err, out)
		}
		kparent, err := c.Clientset.CoreV1().Secrets(ns).Get(t.Context(), "kubectl-set", metav1.GetOptions{})
		if want := (applyset.Parent{Namespace: ns, Name: "kubectl-set"}).ID(); err != nil || kparent.Labels["applyset.kubernetes.io/id"] != want {
			t.Errorf("kubectl's ApplySet parent: %v, labels %v; want ID %s", err, kparent.Labels, want)
		}
	})

	t.Run("again", func(t *testing.T) {
		code, stdout, stderr := apply(shop)
		want := "0 to create, 0 to change, " + itoa(len(objs)) + " unchanged, 0 to prune\n"
		if code != 0 || !regexp.MustCompile(`^`+allReady(len(objs)).String()).MatchString(stderr) || !strings.HasPrefix(stdout, want) {
			t.Errorf("second apply: exit %d, stderr %q, stdout:\n%s\nwant exit 0 and %q", code, stderr, stdout, want)
		}
	})

	t.Run("rejected", func(t *testing.T) {
		code, stdout, stderr := apply(writeConfig(t, "bad", badBeside))
		want := regexp.MustCompile(`^\S*bad/main\.star:12:24: apply: validation: Deployment ` + ns + `/bad: invalid: spec\.replicas: Invalid value: -1: [^\n]*\n`)
		if code != 1 || stdout != "" || !want.MatchString(stderr) {
			t.Errorf("rejected object: exit %d, stdout %q, stderr %q; want exit 1 and %s", code, stdout, stderr, want)
		}
		if _, err := c.Clientset.CoreV1().ConfigMaps(ns).Get(t.Context(), "good", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
			t.Errorf("the valid ConfigMap beside the rejected Deployment: got %v, want not found", err)
		}
	})

	t.Run("new namespace", func(t *testing.T) {
		// Objects in a namespace the same apply creates are dry-run once the
		// namespace exists, before anything else is applied.
		const text = `core = proto.package("k8s.io.api.core.v1")
meta = proto.package("k8s.io.apimachinery.pkg.apis.meta.v1")

def main(ctx):
    return [
        core.Namespace(metadata = meta.ObjectMeta(name = "fresh")),
        core.ConfigMap(metadata = meta.ObjectMeta(name = "c", namespace = "fresh"), data = {"k": "v"}),
    ]
`
		bad := strings.Replace(text, `data = {"k": "v"}),`, `data = {"k": "v"}),
        core.Service(metadata = meta.ObjectMeta(name = "bad", namespace = "fresh"), spec = core.ServiceSpec(ports = [core.ServicePort(port = 99999)])),`, 1)
		code, stdout, stderr := run(t, bin, "apply", "--kubeconfig", c.Kubeconfig, writeConfig(t, "fresh", bad))
		want := regexp.MustCompile(`main\.star:8:21: apply: validation: Service fresh/bad: invalid: spec\.ports\[0\]\.port: Invalid value: 99999`)
		if code != 1 || !want.MatchString(stderr) || !strings.Contains(stdout, "+++ svccfg/v1/ConfigMap/fresh/c\n") {
			t.Errorf("a rejected object in a new namespace: exit %d, stderr %q, stdout:\n%s\nwant exit 1 and %s", code, stderr, stdout, want)
		}
		if _, err := c.Clientset.CoreV1().ConfigMaps("fresh").Get(t.Context(), "c", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
			t.Errorf("the ConfigMap beside the rejected Service: %v, want not found", err)
		}
		code, stdout, stderr = run(t, bin, "apply", "--kubeconfig", c.Kubeconfig, writeConfig(t, "fresh", text))
		// The rejected apply left the namespace: it is unchanged now.
		if code != 0 || !strings.HasSuffix(stdout, "applied 1 object, 1 unchanged, pruned 0, all ready\n") {
			t.Fatalf("apply into a new namespace: exit %d, stderr %q, stdout:\n%s", code, stderr, stdout)
		}
		if _, err := c.Clientset.CoreV1().ConfigMaps("fresh").Get(t.Context(), "c", metav1.GetOptions{}); err != nil {
			t.Errorf("the ConfigMap in the new namespace: %v", err)
		}
	})

	t.Run("conflict", func(t *testing.T) {
		patch := []byte(`{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"home-srv"},"spec":{"replicas":7}}`)
		force := true
		_, err := c.Clientset.AppsV1().Deployments(ns).Patch(t.Context(), "home-srv", types.ApplyPatchType, patch, metav1.PatchOptions{FieldManager: "autoscaler", Force: &force})
		if err != nil {
			t.Fatal(err)
		}
		code, stdout, stderr := apply(shop)
		want := regexp.MustCompile(`apply: conflict: Deployment ` + ns + `/home-srv: .*"autoscaler".*\.spec\.replicas`)
		if code != 1 || stdout != "" || !want.MatchString(stderr) {
			t.Errorf("conflicting apply: exit %d, stdout %q, stderr %q; want exit 1 and %s", code, stdout, stderr, want)
		}
		if code, _, stderr := apply(shop, "--force-conflicts"); code != 0 {
			t.Errorf("apply --force-conflicts: exit %d, stderr %q", code, stderr)
		}
	})

	t.Run("history", func(t *testing.T) {
		code, stdout, stderr := run(t, bin, "history", "--kubeconfig", c.Kubeconfig, "--var", "namespace="+ns, shop)
		// The apply that changed nothing and the one that stopped at the
		// conflict are no revisions.
		want := regexp.MustCompile(`^1\t\S+\tapplied\t\S+\t-\n2\t\S+\tapplied\t\S+\t-\n\z`)
		if code != 0 || stderr != "" || !want.MatchString(stdout) {
			t.Errorf("history: exit %d, stderr %q, stdout:\n%s\nwant two applied revisions", code, stderr, stdout)
		}
	})

	t.Run("rollback", func(t *testing.T) {
		changed := writeConfig(t, "shop", strings.Replace(home, "replicas = 3", "replicas = 5", 1))
		if code, _, stderr := apply(changed); code != 0 {
			t.Fatalf("apply of replicas = 5: exit %d, stderr %q", code, stderr)
		}
		code, stdout, stderr := run(t, bin, "rollback", "--kubeconfig", c.Kubeconfig, "--var", "namespace="+ns, shop)
		if code != 0 || !allReady(len(objs)).MatchString(stderr) || !strings.HasSuffix(stdout, "rolled back to revision 2: applied 1 object, "+itoa(len(objs)-1)+" unchanged, pruned 0, all ready\n") || !strings.Contains(stdout, "-  replicas: 5\n+  replicas: 3\n") {
			t.Fatalf("rollback: exit %d, stderr %q, stdout:\n%s\nwant revision 2 and replicas back to 3", code, stderr, stdout)
		}
		d, err := c.Clientset.AppsV1().Deployments(ns).Get(t.Context(), "home-srv", metav1.GetOptions{})
		if err != nil || *d.Spec.Replicas != 3 {
			t.Errorf("after the rollback: %v, replicas %v, want 3", err, d.Spec.Replicas)
		}
		_, stdout, _ = run(t, bin, "history", "--kubeconfig", c.Kubeconfig, "--var", "namespace="+ns, shop)
		if !regexp.MustCompile(`\n3\t\S+\tapplied\t[^\n]*\n4\t\S+\trolled-back\t[^\n]*\n\z`).MatchString(stdout) {
			t.Errorf("history after the rollback:\n%s\nwant revision 4 rolled-back after 3 applied", stdout)
		}
	})

	t.Run("prune", func(t *testing.T) {
		// Another config set's object, and one of this set owned by
		// another object, both survive the prune.
		other := writeConfig(t, "other", readFile(t, filepath.Join(examplesDir, "missing-review-finder", "main.star")))
		if code, _, stderr := apply(other); code != 0 {
			t.Fatalf("apply of another config set: exit %d, stderr %q", code, stderr)
		}
		// The owner outlives the prune, or the garbage collector would
		// delete what it owns.
		owner, err := c.Clientset.BatchV1().CronJobs(ns).Get(t.Context(), "missing-review-finder", metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		sa, err := c.Clientset.CoreV1().ServiceAccounts(ns).Get(t.Context(), "home-srv", metav1.GetOptions{})
		if err == nil {
			controller := true
			sa.OwnerReferences = []metav1.OwnerReference{{APIVersion: "batch/v1", Kind: "CronJob", Name: owner.Name, UID: owner.UID, Controller: &controller}}
			if _, err := c.Clientset.CoreV1().ServiceAccounts(ns).Update(t.Context(), sa, metav1.UpdateOptions{}); err != nil {
				t.Fatal(err)
			}
		}
		empty := writeConfig(t, "shop", "def main(ctx):\n    return []\n")
		code, stdout, stderr := apply(empty, "--prune")
		if code != 0 {
			t.Fatalf("apply --prune: exit %d, stderr %q, stdout:\n%s", code, stderr, stdout)
		}
		if _, err := c.Clientset.CoreV1().Services(ns).Get(t.Context(), "home-srv", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
			t.Errorf("the pruned Service: got %v, want not found", err)
		}
		if _, err := c.Clientset.BatchV1().CronJobs(ns).Get(t.Context(), "missing-review-finder", metav1.GetOptions{}); err != nil {
			t.Errorf("another config set's CronJob after the prune: %v", err)
		}
		if sa != nil {
			if _, err := c.Clientset.CoreV1().ServiceAccounts(ns).Get(t.Context(), "home-srv", metav1.GetOptions{}); err != nil {
				t.Errorf("the owned ServiceAccount after the prune: %v", err)
			}
		}
	})
}
