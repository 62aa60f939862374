package e2e

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/svccfg/svccfg/internal/testcluster"
)

// TestPruneAndRisks applies examples/home-srv with svccfg apply as the
// config set shop, then runs the svccfg binary's diff on changed configurations of the
// same config set: without home-srv, its objects are listed to prune and
// diff exits 1; with a change of replicas, the Deployment's change is not
// tagged [restarts pods], and with a change of image it is.
func TestPruneAndRisks(t *testing.T) {
	c := testcluster.Start(t)
	bin := buildSvccfg(t)
	const ns = "prune-e2e"
	createNamespaces(t, c, []string{ns})
	home := readFile(t, filepath.Join(examplesDir, "home-srv", "main.star"))
	shop := writeConfig(t, "shop", home)
	objs := buildDir(t, ns, shop)
	applyCommand(t, c, bin, ns, shop)
	diff := func(text string) (int, string, string) {
		t.Helper()
		return run(t, bin, "diff", "--kubeconfig", c.Kubeconfig, "--var", "namespace="+ns, writeConfig(t, "shop", text))
	}

	if code, stdout, stderr := diff(home); code != 0 || stderr != "" || !strings.HasSuffix(stdout, " unchanged, 0 to prune\n") {
		t.Fatalf("diff of the applied config set: exit %d, stderr %q, stdout:\n%s\nwant exit 0, nothing to prune", code, stderr, stdout)
	}

	t.Run("prune", func(t *testing.T) {
		other := readFile(t, filepath.Join(examplesDir, "missing-review-finder", "main.star"))
		code, stdout, stderr := diff(other)
		if code != 1 || stderr != "" {
			t.Errorf("diff without home-srv: exit %d, stderr %q; want exit 1", code, stderr)
		}
		for _, obj := range objs {
			id := obj.APIVersion() + "/" + obj.Kind + "/" + ns + "/" + obj.Name
			if want := "--- live/" + id + "\n+++ /dev/null\n"; !strings.Contains(stdout, want) {
				t.Errorf("diff without home-srv lacks %q:\n%s", want, stdout)
			}
		}
		if want := " to create, 0 to change, 0 unchanged, " + itoa(len(objs)) + " to prune\n"; !strings.HasSuffix(stdout, want) {
			t.Errorf("diff without home-srv: summary is not %q:\n%s", want, stdout)
		}
	})

	const header = "diff live/apps/v1/Deployment/" + ns + "/home-srv svccfg/apps/v1/Deployment/" + ns + "/home-srv"
	t.Run("replicas", func(t *testing.T) {
		code, stdout, _ := diff(strings.Replace(home, "replicas = 3", "replicas = 5", 1))
		if code != 1 || !strings.Contains(stdout, header+"\n") || strings.Contains(stdout, "[restarts pods]") {
			t.Errorf("diff after a change of replicas: exit %d, stdout:\n%s\nwant exit 1 and %q untagged", code, stdout, header)
		}
	})
	t.Run("image", func(t *testing.T) {
		code, stdout, _ := diff(strings.Replace(home, "home-srv:1.4.2", "home-srv:1.4.3", 1))
		if code != 1 || !strings.Contains(stdout, header+" [restarts pods]\n") {
			t.Errorf("diff after a change of image: exit %d, stdout:\n%s\nwant exit 1 and %q tagged [restarts pods]", code, stdout, header)
		}
	})
}
