// Package benchfmt holds what the benchmark programs share about their
// result tables: the commit they are named after and how times are written.
package benchfmt

import (
	"bytes"
	"cmp"
	"fmt"
	"os"
	"os/exec"
	"runtime/debug"
	"slices"
	"strings"
	"syscall"
	"time"
)

// Commit names a results file: the short hash of HEAD, with "-dirty" if the
// work tree has changes to tracked files.
func Commit() string {
	out, err := exec.Command("git", "rev-parse", "--short", "HEAD").Output()
	if err != nil {
		return "unknown"
	}
	c := strings.TrimSpace(string(out))
	if st, err := exec.Command("git", "status", "--porcelain", "--untracked-files=no").Output(); err == nil && len(bytes.TrimSpace(st)) > 0 {
		c += "-dirty"
	}
	return c
}

// Secs writes d as seconds with millisecond precision: "1.234 s".
func Secs(d time.Duration) string { return fmt.Sprintf("%.3f s", d.Seconds()) }

// A Sample is one timed run of a command.
type Sample struct {
	Wall   time.Duration
	MaxRSS int64 // bytes
}

// Measure runs cmd, which must exit 0, and returns its wall time and peak
// RSS. Unless cmd has its own, its output is kept for the error message.
//
// Linux counts in a child's peak RSS the peak of the memory it started in:
// os/exec starts a child in the caller's address space (vfork), and exec
// carries that address space's peak over into the child's. So Measure
// returns the caller's unused memory to the system and resets the caller's
// peak (/proc/self/clear_refs) first; the caller's current RSS, a few MB for
// the benchmark drivers, is still a floor under every child's.
func Measure(cmd *exec.Cmd) (Sample, error) {
	resetPeakRSS()
	var out bytes.Buffer
	if cmd.Stdout == nil {
		cmd.Stdout = &out
	}
	if cmd.Stderr == nil {
		cmd.Stderr = &out
	}
	start := time.Now()
	if err := cmd.Run(); err != nil {
		return Sample{}, fmt.Errorf("%s: %v\n%s", strings.Join(cmd.Args, " "), err, out.Bytes())
	}
	s := Sample{Wall: time.Since(start)}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		s.MaxRSS = ru.Maxrss * 1024 // kilobytes on Linux
	}
	return s, nil
}

// Median returns the median wall time of samples and their largest peak
// RSS.
func Median(samples []Sample) Sample {
	s := slices.Clone(samples)
	slices.SortFunc(s, func(a, b Sample) int { return cmp.Compare(a.Wall, b.Wall) })
	rss := slices.MaxFunc(s, func(a, b Sample) int { return cmp.Compare(a.MaxRSS, b.MaxRSS) }).MaxRSS
	return Sample{Wall: s[len(s)/2].Wall, MaxRSS: rss}
}

// resetPeakRSS returns freed memory to the system and resets the peak RSS
// of this process to its current RSS, where Linux allows it.
func resetPeakRSS() {
	debug.FreeOSMemory()
	os.WriteFile("/proc/self/clear_refs", []byte("5"), 0)
}
