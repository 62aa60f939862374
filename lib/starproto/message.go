package starproto

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/svccfg/svccfg/lib/k8s"
	"go.starlark.net/starlark"
	"go.starlark.net/syntax"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// A Message is a protobuf message seen from Starlark. Its attributes are the
// message's fields (a field named like a Starlark keyword takes a trailing
// underscore: from_); setting one writes into the message at once.
type Message struct {
	msg   protoreflect.Message
	group *group
	// parent and field are set while the message is the value of an unset
	// field read from parent: the first write into it makes it that field.
	parent *Message
	field  protoreflect.FieldDescriptor
}

var (
	_ starlark.HasSetField = (*Message)(nil)
	_ starlark.Comparable  = (*Message)(nil)
)

// NewMessage returns a Starlark value for m, which it shares: changes made
// through either are seen by the other.
func NewMessage(m proto.Message) *Message {
	return &Message{msg: m.ProtoReflect(), group: new(group)}
}

// AsMessage returns the protobuf message held by a Starlark message value.
// The message is shared, not copied.
func AsMessage(v starlark.Value) (proto.Message, bool) {
	if m, ok := v.(*Message); ok {
		return m.msg.Interface(), true
	}
	return nil, false
}

// MarshalJSON returns the message as JSON, so that json.encode and
// yaml.encode take messages: a Kubernetes message in Kubernetes' own JSON
// (a Quantity as "250m", an IntOrString as 8080), any other in protobuf
// JSON with the field names of the .proto files, in a stable layout.
func (m *Message) MarshalJSON() ([]byte, error) {
	data, ok, err := k8s.MarshalJSON(m.msg.Interface())
	if !ok {
		data, err = protojson.MarshalOptions{UseProtoNames: true}.Marshal(m.msg.Interface())
	}
	if err != nil {
		return nil, fmt.Errorf("encoding a %s as JSON: %v", m.Type(), err)
	}
	var b bytes.Buffer
	if err := json.Compact(&b, data); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// Reflect returns the message as a protoreflect.Message.
func (m *Message) Reflect() protoreflect.Message { return m.msg }

// String returns the message as a constructor call with its set fields, in
// field number order: `k8s.io.api.core.v1.ContainerPort(name = "http", containerPort = 80)`.
func (m *Message) String() string {
	var b strings.Builder
	writeMessage(&b, m.msg)
	return b.String()
}

// Type returns the message's full name, such as "k8s.io.api.apps.v1.Deployment".
func (m *Message) Type() string { return string(m.msg.Descriptor().FullName()) }

// Freeze makes the message, and every message it is part of, read-only.
func (m *Message) Freeze() { m.group.freeze() }

// Truth reports whether any field of the message is set: an unset message
// field reads as an empty, false message.
func (m *Message) Truth() starlark.Bool {
	empty := true
	m.msg.Range(func(protoreflect.FieldDescriptor, protoreflect.Value) bool {
		empty = false
		return false
	})
	return starlark.Bool(!empty)
}

// Hash returns an error: messages are mutable, so not hashable.
func (m *Message) Hash() (uint32, error) { return 0, fmt.Errorf("unhashable type: %s", m.Type()) }

// CompareSameType compares two messages of the same type field by field;
// only == and != are defined.
func (m *Message) CompareSameType(op syntax.Token, y starlark.Value, depth int) (bool, error) {
	eq := proto.Equal(m.msg.Interface(), y.(*Message).msg.Interface())
	switch op {
	case syntax.EQL:
		return eq, nil
	case syntax.NEQ:
		return !eq, nil
	}
	return false, fmt.Errorf("%s %s %s not supported: messages compare only with == and !=", m.Type(), op, y.Type())
}

// Attr returns the value of the field called name.
func (m *Message) Attr(name string) (starlark.Value, error) {
	fd := fieldByName(m.msg.Descriptor(), name)
	if fd == nil {
		return nil, starlark.NoSuchAttrError(fmt.Sprintf("%s has no field %q", m.Type(), name))
	}
	return toStarlark(m, fd), nil
}

// AttrNames returns the names of the message's fields, sorted.
func (m *Message) AttrNames() []string { return fieldNames(m.msg.Descriptor()) }

// SetField sets the field called name to v, or clears it when v is None.
func (m *Message) SetField(name string, v starlark.Value) error {
	md := m.msg.Descriptor()
	fd := fieldByName(md, name)
	if fd == nil {
		return starlark.NoSuchAttrError(fmt.Sprintf("%s has no field %q", m.Type(), name))
	}
	if err := m.checkMutable(); err != nil {
		return err
	}
	val, clear, err := writer{owner: m}.fieldValue(m.msg, fd, v)
	if err != nil {
		return messageError(m.Type(), inField(err, name))
	}
	m.set(fd, val, clear)
	return nil
}

// set sets or clears field fd, attaching m to its parent first.
func (m *Message) set(fd protoreflect.FieldDescriptor, val protoreflect.Value, clear bool) {
	if clear {
		if m.msg.Has(fd) {
			m.msg.Clear(fd)
		}
		return
	}
	m.attach()
	m.msg.Set(fd, val)
}

func (m *Message) checkMutable() error {
	if m.group.isFrozen() {
		return fmt.Errorf("cannot change a frozen %s (a module's globals are frozen once it is loaded: proto.clone makes a copy to change)", m.Type())
	}
	return nil
}

// attach makes m, the value of an unset field read from its parent, the
// parent's field, as the first write into it is about to happen. When the
// field was set through another read of it meanwhile, m becomes that value.
func (m *Message) attach() {
	p := m.parent
	if p == nil {
		return
	}
	p.attach()
	if p.msg.Has(m.field) {
		m.msg = p.msg.Get(m.field).Message()
	} else {
		p.msg.Set(m.field, protoreflect.ValueOfMessage(m.msg))
	}
	m.parent, m.field = nil, nil
}

// contains reports whether adding x under m would make a message contain
// itself: whether m, or an unattached parent it will be attached to, is x or
// is reachable from x. Only messages of a recursive type can.
func (m *Message) contains(x *Message) bool {
	if !recursive(m.msg.Descriptor()) {
		return false
	}
	for p := m; p != nil; p = p.parent {
		if p.msg.Interface() == x.msg.Interface() || reaches(x.msg, p.msg.Interface()) {
			return true
		}
	}
	return false
}

// reaches reports whether target is a message inside m.
func reaches(m protoreflect.Message, target proto.Message) bool {
	found := false
	var visit func(protoreflect.Message) bool
	visit = func(m protoreflect.Message) bool {
		if m.Interface() == target {
			found = true
			return false
		}
		m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
			switch {
			case fd.IsList() && fd.Message() != nil:
				l := v.List()
				for i := range l.Len() {
					if !visit(l.Get(i).Message()) {
						return false
					}
				}
			case fd.IsMap() && fd.MapValue().Message() != nil:
				v.Map().Range(func(_ protoreflect.MapKey, v protoreflect.Value) bool { return visit(v.Message()) })
			case !fd.IsList() && !fd.IsMap() && fd.Message() != nil:
				return visit(v.Message())
			}
			return !found
		})
		return !found
	}
	visit(m)
	return found
}

