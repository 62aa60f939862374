package starproto

import (
	"fmt"
	"strings"
	"time"

	"github.com/svccfg/svccfg/lib/diag"
	"go.starlark.net/starlark"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/known/durationpb"
	"k8s.io/apimachinery/pkg/api/resource"
)

// Message types with a convenient Starlark spelling.
const (
	intOrStringName protoreflect.FullName = "k8s.io.apimachinery.pkg.util.intstr.IntOrString"
	quantityName    protoreflect.FullName = "k8s.io.apimachinery.pkg.api.resource.Quantity"
	durationName    protoreflect.FullName = "google.protobuf.Duration"
)

// convert returns v in the form skycfg accepts for field fd:
//   - an int or a string for an IntOrString (`targetPort = 8080`),
//   - a string or int for a Quantity (`cpu = "250m"`), checked by Kubernetes' parser,
//   - a string for a Duration (`timeout = "1.5s"`), in Go's duration syntax,
//   - an enum value's name for an enum (`lb_policy = "LEAST_REQUEST"`),
//   - a tuple for a repeated field,
//
// and the same, element by element, for lists and map values.
// Other values are returned unchanged for skycfg to check.
func (r *Registry) convert(fd protoreflect.FieldDescriptor, v starlark.Value) (starlark.Value, error) {
	switch {
	case fd.IsMap():
		d, ok := v.(*starlark.Dict)
		if !ok || !convertible(fd.MapValue()) {
			return v, nil
		}
		out := starlark.NewDict(d.Len())
		for _, kv := range d.Items() {
			e, err := r.convertScalar(fd.MapValue(), kv[1])
			if err != nil {
				return nil, fmt.Errorf("for key %s: %w", kv[0], err)
			}
			out.SetKey(kv[0], e)
		}
		return out, nil
	case fd.IsList():
		seq, ok := v.(starlark.Indexable)
		if !ok {
			return v, nil
		}
		if _, isList := v.(*starlark.List); isList && !convertible(fd) {
			return v, nil
		}
		if _, isTuple := v.(starlark.Tuple); !isTuple {
			if _, isList := v.(*starlark.List); !isList {
				return v, nil
			}
		}
		elems := make([]starlark.Value, seq.Len())
		for i := range elems {
			e, err := r.convertScalar(fd, seq.Index(i))
			if err != nil {
				return nil, fmt.Errorf("at index %d: %w", i, err)
			}
			elems[i] = e
		}
		return starlark.NewList(elems), nil
	}
	return r.convertScalar(fd, v)
}

// convertible reports whether convertScalar may change a value for fd.
func convertible(fd protoreflect.FieldDescriptor) bool {
	switch fd.Kind() {
	case protoreflect.EnumKind:
		return true
	case protoreflect.MessageKind:
		switch fd.Message().FullName() {
		case intOrStringName, quantityName, durationName:
			return true
		}
	}
	return false
}

func (r *Registry) convertScalar(fd protoreflect.FieldDescriptor, v starlark.Value) (starlark.Value, error) {
	switch fd.Kind() {
	case protoreflect.EnumKind:
		if s, ok := v.(starlark.String); ok {
			return r.enumByName(fd.Enum(), string(s))
		}
	case protoreflect.MessageKind:
		switch fd.Message().FullName() {
		case intOrStringName:
			return r.intOrString(v)
		case quantityName:
			return r.quantity(v)
		case durationName:
			if s, ok := v.(starlark.String); ok {
				return duration(string(s))
			}
		}
	}
	return v, nil
}

func (r *Registry) enumByName(ed protoreflect.EnumDescriptor, name string) (starlark.Value, error) {
	values := ed.Values()
	if values.ByName(protoreflect.Name(name)) == nil {
		names := make([]string, values.Len())
		for i := range values.Len() {
			names[i] = string(values.Get(i).Name())
		}
		msg := fmt.Sprintf("%q is not a value of %s", name, ed.FullName())
		if near := diag.Nearest(name, names); near != "" {
			msg += fmt.Sprintf(" (did you mean %s?)", near)
		} else {
			msg += fmt.Sprintf(" (one of %s)", strings.Join(names, ", "))
		}
		return nil, fmt.Errorf("%s", msg)
	}
	return r.enumValue(ed, name)
}

// intOrString builds an IntOrString from an int or a string.
func (r *Registry) intOrString(v starlark.Value) (starlark.Value, error) {
	m, err := r.newMessage(intOrStringName)
	if err != nil {
		return nil, err
	}
	fields := m.Descriptor().Fields()
	switch v := v.(type) {
	case starlark.Int:
		i, ok := v.Int64()
		if !ok || i != int64(int32(i)) {
			return nil, fmt.Errorf("%s out of range for an int32", v)
		}
		m.Set(fields.ByName("type"), protoreflect.ValueOfInt64(0))
		m.Set(fields.ByName("intVal"), protoreflect.ValueOfInt32(int32(i)))
	case starlark.String:
		m.Set(fields.ByName("type"), protoreflect.ValueOfInt64(1))
		m.Set(fields.ByName("strVal"), protoreflect.ValueOfString(string(v)))
	default:
		return v, nil // a message, or a type error for skycfg to report
	}
	return NewMessage(m.Interface())
}

// quantity builds a Quantity from a string such as "250m" or "16Gi", or an int.
func (r *Registry) quantity(v starlark.Value) (starlark.Value, error) {
	var s string
	switch v := v.(type) {
	case starlark.String:
		s = string(v)
	case starlark.Int:
		s = v.String()
	default:
		return v, nil
	}
	q, err := resource.ParseQuantity(s)
	if err != nil {
		return nil, fmt.Errorf("invalid quantity %q: want a number with an optional suffix such as 250m or 16Gi", s)
	}
	m, err := r.newMessage(quantityName)
	if err != nil {
		return nil, err
	}
	m.Set(m.Descriptor().Fields().ByName("string"), protoreflect.ValueOfString(q.String()))
	return NewMessage(m.Interface())
}

func duration(s string) (starlark.Value, error) {
	d, err := time.ParseDuration(s)
	if err != nil {
		return nil, fmt.Errorf("invalid duration %q: want a number with a unit such as 250ms, 1.5s or 2m", s)
	}
	return NewMessage(durationpb.New(d))
}

func (r *Registry) newMessage(name protoreflect.FullName) (protoreflect.Message, error) {
	mt, err := r.types.FindMessageByName(name)
	if err != nil {
		return nil, fmt.Errorf("message type %s is not registered", name)
	}
	return mt.New(), nil
}
