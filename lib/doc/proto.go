package doc

import (
	"fmt"
	"slices"
	"strings"

	"google.golang.org/protobuf/reflect/protoreflect"
)

// protoSummary says what the proto module holds.
const protoSummary = "proto: every Kubernetes and Envoy message type, by protobuf package."

// protoFunctions are the functions of the proto module. skycfg's
// lib/starproto defines them in Go, without docstrings; a test checks that
// this list matches the module.
var protoFunctions = []builtin{
	{"package", "name", "Returns the protobuf package called name, whose attributes are its message types and enums."},
	{"has", "msg, field", "Reports whether field, a field name, is set in msg."},
	{"clear", "msg", "Clears every field of msg, and returns it."},
	{"clone", "msg", "Returns a copy of msg."},
	{"merge", "dst, src", "Merges src, a message of the same type, into dst, and returns dst."},
	{"set_defaults", "msg", "Sets each unset field of msg that declares a default value to it, and returns msg."},
	{"encode_any", "msg", "Returns msg packed into a google.protobuf.Any."},
	{"decode_any", "any", "Returns the message packed into any, a google.protobuf.Any."},
	{"encode_json", "msg, compact = True", "Returns msg as protobuf JSON (not Kubernetes' JSON; its spacing varies between versions)."},
	{"decode_json", "type, json", "Returns a message of type, a message type, read from protobuf JSON."},
	{"encode_text", "msg, compact = True", "Returns msg in the protobuf text format."},
	{"decode_text", "type, text", "Returns a message of type, a message type, read from the protobuf text format."},
}

// protoIntro explains the proto module.
const protoIntro = `proto.package(name) returns a protobuf package. Its attributes are its
message types and enums; calling a message type with a keyword argument per
field (or one dict of them) returns a new message, and fields can be set
afterwards, also inside fields not set yet:

    apps = proto.package("k8s.io.api.apps.v1")
    d = apps.Deployment(spec = {"replicas": 3})
    d.metadata.name = "web"
    d.spec.template.spec.containers.append({"name": "web", "image": "web:1.0"})

Field values are written as svccfg doc TYPE shows: lists for repeated fields,
dicts for maps, a dict of fields for a message, an enum value's name as a
string, an int or string for an IntOrString, kube.cores(2) or "250m" for a
Quantity, "1.5s" for a Duration, a number for a wrapper such as UInt32Value.
A message stored in a field is shared, not copied (proto.clone copies); an
unset message field reads as an empty message, which is false.`

// writeProto writes the documentation of the proto module: its functions
// and the packages.
func (d *Docs) writeProto(b *strings.Builder) {
	fmt.Fprintf(b, "Predeclared module proto\n\n%s\n\n%s\n\nFunctions:\n", protoSummary, protoIntro)
	var rows [][2]string
	for _, f := range protoFunctions {
		rows = append(rows, [2]string{"proto." + f.name + "(" + f.params + ")", f.summary})
	}
	writeRows(b, rows)
	b.WriteString("\nPackages (svccfg doc PACKAGE lists its types):\n")
	for _, p := range d.packages {
		b.WriteString("  " + p + "\n")
	}
}

// isPackage reports whether name is a protobuf package.
func (d *Docs) isPackage(name string) bool {
	_, found := slices.BinarySearch(d.packages, name)
	return found
}

// allTypes returns the full names of every message and enum type, sorted.
func (d *Docs) allTypes() []string {
	var names []string
	d.types.RangeMessages(func(mt protoreflect.MessageType) bool {
		names = append(names, string(mt.Descriptor().FullName()))
		return true
	})
	d.types.RangeEnums(func(et protoreflect.EnumType) bool {
		names = append(names, string(et.Descriptor().FullName()))
		return true
	})
	slices.Sort(names)
	return names
}

// writePackage writes the message types and enums of a package, with the
// first sentence of their comments.
func (d *Docs) writePackage(b *strings.Builder, pkg string) {
	fmt.Fprintf(b, "package %s\n\n    proto.package(%q)\n", pkg, pkg)
	var msgs, enums [][2]string
	for _, name := range d.typeNames() {
		short, ok := strings.CutPrefix(name, pkg+".")
		if !ok || strings.Contains(short, ".") {
			continue
		}
		desc := d.findType(name)
		row := [2]string{short, firstSentence(d.comments[desc.FullName()])}
		if _, isEnum := desc.(protoreflect.EnumDescriptor); isEnum {
			enums = append(enums, row)
		} else {
			msgs = append(msgs, row)
		}
	}
	if len(msgs) > 0 {
		b.WriteString("\nMessages:\n")
		writeRows(b, msgs)
	}
	if len(enums) > 0 {
		b.WriteString("\nEnums:\n")
		writeRows(b, enums)
	}
}

