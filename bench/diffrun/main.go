// Command diffrun is the diff half of `make bench`: it times `svccfg diff`
// against a real kube-apiserver (hack/cluster.sh), side by side with
// `kubectl diff --server-side` on the same rendered objects, and writes a
// Markdown table to bench/results/<commit>-diff.md.
//
// It writes a tree of N services with bench/internal/spec, renders it with
// `svccfg build -o OUT`, starts a throw-away cluster (always stopped and
// purged at the end, on failure and on SIGINT/SIGTERM too; the cluster's
// watchdog also stops it if this process dies), creates the namespace and
// applies the tree for real with `svccfg apply`. Then it times, interleaved
// and the median of several runs:
//
//   - no change: both diffs against the objects just applied (exit 0);
//   - change: after a new version for every 20th service (5%: image and
//     pod template of its Deployment, and of its CronJob if it has one),
//     rebuilt into OUT, so both compare the same objects (exit 1).
//
// Both tools send one server-side apply dry run per object; svccfg diff also
// builds the tree (the build column says how long that alone takes) and lists
// the objects to prune, while kubectl diff reads the already rendered files.
package main

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"time"

	"github.com/svccfg/svccfg/bench/internal/benchcluster"
	"github.com/svccfg/svccfg/bench/internal/benchfmt"
	"github.com/svccfg/svccfg/bench/internal/spec"
)

