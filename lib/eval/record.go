package eval

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"go.starlark.net/starlark"
	"go.starlark.net/syntax"
)

// RecordKinds are the kinds of [Record] the standard library makes, each a
// type that docstrings may name ("list of Port", "Probe or None").
var RecordKinds = slices.Sorted(maps.Keys(recordMakers))

// recordMakers says, for each kind of [Record], what makes one.
var recordMakers = map[string]string{
	"Autoscale": "kube.autoscale",
	"Container": "kube.container",
	"EnvSource": "env.secret, env.config_map or env.field",
	"Port":      "port.http, port.h2c, port.grpc or port.tcp",
	"Probe":     "probe.http, probe.grpc, probe.tcp or probe.exec",
	"Rollout":   "kube.rollout",
	"Security":  "kube.security",
	"Shutdown":  "kube.shutdown",
	"Spread":    "kube.spread",
	"Track":     "kube.track or canary",
	"Unlimited": "kube.unlimited",
	"Volume":    "volume.empty_dir, volume.config_map, volume.secret, volume.pvc or volume.files",
}

// recordHint returns what makes the records that typ (a docstring type)
// names, as a parenthesized hint for an error, or "".
func recordHint(typ string) string {
	var hints []string
	for _, w := range strings.FieldsFunc(typ, func(r rune) bool { return r == ' ' || r == '(' || r == ')' }) {
		if m, ok := recordMakers[w]; ok {
			article := "a"
			if strings.ContainsRune("AEIOU", rune(w[0])) {
				article = "an"
			}
			hints = append(hints, fmt.Sprintf("%s %s is made by %s", article, w, m))
		}
	}
	if hints == nil {
		return ""
	}
	return " (" + strings.Join(hints, "; ") + ")"
}

// A Record is an immutable value with named fields, of one of the
// [RecordKinds]: a port, a probe, a volume. The standard library's small
// helpers return records, and the functions that take them check their kind
// and read their fields. Its Starlark type is its kind.
type Record struct {
	kind   string
	names  []string // sorted
	values starlark.StringDict
}

var (
	_ starlark.HasAttrs   = (*Record)(nil)
	_ starlark.Comparable = (*Record)(nil)
)

// String returns the record as `Kind(field = value, ...)`, fields sorted by
// name, None fields left out.
func (r *Record) String() string {
	var b strings.Builder
	b.WriteString(r.kind)
	b.WriteByte('(')
	sep := ""
	for _, n := range r.names {
		v := r.values[n]
		if v == starlark.None {
			continue
		}
		fmt.Fprintf(&b, "%s%s = %s", sep, n, v)
		sep = ", "
	}
	b.WriteByte(')')
	return b.String()
}

// Type returns the record's kind.
func (r *Record) Type() string { return r.kind }

// Freeze freezes the record's field values.
func (r *Record) Freeze() {
	for _, v := range r.values {
		v.Freeze()
	}
}

// Truth returns true.
func (r *Record) Truth() starlark.Bool { return starlark.True }

// Hash returns an error: records hold lists and dicts.
func (r *Record) Hash() (uint32, error) { return 0, fmt.Errorf("unhashable type: %s", r.kind) }

// Attr returns the field called name.
func (r *Record) Attr(name string) (starlark.Value, error) {
	if v, ok := r.values[name]; ok {
		return v, nil
	}
	return nil, nil
}

// AttrNames returns the record's field names, sorted.
func (r *Record) AttrNames() []string { return r.names }

// CompareSameType compares records field by field; only == and != are
// defined.
func (r *Record) CompareSameType(op syntax.Token, y starlark.Value, depth int) (bool, error) {
	o := y.(*Record)
	switch op {
	case syntax.EQL, syntax.NEQ:
		eq := r.kind == o.kind && slices.Equal(r.names, o.names)
		for _, n := range r.names {
			if !eq {
				break
			}
			e, err := starlark.EqualDepth(r.values[n], o.values[n], depth-1)
			if err != nil {
				return false, err
			}
			eq = e
		}
		return eq == (op == syntax.EQL), nil
	}
	return false, fmt.Errorf("%s %s %s not supported", r.kind, op, o.kind)
}

// builtinRecord is _svccfg.record(kind, **fields).
func builtinRecord(thread *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var kind string
	if err := starlark.UnpackPositionalArgs(fn.Name(), args, nil, 1, &kind); err != nil {
		return nil, err
	}
	if !slices.Contains(RecordKinds, kind) {
		return nil, fmt.Errorf("%s: unknown record kind %q", fn.Name(), kind)
	}
	r := &Record{kind: kind, values: make(starlark.StringDict, len(kwargs))}
	for _, kv := range kwargs {
		name := string(kv[0].(starlark.String))
		r.names = append(r.names, name)
		r.values[name] = kv[1]
	}
	slices.Sort(r.names)
	return r, nil
}
