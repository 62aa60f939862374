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
)

// String returns "unchanged", "create" or "update".
func (a Action) String() string {
	return [...]string{"unchanged", "create", "update"}[a]
}

// A Change is the comparison of one object with the cluster.
type Change struct {
	Object build.Object
	Action Action
	// Diff is a unified diff from the live object (under "live/") to the
	// dry-run result (under "svccfg/"), as canonical YAML, with Secret
	// values redacted; nil when Action is Unchanged.
	Diff []byte
}

// A Result is the comparison of all objects with the cluster.
type Result struct {
	// Changes holds one Change per object, in install order.
	Changes []Change
	// Create, Update and Unchanged count the changes by action.
	Create, Update, Unchanged int
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
		default:
			r.Unchanged++
		}
	}
	return r
}

// HasDifferences reports whether applying the objects would change the
// cluster.
func (r *Result) HasDifferences() bool { return r.Create+r.Update > 0 }

// Summary returns the one-line summary "N to create, N to change, N unchanged".
func (r *Result) Summary() string {
	return fmt.Sprintf("%d to create, %d to change, %d unchanged", r.Create, r.Update, r.Unchanged)
}

// WriteTo writes the diff of every changed object, then the summary line.
func (r *Result) WriteTo(w io.Writer) (int64, error) {
	var b bytes.Buffer
	for _, c := range r.Changes {
		b.Write(c.Diff)
	}
	b.WriteString(r.Summary() + "\n")
	return b.WriteTo(w)
}

// unified returns the unified diff from before to after, with the headers
// live/<id> and svccfg/<id>, or nil if they are equal.
func unified(id string, before, after []byte) []byte {
	return diff.Diff("live/"+id, before, "svccfg/"+id, after)
}
