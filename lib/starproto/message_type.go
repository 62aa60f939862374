package starproto

import (
	"fmt"

	"github.com/svccfg/svccfg/lib/diag"
	"go.starlark.net/starlark"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// A MessageType is a protobuf message type seen from Starlark. Calling it
// with keyword arguments, one per field, or with one dict of fields, returns
// a new message; its attributes are the nested message types and enums.
type MessageType struct {
	desc  protoreflect.MessageDescriptor
	mt    protoreflect.MessageType
	reg   *Registry
	attrs map[string]starlark.Value
	names []string
}

var (
	_ starlark.Callable = (*MessageType)(nil)
	_ starlark.HasAttrs = (*MessageType)(nil)
)

// Descriptor returns the message's descriptor.
func (t *MessageType) Descriptor() protoreflect.MessageDescriptor { return t.desc }

// String returns the type as `<proto.MessageType "full.Name">`.
func (t *MessageType) String() string { return fmt.Sprintf("<proto.MessageType %q>", t.Name()) }

// Type returns "proto.MessageType".
func (t *MessageType) Type() string { return "proto.MessageType" }

// Freeze does nothing: message types are immutable.
func (t *MessageType) Freeze() {}

// Truth returns true.
func (t *MessageType) Truth() starlark.Bool { return starlark.True }

// Hash returns an error: message types are not hashable.
func (t *MessageType) Hash() (uint32, error) { return 0, fmt.Errorf("unhashable type: %s", t.Type()) }

// Name returns the message's full name.
func (t *MessageType) Name() string { return string(t.desc.FullName()) }

// Attr returns the nested message type or enum called name.
func (t *MessageType) Attr(name string) (starlark.Value, error) {
	if v, ok := t.attrs[name]; ok {
		return v, nil
	}
	return nil, noSuchType(t.Name(), name, t.names)
}

// AttrNames returns the sorted names of the nested types.
func (t *MessageType) AttrNames() []string { return t.names }

// New returns a new, empty message of the type.
func (t *MessageType) New() *Message {
	return &Message{msg: t.mt.New(), group: new(group)}
}

// CallInternal builds a message from keyword arguments naming its fields, or
// from one dict of them.
func (t *MessageType) CallInternal(thread *starlark.Thread, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	m := t.New()
	w := writer{owner: m}
	switch {
	case len(args) > 1 || len(args) == 1 && len(kwargs) > 0:
		return nil, fmt.Errorf("%s: got %d positional arguments, want keyword arguments naming fields or one dict", t.Name(), len(args))
	case len(args) == 1:
		d, ok := args[0].(*starlark.Dict)
		if !ok {
			return nil, &ArgError{Index: 0, Err: fmt.Errorf("%s: got %s, want keyword arguments naming fields or one dict", t.Name(), typeOf(args[0]))}
		}
		if err := w.setFields(m.msg, d.Items()); err != nil {
			return nil, dictArgError(messageError(t.Name(), err))
		}
	default:
		for _, kv := range kwargs {
			name := string(kv[0].(starlark.String))
			fd := fieldByName(t.desc, name)
			if fd == nil {
				return nil, &ArgError{Name: name, Err: fmt.Errorf("%s: unknown field %q%s", t.Name(), name, fieldHint(t.desc, name))}
			}
			if err := w.setField(m.msg, fd, kv[1]); err != nil {
				return nil, messageError(t.Name(), inField(err, name))
			}
		}
	}
	if hook, ok := thread.Local(constructHookKey).(func(starlark.Value)); ok {
		hook(m)
	}
	return m, nil
}

// dictArgError makes an error about a field of the dict argument an error
// about the first positional argument, at that field.
func dictArgError(err error) error {
	if a, ok := err.(*ArgError); ok {
		return &ArgError{Index: 0, Path: append([]PathElem{{Field: a.Name}}, a.Path...), Err: a.Err, AtKey: a.AtKey}
	}
	return &ArgError{Index: 0, Err: err}
}

const constructHookKey = "svccfg.starproto.construct"

// SetConstructHook makes every message constructor call on thread pass the
// new message to hook.
func SetConstructHook(thread *starlark.Thread, hook func(starlark.Value)) {
	thread.SetLocal(constructHookKey, hook)
}

// unknownField describes name, at the end of a path, as a field that md
// does not have.
func unknownField(md protoreflect.MessageDescriptor, name string) string {
	return fmt.Sprintf("%s has no such field%s", md.FullName(), fieldHint(md, name))
}

// fieldHint suggests the field meant by name: the nearest field name, or
// the field of an embedded message that has it.
func fieldHint(md protoreflect.MessageDescriptor, name string) string {
	if near := diag.Nearest(name, fieldNames(md)); near != "" {
		return fmt.Sprintf(" (did you mean %s?)", near)
	}
	if outer := embeddingField(md, name); outer != nil {
		// Kubernetes inlines some structs in JSON (Probe's handler, say)
		// that the .proto files keep as a field.
		return fmt.Sprintf(" (it is a field of %s, a %s)", outer.Name(), outer.Message().FullName())
	}
	return ""
}

// embeddingField returns the message field of md whose own message type
// has a field called name, if there is exactly one.
func embeddingField(md protoreflect.MessageDescriptor, name string) protoreflect.FieldDescriptor {
	var found protoreflect.FieldDescriptor
	fields := md.Fields()
	for i := range fields.Len() {
		fd := fields.Get(i)
		if fd.Kind() != protoreflect.MessageKind || fd.IsList() || fd.IsMap() {
			continue
		}
		if fd.Message().Fields().ByName(protoreflect.Name(name)) != nil {
			if found != nil {
				return nil
			}
			found = fd
		}
	}
	return found
}
