package e2e

import (
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/svccfg/svccfg/internal/testcluster"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// TestGameday breaks the cluster the way production breaks and drives the
// svccfg binary's diff through each failure as the deploy pipeline would. A
// failure must end in exit status 2 and one line on stderr naming its class,
// with nothing on stdout: never "no differences", never a summary line.
// Each case that breaks a process has a cluster of its own, repaired in
// t.Cleanup in case the cluster is shared (SVCCFG_KUBECONFIG); the others
// share one healthy cluster.
func TestGameday(t *testing.T) {
	healthy := testcluster.Start(t) // skips unless SVCCFG_E2E=1
	bin := buildSvccfg(t)
	home, err := filepath.Abs(filepath.Join(examplesDir, "home-srv"))
	if err != nil {
		t.Fatal(err)
	}
	const ns = "gameday"
	// diffArgs returns the arguments of svccfg diff of examples/home-srv.
	diffArgs := func(kubeconfig, timeout string) []string {
		return []string{"diff", "--kubeconfig", kubeconfig, "--timeout", timeout, "--var", "namespace=" + ns, home}
	}
	// start returns a cluster with the namespace in place.
	start := func(t *testing.T) *testcluster.Cluster {
		c := testcluster.Start(t)
		createNamespaces(t, c, []string{ns})
		return c
	}
	createNamespaces(t, healthy, []string{ns})

	t.Run("etcd killed", func(t *testing.T) {
		c := start(t)
		must(t, c.Kill(testcluster.Etcd))
		t.Cleanup(func() { restart(t, c, testcluster.Etcd) })
		// The apiserver still serves discovery from memory, but every read
		// of an object waits for etcd until the client gives up.
		wantFailure(t, bin, diffArgs(c.Kubeconfig, "5s"), "timeout", `.*`)
	})

	// The same, with requests in flight: the process hangs first (frozen),
	// so that the diff is surely under way when it dies.
	t.Run("etcd killed during the diff", func(t *testing.T) {
		c := start(t)
		must(t, c.Freeze(testcluster.Etcd))
		t.Cleanup(func() { restart(t, c, testcluster.Etcd) })
		killAfter(t, c, testcluster.Etcd, time.Second)
		wantFailure(t, bin, diffArgs(c.Kubeconfig, "5s"), "timeout", `.*`)
	})

	t.Run("apiserver killed during the diff", func(t *testing.T) {
		c := start(t)
		must(t, c.Freeze(testcluster.APIServer))
		t.Cleanup(func() { restart(t, c, testcluster.APIServer) })
		killAfter(t, c, testcluster.APIServer, time.Second)
		wantFailure(t, bin, diffArgs(c.Kubeconfig, "5s"), "network", `.*`)
	})

	t.Run("apiserver killed", func(t *testing.T) {
		c := start(t)
		must(t, c.Kill(testcluster.APIServer))
		t.Cleanup(func() { restart(t, c, testcluster.APIServer) })
		wantFailure(t, bin, diffArgs(c.Kubeconfig, "3s"), "network", `.*connection refused.*\(retried until the deadline\)`)
	})

	t.Run("apiserver frozen", func(t *testing.T) {
		c := start(t)
		must(t, c.Freeze(testcluster.APIServer))
		t.Cleanup(func() {
			if err := c.Thaw(testcluster.APIServer); err != nil {
				t.Error(err)
			}
			if err := c.Wait(); err != nil {
				t.Error(err)
			}
		})
		// Nothing answers, so the run ends at --timeout; the test's own
		// deadline (run uses t.Context) stops a hang.
		wantFailure(t, bin, diffArgs(c.Kubeconfig, "3s"), "timeout", `.*`)
	})

	t.Run("dead address", func(t *testing.T) {
		c := healthy
		addr := deadAddress(t)
		kc := editKubeconfig(t, c, func(cluster *clientcmdapi.Cluster, _ *clientcmdapi.AuthInfo) {
			cluster.Server = "https://" + addr
		})
		wantFailure(t, bin, diffArgs(kc, "2s"), "network", `.*`+regexp.QuoteMeta(addr)+`.*connection refused.*`)
	})

	t.Run("bad token", func(t *testing.T) {
		c := healthy
		kc := editKubeconfig(t, c, func(_ *clientcmdapi.Cluster, user *clientcmdapi.AuthInfo) {
			*user = clientcmdapi.AuthInfo{Token: "0123456789abcdef0123456789abcdef"}
		})
		wantFailure(t, bin, diffArgs(kc, "5s"), "auth", `reading the ApplySet parent Secret `+ns+`/svccfg-home-srv: Unauthorized`)
	})

	t.Run("no rights", func(t *testing.T) {
		c := healthy
		token := clusterToken(t, c, "nobody")
		kc := editKubeconfig(t, c, func(_ *clientcmdapi.Cluster, user *clientcmdapi.AuthInfo) {
			*user = clientcmdapi.AuthInfo{Token: token}
		})
		// The first request reads the config set's ApplySet parent.
		wantFailure(t, bin, diffArgs(kc, "5s"), "auth", `reading the ApplySet parent Secret `+ns+`/svccfg-home-srv: secrets "svccfg-home-srv" is forbidden: User "nobody" cannot get resource "secrets" in API group "" in the namespace "`+ns+`"`)
	})

	t.Run("invalid object", func(t *testing.T) {
		c := healthy
		args := []string{"diff", "--kubeconfig", c.Kubeconfig, "--timeout", "5s", "--var", "namespace=" + ns, "testdata/invalid"}
		wantFailure(t, bin, args, "validation", `apps/v1/Deployment/`+ns+`/bad: invalid: spec\.replicas: Invalid value: -1: .*`)
	})

	t.Run("apiserver back after 2s", func(t *testing.T) {
		c := start(t)
		must(t, c.Kill(testcluster.APIServer))
		wantRecovery(t, c, testcluster.APIServer, bin, diffArgs(c.Kubeconfig, "60s"))
	})

	t.Run("etcd back after 2s", func(t *testing.T) {
		c := start(t)
		must(t, c.Stop(testcluster.Etcd))
		wantRecovery(t, c, testcluster.Etcd, bin, diffArgs(c.Kubeconfig, "60s"))
	})
}

// deadAddress returns a loopback address where nothing listens.
func deadAddress(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// killAfter kills comp of c after d, while the test goes on.
func killAfter(t *testing.T, c *testcluster.Cluster, comp testcluster.Component, d time.Duration) {
	killed := make(chan error, 1)
	go func() {
		time.Sleep(d)
		killed <- c.Kill(comp)
	}()
	t.Cleanup(func() {
		if err := <-killed; err != nil {
			t.Errorf("killing %s: %v", comp, err)
		}
	})
}

// wantRecovery starts comp of c again 2 seconds after it runs bin with args,
// and checks that the diff got through: exit status 1 and all of
// examples/home-srv to create.
func wantRecovery(t *testing.T, c *testcluster.Cluster, comp testcluster.Component, bin string, args []string) {
	t.Helper()
	restarted := make(chan error, 1)
	go func() {
		time.Sleep(2 * time.Second)
		restarted <- c.Start(comp)
	}()
	t.Cleanup(func() {
		if err := <-restarted; err != nil {
			t.Errorf("starting %s: %v", comp, err)
		}
		if err := c.Wait(); err != nil {
			t.Error(err)
		}
	})
	start := time.Now()
	code, stdout, stderr := run(t, bin, args...)
	t.Logf("svccfg %s: exit %d after %s", strings.Join(args, " "), code, time.Since(start).Round(time.Millisecond))
	summary := regexp.MustCompile(`(?m)^[1-9]\d* to create, 0 to change, 0 unchanged, 0 to prune\n\z`)
	if code != 1 || stderr != "" || !summary.MatchString(stdout) {
		t.Fatalf("svccfg %s: exit %d, stderr %q, stdout:\n%s\nwant exit 1, all to create", strings.Join(args, " "), code, stderr, stdout)
	}
}

// wantFailure runs bin with args and checks that it failed as the deploy
// pipeline needs: exit status 2, nothing on stdout, and on stderr exactly one
// line "svccfg: VERB: CLASS: REST", where VERB is args[0] and REST matches
// the regular expression rest.
func wantFailure(t *testing.T, bin string, args []string, class, rest string) {
	t.Helper()
	start := time.Now()
	code, stdout, stderr := run(t, bin, args...)
	t.Logf("svccfg %s: exit %d after %s: %s", strings.Join(args, " "), code, time.Since(start).Round(time.Millisecond), stderr)
	want := regexp.MustCompile(`^svccfg: ` + args[0] + `: ` + regexp.QuoteMeta(class) + `: ` + rest + `\n\z`)
	if code != 2 || stdout != "" || !want.MatchString(stderr) || strings.Count(stderr, "\n") != 1 {
		t.Errorf("svccfg %s:\nexit %d, stdout %q, stderr %q\nwant exit 2, no stdout, and one line matching %s",
			strings.Join(args, " "), code, stdout, stderr, want)
	}
}

// restart starts comp of c again after a kill and waits for the cluster.
func restart(t *testing.T, c *testcluster.Cluster, comp testcluster.Component) {
	if err := c.Start(comp); err != nil {
		t.Error(err)
	}
	if err := c.Wait(); err != nil {
		t.Error(err)
	}
}

// editKubeconfig writes a copy of c's kubeconfig changed by edit, which
// gets the current context's cluster and user, and returns its path.
func editKubeconfig(t *testing.T, c *testcluster.Cluster, edit func(*clientcmdapi.Cluster, *clientcmdapi.AuthInfo)) string {
	t.Helper()
	cfg, err := clientcmd.LoadFromFile(c.Kubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	ctx := cfg.Contexts[cfg.CurrentContext]
	if ctx == nil {
		t.Fatalf("%s: no current context", c.Kubeconfig)
	}
	edit(cfg.Clusters[ctx.Cluster], cfg.AuthInfos[ctx.AuthInfo])
	path := filepath.Join(t.TempDir(), "kubeconfig")
	if err := clientcmd.WriteToFile(*cfg, path); err != nil {
		t.Fatal(err)
	}
	return path
}

// clusterToken returns the bearer token of user from the cluster's static
// token file (hack/cluster.sh makes "admin" and "nobody").
func clusterToken(t *testing.T, c *testcluster.Cluster, user string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(c.StateDir, "pki", "tokens.csv"))
	if err != nil {
		t.Fatal(err)
	}
	for line := range strings.Lines(string(data)) {
		f := strings.Split(strings.TrimSpace(line), ",")
		if len(f) >= 2 && f[1] == user {
			return f[0]
		}
	}
	t.Fatalf("no token of %s in tokens.csv", user)
	return ""
}
