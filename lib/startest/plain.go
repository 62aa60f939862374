package startest

import (
	"slices"
	"strings"

	"go.starlark.net/starlark"
	"go.starlark.net/syntax"
)

// plain returns v with the repeated and map fields of proto messages that it
// holds, such as d.spec.template.spec.containers or o.metadata.labels, made
// into Starlark lists and dicts (a map's entries in key order), also inside
// lists, tuples and dicts, so that they compare equal to the list or dict
// literal that a test writes. Messages themselves are left as they are: they
// compare field by field.
func plain(v starlark.Value) starlark.Value {
	switch x := v.(type) {
	case *starlark.List:
		return starlark.NewList(plainElems(x))
	case starlark.Tuple:
		return starlark.Tuple(plainElems(x))
	case *starlark.Dict:
		d := starlark.NewDict(x.Len())
		for _, kv := range x.Items() {
			d.SetKey(kv[0], plain(kv[1]))
		}
		return d
	}
	if seq, ok := v.(starlark.Indexable); ok && strings.HasPrefix(v.Type(), "list<") {
		return starlark.NewList(plainElems(seq))
	}
	if m, ok := v.(starlark.IterableMapping); ok && strings.HasPrefix(v.Type(), "map<") {
		items := m.Items()
		slices.SortFunc(items, func(a, b starlark.Tuple) int { return compareValues(a[0], b[0]) })
		d := starlark.NewDict(len(items))
		for _, kv := range items {
			d.SetKey(kv[0], plain(kv[1]))
		}
		return d
	}
	return v
}

func plainElems(seq starlark.Indexable) []starlark.Value {
	elems := make([]starlark.Value, seq.Len())
	for i := range elems {
		elems[i] = plain(seq.Index(i))
	}
	return elems
}

// compareValues orders two map keys of the same type.
func compareValues(x, y starlark.Value) int {
	if lt, _ := starlark.Compare(syntax.LT, x, y); lt {
		return -1
	}
	if gt, _ := starlark.Compare(syntax.GT, x, y); gt {
		return 1
	}
	return 0
}
