package starproto

import (
	"slices"
	"strconv"
	"strings"

	"google.golang.org/protobuf/reflect/protoreflect"
)

// writeMessage writes m as a constructor call with its set fields in field
// number order, the same bytes for the same message every time.
func writeMessage(b *strings.Builder, m protoreflect.Message) {
	md := m.Descriptor()
	b.WriteString(string(md.FullName()))
	b.WriteByte('(')
	fields := md.Fields()
	first := true
	for i := range fields.Len() {
		fd := fields.Get(i)
		if !m.Has(fd) {
			continue
		}
		if !first {
			b.WriteString(", ")
		}
		first = false
		b.WriteString(attrName(fd))
		b.WriteString(" = ")
		writeField(b, fd, m.Get(fd))
	}
	b.WriteByte(')')
}

func writeField(b *strings.Builder, fd protoreflect.FieldDescriptor, v protoreflect.Value) {
	switch {
	case fd.IsList():
		writeList(b, fd, v.List())
	case fd.IsMap():
		writeMap(b, fd, v.Map())
	default:
		writeScalar(b, fd, v)
	}
}

func writeList(b *strings.Builder, fd protoreflect.FieldDescriptor, l protoreflect.List) {
	b.WriteByte('[')
	for i := range l.Len() {
		if i > 0 {
			b.WriteString(", ")
		}
		writeScalar(b, fd, l.Get(i))
	}
	b.WriteByte(']')
}

func writeMap(b *strings.Builder, fd protoreflect.FieldDescriptor, mp protoreflect.Map) {
	keys := make([]protoreflect.MapKey, 0, mp.Len())
	mp.Range(func(k protoreflect.MapKey, _ protoreflect.Value) bool {
		keys = append(keys, k)
		return true
	})
	slices.SortFunc(keys, compareKeys)
	b.WriteByte('{')
	for i, k := range keys {
		if i > 0 {
			b.WriteString(", ")
		}
		writeScalar(b, fd.MapKey(), k.Value())
		b.WriteString(": ")
		writeScalar(b, fd.MapValue(), mp.Get(k))
	}
	b.WriteByte('}')
}

func writeScalar(b *strings.Builder, fd protoreflect.FieldDescriptor, v protoreflect.Value) {
	switch fd.Kind() {
	case protoreflect.MessageKind, protoreflect.GroupKind:
		writeMessage(b, v.Message())
	case protoreflect.EnumKind:
		if evd := fd.Enum().Values().ByNumber(v.Enum()); evd != nil {
			b.WriteString(strconv.Quote(string(evd.Name())))
		} else {
			b.WriteString(strconv.Itoa(int(v.Enum())))
		}
	default:
		b.WriteString(scalarToStarlark(fd, v).String())
	}
}
