package e2e

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/svccfg/svccfg/internal/testcluster"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// manyServices is a configuration of 80 services (240 objects), so that
// an apply takes long enough to be broken half-way.
const manyServices = `def main(ctx):
    objs = []
    for i in range(80):
        objs.append(service(
            name = "svc-%d" % i,
            owner = "gameday",
            image = "registry.example.com/svc:1",
            ports = [port.http(8080)],
        ))
    return objs
`

// TestApplyGameday breaks the cluster while svccfg apply is under way, the
// way production breaks: the apiserver or etcd killed after the first
// objects are applied ends in exit status 2 and one classified line, and a
// re-run once the component is back converges (everything applied, then
// nothing left to change). A user without rights and a cluster that is
// not there are exit status 2 and one line, with nothing applied.
func TestApplyGameday(t *testing.T) {
	healthy := testcluster.Start(t) // skips unless SVCCFG_E2E=1
	bin := buildSvccfg(t)
	const ns = "gameday-apply"
	dir := writeConfig(t, "many", manyServices)
	n := len(buildDir(t, ns, dir))
	applyArgs := func(kubeconfig, timeout string) []string {
		return []string{"apply", "--kubeconfig", kubeconfig, "--wait=false", "--timeout", timeout, "--var", "namespace=" + ns, dir}
	}
	createNamespaces(t, healthy, []string{ns})

	for _, test := range []struct {
		comp  testcluster.Component
		class string
	}{
		{testcluster.APIServer, "network"},
		// Whether the apiserver sees etcd gone (Unavailable) or waits for
		// it until the deadline depends on which request was in flight.
		{testcluster.Etcd, "(network|timeout)"},
	} {
		t.Run(string(test.comp)+" killed mid-apply", func(t *testing.T) {
			c := testcluster.Start(t)
			createNamespaces(t, c, []string{ns})
			killed := killWhenApplied(t, c, test.comp, ns, "svc-0")
			code, stdout, stderr := run(t, bin, applyArgs(c.Kubeconfig, "8s")...)
			if err := <-killed; err != nil {
				t.Fatal(err)
			}
			want := regexp.MustCompile(`^svccfg: apply: ` + test.class + `: [^\n]*\n\z`)
			if code != 2 || !want.MatchString(stderr) || strings.Contains(stdout, "applied ") {
				t.Errorf("apply with %s killed: exit %d, stderr %q, stdout ends %q; want exit 2 and one line matching %s", test.comp, code, stderr, tail(stdout), want)
			}
			restart(t, c, test.comp)
			// The re-run applies what the broken one did not.
			code, stdout, stderr = run(t, bin, applyArgs(c.Kubeconfig, "60s")...)
			m := regexp.MustCompile(`\napplied (\d+) objects?, (\d+) unchanged, pruned 0\n\z`).FindStringSubmatch(stdout)
			if code != 0 || m == nil || atoi(t, m[1])+atoi(t, m[2]) != n || atoi(t, m[1]) == 0 || stderr != "" {
				t.Fatalf("re-run: exit %d, stderr %q, stdout ends %q; want the rest of the %d objects applied", code, stderr, tail(stdout), n)
			}
			code, stdout, _ = run(t, bin, applyArgs(c.Kubeconfig, "60s")...)
			if want := "0 to create, 0 to change, " + itoa(n) + " unchanged, 0 to prune\n"; code != 0 || !strings.HasPrefix(stdout, want) {
				t.Errorf("after the re-run: exit %d, stdout ends %q; want %q", code, tail(stdout), want)
			}
		})
	}

	t.Run("no rights", func(t *testing.T) {
		token := clusterToken(t, healthy, "nobody")
		kc := editKubeconfig(t, healthy, func(_ *clientcmdapi.Cluster, user *clientcmdapi.AuthInfo) {
			*user = clientcmdapi.AuthInfo{Token: token}
		})
		wantFailure(t, bin, applyArgs(kc, "5s"), "auth", `reading the ApplySet parent Secret `+ns+`/svccfg-many: secrets "svccfg-many" is forbidden: User "nobody" cannot get resource "secrets" in API group "" in the namespace "`+ns+`"`)
	})

	t.Run("unreachable", func(t *testing.T) {
		addr := deadAddress(t)
		kc := editKubeconfig(t, healthy, func(cluster *clientcmdapi.Cluster, _ *clientcmdapi.AuthInfo) {
			cluster.Server = "https://" + addr
		})
		wantFailure(t, bin, applyArgs(kc, "2s"), "network", `.*`+regexp.QuoteMeta(addr)+`.*connection refused.*`)
	})

	sas, err := healthy.Clientset.CoreV1().ServiceAccounts(ns).List(t.Context(), metav1.ListOptions{})
	if err != nil || len(sas.Items) != 0 {
		t.Errorf("after the failed applies, the cluster has %d service accounts in %s (%v), want none", len(sas.Items), ns, err)
	}
}

// killWhenApplied kills comp of c as soon as the ServiceAccount ns/name
// exists, while the test goes on; the channel says how it went.
func killWhenApplied(t *testing.T, c *testcluster.Cluster, comp testcluster.Component, ns, name string) <-chan error {
	done := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
		defer cancel()
		for ctx.Err() == nil {
			rctx, rcancel := context.WithTimeout(ctx, time.Second)
			_, err := c.Clientset.CoreV1().ServiceAccounts(ns).Get(rctx, name, metav1.GetOptions{})
			rcancel()
			if err == nil {
				done <- c.Kill(comp)
				return
			}
			time.Sleep(10 * time.Millisecond)
		}
		done <- ctx.Err()
	}()
	return done
}

// tail returns the last line of s.
func tail(s string) string {
	s = strings.TrimSuffix(s, "\n")
	return s[strings.LastIndex(s, "\n")+1:]
}
