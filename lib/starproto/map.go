package starproto

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"go.starlark.net/starlark"
	"go.starlark.net/syntax"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// A MapField is a map field of a message seen from Starlark: a dict whose
// keys and values are checked as they are set, and which writes into the
// message. It iterates in key order, and has the methods of a dict (get,
// keys, values, items, pop, setdefault, update, clear).
type MapField struct {
	owner *Message
	fd    protoreflect.FieldDescriptor
}

var (
	_ starlark.IterableMapping = (*MapField)(nil)
	_ starlark.HasSetKey       = (*MapField)(nil)
	_ starlark.HasAttrs        = (*MapField)(nil)
	_ starlark.Comparable      = (*MapField)(nil)
)

func (m *MapField) protoMap() protoreflect.Map { return m.owner.msg.Get(m.fd).Map() }

func (m *MapField) mutable() (protoreflect.Map, error) {
	if err := m.owner.checkMutable(); err != nil {
		return nil, err
	}
	m.owner.attach()
	return m.owner.msg.Mutable(m.fd).Map(), nil
}

// String returns the entries as a dict, in key order: `{"app": "web"}`.
func (m *MapField) String() string {
	var b strings.Builder
	writeMap(&b, m.fd, m.protoMap())
	return b.String()
}

// Type returns "map<K, V>".
func (m *MapField) Type() string {
	return "map<" + elemName(m.fd.MapKey()) + ", " + elemName(m.fd.MapValue()) + ">"
}

// Freeze freezes the message the field belongs to.
func (m *MapField) Freeze() { m.owner.Freeze() }

// Truth reports whether the map has entries.
func (m *MapField) Truth() starlark.Bool { return m.Len() > 0 }

// Hash returns an error: maps are not hashable.
func (m *MapField) Hash() (uint32, error) { return 0, fmt.Errorf("unhashable type: %s", m.Type()) }

// Len returns the number of entries.
func (m *MapField) Len() int { return m.protoMap().Len() }

// keys returns the map's keys, sorted.
func (m *MapField) keys() []protoreflect.MapKey {
	mp := m.protoMap()
	keys := make([]protoreflect.MapKey, 0, mp.Len())
	mp.Range(func(k protoreflect.MapKey, _ protoreflect.Value) bool {
		keys = append(keys, k)
		return true
	})
	slices.SortFunc(keys, compareKeys)
	return keys
}

func compareKeys(a, b protoreflect.MapKey) int {
	switch x := a.Interface().(type) {
	case string:
		return strings.Compare(x, b.String())
	case bool:
		if x == b.Bool() {
			return 0
		} else if x {
			return 1
		}
		return -1
	case int32, int64:
		return cmp.Compare(a.Int(), b.Int())
	}
	return cmp.Compare(a.Uint(), b.Uint())
}

func (m *MapField) keyValue(k protoreflect.MapKey) starlark.Value {
	return scalarToStarlark(m.fd.MapKey(), k.Value())
}

// Get returns the value of key k.
func (m *MapField) Get(k starlark.Value) (starlark.Value, bool, error) {
	key, err := (writer{}).scalar(m.fd.MapKey(), k, nil)
	if err != nil {
		return nil, false, nil // a key of another type is absent
	}
	v := m.protoMap().Get(key.MapKey())
	if !v.IsValid() {
		return nil, false, nil
	}
	return elemToStarlark(m.owner, m.fd.MapValue(), v), true, nil
}

// SetKey sets the value of key k to v.
func (m *MapField) SetKey(k, v starlark.Value) error {
	// Check the entry into a scratch map, then write it.
	scratch := m.owner.msg.NewField(m.fd).Map()
	if err := (writer{owner: m.owner}).setMapEntry(scratch, m.fd, k, v); err != nil {
		return messageError(m.owner.Type(), inField(err, attrName(m.fd)))
	}
	mp, err := m.mutable()
	if err != nil {
		return err
	}
	scratch.Range(func(key protoreflect.MapKey, val protoreflect.Value) bool {
		mp.Set(key, val)
		return true
	})
	return nil
}

// Items returns the entries in key order.
func (m *MapField) Items() []starlark.Tuple {
	mp := m.protoMap()
	keys := m.keys()
	items := make([]starlark.Tuple, len(keys))
	for i, k := range keys {
		items[i] = starlark.Tuple{m.keyValue(k), elemToStarlark(m.owner, m.fd.MapValue(), mp.Get(k))}
	}
	return items
}

