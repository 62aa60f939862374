package starproto

import (
	"math"
	"strings"
	"time"

	"github.com/svccfg/svccfg/lib/diag"
	"go.starlark.net/starlark"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"k8s.io/apimachinery/pkg/api/resource"
)

// Message types with a convenient Starlark spelling.
const (
	intOrStringName protoreflect.FullName = "k8s.io.apimachinery.pkg.util.intstr.IntOrString"
	quantityName    protoreflect.FullName = "k8s.io.apimachinery.pkg.api.resource.Quantity"
	durationName    protoreflect.FullName = "google.protobuf.Duration"
	anyName         protoreflect.FullName = "google.protobuf.Any"
)

// A writer converts Starlark values into the fields of one message tree:
// owner is the message whose field is being written, whose group the
// messages stored in it join (nil for a conversion that stores none).
type writer struct {
	owner *Message
}

// setField writes v into field fd of m: None clears it, an iterable replaces a
// repeated field, a mapping a map field.
func (w writer) setField(m protoreflect.Message, fd protoreflect.FieldDescriptor, v starlark.Value) error {
	val, clear, err := w.fieldValue(m, fd, v)
	if err != nil {
		return err
	}
	if clear {
		m.Clear(fd)
	} else {
		m.Set(fd, val)
	}
	return nil
}

// fieldValue converts v for field fd of m, without changing m. clear is true
// when v is None, which unsets the field.
func (w writer) fieldValue(m protoreflect.Message, fd protoreflect.FieldDescriptor, v starlark.Value) (val protoreflect.Value, clear bool, err error) {
	if v == starlark.None {
		return protoreflect.Value{}, true, nil
	}
	switch {
	case fd.IsList():
		val, err = w.listValue(m, fd, v)
	case fd.IsMap():
		val, err = w.mapValue(m, fd, v)
	default:
		val, err = w.scalar(fd, v, func() protoreflect.Message { return m.NewField(fd).Message() })
	}
	return val, false, err
}

func (w writer) listValue(m protoreflect.Message, fd protoreflect.FieldDescriptor, v starlark.Value) (protoreflect.Value, error) {
	if _, isStr := v.(starlark.String); isStr {
		return protoreflect.Value{}, errorf("got string, want %s", TypeName(fd))
	}
	iter := starlark.Iterate(v)
	if iter == nil {
		return protoreflect.Value{}, errorf("got %s, want %s", v.Type(), TypeName(fd))
	}
	defer iter.Done()
	lv := m.NewField(fd)
	list := lv.List()
	var x starlark.Value
	for i := 0; iter.Next(&x); i++ {
		e, err := w.scalar(fd, x, func() protoreflect.Message { return list.NewElement().Message() })
		if err != nil {
			return protoreflect.Value{}, atIndex(err, i)
		}
		list.Append(e)
	}
	return lv, nil
}

func (w writer) mapValue(m protoreflect.Message, fd protoreflect.FieldDescriptor, v starlark.Value) (protoreflect.Value, error) {
	mapping, ok := v.(starlark.IterableMapping)
	if !ok {
		return protoreflect.Value{}, errorf("got %s, want %s", v.Type(), TypeName(fd))
	}
	mv := m.NewField(fd)
	mp := mv.Map()
	for _, kv := range mapping.Items() {
		if err := w.setMapEntry(mp, fd, kv[0], kv[1]); err != nil {
			return protoreflect.Value{}, err
		}
	}
	return mv, nil
}

// setMapEntry sets mp[k] = v in the map field fd.
func (w writer) setMapEntry(mp protoreflect.Map, fd protoreflect.FieldDescriptor, k, v starlark.Value) error {
	key, err := w.scalar(fd.MapKey(), k, nil)
	if err != nil {
		return atKey(errorf("key %s: %s", k, err.(*valueError).msg), k)
	}
	if v == starlark.None {
		return atKey(errorf("got None, want %s", elemName(fd.MapValue())), k)
	}
	val, err := w.scalar(fd.MapValue(), v, func() protoreflect.Message { return mp.NewValue().Message() })
	if err != nil {
		return atKey(err, k)
	}
	mp.Set(key.MapKey(), val)
	return nil
}