var recursiveTypes sync.Map // protoreflect.FullName -> bool

// recursive reports whether a message of type md can contain another
// message of type md.
func recursive(md protoreflect.MessageDescriptor) bool {
	if r, ok := recursiveTypes.Load(md.FullName()); ok {
		return r.(bool)
	}
	seen := make(map[protoreflect.FullName]bool)
	var reach func(protoreflect.MessageDescriptor) bool
	reach = func(d protoreflect.MessageDescriptor) bool {
		fields := d.Fields()
		for i := range fields.Len() {
			fd := fields.Get(i)
			if fd.IsMap() {
				fd = fd.MapValue()
			}
			sub := fd.Message()
			if sub == nil {
				continue
			}
			if sub.FullName() == md.FullName() {
				return true
			}
			if !seen[sub.FullName()] {
				seen[sub.FullName()] = true
				if reach(sub) {
					return true
				}
			}
		}
		return false
	}
	r := reach(md)
	recursiveTypes.Store(md.FullName(), r)
	return r
}

// fieldByName returns md's field called name, or name without the trailing
// underscore that a field named like a Starlark keyword takes.
func fieldByName(md protoreflect.MessageDescriptor, name string) protoreflect.FieldDescriptor {
	fields := md.Fields()
	if fd := fields.ByName(protoreflect.Name(name)); fd != nil {
		return fd
	}
	if base, ok := strings.CutSuffix(name, "_"); ok && isKeyword(base) {
		return fields.ByName(protoreflect.Name(base))
	}
	return nil
}

// fieldNames returns md's field names as Starlark spells them, sorted.
func fieldNames(md protoreflect.MessageDescriptor) []string {
	fields := md.Fields()
	names := make([]string, fields.Len())
	for i := range fields.Len() {
		names[i] = attrName(fields.Get(i))
	}
	slices.Sort(names)
	return names
}

// attrName returns the Starlark name of fd: its name, with an underscore
// after a Starlark keyword.
func attrName(fd protoreflect.FieldDescriptor) string {
	if n := string(fd.Name()); isKeyword(n) {
		return n + "_"
	}
	return string(fd.Name())
}

// isKeyword reports whether name is a Starlark keyword or reserved word, as
// skycfg lists them.
func isKeyword(name string) bool {
	switch name {
	case "and", "break", "continue", "def", "elif", "else", "for", "if", "in", "lambda", "load", "not", "or", "pass", "return",
		"as", "assert", "async", "await", "class", "del", "except", "finally", "from", "global", "import", "is", "nonlocal", "raise", "try", "while", "with", "yield":
		return true
	}
	return false
}

// A group is the set of messages, lists and maps that are parts of one tree:
// freezing any part freezes them all. Groups merge when a message is stored
// in another's tree (a union-find forest without path compression, so that
// reading a frozen group from several threads writes nothing).
type group struct {
	frozen bool
	up     *group
}

func (g *group) root() *group {
	for g.up != nil {
		g = g.up
	}
	return g
}

func (g *group) isFrozen() bool { return g.root().frozen }
func (g *group) freeze()        { g.root().frozen = true }

// join merges g into h's group.
func (g *group) join(h *group) {
	if r, s := g.root(), h.root(); r != s {
		r.up = s
	}
}

func frozenGroup() *group { return &group{frozen: true} }
