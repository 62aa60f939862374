package starproto

import (
	"fmt"
	"slices"
	"sync"

	"github.com/svccfg/svccfg/lib/diag"
	"go.starlark.net/starlark"
	"go.starlark.net/starlarkstruct"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
)

// A Registry is the set of message types visible to Starlark. It is safe for
// concurrent use; packages and message types are built once and shared.
type Registry struct {
	types    *protoregistry.Types
	packages []string                                          // sorted names of the packages with at least one message or enum
	decls    map[protoreflect.FullName][]protoreflect.FullName // package -> its top-level messages and enums
	module   *starlarkstruct.Module

	mu    sync.Mutex
	pkgs  map[protoreflect.FullName]*Package
	msgTs map[protoreflect.FullName]*MessageType
}

// NewRegistry returns a registry of types. Every message and enum in types is
// reachable through the proto module's package function.
func NewRegistry(types *protoregistry.Types) *Registry {
	r := &Registry{
		types: types,
		decls: make(map[protoreflect.FullName][]protoreflect.FullName),
		pkgs:  make(map[protoreflect.FullName]*Package),
		msgTs: make(map[protoreflect.FullName]*MessageType),
	}
	add := func(d protoreflect.Descriptor) {
		if _, top := d.Parent().(protoreflect.FileDescriptor); top {
			pkg := d.ParentFile().Package()
			r.decls[pkg] = append(r.decls[pkg], d.FullName())
		}
	}
	types.RangeMessages(func(mt protoreflect.MessageType) bool { add(mt.Descriptor()); return true })
	types.RangeEnums(func(et protoreflect.EnumType) bool { add(et.Descriptor()); return true })
	for p := range r.decls {
		r.packages = append(r.packages, string(p))
	}
	slices.Sort(r.packages)
	r.module = newModule(r)
	return r
}

// Module returns the Starlark proto module.
func (r *Registry) Module() *starlarkstruct.Module { return r.module }

// Types returns the registry's protobuf types.
func (r *Registry) Types() *protoregistry.Types { return r.types }

// Packages returns the sorted names of the registry's packages.
func (r *Registry) Packages() []string { return r.packages }

// Package returns the package called name.
func (r *Registry) Package(name string) (*Package, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	full := protoreflect.FullName(name)
	if p, ok := r.pkgs[full]; ok {
		return p, nil
	}
	decls, ok := r.decls[full]
	if !ok {
		msg := fmt.Sprintf("unknown package %q", name)
		if near := diag.Nearest(name, r.packages); near != "" {
			msg += fmt.Sprintf(" (did you mean %s?)", near)
		}
		return nil, fmt.Errorf("%s", msg)
	}
	p := &Package{name: full, attrs: make(map[string]starlark.Value, len(decls))}
	for _, d := range decls {
		v, err := r.typeValue(d)
		if err != nil {
			return nil, err
		}
		p.attrs[string(d.Name())] = v
		p.names = append(p.names, string(d.Name()))
	}
	slices.Sort(p.names)
	r.pkgs[full] = p
	return p, nil
}

// typeValue returns the Starlark value of the message type or enum called
// name; r.mu is held.
func (r *Registry) typeValue(name protoreflect.FullName) (starlark.Value, error) {
	if mt, err := r.types.FindMessageByName(name); err == nil {
		return r.messageType(mt), nil
	}
	if et, err := r.types.FindEnumByName(name); err == nil {
		return &EnumType{desc: et.Descriptor()}, nil
	}
	return nil, fmt.Errorf("unknown message or enum %q", name)
}

// messageType returns the Starlark type of mt, with its nested types; r.mu
// is held.
func (r *Registry) messageType(mt protoreflect.MessageType) *MessageType {
	md := mt.Descriptor()
	if t, ok := r.msgTs[md.FullName()]; ok {
		return t
	}
	t := &MessageType{desc: md, mt: mt, reg: r, attrs: make(map[string]starlark.Value)}
	r.msgTs[md.FullName()] = t
	msgs := md.Messages()
	for i := range msgs.Len() {
		nested := msgs.Get(i)
		if nested.IsMapEntry() {
			continue
		}
		if nmt, err := r.types.FindMessageByName(nested.FullName()); err == nil {
			t.attrs[string(nested.Name())] = r.messageType(nmt)
		}
	}
	enums := md.Enums()
	for i := range enums.Len() {
		t.attrs[string(enums.Get(i).Name())] = &EnumType{desc: enums.Get(i)}
	}
	for n := range t.attrs {
		t.names = append(t.names, n)
	}
	slices.Sort(t.names)
	return t
}

// MessageTypeOf returns the Starlark type of the message called name.
func (r *Registry) MessageTypeOf(name protoreflect.FullName) (*MessageType, error) {
	mt, err := r.types.FindMessageByName(name)
	if err != nil {
		return nil, fmt.Errorf("unknown message type %q", name)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.messageType(mt), nil
}

// A Package is a protobuf package seen from Starlark: its attributes are the
// package's message types and enums.
type Package struct {
	name  protoreflect.FullName
	attrs map[string]starlark.Value
	names []string
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
	return nil, noSuchType(string(p.name), name, p.names)
}

// AttrNames returns the sorted names of the package's types.
func (p *Package) AttrNames() []string { return p.names }

func noSuchType(in, name string, candidates []string) error {
	msg := fmt.Sprintf("%s has no message or enum %q", in, name)
	if near := diag.Nearest(name, candidates); near != "" {
		msg += fmt.Sprintf(" (did you mean %s?)", near)
	}
	return fmt.Errorf("%s", msg)
}