// scalar converts v, one value (not a list or map), for fd. newMsg returns a
// new message of fd's message type, of the concrete type its container holds.
func (w writer) scalar(fd protoreflect.FieldDescriptor, v starlark.Value, newMsg func() protoreflect.Message) (protoreflect.Value, error) {
	switch fd.Kind() {
	case protoreflect.BoolKind:
		if b, ok := v.(starlark.Bool); ok {
			return protoreflect.ValueOfBool(bool(b)), nil
		}
	case protoreflect.StringKind:
		if s, ok := v.(starlark.String); ok {
			return protoreflect.ValueOfString(string(s)), nil
		}
	case protoreflect.BytesKind:
		switch s := v.(type) {
		case starlark.String:
			return protoreflect.ValueOfBytes([]byte(s)), nil
		case starlark.Bytes:
			return protoreflect.ValueOfBytes([]byte(s)), nil
		}
	case protoreflect.DoubleKind, protoreflect.FloatKind:
		if f, ok := starlark.AsFloat(v); ok {
			if fd.Kind() == protoreflect.FloatKind {
				return protoreflect.ValueOfFloat32(float32(f)), nil
			}
			return protoreflect.ValueOfFloat64(f), nil
		}
	case protoreflect.Int32Kind, protoreflect.Sint32Kind, protoreflect.Sfixed32Kind,
		protoreflect.Int64Kind, protoreflect.Sint64Kind, protoreflect.Sfixed64Kind,
		protoreflect.Uint32Kind, protoreflect.Fixed32Kind, protoreflect.Uint64Kind, protoreflect.Fixed64Kind:
		if i, ok := v.(starlark.Int); ok {
			return intValue(fd.Kind(), i)
		}
	case protoreflect.EnumKind:
		return enumValue(fd.Enum(), v)
	case protoreflect.MessageKind, protoreflect.GroupKind:
		return w.message(fd.Message(), v, newMsg)
	}
	return protoreflect.Value{}, errorf("got %s, want %s", typeOf(v), elemName(fd))
}

func intValue(kind protoreflect.Kind, i starlark.Int) (protoreflect.Value, error) {
	switch kind {
	case protoreflect.Int32Kind, protoreflect.Sint32Kind, protoreflect.Sfixed32Kind:
		if x, ok := i.Int64(); ok && x >= math.MinInt32 && x <= math.MaxInt32 {
			return protoreflect.ValueOfInt32(int32(x)), nil
		}
	case protoreflect.Int64Kind, protoreflect.Sint64Kind, protoreflect.Sfixed64Kind:
		if x, ok := i.Int64(); ok {
			return protoreflect.ValueOfInt64(x), nil
		}
	case protoreflect.Uint32Kind, protoreflect.Fixed32Kind:
		if x, ok := i.Uint64(); ok && x <= math.MaxUint32 {
			return protoreflect.ValueOfUint32(uint32(x)), nil
		}
	case protoreflect.Uint64Kind, protoreflect.Fixed64Kind:
		if x, ok := i.Uint64(); ok {
			return protoreflect.ValueOfUint64(x), nil
		}
	}
	return protoreflect.Value{}, errorf("value %s overflows type %q", i, kindName(kind))
}

func kindName(k protoreflect.Kind) string {
	switch k {
	case protoreflect.Sint32Kind, protoreflect.Sfixed32Kind:
		return "int32"
	case protoreflect.Sint64Kind, protoreflect.Sfixed64Kind:
		return "int64"
	case protoreflect.Fixed32Kind:
		return "uint32"
	case protoreflect.Fixed64Kind:
		return "uint64"
	}
	return k.String()
}

