// Command run is `make bench`: for each N of -n it writes a configuration
// tree of N services with bench/gen's generator and times, interleaved and
// -runs times each (the median is reported, with the largest peak RSS):
//
//   - stream: `svccfg build TREE`, the YAML stream, to /dev/null;
//   - -o: `svccfg build -o DIR TREE` into a fresh directory (one that never
//     existed: see below);
//   - warm: `svccfg build -o DIR` into the output of an earlier build
//     (unchanged files are not rewritten);
//   - cached: warm, and --cache holds the results of an earlier build, as a
//     deploy pipeline re-rendering after a small change pays;
//   - plain floor: bench/plain, the same standard library logic over plain
//     Starlark dicts, printing JSON, to /dev/null;
//   - skycfg: bench/skycfg, the same objects through skycfg v0.4.0's Load,
//     Main and proto module, printing the same YAML stream, to /dev/null;
//   - fs floor: bench/fsfloor, which writes the bytes of a finished -o tree
//     to the same paths in a fresh directory, temporary file and rename per
//     file, and reports the time of the writing alone;
//   - with -reference, bench/reference, the hand-written Go baseline of
//     earlier tables.
//
// Before timing, each N is checked once: the programs must agree on the
// number of Kubernetes objects and Envoy resources, skycfg's stream must be
// byte-identical to svccfg's, and (for the first N) every object of the
// plain floor must equal svccfg's JSON up to the empty fields Kubernetes
// writes.
//
// The disk of the benchmark machine is ext4 without a journal, where
// creating files soon after a large tree was deleted is several times
// slower, so nothing is deleted until every measurement is done: every
// -o and fs floor run writes into a directory of its own.
//
// The tables are printed and written to bench/results/<commit>.md, with
// each target of issue 9 as a ratio beside its goal.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/svccfg/svccfg/bench/internal/benchfmt"
	"github.com/svccfg/svccfg/bench/internal/spec"
)

// tools are the programs measured.
type tools struct {
	svccfg, plain, skycfg, fsfloor, reference string
}

func main() {
	sizes := flag.String("n", "1000,10000,30000", "comma-separated numbers of services")
	runs := flag.Int("runs", 3, "runs per measurement; the median is reported")
	var t tools
	flag.StringVar(&t.svccfg, "svccfg", "bin/svccfg", "svccfg `binary`")
	flag.StringVar(&t.plain, "plain", "bin/plain", "bench/plain `binary`")
	flag.StringVar(&t.skycfg, "skycfg", "bin/skycfg", "bench/skycfg `binary`")
	flag.StringVar(&t.fsfloor, "fsfloor", "bin/fsfloor", "bench/fsfloor `binary`")
	flag.StringVar(&t.reference, "reference", "", "bench/reference `binary`; empty leaves it out")
	results := flag.String("results", "bench/results", "`dir` to write the table to")
	work := flag.String("work", "", "`dir` for trees and outputs (default: a new temporary directory, removed at the end)")
	flag.Parse()
	var ns []int
	for _, field := range strings.Split(*sizes, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(field))
		if err != nil || n <= 0 {
			fmt.Fprintf(os.Stderr, "bench: -n: bad number %q\n", field)
			os.Exit(2)
		}
		ns = append(ns, n)
	}
	if err := run(ns, *runs, t, *results, *work); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

// A row is the medians measured at one N.
type row struct {
	n                                     int
	stream, out, warm, cached, plain, sky benchfmt.Sample
	fs, ref                               benchfmt.Sample
	check                                 check
}

func run(ns []int, runs int, t tools, results, work string) error {
	if work == "" {
		dir, err := os.MkdirTemp("", "svccfg-bench-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir) // only now: see the package comment
		work = dir
	}
	devNull, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	defer devNull.Close()
	loadStart := loadavg()
	start := time.Now()
	var rows []row
	for i, n := range ns {
		r, err := measureN(n, runs, t, work, devNull, i == 0)
		if err != nil {
			return err
		}
		rows = append(rows, r)
		fmt.Fprintf(os.Stderr, "bench: N=%d done\n", n)
	}
	header := fmt.Sprintf("# svccfg build benchmark\n\ncommit %s, %s, %s/%s, %d CPUs, median of %d interleaved runs, %s in all; load average (1, 5, 15 min) %s at the start, %s at the end\n\n",
		benchfmt.Commit(), runtime.Version(), runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), runs, time.Since(start).Round(time.Second), loadStart, loadavg())
	report := header + report(rows, t.reference != "")
	fmt.Print(report)
	if results == "" {
		return nil
	}
	if err := os.MkdirAll(results, 0o755); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(results, benchfmt.Commit()+".md"), []byte(report), 0o644)
}

