package rollout

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"golang.org/x/term"
)

// IsTerminal reports whether w is a terminal, for [Options.Terminal].
func IsTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// defaultWidth is the width of a terminal whose size is unknown.
const defaultWidth = 100

// progress writes the progress of a wait.
type progress struct {
	w     io.Writer // nil for none
	term  bool
	width int
	line  bool // whether an updating line is on the screen
}

// newProgress returns the progress writer of opts.
func newProgress(opts Options, refs []Ref) *progress {
	p := &progress{w: opts.Progress, term: opts.Terminal, width: defaultWidth}
	if f, ok := opts.Progress.(*os.File); ok && p.term {
		if w, _, err := term.GetSize(int(f.Fd())); err == nil && w > 10 {
			p.width = w
		}
	}
	return p
}

// counts returns how many of rep's objects are ready and failed.
func counts(rep *Report) (ready, failed int) {
	for _, o := range rep.Objects {
		switch {
		case o.Failure != nil:
			failed++
		case o.Status == Current:
			ready++
		}
	}
	return ready, failed
}

// start reports the first poll: in CI, how many objects are ready already
// (and the failures, which are events too).
func (p *progress) start(rep *Report) {
	if p.w == nil {
		return
	}
	var failures []int
	for i, o := range rep.Objects {
		if o.Failure != nil {
			failures = append(failures, i)
		}
	}
	ready, failed := counts(rep)
	if !p.term && ready+failed < len(rep.Objects) {
		fmt.Fprintf(p.w, "rollout: %d of %d objects ready, waiting for %d\n", ready, len(rep.Objects), len(rep.Objects)-ready-failed)
	}
	p.events(rep, failures)
}

// events reports the objects of rep at indexes, which became ready or
// failed: one line each in CI, only the failures on a terminal.
func (p *progress) events(rep *Report, indexes []int) {
	if p.w == nil {
		return
	}
	for _, i := range indexes {
		o := &rep.Objects[i]
		switch {
		case o.Failure != nil:
			p.println(o.Failure.Error())
		case !p.term:
			p.println(fmt.Sprintf("%s: ready (%s)", o.ID, round(o.Ready)))
		}
	}
}

// update redraws the terminal's line: objects ready of the total, and the
// slowest of the rest.
func (p *progress) update(rep *Report, objs []*tracked, elapsed time.Duration) {
	if p.w == nil || !p.term {
		return
	}
	ready, _ := counts(rep)
	line := fmt.Sprintf("rollout: %d/%d ready", ready, len(rep.Objects))
	if i := slowest(objs); i >= 0 {
		o := &rep.Objects[i]
		line += fmt.Sprintf(", waiting for %s: %s", o.ID, o.Message)
	}
	line += fmt.Sprintf(" (%s)", elapsed.Round(time.Second))
	if r := []rune(line); len(r) >= p.width {
		line = string(r[:p.width-2]) + "…"
	}
	fmt.Fprintf(p.w, "\r\x1b[K%s", line)
	p.line = true
}

// slowest returns the index of the pending object furthest from ready:
// the one with the smallest share of its pods ready (objects without pods
// count as none ready), the first of equals; or -1 if none is pending.
func slowest(objs []*tracked) int {
	best, bestShare := -1, 2.0
	for i, t := range objs {
		if t.done {
			continue
		}
		share := 0.0
		if t.live != nil {
			if ready, want, ok := readyCounts(t.live); ok && want > 0 {
				share = float64(ready) / float64(want)
			}
		}
		if share < bestShare {
			best, bestShare = i, share
		}
	}
	return best
}

// summary writes the last line of a wait that ended.
func (p *progress) summary(rep *Report) {
	if p.w == nil {
		return
	}
	ready, failed := counts(rep)
	total := len(rep.Objects)
	elapsed := round(rep.Elapsed)
	switch {
	case ready == total:
		p.println(fmt.Sprintf("rollout: %d of %d objects ready (%s)", ready, total, elapsed))
	case failed > 0:
		p.println(fmt.Sprintf("rollout: failed: %d of %d objects ready, %d failed (%s)", ready, total, failed, elapsed))
	default:
		p.println(fmt.Sprintf("rollout: %d of %d objects ready (%s)", ready, total, elapsed))
	}
}

// println writes a line that stays, clearing the terminal's updating line
// first.
func (p *progress) println(s string) {
	if p.line {
		io.WriteString(p.w, "\r\x1b[K")
		p.line = false
	}
	io.WriteString(p.w, strings.TrimRight(s, "\n")+"\n")
}

// close ends the updating line of a wait that ended early.
func (p *progress) close() {
	if p.w != nil && p.line {
		io.WriteString(p.w, "\n")
		p.line = false
	}
}
