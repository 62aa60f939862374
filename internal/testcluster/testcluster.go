// Package testcluster gives tests a real Kubernetes control plane: etcd and
// kube-apiserver on 127.0.0.1, started by the repository's hack/cluster.sh;
// with [StartControllers], also kube-controller-manager, kube-scheduler and
// kwok, so that Deployments really roll out (see hack/kwok-stages.yaml).
//
// Real-cluster tests are opt-in, because the binaries take about ten minutes
// to build the first time. [Start] skips the test unless SVCCFG_E2E=1 is set;
// `make e2e` builds the binaries and sets it. With SVCCFG_KUBECONFIG set as
// well, tests reuse that cluster instead of starting their own, which makes a
// quick edit-and-rerun loop:
//
//	hack/cluster.sh build --controllers
//	kc=$(hack/cluster.sh up --controllers /tmp/svccfg-dev)
//	SVCCFG_E2E=1 SVCCFG_KUBECONFIG=$kc go test ./e2e/
//	hack/cluster.sh down /tmp/svccfg-dev --purge
package testcluster

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
)

// The environment variables that control real-cluster tests.
const (
	// EnvE2E must be "1" for real-cluster tests to run; otherwise they skip.
	EnvE2E = "SVCCFG_E2E"
	// EnvKubeconfig, if set, names the kubeconfig of a running cluster
	// (one from `hack/cluster.sh up`) to use instead of starting one.
	EnvKubeconfig = "SVCCFG_KUBECONFIG"
)

// A Component is a process of the control plane that gameday tests can
// kill, stop, start, freeze and thaw.
type Component string

// The components of the control plane.
const (
	Etcd      Component = "etcd"
	APIServer Component = "apiserver"
)

// A Cluster is a running control plane.
type Cluster struct {
	// Kubeconfig is the path of a kubeconfig with cluster-admin rights.
	Kubeconfig string
	// StateDir holds the cluster's certificates, data, logs and pid files;
	// it is the directory of Kubeconfig.
	StateDir string
	// Config is the client configuration from Kubeconfig, without
	// client-side rate limiting. Tests may copy and change it.
	Config *rest.Config
	// Clientset is a typed client for Config.
	Clientset kubernetes.Interface
	// Dynamic is a dynamic (unstructured) client for Config.
	Dynamic dynamic.Interface

	t           testing.TB
	script      string
	controllers bool
}

// Start returns a running cluster for t. It skips t unless SVCCFG_E2E=1. It
// reuses the cluster of SVCCFG_KUBECONFIG if that is set; otherwise it
// starts a new one in a temporary directory and stops it when t ends,
// keeping the directory (logs and all) if t failed.
func Start(t testing.TB) *Cluster {
	t.Helper()
	return start(t, false)
}

// StartControllers is [Start] with the controllers: kube-controller-manager,
// kube-scheduler and kwok with one fake node, kwok-node-0, which makes
// scheduled pods Running and Ready without a kubelet (a cluster of
// SVCCFG_KUBECONFIG must have been started with `up --controllers`).
func StartControllers(t testing.TB) *Cluster {
	t.Helper()
	return start(t, true)
}

func start(t testing.TB, controllers bool) *Cluster {
	t.Helper()
	if os.Getenv(EnvE2E) != "1" {
		t.Skipf("real-cluster test: run `make e2e` (or set %s=1 after `hack/cluster.sh build --controllers`)", EnvE2E)
	}
	c := &Cluster{t: t, script: script(t), controllers: controllers}
	if kc := os.Getenv(EnvKubeconfig); kc != "" {
		c.Kubeconfig = kc
	} else {
		c.up()
	}
	c.StateDir = filepath.Dir(c.Kubeconfig)
	c.connect()
	return c
}

// script returns the path of hack/cluster.sh in the module that holds the
// test's working directory.
func script(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(dir, "hack", "cluster.sh")
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("testcluster: no go.mod above the working directory")
		}
		dir = parent
	}
}

