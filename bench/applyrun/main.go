// Command applyrun is the apply part of `make bench`: it times `svccfg
// apply` against a real kube-apiserver (hack/cluster.sh), side by side with
// `kubectl apply --server-side` of the same objects, and writes a Markdown
// table to bench/results/<commit>-apply.md.
//
// It writes a tree of N services with bench/internal/spec and a copy where
// every 20th service has a new version (5%: the image and pod template of
// its Deployment, and of its CronJob if it has one), and renders both with
// `svccfg build -o`. Then, for each run and each tool, on a fresh cluster
// (stopped and purged after it, on failure and on SIGINT/SIGTERM too):
//
//   - create: everything into an empty namespace;
//   - no change: the same again;
//   - change: the 5% change.
//
// svccfg applies the configuration (its time includes the build, the
// comparison with the cluster that it prints, the dry run of every changed
// object, the ApplySet parent and the revision it records); kubectl applies
// the rendered files. Neither waits for readiness: the cluster has no
// controllers. The median of the runs is reported.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"github.com/svccfg/svccfg/bench/internal/benchcluster"
	"github.com/svccfg/svccfg/bench/internal/benchfmt"
	"github.com/svccfg/svccfg/bench/internal/spec"
)

func main() {
	n := flag.Int("n", 1000, "number of services; 0 skips the apply benchmark")
	runs := flag.Int("runs", 3, "runs per measurement; the median is reported")
	every := flag.Int("change-every", 20, "give every `k`th service a new version for the change variant")
	svccfg := flag.String("svccfg", "bin/svccfg", "svccfg `binary`")
	cluster := flag.String("cluster", "hack/cluster.sh", "the cluster `script`")
	results := flag.String("results", "bench/results", "`dir` to write the table to (empty: only print it)")
	work := flag.String("work", "", "`dir` for the trees, outputs and cluster state (default: a new temporary directory)")
	flag.Parse()
	if *n <= 0 {
		fmt.Fprintln(os.Stderr, "bench: apply benchmark skipped (-n 0)")
		return
	}
	if err := run(*n, *runs, *every, *svccfg, *cluster, *results, *work); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

// The variants, in the order each run goes through them.
var variants = []string{"create", "no change", "change"}

// tool applies one version of the configuration (0 the first, 1 the
// changed one) to the cluster of kubeconfig.
type tool func(kubeconfig, kubectl string, version int) []string

func run(n, runs, every int, svccfg, cluster, results, work string) error {
	if work == "" {
		dir, err := os.MkdirTemp("", "svccfg-applybench-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		work = dir
	}
	// The same base name: the config set is named after it.
	trees := []string{filepath.Join(work, "v1", "tree"), filepath.Join(work, "v2", "tree")}
	outs := []string{filepath.Join(work, "v1", "out"), filepath.Join(work, "v2", "out")}
	benchcluster.Logf("N=%d: writing and building the trees", n)
	changed := 0
	for i, tree := range trees {
		if err := spec.WriteTree(tree, n, 100); err != nil {
			return err
		}
		if i == 1 {
			var err error
			if changed, err = spec.Bump(tree, n, every); err != nil {
				return err
			}
		}
		if _, err := benchcluster.Exe(0, svccfg, "build", "-o", outs[i], tree); err != nil {
			return err
		}
	}
	objects := benchcluster.CountObjects(filepath.Join(outs[0], "kubernetes", "services"))

	tools := map[string]tool{
		"svccfg": func(kc, _ string, v int) []string {
			return []string{svccfg, "apply", "--wait=false", "--kubeconfig", kc, trees[v]}
		},
		"kubectl": func(kc, kubectl string, v int) []string {
			return []string{kubectl, "--kubeconfig", kc, "apply", "--server-side", "-f", filepath.Join(outs[v], "kubernetes", "services")}
		},
	}
	times := map[string][][]time.Duration{"svccfg": make([][]time.Duration, len(variants)), "kubectl": make([][]time.Duration, len(variants))}
	version := "?"
	for r := range runs {
		for _, name := range []string{"svccfg", "kubectl"} {
			benchcluster.Logf("run %d of %d: %s", r+1, runs, name)
			state := filepath.Join(work, "cluster")
			c, err := benchcluster.Up(cluster, state)
			if err != nil {
				return err
			}
			version = c.Version()
			d, err := applyAll(c, tools[name])
			c.Down()
			if err != nil {
				return err
			}
			for i := range variants {
				times[name][i] = append(times[name][i], d[i])
			}
		}
	}

	var table bytes.Buffer
	fmt.Fprintf(&table, "| N | objects | variant | svccfg apply | kubectl apply --server-side | kubectl / svccfg |\n")
	fmt.Fprintf(&table, "|---:|---:|---|---:|---:|---:|\n")
	for i, v := range variants {
		if v == "change" {
			v = fmt.Sprintf("%d services changed", changed)
		}
		s, k := benchcluster.Median(times["svccfg"][i]), benchcluster.Median(times["kubectl"][i])
		fmt.Fprintf(&table, "| %d | %d | %s | %s | %s | %.1f× |\n", n, objects, v, benchfmt.Secs(s), benchfmt.Secs(k), k.Seconds()/s.Seconds())
	}
	report := fmt.Sprintf("# svccfg apply benchmark\n\ncommit %s, %s, %s/%s, %d CPUs, median of %d runs, "+
		"kube-apiserver %s on 127.0.0.1 (hack/cluster.sh), a fresh cluster per run and tool, no wait\n\n",
		benchfmt.Commit(), runtime.Version(), runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), runs, version) + table.String()
	fmt.Print(report)
	if results == "" {
		return nil
	}
	if err := os.MkdirAll(results, 0o755); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(results, benchfmt.Commit()+"-apply.md"), []byte(report), 0o644)
}

// applyAll creates the namespace in c, then times apply through each
// variant, in order.
func applyAll(c *benchcluster.Cluster, apply tool) ([]time.Duration, error) {
	if _, err := benchcluster.Exe(0, c.Kubectl, "--kubeconfig", c.Kubeconfig, "create", "namespace", "services"); err != nil {
		return nil, err
	}
	var d []time.Duration
	for i := range variants {
		v := 0
		if variants[i] == "change" {
			v = 1
		}
		t, _, err := benchcluster.Timed(0, apply(c.Kubeconfig, c.Kubectl, v)...)
		if err != nil {
			return nil, err
		}
		d = append(d, t)
	}
	return d, nil
}
