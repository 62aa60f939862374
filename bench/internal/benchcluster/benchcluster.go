// Package benchcluster runs the commands of the real-cluster benchmarks
// (bench/diffrun, bench/applyrun): throw-away control planes from
// hack/cluster.sh, and timed runs of svccfg and kubectl against them.
package benchcluster

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"
)

// A Cluster is a control plane that hack/cluster.sh started.
type Cluster struct {
	// Kubeconfig is its admin kubeconfig; Kubectl, the kubectl of its
	// version.
	Kubeconfig, Kubectl string
	script, state       string
	sigs                chan os.Signal
	once                sync.Once
}

// Up builds the binaries if need be and starts a cluster in state with
// script (hack/cluster.sh). The cluster goes down with [Cluster.Down], on
// SIGINT and SIGTERM, and, through cluster.sh's watchdog, when this process
// dies.
func Up(script, state string) (*Cluster, error) {
	if _, err := Exe(0, script, "build"); err != nil {
		return nil, err
	}
	c := &Cluster{script: script, state: state, sigs: make(chan os.Signal, 1)}
	signal.Notify(c.sigs, os.Interrupt, syscall.SIGTERM)
	go func() {
		s, ok := <-c.sigs
		if !ok {
			return
		}
		c.Down()
		fmt.Fprintln(os.Stderr, "bench: stopped by", s)
		os.Exit(1)
	}()
	up := exec.Command(script, "up", state)
	up.Env = append(os.Environ(), fmt.Sprintf("SVCCFG_CLUSTER_WATCH_PID=%d", os.Getpid()))
	up.Stderr = os.Stderr
	stdout, err := up.Output()
	if err != nil {
		c.Down()
		return nil, fmt.Errorf("%s up: %v", script, err)
	}
	lines := strings.Split(strings.TrimSpace(string(stdout)), "\n")
	c.Kubeconfig = lines[len(lines)-1]
	if c.Kubectl, err = kubectlPath(script, state); err != nil {
		c.Down()
		return nil, err
	}
	return c, nil
}

// Down stops the cluster and deletes its state; only the first call does
// anything.
func (c *Cluster) Down() {
	c.once.Do(func() {
		signal.Stop(c.sigs)
		close(c.sigs)
		Logf("stopping the cluster")
		if _, err := Exe(0, c.script, "down", c.state, "--purge"); err != nil {
			fmt.Fprintln(os.Stderr, "bench:", err)
		}
	})
}

// Version returns the cluster's Kubernetes version, as kubectl says it.
func (c *Cluster) Version() string {
	out, err := exec.Command(c.Kubectl, "version", "--client", "-o", "yaml").Output()
	if err != nil {
		return "?"
	}
	if m := regexp.MustCompile(`gitVersion: (\S+)`).FindSubmatch(out); m != nil {
		return string(m[1])
	}
	return "?"
}

// Exe runs a command and returns its stdout; any exit status but want is an
// error (so a diff that finds nothing when differences are expected fails).
func Exe(want int, name string, args ...string) ([]byte, error) {
	cmd := exec.Command(name, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	var xerr *exec.ExitError
	if errors.As(err, &xerr) {
		code = xerr.ExitCode()
	} else if err != nil {
		return nil, fmt.Errorf("%s: %v", name, err)
	}
	if code != want {
		tail := stdout.String()
		if len(tail) > 2000 {
			tail = "..." + tail[len(tail)-2000:]
		}
		return nil, fmt.Errorf("%s %s: exit status %d, want %d\n%s%s", name, strings.Join(args, " "), code, want, tail, stderr.Bytes())
	}
	return stdout.Bytes(), nil
}

// Timed runs argv as [Exe] does and returns how long it took and its
// stdout.
func Timed(want int, argv ...string) (time.Duration, []byte, error) {
	start := time.Now()
	out, err := Exe(want, argv[0], argv[1:]...)
	return time.Since(start), out, err
}

// Median returns the median of d.
func Median(d []time.Duration) time.Duration {
	d = slices.Clone(d)
	slices.Sort(d)
	return d[len(d)/2]
}

// Logf writes a progress line to stderr.
func Logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "bench: "+format+"\n", args...)
}

// kubectlPath finds kubectl where cluster.sh env says it is.
func kubectlPath(script, state string) (string, error) {
	env, err := Exe(0, script, "env", state)
	if err != nil {
		return "", err
	}
	for line := range strings.Lines(string(env)) {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "export SVCCFG_CLUSTER_BIN="); ok {
			return filepath.Join(strings.Trim(v, `"'`), "kubectl"), nil
		}
	}
	return "", fmt.Errorf("%s env: no SVCCFG_CLUSTER_BIN", script)
}

// CountObjects counts the YAML documents in the rendered files of dir.
func CountObjects(dir string) int {
	files, _ := filepath.Glob(filepath.Join(dir, "*.yaml"))
	n := 0
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		n += bytes.Count(b, []byte("\nkind: "))
		if bytes.HasPrefix(b, []byte("kind: ")) {
			n++
		}
	}
	return n
}
