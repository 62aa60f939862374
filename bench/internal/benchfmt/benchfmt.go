// Package benchfmt holds what the benchmark programs share about their
// result tables: the commit they are named after and how times are written.
package benchfmt

import (
	"bytes"
	"fmt"
	"os/exec"
	"strings"
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