// measureN measures every variant on a tree of n services.
func measureN(n, runs int, t tools, work string, devNull *os.File, deep bool) (row, error) {
	r := row{n: n}
	tree := filepath.Join(work, fmt.Sprintf("tree-%d", n))
	if err := spec.WriteTree(tree, n, 100); err != nil {
		return r, err
	}
	base := filepath.Join(work, fmt.Sprintf("base-%d", n)) // the tree fsfloor copies
	warm := filepath.Join(work, fmt.Sprintf("warm-%d", n))
	cache := filepath.Join(work, fmt.Sprintf("cache-%d", n))
	var err error
	if r.check, err = checkN(t, tree, base, filepath.Join(work, fmt.Sprintf("check-%d", n)), deep); err != nil {
		return r, err
	}
	if _, err := measure(exec.Command(t.svccfg, "build", "--cache", cache, "-o", warm, tree)); err != nil {
		return r, err
	}
	var stream, out, warms, cached, plain, sky, fs, ref []benchfmt.Sample
	for i := range runs {
		// Interleave the commands so that machine noise hits them alike.
		steps := []struct {
			samples *[]benchfmt.Sample
			cmd     *exec.Cmd
		}{
			{&stream, toNull(exec.Command(t.svccfg, "build", tree), devNull)},
			{&plain, toNull(exec.Command(t.plain, tree), devNull)},
			{&out, exec.Command(t.svccfg, "build", "-o", filepath.Join(work, fmt.Sprintf("out-%d-%d", n, i)), tree)},
			{&sky, toNull(exec.Command(t.skycfg, tree), devNull)},
			{&fs, exec.Command(t.fsfloor, "-from", base, "-o", filepath.Join(work, fmt.Sprintf("fs-%d-%d", n, i)))},
			{&warms, exec.Command(t.svccfg, "build", "-o", warm, tree)},
			{&cached, exec.Command(t.svccfg, "build", "--cache", cache, "-o", warm, tree)},
		}
		if t.reference != "" {
			steps = append(steps, struct {
				samples *[]benchfmt.Sample
				cmd     *exec.Cmd
			}{&ref, exec.Command(t.reference, "-n", strconv.Itoa(n), "-o", filepath.Join(work, fmt.Sprintf("ref-%d-%d", n, i)))})
		}
		for _, s := range steps {
			sample, err := measure(s.cmd)
			if err != nil {
				return r, err
			}
			*s.samples = append(*s.samples, sample)
		}
	}
	r.stream, r.out, r.warm, r.cached = benchfmt.Median(stream), benchfmt.Median(out), benchfmt.Median(warms), benchfmt.Median(cached)
	r.plain, r.sky, r.fs = benchfmt.Median(plain), benchfmt.Median(sky), benchfmt.Median(fs)
	if t.reference != "" {
		r.ref = benchfmt.Median(ref)
	}
	return r, nil
}

func toNull(cmd *exec.Cmd, devNull *os.File) *exec.Cmd {
	cmd.Stdout = devNull
	return cmd
}

var fsfloorLine = regexp.MustCompile(`written in ([0-9.]+) s`)

// measure runs cmd and returns its wall time and peak RSS; for bench/fsfloor,
// the time it reports for its writing alone.
func measure(cmd *exec.Cmd) (benchfmt.Sample, error) {
	var out bytes.Buffer
	isFS := cmd.Stdout == nil && strings.Contains(filepath.Base(cmd.Path), "fsfloor")
	if isFS {
		cmd.Stdout = &out
	}
	s, err := benchfmt.Measure(cmd)
	if err != nil || !isFS {
		return s, err
	}
	m := fsfloorLine.FindSubmatch(out.Bytes())
	if m == nil {
		return s, fmt.Errorf("%s: no time in its output %q", cmd.Path, out.Bytes())
	}
	secs, err := strconv.ParseFloat(string(m[1]), 64)
	s.Wall = time.Duration(secs * float64(time.Second))
	return s, err
}

// loadavg returns the load averages of /proc/loadavg, or "unknown".
func loadavg() string {
	data, err := os.ReadFile("/proc/loadavg")
	f := strings.Fields(string(data))
	if err != nil || len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}
