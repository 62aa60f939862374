package main

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// An Object is one Kubernetes object of either side, decoded from JSON.
type Object struct {
	Key string         // "Kind namespace/name", by which the two sides are matched
	Obj map[string]any // the object as written (or as svccfg built it)
	// Defaulted is the object as the apiserver's server-side dry run
	// returned it, defaults filled in; nil without a cluster.
	Defaulted map[string]any
}

// key returns "Kind namespace/name" of obj, "Kind name" if cluster-scoped.
func key(obj map[string]any) string {
	kind, _ := obj["kind"].(string)
	name, _ := child(obj, "metadata")["name"].(string)
	if ns := namespaceOf(obj); ns != "" {
		return kind + " " + ns + "/" + name
	}
	return kind + " " + name
}

// A Diff is a field of the original that svccfg does not reproduce.
type Diff struct {
	Path string
	Want string // the original's value, as JSON
	Got  string // svccfg's value, as JSON; "" if svccfg does not set it
}

// A Score counts the fields of the original that svccfg reproduces.
type Score struct {
	Same, Total int
}

// Add adds o to s.
func (s *Score) Add(o Score) { s.Same += o.Same; s.Total += o.Total }

// String returns "same/total (percent)".
func (s Score) String() string {
	if s.Total == 0 {
		return "0/0"
	}
	return fmt.Sprintf("%d/%d (%.1f%%)", s.Same, s.Total, 100*float64(s.Same)/float64(s.Total))
}

// An ObjectResult compares one object of the original with svccfg's.
type ObjectResult struct {
	Key     string
	Matched bool // svccfg produces an object of that kind, namespace and name
	// Written counts the fields that the original writes; Defaulted all
	// its fields after the apiserver's defaulting (zero without a cluster).
	Written, Defaulted Score
	// Diffs are the written fields not reproduced, and DefaultDiffs the
	// other fields, that the original has only by defaulting.
	Diffs, DefaultDiffs []Diff
	// Added are the fields that svccfg sets and the original has not even
	// by default (only where Matched), with svccfg's values; a field set to
	// its runtime default (see [runtimeDefaults]) adds nothing.
	Added []Diff
}

// An AppResult compares all the objects of one application.
type AppResult struct {
	Objects []ObjectResult // the original's, by key
	// Extra are the keys of the objects that only svccfg produces.
	Extra []string
	// Defaulted says whether the fields were compared after a dry run.
	Defaulted bool
}

// Matched returns the number of the original's objects that svccfg
// produces.
func (r *AppResult) Matched() int {
	n := 0
	for _, o := range r.Objects {
		if o.Matched {
			n++
		}
	}
	return n
}

// Added returns the number of fields that svccfg sets in the matched
// objects and the originals have not.
func (r *AppResult) Added() int {
	n := 0
	for _, o := range r.Objects {
		n += len(o.Added)
	}
	return n
}

// Written returns the sum of the objects' scores on written fields.
func (r *AppResult) Written() (s Score) {
	for _, o := range r.Objects {
		s.Add(o.Written)
	}
	return s
}

// DefaultedScore returns the sum of the objects' scores after defaulting.
func (r *AppResult) DefaultedScore() (s Score) {
	for _, o := range r.Objects {
		s.Add(o.Defaulted)
	}
	return s
}

// Compare compares the original objects with svccfg's. When both sides
// carry their defaulted forms, values are compared after defaulting, and
// each object is scored twice: on the fields the original writes, and on
// all its fields after defaulting; without, the objects are compared as
// written.
func Compare(original, svccfg []Object) *AppResult {
	res := &AppResult{Defaulted: len(original) > 0}
	for _, o := range append(slices.Clip(original), svccfg...) {
		if o.Defaulted == nil {
			res.Defaulted = false
		}
	}
	got := map[string]Object{}
	for _, o := range svccfg {
		got[o.Key] = o
	}
	used := map[string]bool{}
	for _, o := range original {
		g, ok := got[o.Key]
		used[o.Key] = ok
		res.Objects = append(res.Objects, compareObject(o, g, ok, res.Defaulted))
	}
	for _, o := range svccfg {
		if !used[o.Key] {
			res.Extra = append(res.Extra, o.Key)
		}
	}
	slices.SortFunc(res.Objects, func(a, b ObjectResult) int { return cmp.Compare(a.Key, b.Key) })
	slices.Sort(res.Extra)
	return res
}

// compareObject compares the original o with svccfg's g (ok is false when
// svccfg has none).
func compareObject(o, g Object, ok, defaulted bool) ObjectResult {
	r := ObjectResult{Key: o.Key, Matched: ok}
	written := Compared(Flatten(o.Obj))
	var want, have Fields
	switch {
	case !ok:
		want, have = written, Fields{}
		if defaulted {
			want = Compared(Flatten(o.Defaulted))
		}
	case defaulted:
		want, have = Compared(Flatten(o.Defaulted)), Compared(Flatten(g.Defaulted))
	default:
		want, have = written, Compared(Flatten(g.Obj))
	}
	normalizeAllocated(written, want, have)
	for _, p := range want.Paths() {
		isWritten := written[p] != ""
		got := effective(have, p)
		same := got == want[p]
		if isWritten {
			r.Written.Total++
			if same {
				r.Written.Same++
			}
		}
		if defaulted {
			r.Defaulted.Total++
			if same {
				r.Defaulted.Same++
			}
		}
		if !same {
			d := Diff{Path: p, Want: want[p], Got: got}
			if isWritten {
				r.Diffs = append(r.Diffs, d)
			} else {
				r.DefaultDiffs = append(r.DefaultDiffs, d)
			}
		}
	}
	// A written field that defaulting dropped or renamed still counts.
	for _, p := range written.Paths() {
		if _, ok := want[p]; ok {
			continue
		}
		r.Written.Total++
		if got := effective(have, p); got == written[p] {
			r.Written.Same++
		} else {
			r.Diffs = append(r.Diffs, Diff{Path: p, Want: written[p], Got: got})
		}
	}
	if ok {
		for _, p := range have.Paths() {
			if _, in := want[p]; !in && written[p] == "" && have[p] != runtimeDefault(p) {
				r.Added = append(r.Added, Diff{Path: p, Got: have[p]})
			}
		}
	}
	slices.SortFunc(r.Diffs, func(a, b Diff) int { return strings.Compare(a.Path, b.Path) })
	return r
}
