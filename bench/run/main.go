// Command run is `make bench`: it writes configuration trees of N services
// with bench/gen's generator, times `svccfg build -o` on each (wall clock and
// peak RSS, the median of several runs), times bench/reference on the same
// services in the same run, and prints a Markdown table with the ratio
// svccfg / reference. The table is also written to bench/results/ under the
// current commit's name, so results can be compared across commits.
//
// Cold runs start from an empty output directory and no cache; warm runs
// rebuild into the output of the previous run; cached runs do too, with
// --cache holding the results of an earlier build, as a deploy pipeline
// re-rendering after a small change does.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"

	"github.com/svccfg/svccfg/bench/internal/benchfmt"
	"github.com/svccfg/svccfg/bench/internal/spec"
)

func main() {
	sizes := flag.String("n", "100,1000,10000", "comma-separated numbers of services")
	runs := flag.Int("runs", 5, "runs per measurement; the median is reported")
	svccfg := flag.String("svccfg", "bin/svccfg", "svccfg `binary`")
	reference := flag.String("reference", "bin/reference", "bench/reference `binary`")
	results := flag.String("results", "bench/results", "`dir` to write the table to")
	work := flag.String("work", "", "`dir` for trees and outputs (default: a new temporary directory)")
	flag.Parse()
	if err := run(*sizes, *runs, *svccfg, *reference, *results, *work); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func run(sizes string, runs int, svccfg, reference, results, work string) error {
	if work == "" {
		dir, err := os.MkdirTemp("", "svccfg-bench-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		work = dir
	}
	var table bytes.Buffer
	fmt.Fprintf(&table, "| N | svccfg cold | svccfg warm | svccfg cached | peak RSS | reference | ref RSS | cold / ref | cached / ref |\n")
	fmt.Fprintf(&table, "|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, field := range strings.Split(sizes, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(field))
		if err != nil {
			return fmt.Errorf("-n: %v", err)
		}
		tree := filepath.Join(work, fmt.Sprintf("tree-%d", n))
		if err := spec.WriteTree(tree, n, 100); err != nil {
			return err
		}
		out := filepath.Join(work, fmt.Sprintf("out-%d", n))
		ref := filepath.Join(work, fmt.Sprintf("ref-%d", n))
		cache := filepath.Join(work, fmt.Sprintf("cache-%d", n))
		os.RemoveAll(cache)
		if _, err := measure(svccfg, "build", "--cache", cache, "-o", out, tree); err != nil {
			return err
		}
		var cold, warm, cached, refs []benchfmt.Sample
		for range runs {
			// Interleave the commands so that machine noise hits them alike.
			os.RemoveAll(out)
			s, err := measure(svccfg, "build", "-o", out, tree)
			if err != nil {
				return err
			}
			cold = append(cold, s)
			if s, err = measure(svccfg, "build", "-o", out, tree); err != nil {
				return err
			}
			warm = append(warm, s)
			if s, err = measure(svccfg, "build", "--cache", cache, "-o", out, tree); err != nil {
				return err
			}
			cached = append(cached, s)
			os.RemoveAll(ref)
			if s, err = measure(reference, "-n", strconv.Itoa(n), "-o", ref); err != nil {
				return err
			}
			refs = append(refs, s)
		}
		c, w, k, r := benchfmt.Median(cold), benchfmt.Median(warm), benchfmt.Median(cached), benchfmt.Median(refs)
		fmt.Fprintf(&table, "| %d | %s | %s | %s | %s | %s | %s | %.2f | %.2f |\n", n, benchfmt.Secs(c.Wall), benchfmt.Secs(w.Wall), benchfmt.Secs(k.Wall),
			mib(max(c.MaxRSS, w.MaxRSS, k.MaxRSS)), benchfmt.Secs(r.Wall), mib(r.MaxRSS), c.Wall.Seconds()/r.Wall.Seconds(), k.Wall.Seconds()/r.Wall.Seconds())
		fmt.Fprintf(os.Stderr, "bench: N=%d done\n", n)
	}
	header := fmt.Sprintf("# svccfg build benchmark\n\ncommit %s, %s, %s/%s, %d CPUs, median of %d runs\n\n",
		benchfmt.Commit(), runtime.Version(), runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), runs)
	report := header + table.String()
	fmt.Print(report)
	if results == "" {
		return nil
	}
	if err := os.MkdirAll(results, 0o755); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(results, benchfmt.Commit()+".md"), []byte(report), 0o644)
}

func mib(b int64) string { return fmt.Sprintf("%d MiB", b>>20) }

// measure runs a command and returns its wall time and peak RSS.
func measure(name string, args ...string) (benchfmt.Sample, error) {
	return benchfmt.Measure(exec.Command(name, args...))
}
