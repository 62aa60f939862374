package startest

import (
	"cmp"
	"slices"
	"strconv"
	"strings"

	"github.com/rogpeppe/go-internal/diff"
	"github.com/svccfg/svccfg/lib/starproto"
	"go.starlark.net/starlark"
	"go.starlark.net/starlarkstruct"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// lineWidth is the width beyond which Repr's multi-line form breaks a value
// over several lines.
const lineWidth = 80

// Repr returns v in Starlark syntax on one line. Unlike v.String(), it writes
// proto messages, also inside lists, dicts and structs, as calls of their
// type's constructor with their fields in declaration order, and the entries
// of their map fields in key order: the same value gives the same text.
func Repr(v starlark.Value) string { return toNode(plain(v)).line() }

// reprLines returns v in Starlark syntax, broken over lines, indented by
// four spaces, where it is wider than lineWidth.
func reprLines(v starlark.Value) string { return toNode(plain(v)).lines("", false) }

// valueDiff returns a unified diff of want and got in the form of
// reprLines, or "" when they fit on one line. When one of them is broken
// over lines, so is the other, for their elements or fields to line up.
func valueDiff(got, want starlark.Value) string {
	gn, wn := toNode(plain(got)), toNode(plain(want))
	g, w := gn.lines("", false), wn.lines("", false)
	if !strings.Contains(g, "\n") && !strings.Contains(w, "\n") {
		return ""
	}
	g, w = gn.lines("", true), wn.lines("", true)
	d := string(diff.Diff("want", []byte(w+"\n"), "got", []byte(g+"\n")))
	if i := strings.Index(d, "@@"); i >= 0 {
		d = d[i:]
	}
	return strings.TrimSuffix(d, "\n")
}

// A node is a value to print: a leaf, or a container of items between open
// and close.
type node struct {
	leaf        string
	open, close string
	items       []item
	container   bool
	tuple1      bool // a tuple of one element, written (x,)
}

// An item is an element of a container: a list element, a dict entry
// ("key: " label), or a field or attribute ("name = " label).
type item struct {
	label string
	value *node
}

func (n *node) line() string {
	if !n.container {
		return n.leaf
	}
	var b strings.Builder
	b.WriteString(n.open)
	for i, it := range n.items {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(it.label)
		b.WriteString(it.value.line())
	}
	if n.tuple1 {
		b.WriteString(",")
	}
	b.WriteString(n.close)
	return b.String()
}

// lines returns the node broken over lines where it is wider than
// lineWidth, and at its top level also if force is set.
func (n *node) lines(indent string, force bool) string {
	one := n.line()
	if !n.container || len(n.items) == 0 || !force && len(indent)+len(one) <= lineWidth {
		return one
	}
	var b strings.Builder
	b.WriteString(n.open)
	b.WriteString("\n")
	for _, it := range n.items {
		b.WriteString(indent + "    " + it.label)
		b.WriteString(it.value.lines(indent+"    ", false))
		b.WriteString(",\n")
	}
	b.WriteString(indent + n.close)
	return b.String()
}

func toNode(v starlark.Value) *node {
	switch v := v.(type) {
	case *starlark.List:
		return seqNode("[", "]", v)
	case starlark.Tuple:
		n := seqNode("(", ")", v)
		n.tuple1 = len(v) == 1
		return n
	case *starlark.Set:
		return seqNode("set([", "])", v)
	case *starlark.Dict:
		n := &node{open: "{", close: "}", container: true}
		for _, kv := range v.Items() {
			n.items = append(n.items, item{label: toNode(kv[0]).line() + ": ", value: toNode(kv[1])})
		}
		return n
	case *starlarkstruct.Struct:
		n := &node{open: "struct(", close: ")", container: true}
		for _, name := range v.AttrNames() {
			a, err := v.Attr(name)
			if err == nil {
				n.items = append(n.items, item{label: name + " = ", value: toNode(a)})
			}
		}
		return n
	}
	if m, ok := starproto.AsMessage(v); ok {
		return messageNode(m.ProtoReflect())
	}
	return &node{leaf: v.String()}
}

func seqNode(open, close string, seq starlark.Iterable) *node {
	n := &node{open: open, close: close, container: true}
	it := seq.Iterate()
	defer it.Done()
	var x starlark.Value
	for it.Next(&x) {
		n.items = append(n.items, item{value: toNode(x)})
	}
	return n
}

func messageNode(m protoreflect.Message) *node {
	md := m.Descriptor()
	n := &node{open: string(md.FullName()) + "(", close: ")", container: true}
	fields := md.Fields()
	for i := range fields.Len() {
		fd := fields.Get(i)
		if m.Has(fd) {
			n.items = append(n.items, item{label: string(fd.Name()) + " = ", value: fieldNode(fd, m.Get(fd))})
		}
	}
	return n
}

func fieldNode(fd protoreflect.FieldDescriptor, v protoreflect.Value) *node {
	switch {
	case fd.IsList():
		n := &node{open: "[", close: "]", container: true}
		list := v.List()
		for i := range list.Len() {
			n.items = append(n.items, item{value: scalarNode(fd, list.Get(i))})
		}
		return n
	case fd.IsMap():
		n := &node{open: "{", close: "}", container: true}
		var keys []protoreflect.MapKey
		v.Map().Range(func(k protoreflect.MapKey, _ protoreflect.Value) bool {
			keys = append(keys, k)
			return true
		})
		slices.SortFunc(keys, compareKeys)
		for _, k := range keys {
			label := scalarNode(fd.MapKey(), k.Value()).leaf + ": "
			n.items = append(n.items, item{label: label, value: scalarNode(fd.MapValue(), v.Map().Get(k))})
		}
		return n
	}
	return scalarNode(fd, v)
}

func compareKeys(a, b protoreflect.MapKey) int {
	switch x := a.Interface().(type) {
	case string:
		return strings.Compare(x, b.String())
	case bool:
		return cmp.Compare(strconv.FormatBool(x), strconv.FormatBool(b.Bool()))
	case uint32, uint64:
		return cmp.Compare(a.Uint(), b.Uint())
	}
	return cmp.Compare(a.Int(), b.Int())
}

func scalarNode(fd protoreflect.FieldDescriptor, v protoreflect.Value) *node {
	var s string
	switch fd.Kind() {
	case protoreflect.MessageKind, protoreflect.GroupKind:
		return messageNode(v.Message())
	case protoreflect.BoolKind:
		s = "False"
		if v.Bool() {
			s = "True"
		}
	case protoreflect.EnumKind:
		s = strconv.Itoa(int(v.Enum()))
		if ev := fd.Enum().Values().ByNumber(v.Enum()); ev != nil {
			s = starlark.String(ev.Name()).String()
		}
	case protoreflect.StringKind:
		s = starlark.String(v.String()).String()
	case protoreflect.BytesKind:
		s = starlark.Bytes(v.Bytes()).String()
	case protoreflect.FloatKind, protoreflect.DoubleKind:
		s = starlark.Float(v.Float()).String()
	case protoreflect.Uint32Kind, protoreflect.Uint64Kind, protoreflect.Fixed32Kind, protoreflect.Fixed64Kind:
		s = strconv.FormatUint(v.Uint(), 10)
	default:
		s = strconv.FormatInt(v.Int(), 10)
	}
	return &node{leaf: s}
}
