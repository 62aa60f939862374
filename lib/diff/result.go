package diff

import (
	"bytes"
	"fmt"
	"io"

	"github.com/rogpeppe/go-internal/diff"
	"github.com/svccfg/svccfg/lib/build"
)

// An Action is what applying an object would do.
type Action int

// The actions.
const (
	Unchanged Action = iota // the live object is as the configuration says
	Create                  // there is no live object
	Update                  // the live object differs
	Prune                   // the configuration no longer produces the live object
)

// String returns "unchanged", "create", "update" or "prune".
func (a Action) String() string {
	return [...]string{"unchanged", "create", "update", "prune"}[a]
}

// A Change is the comparison of one object with the cluster.
type Change struct {
	Object build.Object
	Action Action
	// Diff is a unified diff from the live object (under "live/") to the
	// dry-run result (under "svccfg/"), as canonical YAML, with Secret
	// values redacted; nil when Action is Unchanged. For an object to
	// prune, it is from the live object to /dev/null. The first line
	// ("diff live/... svccfg/...") ends with the tags of Canary and Risks.
	Diff []byte
	// Risks are the risks of an update, in the order of their constants.
	Risks []Risk
	// Canary says that the object belongs to a service's canary track
	// (label track: canary); its diff header is tagged "[canary]", before
	// the risks.
	Canary bool
	// Managed is the [ManagedHash] of the live object, if there is one.
	Managed string
	// InNewNamespace says that the object is to be created in a namespace
	// that the same objects create: the cluster could not dry-run it, and
	// Diff shows it as built.
	InNewNamespace bool
}

// A Result is the comparison of all objects with the cluster.
type Result struct {
	// Changes holds one Change per object, in install order, then the
	// objects to prune, sorted by ID.
	Changes []Change
	// Create, Update, Unchanged and Prune count the changes by action.
	Create, Update, Unchanged, Prune int
}

// newResult counts changes.
func newResult(changes []Change) *Result {
	r := &Result{Changes: changes}
	for _, c := range changes {
		switch c.Action {
		case Create:
			r.Create++
		case Update:
			r.Update++
		case Prune:
			r.Prune++
		default:
			r.Unchanged++
		}
	}
	return r
}

// HasDifferences reports whether applying the objects would change the
// cluster, or live objects of the config sets are to prune.
func (r *Result) HasDifferences() bool { return r.Create+r.Update+r.Prune > 0 }

// Summary returns the one-line summary
// "N to create, N to change, N unchanged, N to prune".
func (r *Result) Summary() string {
	return fmt.Sprintf("%d to create, %d to change, %d unchanged, %d to prune", r.Create, r.Update, r.Unchanged, r.Prune)
}

// WriteTo writes the diff of every changed object, then the summary line.
func (r *Result) WriteTo(w io.Writer) (int64, error) {
	return r.write(w, false)
}

// WriteColor writes the result as [Result.WriteTo] does, with the diffs
// coloured for a terminal.
func (r *Result) WriteColor(w io.Writer) (int64, error) {
	return r.write(w, true)
}

func (r *Result) write(w io.Writer, color bool) (int64, error) {
	var b bytes.Buffer
	for _, c := range r.Changes {
		if color {
			b.Write(Colorize(c.Diff))
		} else {
			b.Write(c.Diff)
		}
	}
	b.WriteString(r.Summary() + "\n")
	return b.WriteTo(w)
}

// unified returns the unified diff from before to after, with the headers
// live/<id> and svccfg/<id>, or nil if they are equal.
func unified(id string, before, after []byte) []byte {
	return diff.Diff("live/"+id, before, "svccfg/"+id, after)
}

// pruneDiff returns the unified diff from before, the live object id, to
// nothing, with the headers live/<id> and /dev/null.
func pruneDiff(id string, before []byte) []byte {
	return diff.Diff("live/"+id, before, "/dev/null", nil)
}