func enumValue(ed protoreflect.EnumDescriptor, v starlark.Value) (protoreflect.Value, error) {
	switch x := v.(type) {
	case *EnumValue:
		if x.desc.Parent() == ed || x.desc.Parent().FullName() == ed.FullName() {
			return protoreflect.ValueOfEnum(x.desc.Number()), nil
		}
		return protoreflect.Value{}, errorf("got %s, want %s", x.Type(), ed.FullName())
	case starlark.String:
		if evd := ed.Values().ByName(protoreflect.Name(x)); evd != nil {
			return protoreflect.ValueOfEnum(evd.Number()), nil
		}
		return protoreflect.Value{}, errorf("%s", unknownEnum(ed, string(x)))
	case starlark.Int:
		if n, ok := x.Int64(); ok && n == int64(int32(n)) {
			if evd := ed.Values().ByNumber(protoreflect.EnumNumber(n)); evd != nil {
				return protoreflect.ValueOfEnum(evd.Number()), nil
			}
		}
		return protoreflect.Value{}, errorf("%s is not a value of %s", x, ed.FullName())
	}
	return protoreflect.Value{}, errorf("got %s, want %s", typeOf(v), ed.FullName())
}

func unknownEnum(ed protoreflect.EnumDescriptor, name string) string {
	values := ed.Values()
	names := make([]string, values.Len())
	for i := range values.Len() {
		names[i] = string(values.Get(i).Name())
	}
	msg := name
	msg = `"` + msg + `" is not a value of ` + string(ed.FullName())
	if near := diag.Nearest(name, names); near != "" {
		return msg + " (did you mean " + near + "?)"
	}
	return msg + " (one of " + strings.Join(names, ", ") + ")"
}

// message converts v for a field of message type md: a message of that type
// (stored, not copied, unless it is frozen), a dict of its fields, any
// message for an Any, or a convenient spelling of a special type.
func (w writer) message(md protoreflect.MessageDescriptor, v starlark.Value, newMsg func() protoreflect.Message) (protoreflect.Value, error) {
	switch x := v.(type) {
	case *Message:
		got := x.msg.Descriptor()
		if got == md || got.FullName() == md.FullName() {
			return w.adopt(x)
		}
		if md.FullName() == anyName {
			return packAny(x.msg, newMsg())
		}
		return protoreflect.Value{}, errorf("got %s, want %s", got.FullName(), md.FullName())
	case *starlark.Dict:
		if md.FullName() == anyName {
			break
		}
		m := newMsg()
		if err := w.setFields(m, x.Items()); err != nil {
			return protoreflect.Value{}, err
		}
		return protoreflect.ValueOfMessage(m), nil
	}
	if m, ok, err := special(md, v, newMsg); ok || err != nil {
		return protoreflect.ValueOfMessage(m), err
	}
	return protoreflect.Value{}, errorf("got %s, want %s", typeOf(v), md.FullName())
}

// packAny returns a, a google.protobuf.Any, holding m as it is now.
func packAny(m protoreflect.Message, a protoreflect.Message) (protoreflect.Value, error) {
	data, err := proto.MarshalOptions{Deterministic: true}.Marshal(m.Interface())
	if err != nil {
		return protoreflect.Value{}, errorf("packing %s into an Any: %v", m.Descriptor().FullName(), err)
	}
	f := a.Descriptor().Fields()
	a.Set(f.ByName("type_url"), protoreflect.ValueOfString(anyPrefix+string(m.Descriptor().FullName())))
	a.Set(f.ByName("value"), protoreflect.ValueOfBytes(data))
	return protoreflect.ValueOfMessage(a), nil
}

// anyPrefix starts the type URL of every message packed into an Any.
const anyPrefix = "type.googleapis.com/"