// up starts a cluster in a new temporary directory and registers its teardown.
func (c *Cluster) up() {
	c.t.Helper()
	dir, err := os.MkdirTemp("", "svccfg-e2e-")
	if err != nil {
		c.t.Fatal(err)
	}
	// The watchdog stops the cluster if the test binary dies without cleanup.
	args := []string{"up", dir}
	if c.controllers {
		args = []string{"up", "--controllers", dir}
	}
	out, err := c.run(3*time.Minute, []string{"SVCCFG_CLUSTER_WATCH_PID=" + strconv.Itoa(os.Getpid())}, args...)
	c.t.Cleanup(func() {
		args := []string{"down", dir, "--purge"}
		if c.t.Failed() {
			c.t.Logf("testcluster: keeping %s for its logs", dir)
			args = args[:2]
		}
		if _, err := c.run(time.Minute, nil, args...); err != nil {
			c.t.Errorf("testcluster: %v", err)
		}
	})
	if err != nil {
		c.t.Fatalf("testcluster: %v", err)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	c.Kubeconfig = lines[len(lines)-1]
}

// connect builds the clients from c.Kubeconfig.
func (c *Cluster) connect() {
	c.t.Helper()
	cfg, err := clientcmd.BuildConfigFromFlags("", c.Kubeconfig)
	if err != nil {
		c.t.Fatalf("testcluster: %v", err)
	}
	cfg.QPS = -1 // a negative QPS turns client-side throttling off
	c.Config = cfg
	if c.Clientset, err = kubernetes.NewForConfig(cfg); err != nil {
		c.t.Fatalf("testcluster: %v", err)
	}
	if c.Dynamic, err = dynamic.NewForConfig(cfg); err != nil {
		c.t.Fatalf("testcluster: %v", err)
	}
}

// run runs hack/cluster.sh with args and extra environment variables, and
// returns its standard output. Its standard error goes to the test log.
func (c *Cluster) run(timeout time.Duration, env []string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, c.script, args...)
	cmd.Env = append(os.Environ(), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.WaitDelay = 5 * time.Second // in case a child process keeps a pipe open
	err := cmd.Run()
	if s := strings.TrimSpace(stderr.String()); s != "" {
		c.t.Logf("hack/cluster.sh %s:\n%s", strings.Join(args, " "), s)
	}
	if err != nil {
		return stdout.String(), fmt.Errorf("hack/cluster.sh %s: %w", strings.Join(args, " "), err)
	}
	return stdout.String(), nil
}

// The gameday methods below return errors instead of failing the test, so
// that subtests and other goroutines can call them. What the script says
// goes to the log of the test given to [Start].

// gameday runs `hack/cluster.sh action comp` on c.
func (c *Cluster) gameday(action string, comp Component) error {
	if _, err := os.Stat(filepath.Join(c.StateDir, string(comp)+".cmd")); err != nil {
		return fmt.Errorf("testcluster: %s %s: %s holds no cluster started by hack/cluster.sh", action, comp, c.StateDir)
	}
	_, err := c.run(time.Minute, nil, action, string(comp), c.StateDir)
	return err
}

// Kill sends SIGKILL to comp, like a crash.
func (c *Cluster) Kill(comp Component) error { return c.gameday("kill", comp) }

// Stop sends SIGTERM to comp and waits until it has exited.
func (c *Cluster) Stop(comp Component) error { return c.gameday("stop", comp) }

// Start starts comp again, with the same ports, data and certificates,
// without waiting for it to be ready; see [Cluster.Wait].
func (c *Cluster) Start(comp Component) error { return c.gameday("start", comp) }

// Freeze sends SIGSTOP to comp: a hung process rather than a crashed one.
// Its ports stay open, and requests to it hang.
func (c *Cluster) Freeze(comp Component) error { return c.gameday("freeze", comp) }

// Thaw sends SIGCONT to comp, undoing [Cluster.Freeze].
func (c *Cluster) Thaw(comp Component) error { return c.gameday("thaw", comp) }

// Wait waits until the apiserver reports ready again, after a gameday
// action; it gives up after two minutes (SVCCFG_CLUSTER_READY_TIMEOUT).
func (c *Cluster) Wait() error {
	_, err := c.run(3*time.Minute, nil, "wait", c.StateDir)
	return err
}

// Kubectl returns the path of the kubectl that hack/cluster.sh built, of
// the cluster's version.
func (c *Cluster) Kubectl() string {
	c.t.Helper()
	out, err := c.run(time.Minute, nil, "env", c.StateDir)
	if err != nil {
		c.t.Fatal(err)
	}
	for line := range strings.Lines(out) {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "export SVCCFG_CLUSTER_BIN="); ok {
			return filepath.Join(strings.Trim(v, `'"`), "kubectl")
		}
	}
	c.t.Fatal("testcluster: hack/cluster.sh env names no SVCCFG_CLUSTER_BIN")
	return ""
}
