// Package starproto gives Starlark typed protobuf messages: it drives skycfg's
// proto module over a registry of the Kubernetes and Envoy types, caches the
// packages it exposes, and adds the conversions that make those messages easy
// to write in a constructor call (an int or string for an IntOrString, a
// string for a Quantity or a Duration, an enum value by its name), with
// errors that name the message type and field.
package starproto

import (
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/stripe/skycfg/go/protomodule"
	"github.com/svccfg/svccfg/lib/diag"
	"go.starlark.net/starlark"
	"go.starlark.net/starlarkstruct"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
)

// A Registry is the set of message types visible to Starlark. It is safe for
// concurrent use; packages are built once and shared.
type Registry struct {
	types    *protoregistry.Types
	packages []string // sorted names of the packages with at least one message or enum
	module   *starlarkstruct.Module

	mu   sync.Mutex
	pkgs map[protoreflect.FullName]*Package
}

// NewRegistry returns a registry of types. Every message and enum in types is
// reachable through the proto module's package function.
func NewRegistry(types *protoregistry.Types) *Registry {
	r := &Registry{types: types, pkgs: make(map[protoreflect.FullName]*Package)}
	seen := make(map[string]bool)
	types.RangeMessages(func(mt protoreflect.MessageType) bool {
		seen[string(mt.Descriptor().ParentFile().Package())] = true
		return true
	})
	types.RangeEnums(func(et protoreflect.EnumType) bool {
		seen[string(et.Descriptor().ParentFile().Package())] = true
		return true
	})
	for p := range seen {
		r.packages = append(r.packages, p)
	}
	slices.Sort(r.packages)

	inner := protomodule.NewModule(types)
	members := make(starlark.StringDict, len(inner.Members))
	for k, v := range inner.Members {
		members[k] = v
	}
	members["package"] = starlark.NewBuiltin("proto.package", r.packageFn)
	r.module = &starlarkstruct.Module{Name: "proto", Members: members}
	return r
}

// Module returns the Starlark proto module: skycfg's, with package replaced
// by one that returns this registry's cached, converting packages.
func (r *Registry) Module() *starlarkstruct.Module { return r.module }

// Types returns the registry's protobuf types.
func (r *Registry) Types() *protoregistry.Types { return r.types }

// Packages returns the sorted names of the registry's packages.
func (r *Registry) Packages() []string { return r.packages }

func (r *Registry) packageFn(thread *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var name string
	if err := starlark.UnpackPositionalArgs(fn.Name(), args, kwargs, 1, &name); err != nil {
		return nil, err
	}
	pkg, err := r.Package(name)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", fn.Name(), err)
	}
	return pkg, nil
}

// Package returns the package called name.
func (r *Registry) Package(name string) (*Package, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if p, ok := r.pkgs[protoreflect.FullName(name)]; ok {
		return p, nil
	}
	if _, found := slices.BinarySearch(r.packages, name); !found {
		msg := fmt.Sprintf("unknown package %q", name)
		if near := diag.Nearest(name, r.packages); near != "" {
			msg += fmt.Sprintf(" (did you mean %s?)", near)
		}
		return nil, fmt.Errorf("%s", msg)
	}
	p := &Package{
		name:  protoreflect.FullName(name),
		inner: protomodule.NewProtoPackage(r.types, protoreflect.FullName(name)),
		attrs: make(map[string]starlark.Value),
		reg:   r,
	}
	for _, n := range p.inner.AttrNames() {
		v, err := p.inner.Attr(n)
		if err != nil {
			return nil, err
		}
		p.attrs[n] = r.wrap(v, p.name.Append(protoreflect.Name(n)))
	}
	r.pkgs[p.name] = p
	return p, nil
}

// wrap returns v, a skycfg message type, as a [*MessageType]; other values
// (enum types) are returned unchanged.
func (r *Registry) wrap(v starlark.Value, name protoreflect.FullName) starlark.Value {
	inner, ok := v.(interface {
		starlark.Callable
		starlark.HasAttrs
	})
	if !ok {
		return v
	}
	mt, err := r.types.FindMessageByName(name)
	if err != nil {
		return v
	}
	t := &MessageType{desc: mt.Descriptor(), inner: inner, reg: r, attrs: make(map[string]starlark.Value)}
	for _, n := range inner.AttrNames() {
		a, err := inner.Attr(n)
		if err != nil {
			continue
		}
		t.attrs[n] = r.wrap(a, name.Append(protoreflect.Name(n)))
	}
	return t
}