// setFields sets the fields of m named by the keys of items.
func (w writer) setFields(m protoreflect.Message, items []starlark.Tuple) error {
	md := m.Descriptor()
	for _, kv := range items {
		name, ok := kv[0].(starlark.String)
		if !ok {
			return errorf("got a %s key, want field names of %s", kv[0].Type(), md.FullName())
		}
		fd := fieldByName(md, string(name))
		if fd == nil {
			e := errorf("%s", unknownField(md, string(name)))
			e.key = true
			return inField(e, string(name))
		}
		if err := w.setField(m, fd, kv[1]); err != nil {
			return inField(err, string(name))
		}
	}
	return nil
}

// adopt returns x's message for storing in w.owner's tree: x joins the
// owner's group, or is copied when frozen. A message may not contain itself.
func (w writer) adopt(x *Message) (protoreflect.Value, error) {
	if x.group.isFrozen() {
		return protoreflect.ValueOfMessage(proto.Clone(x.msg.Interface()).ProtoReflect()), nil
	}
	if w.owner != nil {
		// Every tree that holds a message is in the message's group, so a
		// message of another group cannot hold the owner.
		if x.group.root() == w.owner.group.root() && w.owner.contains(x) {
			return protoreflect.Value{}, errorf("a %s cannot contain itself", x.msg.Descriptor().FullName())
		}
		x.group.join(w.owner.group)
	}
	x.parent, x.field = nil, nil // a pending field read elsewhere belongs here now
	return protoreflect.ValueOfMessage(x.msg), nil
}

// special converts the convenient spellings of IntOrString, Quantity,
// Duration and the wrapper types; ok is false when v is none of them.
func special(md protoreflect.MessageDescriptor, v starlark.Value, newMsg func() protoreflect.Message) (m protoreflect.Message, ok bool, err error) {
	switch name := md.FullName(); {
	case name == intOrStringName:
		return intOrString(v, newMsg)
	case name == quantityName:
		return quantity(v, newMsg)
	case name == durationName:
		if s, isStr := v.(starlark.String); isStr {
			d, err := time.ParseDuration(string(s))
			if err != nil {
				return nil, false, errorf("invalid duration %q: want a number with a unit such as 250ms, 1.5s or 2m", string(s))
			}
			m := newMsg()
			f := md.Fields()
			m.Set(f.ByName("seconds"), protoreflect.ValueOfInt64(int64(d/time.Second)))
			m.Set(f.ByName("nanos"), protoreflect.ValueOfInt32(int32(d%time.Second)))
			return m, true, nil
		}
	case strings.HasPrefix(string(name), "google.protobuf.") && strings.HasSuffix(string(name), "Value") && md.Fields().Len() == 1:
		fd := md.Fields().ByName("value")
		if fd == nil || fd.Kind() == protoreflect.MessageKind {
			return nil, false, nil
		}
		switch v.(type) {
		case *Message, *starlark.Dict:
			return nil, false, nil
		}
		val, err := writer{}.scalar(fd, v, nil)
		if err != nil {
			return nil, false, err
		}
		m := newMsg()
		m.Set(fd, val)
		return m, true, nil
	}
	return nil, false, nil
}

// intOrString builds an IntOrString from an int or a string.
func intOrString(v starlark.Value, newMsg func() protoreflect.Message) (protoreflect.Message, bool, error) {
	var m protoreflect.Message
	switch v := v.(type) {
	case starlark.Int:
		i, ok := v.Int64()
		if !ok || i != int64(int32(i)) {
			return nil, false, errorf("%s out of range for an int32", v)
		}
		m = newMsg()
		f := m.Descriptor().Fields()
		m.Set(f.ByName("type"), protoreflect.ValueOfInt64(0))
		m.Set(f.ByName("intVal"), protoreflect.ValueOfInt32(int32(i)))
	case starlark.String:
		m = newMsg()
		f := m.Descriptor().Fields()
		m.Set(f.ByName("type"), protoreflect.ValueOfInt64(1))
		m.Set(f.ByName("strVal"), protoreflect.ValueOfString(string(v)))
	default:
		return nil, false, nil
	}
	return m, true, nil
}

