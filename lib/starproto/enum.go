package starproto

import (
	"fmt"

	"go.starlark.net/starlark"
	"go.starlark.net/syntax"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// An EnumType is a protobuf enum seen from Starlark: its attributes are its
// values.
type EnumType struct {
	desc protoreflect.EnumDescriptor
}

var _ starlark.HasAttrs = (*EnumType)(nil)

// Descriptor returns the enum's descriptor.
func (t *EnumType) Descriptor() protoreflect.EnumDescriptor { return t.desc }

// String returns the type as `<proto.EnumType "full.Name">`.
func (t *EnumType) String() string { return fmt.Sprintf("<proto.EnumType %q>", t.desc.FullName()) }

// Type returns "proto.EnumType".
func (t *EnumType) Type() string { return "proto.EnumType" }

// Freeze does nothing: enum types are immutable.
func (t *EnumType) Freeze() {}

// Truth returns true.
func (t *EnumType) Truth() starlark.Bool { return starlark.True }

// Hash returns an error: enum types are not hashable.
func (t *EnumType) Hash() (uint32, error) { return 0, fmt.Errorf("unhashable type: %s", t.Type()) }

// Attr returns the value called name.
func (t *EnumType) Attr(name string) (starlark.Value, error) {
	if v := t.desc.Values().ByName(protoreflect.Name(name)); v != nil {
		return &EnumValue{desc: v}, nil
	}
	return nil, starlark.NoSuchAttrError(unknownEnum(t.desc, name))
}

// AttrNames returns the names of the enum's values, in declaration order.
func (t *EnumType) AttrNames() []string {
	values := t.desc.Values()
	names := make([]string, values.Len())
	for i := range values.Len() {
		names[i] = string(values.Get(i).Name())
	}
	return names
}

// An EnumValue is a value of a protobuf enum. Its attributes are its name
// and number; it equals only the same value of the same enum.
type EnumValue struct {
	desc protoreflect.EnumValueDescriptor
}

var (
	_ starlark.HasAttrs   = (*EnumValue)(nil)
	_ starlark.Comparable = (*EnumValue)(nil)
)

func newEnumValue(ed protoreflect.EnumDescriptor, n protoreflect.EnumNumber) starlark.Value {
	if v := ed.Values().ByNumber(n); v != nil {
		return &EnumValue{desc: v}
	}
	return starlark.MakeInt64(int64(n)) // a number the enum does not define
}

// String returns the value as `<full.Enum NAME=N>`.
func (v *EnumValue) String() string {
	return fmt.Sprintf("<%s %s=%d>", v.Type(), v.desc.Name(), v.desc.Number())
}

// Type returns the enum's full name.
func (v *EnumValue) Type() string { return string(v.desc.Parent().FullName()) }

// Freeze does nothing: enum values are immutable.
func (v *EnumValue) Freeze() {}

// Truth returns true.
func (v *EnumValue) Truth() starlark.Bool { return starlark.True }

// Hash returns the hash of the value's number.
func (v *EnumValue) Hash() (uint32, error) { return starlark.MakeInt(int(v.desc.Number())).Hash() }

// Attr returns the value's name or number (value).
func (v *EnumValue) Attr(name string) (starlark.Value, error) {
	switch name {
	case "name":
		return starlark.String(v.desc.Name()), nil
	case "value":
		return starlark.MakeInt(int(v.desc.Number())), nil
	}
	return nil, nil
}

// AttrNames returns name and value.
func (v *EnumValue) AttrNames() []string { return []string{"name", "value"} }

// CompareSameType compares two values of enums; only == and != are defined.
func (v *EnumValue) CompareSameType(op syntax.Token, y starlark.Value, depth int) (bool, error) {
	w := y.(*EnumValue)
	eq := v.desc.Number() == w.desc.Number() && v.Type() == w.Type()
	switch op {
	case syntax.EQL:
		return eq, nil
	case syntax.NEQ:
		return !eq, nil
	}
	return false, fmt.Errorf("%s %s %s not supported: enum values compare only with == and !=", v.Type(), op, y.Type())
}