func main() {
	n := flag.Int("n", 1000, "number of services; 0 skips the diff benchmark")
	runs := flag.Int("runs", 5, "runs per measurement; the median is reported")
	every := flag.Int("change-every", 20, "give every `k`th service a new version for the change variant")
	svccfg := flag.String("svccfg", "bin/svccfg", "svccfg `binary`")
	cluster := flag.String("cluster", "hack/cluster.sh", "the cluster `script`")
	results := flag.String("results", "bench/results", "`dir` to write the table to (empty: only print it)")
	extra := flag.String("svccfg-flags", "", "extra `flags` for svccfg diff, space-separated (such as \"--timeout 10m\")")
	work := flag.String("work", "", "`dir` for the tree, outputs and cluster state (default: a new temporary directory)")
	flag.Parse()
	if *n <= 0 {
		fmt.Fprintln(os.Stderr, "bench: diff benchmark skipped (-n 0)")
		return
	}
	if err := run(*n, *runs, *every, *svccfg, strings.Fields(*extra), *cluster, *results, *work); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func run(n, runs, every int, svccfg string, extra []string, cluster, results, work string) (err error) {
	if work == "" {
		dir, err := os.MkdirTemp("", "svccfg-diffbench-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		work = dir
	}
	tree := filepath.Join(work, "tree")
	out := filepath.Join(work, "out")
	objs := filepath.Join(out, "kubernetes", "services")
	state := filepath.Join(work, "cluster")

	benchcluster.Logf("N=%d: writing and building the tree", n)
	if err := spec.WriteTree(tree, n, 100); err != nil {
		return err
	}
	if _, err := benchcluster.Exe(0, svccfg, "build", "-o", out, tree); err != nil {
		return err
	}

	benchcluster.Logf("starting the cluster in %s", state)
	c, err := benchcluster.Up(cluster, state)
	if err != nil {
		return err
	}
	defer c.Down()
	kc, kubectl := c.Kubeconfig, c.Kubectl
	kflags := []string{"--kubeconfig", kc}

	benchcluster.Logf("applying %s", objs)
	if _, err := benchcluster.Exe(0, kubectl, append(kflags, "create", "namespace", "services")...); err != nil {
		return err
	}
	start := time.Now()
	if _, err := benchcluster.Exe(0, svccfg, "apply", "--wait=false", "--kubeconfig", kc, tree); err != nil {
		return err
	}
	applied := time.Since(start)
	files, _ := filepath.Glob(filepath.Join(objs, "*.yaml"))

	svccfgDiff := append(append([]string{svccfg, "diff", "--kubeconfig", kc}, extra...), tree)
	// kubectl diffs as a field manager of its own: svccfg's also owns the
	// ApplySet label, which the rendered files do not carry.
	kubectlDiff := append([]string{kubectl, "diff", "--server-side"}, append(kflags, "-f", objs)...)
	var table bytes.Buffer
	var notes []string
	fmt.Fprintf(&table, "| N | objects | variant | svccfg diff | of which build | kubectl diff | kubectl / svccfg | changes svccfg / kubectl |\n")
	fmt.Fprintf(&table, "|---:|---:|---|---:|---:|---:|---:|---:|\n")
	variant := func(name string, want int) error {
		benchcluster.Logf("timing %q: %d runs each", name, runs)
		// One run of each first, not counted: it checks the exit statuses
		// and what each tool finds, and warms the apiserver's caches.
		// svccfg diff failing (exit 2) is a result, not the end of the
		// benchmark: it is reported in the table and kubectl is still timed.
		start := time.Now()
		so, serr := benchcluster.Exe(want, svccfgDiff[0], svccfgDiff[1:]...)
		failed := time.Since(start)
		if serr != nil {
			benchcluster.Logf("%s: %v", name, serr)
			notes = append(notes, fmt.Sprintf("- %s, N=%d: `%s` failed after %s:\n\n  ```\n  %s\n  ```", name, n,
				strings.Join(append([]string{"svccfg diff"}, extra...), " "), benchfmt.Secs(failed), lastLine(serr.Error())))
		}
		ko, err := benchcluster.Exe(want, kubectlDiff[0], kubectlDiff[1:]...)
		if err != nil {
			return err
		}
		summary, changed := svccfgSummary(so)
		kchanged := kubectlChanges(ko)
		var sd, kd, bd []time.Duration
		for range runs {
			if serr == nil {
				d, _, err := benchcluster.Timed(want, svccfgDiff...)
				if err != nil {
					return err
				}
				sd = append(sd, d)
			}
			d, _, err := benchcluster.Timed(want, kubectlDiff...)
			if err != nil {
				return err
			}
			kd = append(kd, d)
			if d, _, err = benchcluster.Timed(0, svccfg, "build", "-o", out, tree); err != nil {
				return err
			}
			bd = append(bd, d)
		}
		k, b := benchcluster.Median(kd), benchcluster.Median(bd)
		if serr != nil {
			fmt.Fprintf(&table, "| %d | %d | %s | fails (exit 2) after %s | %s | %s | — | — / %d |\n", n, benchcluster.CountObjects(objs), name,
				benchfmt.Secs(failed), benchfmt.Secs(b), benchfmt.Secs(k), kchanged)
			return nil
		}
		s := benchcluster.Median(sd)
		fmt.Fprintf(&table, "| %d | %d | %s | %s | %s | %s | %.1f× | %d / %d |\n", n, benchcluster.CountObjects(objs), name,
			benchfmt.Secs(s), benchfmt.Secs(b), benchfmt.Secs(k), k.Seconds()/s.Seconds(), changed, kchanged)
		benchcluster.Logf("%s: svccfg %s (%s), kubectl %s (%d objects differ)", name, benchfmt.Secs(s), summary, benchfmt.Secs(k), kchanged)
		return nil
	}
	if err := variant("no change", 0); err != nil {
		return err
	}

	changed, err := spec.Bump(tree, n, every)
	if err != nil {
		return err
	}
	if _, err := benchcluster.Exe(0, svccfg, "build", "-o", out, tree); err != nil {
		return err
	}
	if err := variant(fmt.Sprintf("%d services changed", changed), 1); err != nil {
		return err
	}

	header := fmt.Sprintf("# svccfg diff benchmark\n\ncommit %s, %s, %s/%s, %d CPUs, median of %d runs, "+
		"kube-apiserver %s on 127.0.0.1 (hack/cluster.sh), %d files applied in %s\n\n",
		benchfmt.Commit(), runtime.Version(), runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), runs,
		c.Version(), len(files), benchfmt.Secs(applied))
	report := header + table.String()
	if len(notes) > 0 {
		report += "\n" + strings.Join(notes, "\n") + "\n"
	}
	fmt.Print(report)
	if results == "" {
		return nil
	}
	if err := os.MkdirAll(results, 0o755); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(results, benchfmt.Commit()+"-diff.md"), []byte(report), 0o644)
}

var summaryRE = regexp.MustCompile(`(\d+) to create, (\d+) to change, (\d+) unchanged, (\d+) to prune`)

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}

// svccfgSummary returns svccfg diff's summary line and the number of objects
// to create, change or prune.
func svccfgSummary(out []byte) (string, int) {
	m := summaryRE.FindSubmatch(out)
	if m == nil {
		return "no summary line", -1
	}
	var c, ch, u, p int
	fmt.Sscan(string(m[1])+" "+string(m[2])+" "+string(m[3])+" "+string(m[4]), &c, &ch, &u, &p)
	return string(m[0]), c + ch + p
}

// kubectlChanges counts the objects in kubectl diff's output: one
// "diff -u -N LIVE MERGED" line each.
func kubectlChanges(out []byte) int {
	n := 0
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		if strings.HasPrefix(sc.Text(), "diff ") {
			n++
		}
	}
	return n
}