// MessageTypeOf returns the Starlark type of the message called name.
func (r *Registry) MessageTypeOf(name protoreflect.FullName) (*MessageType, error) {
	desc, err := r.types.FindMessageByName(name)
	if err != nil {
		return nil, fmt.Errorf("unknown message type %q", name)
	}
	var path []string
	var parent protoreflect.Descriptor = desc.Descriptor()
	for ; ; parent = parent.Parent() {
		if _, ok := parent.(protoreflect.FileDescriptor); ok {
			break
		}
		path = append(path, string(parent.Name()))
	}
	pkg, err := r.Package(string(parent.(protoreflect.FileDescriptor).Package()))
	if err != nil {
		return nil, err
	}
	var v starlark.Value = pkg
	for _, name := range slices.Backward(path) {
		v, err = v.(starlark.HasAttrs).Attr(name)
		if err != nil {
			return nil, err
		}
	}
	return v.(*MessageType), nil
}

// enumValue returns skycfg's Starlark value of the enum value called name.
func (r *Registry) enumValue(ed protoreflect.EnumDescriptor, name string) (starlark.Value, error) {
	var owner starlark.HasAttrs
	switch parent := ed.Parent().(type) {
	case protoreflect.MessageDescriptor:
		t, err := r.MessageTypeOf(parent.FullName())
		if err != nil {
			return nil, err
		}
		owner = t
	default:
		p, err := r.Package(string(ed.ParentFile().Package()))
		if err != nil {
			return nil, err
		}
		owner = p
	}
	et, err := owner.Attr(string(ed.Name()))
	if err != nil {
		return nil, err
	}
	return et.(starlark.HasAttrs).Attr(name)
}

// AsMessage returns the protobuf message held by a Starlark message value.
func AsMessage(v starlark.Value) (proto.Message, bool) {
	return protomodule.AsProtoMessage(v)
}

// NewMessage returns a Starlark value holding a copy of m.
func NewMessage(m proto.Message) (starlark.Value, error) {
	return protomodule.NewMessage(m)
}

// A Package is a protobuf package seen from Starlark: its attributes are the
// package's message types and enums.
type Package struct {
	name  protoreflect.FullName
	inner starlark.HasAttrs
	attrs map[string]starlark.Value
	reg   *Registry
}

var _ starlark.HasAttrs = (*Package)(nil)

// String returns the package as `<proto.Package "name">`.
func (p *Package) String() string { return fmt.Sprintf("<proto.Package %q>", string(p.name)) }

// Type returns "proto.Package".
func (p *Package) Type() string { return "proto.Package" }

// Freeze does nothing: packages are immutable.
func (p *Package) Freeze() {}

// Truth returns true.
func (p *Package) Truth() starlark.Bool { return starlark.True }

// Hash returns an error: packages are not hashable.
func (p *Package) Hash() (uint32, error) { return 0, fmt.Errorf("unhashable type: %s", p.Type()) }

// Attr returns the message type or enum called name.
func (p *Package) Attr(name string) (starlark.Value, error) {
	if v, ok := p.attrs[name]; ok {
		return v, nil
	}
	return nil, noSuchType(string(p.name), name, p.AttrNames())
}

// AttrNames returns the sorted names of the package's types.
func (p *Package) AttrNames() []string { return p.inner.AttrNames() }

func noSuchType(in, name string, candidates []string) error {
	msg := fmt.Sprintf("%s has no message or enum %q", in, name)
	if near := diag.Nearest(name, candidates); near != "" {
		msg += fmt.Sprintf(" (did you mean %s?)", near)
	}
	return fmt.Errorf("%s", msg)
}

// CleanMessage rewrites an error message from skycfg's proto module into
// svccfg's dialect: no "TypeError:" style prefix, no trailing period.
func CleanMessage(msg string) string {
	for _, p := range []string{"TypeError: ", "ValueError: ", "AttributeError: "} {
		msg = strings.ReplaceAll(msg, p, "")
	}
	return strings.TrimSuffix(msg, ".")
}

// An ArgError is an error in one argument of a call: the keyword argument
// called Name, or else the positional argument at Index. Error positions
// point at the argument rather than at the call.
type ArgError struct {
	Name  string
	Index int
	Err   error
}

// Error returns the underlying error's message.
func (e *ArgError) Error() string { return e.Err.Error() }

// Unwrap returns the underlying error.
func (e *ArgError) Unwrap() error { return e.Err }