// quantity builds a Quantity from a string such as "250m" or "16Gi", or an
// int, checked and written in canonical form by Kubernetes' own parser.
func quantity(v starlark.Value, newMsg func() protoreflect.Message) (protoreflect.Message, bool, error) {
	var s string
	switch v := v.(type) {
	case starlark.String:
		s = string(v)
	case starlark.Int:
		s = v.String()
	default:
		return nil, false, nil
	}
	q, err := resource.ParseQuantity(s)
	if err != nil {
		return nil, false, errorf("invalid quantity %q: want a number with an optional suffix such as 250m or 16Gi", s)
	}
	m := newMsg()
	m.Set(m.Descriptor().Fields().ByName("string"), protoreflect.ValueOfString(q.String()))
	return m, true, nil
}

// toStarlark returns the Starlark value of field fd of owner.
func toStarlark(owner *Message, fd protoreflect.FieldDescriptor) starlark.Value {
	switch {
	case fd.IsList():
		return &RepeatedField{owner: owner, fd: fd}
	case fd.IsMap():
		return &MapField{owner: owner, fd: fd}
	case fd.Message() != nil:
		m := owner.msg
		if m.Has(fd) {
			return &Message{msg: m.Get(fd).Message(), group: owner.group}
		}
		child := &Message{msg: m.NewField(fd).Message(), group: owner.group}
		if owner.group.isFrozen() {
			child.group = frozenGroup()
		} else {
			child.parent, child.field = owner, fd
		}
		return child
	}
	return scalarToStarlark(fd, owner.msg.Get(fd))
}

// scalarToStarlark converts a value that is not a message, list or map.
func scalarToStarlark(fd protoreflect.FieldDescriptor, v protoreflect.Value) starlark.Value {
	switch fd.Kind() {
	case protoreflect.BoolKind:
		return starlark.Bool(v.Bool())
	case protoreflect.StringKind:
		return starlark.String(v.String())
	case protoreflect.BytesKind:
		return starlark.String(v.Bytes())
	case protoreflect.DoubleKind, protoreflect.FloatKind:
		return starlark.Float(v.Float())
	case protoreflect.Int32Kind, protoreflect.Sint32Kind, protoreflect.Sfixed32Kind,
		protoreflect.Int64Kind, protoreflect.Sint64Kind, protoreflect.Sfixed64Kind:
		return starlark.MakeInt64(v.Int())
	case protoreflect.Uint32Kind, protoreflect.Fixed32Kind, protoreflect.Uint64Kind, protoreflect.Fixed64Kind:
		return starlark.MakeUint64(v.Uint())
	case protoreflect.EnumKind:
		return newEnumValue(fd.Enum(), v.Enum())
	}
	return starlark.None
}

// elemToStarlark converts an element of a list or a value of a map, whose
// messages belong to owner's group.
func elemToStarlark(owner *Message, fd protoreflect.FieldDescriptor, v protoreflect.Value) starlark.Value {
	if fd.Message() != nil {
		return &Message{msg: v.Message(), group: owner.group}
	}
	return scalarToStarlark(fd, v)
}

// typeOf names v's type in errors: a message by its full name.
func typeOf(v starlark.Value) string {
	if v == starlark.None {
		return "None"
	}
	return v.Type()
}

// TypeName returns the type a field holds, as a user would write it:
// "int32", "list of k8s.io.api.core.v1.Container", "map of string to string".
func TypeName(fd protoreflect.FieldDescriptor) string {
	switch {
	case fd.IsMap():
		return "map of " + elemName(fd.MapKey()) + " to " + elemName(fd.MapValue())
	case fd.IsList():
		return "list of " + elemName(fd)
	}
	return elemName(fd)
}

func elemName(fd protoreflect.FieldDescriptor) string {
	switch fd.Kind() {
	case protoreflect.MessageKind, protoreflect.GroupKind:
		return string(fd.Message().FullName())
	case protoreflect.EnumKind:
		return string(fd.Enum().FullName())
	}
	return kindName(fd.Kind())
}
