package e2e

import (
	"context"
	"testing"
	"time"

	"github.com/svccfg/svccfg/internal/testcluster"
)

// k8sVersion is the version hack/cluster.sh builds: the Kubernetes release
// of the k8s.io/api and client-go versions in go.mod.
const k8sVersion = "v1.37.2"

// TestHarness checks the harness itself: the apiserver is the pinned
// version, and the gameday helpers break and repair the cluster.
func TestHarness(t *testing.T) {
	c := testcluster.Start(t)
	v, err := c.Clientset.Discovery().ServerVersion()
	if err != nil {
		t.Fatal(err)
	}
	if v.GitVersion != k8sVersion {
		t.Errorf("apiserver version %s, want %s", v.GitVersion, k8sVersion)
	}

	t.Run("freeze apiserver", func(t *testing.T) {
		must(t, c.Freeze(testcluster.APIServer))
		err := readyz(c, 2*time.Second)
		must(t, c.Thaw(testcluster.APIServer))
		if err == nil {
			t.Error("a frozen apiserver answered /readyz")
		}
		must(t, c.Wait())
	})
	t.Run("kill etcd", func(t *testing.T) {
		must(t, c.Kill(testcluster.Etcd))
		if err := eventually(func() bool { return readyz(c, 2*time.Second) != nil }); err != nil {
			t.Error("/readyz stayed ok with etcd killed")
		}
		must(t, c.Start(testcluster.Etcd))
		must(t, c.Wait())
	})
	t.Run("stop apiserver", func(t *testing.T) {
		must(t, c.Stop(testcluster.APIServer))
		if err := readyz(c, 2*time.Second); err == nil {
			t.Error("a stopped apiserver answered /readyz")
		}
		must(t, c.Start(testcluster.APIServer))
		must(t, c.Wait())
	})
	if err := readyz(c, 5*time.Second); err != nil {
		t.Errorf("after the gamedays: %v", err)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// readyz asks the apiserver's /readyz, giving up after timeout.
func readyz(c *testcluster.Cluster, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	_, err := c.Clientset.Discovery().RESTClient().Get().AbsPath("/readyz").DoRaw(ctx)
	return err
}

// eventually polls cond for up to 30 seconds and returns
// context.DeadlineExceeded if it never held.
func eventually(cond func() bool) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for !cond() {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(250 * time.Millisecond):
		}
	}
	return nil
}
