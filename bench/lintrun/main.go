// Command lintrun is the lint part of `make bench`: it writes a tree of N
// services with bench/internal/spec (every service file loads the shared
// library lib/common.star) and times, the median of several interleaved
// runs, with the tree as the working directory as a pre-commit hook runs
// and $XDG_CACHE_HOME in the work directory:
//
//   - `svccfg lint FILE`: one service file, named directly (no tree scan);
//   - `svccfg lint --changed FILE`: the pre-commit case, one changed
//     service file, which no other file loads: with the index of the tree
//     that an earlier run left in the cache directory (only the files'
//     stats are read), and without (every file is read);
//   - `svccfg lint --changed lib/unused.star`: a library nothing loads, so
//     the scan of the tree alone;
//   - `svccfg lint --changed lib/common.star`: the shared library, which
//     every configuration loads, so all N are evaluated;
//   - `svccfg lint .`: the whole tree.
//
// The Markdown table goes to stdout and to bench/results/<commit>-lint.md.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/svccfg/svccfg/bench/internal/benchfmt"
	"github.com/svccfg/svccfg/bench/internal/spec"
)

// goal is the most that linting one changed file in a large tree may take.
const goal = 100 * time.Millisecond

func main() {
	sizes := flag.String("n", "10000", "comma-separated numbers of services")
	runs := flag.Int("runs", 5, "runs per measurement; the median is reported")
	svccfg := flag.String("svccfg", "bin/svccfg", "svccfg `binary`")
	results := flag.String("results", "bench/results", "`dir` to write the table to")
	work := flag.String("work", "", "`dir` for the trees (default: a new temporary directory)")
	flag.Parse()
	if err := run(*sizes, *runs, *svccfg, *results, *work); err != nil {
		fmt.Fprintln(os.Stderr, "lintrun:", err)
		os.Exit(1)
	}
}

// A task is one command to time.
type task struct {
	what  string
	args  []string
	fresh bool // start without a cache directory
}

func run(sizes string, runs int, svccfg, results, work string) error {
	svccfg, err := filepath.Abs(svccfg)
	if err != nil {
		return err
	}
	if work == "" {
		dir, err := os.MkdirTemp("", "svccfg-lintbench-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		work = dir
	}
	var table bytes.Buffer
	fmt.Fprintf(&table, "| N | command | lints | wall | peak RSS |\n|---:|---|---|---:|---:|\n")
	var changedOne []time.Duration
	for _, field := range strings.Split(sizes, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(field))
		if err != nil {
			return fmt.Errorf("-n: %v", err)
		}
		tree := filepath.Join(work, fmt.Sprintf("tree-%d", n))
		if err := spec.WriteTree(tree, n, 100); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(tree, "lib", "unused.star"), []byte("UNUSED = 1\n"), 0o644); err != nil {
			return err
		}
		one := filepath.ToSlash(filepath.Join(fmt.Sprintf("%s-%03d", spec.Of(n/2).Team, n/2/100), spec.Of(n/2).Name+".star"))
		tasks := []task{
			{what: "1 file", args: []string{"lint", one}},
			{what: "1 file", args: []string{"lint", "--changed", one}},
			{what: "1 file, no index yet", args: []string{"lint", "--changed", one}, fresh: true},
			{what: "none (the scan alone)", args: []string{"lint", "--changed", "lib/unused.star"}},
			{what: fmt.Sprintf("all %d", n), args: []string{"lint", "--changed", "lib/common.star"}},
			{what: fmt.Sprintf("all %d", n), args: []string{"lint", "."}},
		}
		// The index trusts only files written over a second before it was
		// made: let the tree age, then make it.
		time.Sleep(1500 * time.Millisecond)
		cache := filepath.Join(work, "cache")
		if _, err := measure(tree, cache, svccfg, "lint", "--changed", "lib/unused.star"); err != nil {
			return err
		}
		samples := make([][]benchfmt.Sample, len(tasks))
		for range runs {
			// Interleave the commands so that machine noise hits them alike.
			for i, t := range tasks {
				dir := cache
				if t.fresh {
					dir = filepath.Join(work, "fresh-cache")
					os.RemoveAll(dir)
				}
				s, err := measure(tree, dir, svccfg, t.args...)
				if err != nil {
					return err
				}
				samples[i] = append(samples[i], s)
			}
		}
		for i, t := range tasks {
			m := benchfmt.Median(samples[i])
			fmt.Fprintf(&table, "| %d | `svccfg %s` | %s | %s | %d MiB |\n", n, strings.Join(t.args, " "), t.what, ms(m.Wall), m.MaxRSS>>20)
			if i == 1 {
				changedOne = append(changedOne, m.Wall)
			}
		}
		fmt.Fprintf(os.Stderr, "lintrun: N=%d done\n", n)
	}
	verdict := "met"
	if slices.Max(changedOne) > goal {
		verdict = "not met"
	}
	report := fmt.Sprintf("# svccfg lint benchmark\n\ncommit %s, %s, %s/%s, %d CPUs, median of %d runs; "+
		"goal for `--changed` of one file: at most %s (%s)\n\n%s",
		benchfmt.Commit(), runtime.Version(), runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), runs, ms(goal), verdict, table.String())
	fmt.Print(report)
	if results == "" {
		return nil
	}
	if err := os.MkdirAll(results, 0o755); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(results, benchfmt.Commit()+"-lint.md"), []byte(report), 0o644)
}

// ms writes d in milliseconds, or in seconds from 10 s up.
func ms(d time.Duration) string {
	if d >= 10*time.Second {
		return benchfmt.Secs(d)
	}
	return fmt.Sprintf("%d ms", d.Round(time.Millisecond).Milliseconds())
}

// measure runs a command in dir with XDG_CACHE_HOME set to cache, and returns
// its wall time and peak RSS.
func measure(dir, cache, name string, args ...string) (benchfmt.Sample, error) {
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "XDG_CACHE_HOME="+cache)
	return benchfmt.Measure(cmd)
}
