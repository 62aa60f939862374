package starproto

import (
	"fmt"
	"strings"

	"github.com/svccfg/svccfg/lib/diag"
	"go.starlark.net/starlark"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// A MessageType is a protobuf message type seen from Starlark. Calling it
// with keyword arguments, one per field, returns a new message; its
// attributes are the nested message types and enums.
type MessageType struct {
	desc  protoreflect.MessageDescriptor
	inner interface {
		starlark.Callable
		starlark.HasAttrs
	}
	attrs map[string]starlark.Value
	reg   *Registry
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
	return nil, noSuchType(t.Name(), name, t.AttrNames())
}

// AttrNames returns the names of the nested types.
func (t *MessageType) AttrNames() []string { return t.inner.AttrNames() }

// CallInternal builds a message from keyword arguments, converting
// convenient values (see [Registry.convert]) before skycfg checks them.
func (t *MessageType) CallInternal(thread *starlark.Thread, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	if len(args) > 0 {
		return nil, fmt.Errorf("%s: got %d positional arguments, want keyword arguments naming fields", t.Name(), len(args))
	}
	converted := make([]starlark.Tuple, len(kwargs))
	fields := make([]protoreflect.FieldDescriptor, len(kwargs))
	for i, kv := range kwargs {
		name := string(kv[0].(starlark.String))
		fd := t.field(name)
		if fd == nil {
			return nil, &ArgError{Name: name, Err: t.unknownField(name)}
		}
		v, err := t.reg.convert(fd, kv[1])
		if err != nil {
			return nil, &ArgError{Name: name, Err: fmt.Errorf("%s: for field %s: %w", t.Name(), name, err)}
		}
		fields[i], converted[i] = fd, starlark.Tuple{kv[0], v}
	}
	msg, err := starlark.Call(thread, t.inner, nil, converted)
	if err == nil {
		if hook, ok := thread.Local(constructHookKey).(func(starlark.Value)); ok {
			hook(msg)
		}
		return msg, nil
	}
	// skycfg's errors do not say which field was wrong: find it by setting
	// the fields one at a time.
	for i, kv := range converted {
		if _, ferr := starlark.Call(thread, t.inner, nil, []starlark.Tuple{kv}); ferr != nil {
			name := kv[0].(starlark.String).GoString()
			return nil, &ArgError{Name: name, Err: fmt.Errorf("%s: for field %s: %s", t.Name(), name, fieldError(fields[i], kv[1], ferr))}
		}
	}
	return nil, fmt.Errorf("%s: %s", t.Name(), CleanMessage(err.Error()))
}

const constructHookKey = "svccfg.starproto.construct"

// SetConstructHook makes every message constructor call on thread pass the
// new message to hook.
func SetConstructHook(thread *starlark.Thread, hook func(starlark.Value)) {
	thread.SetLocal(constructHookKey, hook)
}

// field returns the field called name (or name_ for a Starlark keyword).
func (t *MessageType) field(name string) protoreflect.FieldDescriptor {
	fields := t.desc.Fields()
	if fd := fields.ByName(protoreflect.Name(name)); fd != nil {
		return fd
	}
	if base, ok := strings.CutSuffix(name, "_"); ok {
		return fields.ByName(protoreflect.Name(base))
	}
	return nil
}

func (t *MessageType) unknownField(name string) error {
	fields := t.desc.Fields()
	names := make([]string, fields.Len())
	for i := range fields.Len() {
		names[i] = string(fields.Get(i).Name())
	}
	msg := fmt.Sprintf("%s: unknown field %q", t.Name(), name)
	if near := diag.Nearest(name, names); near != "" {
		msg += fmt.Sprintf(" (did you mean %s?)", near)
	} else if outer := embeddingField(t.desc, name); outer != nil {
		// Kubernetes inlines some structs in JSON (Probe's handler, say)
		// that the .proto files keep as a field.
		msg += fmt.Sprintf(" (it is a field of %s, a %s)", outer.Name(), outer.Message().FullName())
	}
	return fmt.Errorf("%s", msg)
}

// fieldError describes why v cannot be assigned to fd.
func fieldError(fd protoreflect.FieldDescriptor, v starlark.Value, err error) string {
	if strings.Contains(err.Error(), "can't be assigned") {
		return fmt.Sprintf("got %s, want %s", v.Type(), TypeName(fd))
	}
	return CleanMessage(err.Error())
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
	return fd.Kind().String()
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