// writeMessage writes a message type's comment, how to construct it, its
// fields with the types a configuration writes, its oneofs and its nested
// types.
func (d *Docs) writeMessage(b *strings.Builder, md protoreflect.MessageDescriptor) {
	fmt.Fprintf(b, "message %s\n", md.FullName())
	if c := d.comments[md.FullName()]; c != "" {
		b.WriteString("\n" + indent(c, "") + "\n")
	}
	fmt.Fprintf(b, "\n    %s(field = value, ...)\n", constructor(md))
	fields := md.Fields()
	if fields.Len() > 0 {
		b.WriteString("\nFields:\n")
		width := 0
		for i := range fields.Len() {
			width = max(width, len(fields.Get(i).Name()))
		}
		width = min(width, maxColumn)
		for i := range fields.Len() {
			fd := fields.Get(i)
			fmt.Fprintf(b, "  %-*s  %s\n", width, fd.Name(), FieldType(fd))
			if c := d.comments[fd.FullName()]; c != "" {
				b.WriteString(indent(c, "      ") + "\n")
			}
		}
	}
	var oneofs [][2]string
	for i := range md.Oneofs().Len() {
		od := md.Oneofs().Get(i)
		if od.IsSynthetic() {
			continue
		}
		var names []string
		for j := range od.Fields().Len() {
			names = append(names, string(od.Fields().Get(j).Name()))
		}
		oneofs = append(oneofs, [2]string{string(od.Name()), orList(names)})
	}
	if len(oneofs) > 0 {
		b.WriteString("\nOneofs (set at most one field of each):\n")
		writeRows(b, oneofs)
	}
	var nested [][2]string
	for i := range md.Messages().Len() {
		m := md.Messages().Get(i)
		if !m.IsMapEntry() {
			nested = append(nested, [2]string{string(m.Name()), strings.TrimSpace("message " + firstSentence(d.comments[m.FullName()]))})
		}
	}
	for i := range md.Enums().Len() {
		e := md.Enums().Get(i)
		nested = append(nested, [2]string{string(e.Name()), strings.TrimSpace("enum " + firstSentence(d.comments[e.FullName()]))})
	}
	if len(nested) > 0 {
		fmt.Fprintf(b, "\nNested types (svccfg doc %s.NAME):\n", md.FullName())
		writeRows(b, nested)
	}
}

// writeEnum writes an enum's comment and values.
func (d *Docs) writeEnum(b *strings.Builder, ed protoreflect.EnumDescriptor) {
	fmt.Fprintf(b, "enum %s\n", ed.FullName())
	if c := d.comments[ed.FullName()]; c != "" {
		b.WriteString("\n" + indent(c, "") + "\n")
	}
	b.WriteString("\nA field of this type takes the name of a value, as a string.\n\nValues:\n")
	values := ed.Values()
	var rows [][2]string
	for i := range values.Len() {
		v := values.Get(i)
		rows = append(rows, [2]string{string(v.Name()), fmt.Sprint(v.Number())})
	}
	writeRows(b, rows)
}

// constructor returns the Starlark expression of a message type:
// proto.package("pkg").Outer.Inner.
func constructor(md protoreflect.MessageDescriptor) string {
	pkg := md.ParentFile().Package()
	return fmt.Sprintf("proto.package(%q).%s", pkg, strings.TrimPrefix(string(md.FullName()), string(pkg)+"."))
}

// Message types that configuration files write in a special form (see
// lib/starproto's conversions and skycfg's wrapper types).
var specialTypes = map[protoreflect.FullName]string{
	"k8s.io.apimachinery.pkg.api.resource.Quantity":   `Quantity: kube.cores(2), kube.gigabytes(1), or a string such as "250m" or "16Gi"`,
	"k8s.io.apimachinery.pkg.util.intstr.IntOrString": "int or string",
	"google.protobuf.Duration":                        `string: a duration such as "250ms" or "1.5s"`,
	"google.protobuf.Any":                             "any message",
	"google.protobuf.BoolValue":                       "bool",
	"google.protobuf.StringValue":                     "string",
	"google.protobuf.BytesValue":                      "string",
	"google.protobuf.DoubleValue":                     "float",
	"google.protobuf.FloatValue":                      "float",
	"google.protobuf.Int32Value":                      "int",
	"google.protobuf.Int64Value":                      "int",
	"google.protobuf.UInt32Value":                     "int",
	"google.protobuf.UInt64Value":                     "int",
}

// FieldType returns the type of a field's value as a configuration file
// writes it: "int", "list of string", "dict of string to string", a
// message type's full name, the names of an enum's values, or the special
// forms that svccfg converts (a Quantity from kube.cores or "250m", an
// IntOrString from an int or a string, a Duration from "1.5s").
func FieldType(fd protoreflect.FieldDescriptor) string {
	switch {
	case fd.IsMap():
		return "dict of " + valueType(fd.MapKey()) + " to " + valueType(fd.MapValue())
	case fd.IsList():
		return "list of " + valueType(fd)
	}
	return valueType(fd)
}

func valueType(fd protoreflect.FieldDescriptor) string {
	switch fd.Kind() {
	case protoreflect.BoolKind:
		return "bool"
	case protoreflect.StringKind, protoreflect.BytesKind:
		return "string"
	case protoreflect.FloatKind, protoreflect.DoubleKind:
		return "float"
	case protoreflect.EnumKind:
		values := fd.Enum().Values()
		names := make([]string, values.Len())
		for i := range values.Len() {
			names[i] = fmt.Sprintf("%q", values.Get(i).Name())
		}
		return orList(names)
	case protoreflect.MessageKind, protoreflect.GroupKind:
		name := fd.Message().FullName()
		if s, ok := specialTypes[name]; ok {
			return s
		}
		return string(name)
	}
	return "int"
}

// Field returns the documentation of a message field, as hover text: its
// name, the type a configuration writes, and its comment.
func (d *Docs) Field(fd protoreflect.FieldDescriptor) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s.%s  %s\n", fd.ContainingMessage().FullName(), fd.Name(), FieldType(fd))
	if c := d.comments[fd.FullName()]; c != "" {
		b.WriteString("\n" + indent(c, "") + "\n")
	}
	if ed := fd.Enum(); ed != nil {
		b.WriteString("\nValues: " + enumNames(ed) + "\n")
	}
	return b.String()
}

// Comment returns the comment of the type, field or enum value called
// name, or "".
func (d *Docs) Comment(name protoreflect.FullName) string { return d.comments[name] }

func enumNames(ed protoreflect.EnumDescriptor) string {
	var names []string
	for i := range ed.Values().Len() {
		names = append(names, string(ed.Values().Get(i).Name()))
	}
	return strings.Join(names, ", ")
}