// Iterate iterates over the keys in order.
func (m *MapField) Iterate() starlark.Iterator {
	keys := m.keys()
	elems := make([]starlark.Value, len(keys))
	for i, k := range keys {
		elems[i] = m.keyValue(k)
	}
	return starlark.NewList(elems).Iterate()
}

// CompareSameType compares two maps entry by entry.
func (m *MapField) CompareSameType(op syntax.Token, y starlark.Value, depth int) (bool, error) {
	return starlark.CompareDepth(op, m.dict(), y.(*MapField).dict(), depth-1)
}

// dict returns the entries as a new dict.
func (m *MapField) dict() *starlark.Dict {
	d := starlark.NewDict(m.Len())
	for _, kv := range m.Items() {
		d.SetKey(kv[0], kv[1])
	}
	return d
}

var mapMethods = []string{"clear", "get", "items", "keys", "pop", "setdefault", "update", "values"}

// Attr returns the dict method called name.
func (m *MapField) Attr(name string) (starlark.Value, error) {
	if !slices.Contains(mapMethods, name) {
		return nil, nil
	}
	return starlark.NewBuiltin(name, func(_ *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
		return m.call(fn, args, kwargs)
	}), nil
}

// AttrNames returns the names of the dict methods.
func (m *MapField) AttrNames() []string { return mapMethods }

func (m *MapField) call(fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	switch fn.Name() {
	case "clear":
		if err := starlark.UnpackPositionalArgs(fn.Name(), args, kwargs, 0); err != nil {
			return nil, err
		}
		if err := m.owner.checkMutable(); err != nil {
			return nil, err
		}
		if m.Len() > 0 {
			m.owner.msg.Clear(m.fd)
		}
		return starlark.None, nil
	case "get":
		var k, dflt starlark.Value = nil, starlark.None
		if err := starlark.UnpackPositionalArgs(fn.Name(), args, kwargs, 1, &k, &dflt); err != nil {
			return nil, err
		}
		if v, found, _ := m.Get(k); found {
			return v, nil
		}
		return dflt, nil
	case "items", "keys", "values":
		if err := starlark.UnpackPositionalArgs(fn.Name(), args, kwargs, 0); err != nil {
			return nil, err
		}
		var out []starlark.Value
		for _, kv := range m.Items() {
			switch fn.Name() {
			case "items":
				out = append(out, kv)
			case "keys":
				out = append(out, kv[0])
			default:
				out = append(out, kv[1])
			}
		}
		return starlark.NewList(out), nil
	case "pop":
		var k, dflt starlark.Value
		if err := starlark.UnpackPositionalArgs(fn.Name(), args, kwargs, 1, &k, &dflt); err != nil {
			return nil, err
		}
		v, found, _ := m.Get(k)
		if !found {
			if dflt != nil {
				return dflt, nil
			}
			return nil, fmt.Errorf("pop: missing key %s", k)
		}
		mp, err := m.mutable()
		if err != nil {
			return nil, err
		}
		key, _ := (writer{}).scalar(m.fd.MapKey(), k, nil)
		mp.Clear(key.MapKey())
		return v, nil
	case "setdefault":
		var k, dflt starlark.Value = nil, starlark.None
		if err := starlark.UnpackPositionalArgs(fn.Name(), args, kwargs, 1, &k, &dflt); err != nil {
			return nil, err
		}
		if v, found, _ := m.Get(k); found {
			return v, nil
		}
		if err := m.SetKey(k, dflt); err != nil {
			return nil, err
		}
		v, _, _ := m.Get(k)
		return v, nil
	}
	// update
	var other starlark.Value = starlark.None
	if err := starlark.UnpackPositionalArgs(fn.Name(), args, nil, 0, &other); err != nil {
		return nil, err
	}
	if other != starlark.None {
		mapping, ok := other.(starlark.IterableMapping)
		if !ok {
			return nil, fmt.Errorf("update: got %s, want a dict", other.Type())
		}
		for _, kv := range mapping.Items() {
			if err := m.SetKey(kv[0], kv[1]); err != nil {
				return nil, err
			}
		}
	}
	for _, kv := range kwargs {
		if err := m.SetKey(kv[0], kv[1]); err != nil {
			return nil, err
		}
	}
	return starlark.None, nil
}
