// Command diffrun is the diff half of `make bench`: it times `svccfg diff`
// against a real kube-apiserver (hack/cluster.sh), side by side with
// `kubectl diff --server-side` on the same rendered objects, and writes a
// Markdown table to bench/results/<commit>-diff.md.
//
// It writes a tree of N services with bench/internal/spec, renders it with
// `svccfg build -o OUT`, starts a throw-away cluster (always stopped and
// purged at the end, on failure and on SIGINT/SIGTERM too; the cluster's
// watchdog also stops it if this process dies), creates the namespace and
// applies the rendered objects for real with `kubectl apply --server-side
// --field-manager=svccfg`. Then it times, interleaved and the median of
// several runs:
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
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"time"

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

	logf("N=%d: writing and building the tree", n)
	if err := spec.WriteTree(tree, n, 100); err != nil {
		return err
	}
	if _, err := exe(0, svccfg, "build", "-o", out, tree); err != nil {
		return err
	}

	logf("starting the cluster in %s", state)
	if _, err := exe(0, cluster, "build"); err != nil {
		return err
	}
	// Whatever happens from here on, the cluster goes down: by the deferred
	// call, by the signal handler, or by cluster.sh's watchdog of our pid.
	down := func() {
		logf("stopping the cluster")
		if _, err := exe(0, cluster, "down", state, "--purge"); err != nil {
			fmt.Fprintln(os.Stderr, "bench:", err)
		}
	}
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go func() {
		s := <-sigs
		down()
		if work != "" {
			os.RemoveAll(filepath.Join(work, "cluster"))
		}
		fmt.Fprintln(os.Stderr, "bench: stopped by", s)
		os.Exit(1)
	}()
	up := exec.Command(cluster, "up", state)
	up.Env = append(os.Environ(), fmt.Sprintf("SVCCFG_CLUSTER_WATCH_PID=%d", os.Getpid()))
	up.Stderr = os.Stderr
	stdout, uerr := up.Output()
	defer down()
	if uerr != nil {
		return fmt.Errorf("%s up: %v", cluster, uerr)
	}
	lines := strings.Split(strings.TrimSpace(string(stdout)), "\n")
	kc := lines[len(lines)-1]
	kubectl, err := kubectlPath(cluster, state)
	if err != nil {
		return err
	}
	kflags := []string{"--kubeconfig", kc}

	logf("applying %s", objs)
	if _, err := exe(0, kubectl, append(kflags, "create", "namespace", "services")...); err != nil {
		return err
	}
	start := time.Now()
	if _, err := exe(0, kubectl, append(kflags, "apply", "--server-side", "--field-manager=svccfg", "-f", objs)...); err != nil {
		return err
	}
	applied := time.Since(start)
	files, _ := filepath.Glob(filepath.Join(objs, "*.yaml"))

	svccfgDiff := append(append([]string{svccfg, "diff", "--kubeconfig", kc}, extra...), tree)
	kubectlDiff := append([]string{kubectl, "diff", "--server-side", "--field-manager=svccfg"}, append(kflags, "-f", objs)...)
	var table bytes.Buffer
	var notes []string
	fmt.Fprintf(&table, "| N | objects | variant | svccfg diff | of which build | kubectl diff | kubectl / svccfg | changes svccfg / kubectl |\n")
	fmt.Fprintf(&table, "|---:|---:|---|---:|---:|---:|---:|---:|\n")
	variant := func(name string, want int) error {
		logf("timing %q: %d runs each", name, runs)
		// One run of each first, not counted: it checks the exit statuses
		// and what each tool finds, and warms the apiserver's caches.
		// svccfg diff failing (exit 2) is a result, not the end of the
		// benchmark: it is reported in the table and kubectl is still timed.
		start := time.Now()
		so, serr := exe(want, svccfgDiff[0], svccfgDiff[1:]...)
		failed := time.Since(start)
		if serr != nil {
			logf("%s: %v", name, serr)
			notes = append(notes, fmt.Sprintf("- %s, N=%d: `%s` failed after %s:\n\n  ```\n  %s\n  ```", name, n,
				strings.Join(append([]string{"svccfg diff"}, extra...), " "), benchfmt.Secs(failed), lastLine(serr.Error())))
		}
		ko, err := exe(want, kubectlDiff[0], kubectlDiff[1:]...)
		if err != nil {
			return err
		}
		summary, changed := svccfgSummary(so)
		kchanged := kubectlChanges(ko)
		var sd, kd, bd []time.Duration
		for range runs {
			if serr == nil {
				d, err := timed(want, svccfgDiff...)
				if err != nil {
					return err
				}
				sd = append(sd, d)
			}
			d, err := timed(want, kubectlDiff...)
			if err != nil {
				return err
			}
			kd = append(kd, d)
			if d, err = timed(0, svccfg, "build", "-o", out, tree); err != nil {
				return err
			}
			bd = append(bd, d)
		}
		k, b := median(kd), median(bd)
		if serr != nil {
			fmt.Fprintf(&table, "| %d | %d | %s | fails (exit 2) after %s | %s | %s | — | — / %d |\n", n, countObjects(objs), name,
				benchfmt.Secs(failed), benchfmt.Secs(b), benchfmt.Secs(k), kchanged)
			return nil
		}
		s := median(sd)
		fmt.Fprintf(&table, "| %d | %d | %s | %s | %s | %s | %.1f× | %d / %d |\n", n, countObjects(objs), name,
			benchfmt.Secs(s), benchfmt.Secs(b), benchfmt.Secs(k), k.Seconds()/s.Seconds(), changed, kchanged)
		logf("%s: svccfg %s (%s), kubectl %s (%d objects differ)", name, benchfmt.Secs(s), summary, benchfmt.Secs(k), kchanged)
		return nil
	}
	if err := variant("no change", 0); err != nil {
		return err
	}

	changed := 0
	for i := 0; i < n; i += every {
		s := spec.Of(i)
		p := filepath.Join(tree, fmt.Sprintf("%s-%03d", s.Team, i/100), s.Name+".star")
		src, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		old := fmt.Sprintf("version = %q", s.Version)
		if !bytes.Contains(src, []byte(old)) {
			return fmt.Errorf("%s: no %s", p, old)
		}
		src = bytes.Replace(src, []byte(old), []byte(fmt.Sprintf("version = %q", s.Version+"-rc1")), 1)
		if err := os.WriteFile(p, src, 0o644); err != nil {
			return err
		}
		changed++
	}
	if _, err := exe(0, svccfg, "build", "-o", out, tree); err != nil {
		return err
	}
	if err := variant(fmt.Sprintf("%d services changed", changed), 1); err != nil {
		return err
	}

	header := fmt.Sprintf("# svccfg diff benchmark\n\ncommit %s, %s, %s/%s, %d CPUs, median of %d runs, "+
		"kube-apiserver %s on 127.0.0.1 (hack/cluster.sh), %d files applied in %s\n\n",
		benchfmt.Commit(), runtime.Version(), runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), runs,
		k8sVersion(kubectl), len(files), benchfmt.Secs(applied))
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

// exe runs a command and returns its stdout; any exit status but want is an
// error (so a diff that finds nothing when differences are expected fails).
func exe(want int, name string, args ...string) ([]byte, error) {
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

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}

func timed(want int, argv ...string) (time.Duration, error) {
	start := time.Now()
	_, err := exe(want, argv[0], argv[1:]...)
	return time.Since(start), err
}

var summaryRE = regexp.MustCompile(`(\d+) to create, (\d+) to change, (\d+) unchanged, (\d+) to prune`)

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

// countObjects counts the YAML documents in the rendered files.
func countObjects(dir string) int {
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

// kubectlPath finds kubectl where cluster.sh env says it is.
func kubectlPath(cluster, state string) (string, error) {
	env, err := exe(0, cluster, "env", state)
	if err != nil {
		return "", err
	}
	for _, line := range strings.Split(string(env), "\n") {
		if v, ok := strings.CutPrefix(line, "export SVCCFG_CLUSTER_BIN="); ok {
			return filepath.Join(strings.Trim(v, `"'`), "kubectl"), nil
		}
	}
	return "", fmt.Errorf("%s env: no SVCCFG_CLUSTER_BIN", cluster)
}

func k8sVersion(kubectl string) string {
	out, err := exec.Command(kubectl, "version", "--client", "-o", "yaml").Output()
	if err != nil {
		return "?"
	}
	if m := regexp.MustCompile(`gitVersion: (\S+)`).FindSubmatch(out); m != nil {
		return string(m[1])
	}
	return "?"
}

func median(d []time.Duration) time.Duration {
	d = slices.Clone(d)
	slices.Sort(d)
	return d[len(d)/2]
}

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "bench: "+format+"\n", args...)
}
