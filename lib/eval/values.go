package eval

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/svccfg/svccfg/lib/diag"
	"github.com/svccfg/svccfg/lib/starproto"
	"go.starlark.net/starlark"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// A Unit is what service() and cron() return: the Kubernetes objects and
// Envoy resources of one service or job, not yet converted, so that a
// configuration may still adjust them. Its Starlark type is its kind.
type Unit struct {
	Kind      string // "service" or "cron"
	Name      string
	Namespace string
	Objects   *starlark.List // of Kubernetes object messages
	Envoy     *starlark.List // of Envoy resource messages
	Calls     []string       // the services a service calls, as "name.namespace"
	Pos       diag.Position  // the call in the configuration that made it
	Stack     []diag.Frame   // the callers of the function that made the call, innermost first
}

var _ starlark.HasAttrs = (*Unit)(nil)

// String returns the unit as `service("name")`.
func (u *Unit) String() string { return fmt.Sprintf("%s(%q)", u.Kind, u.Name) }

// Type returns the unit's kind.
func (u *Unit) Type() string { return u.Kind }

// Freeze freezes the unit's lists.
func (u *Unit) Freeze() { u.Objects.Freeze(); u.Envoy.Freeze() }

// Truth returns true.
func (u *Unit) Truth() starlark.Bool { return starlark.True }

// Hash returns an error: units are not hashable.
func (u *Unit) Hash() (uint32, error) { return 0, fmt.Errorf("unhashable type: %s", u.Kind) }

// Attr returns name, namespace, objects, envoy or the method object.
func (u *Unit) Attr(name string) (starlark.Value, error) {
	switch name {
	case "object":
		return starlark.NewBuiltin("object", u.object).BindReceiver(u), nil
	case "name":
		return starlark.String(u.Name), nil
	case "namespace":
		return starlark.String(u.Namespace), nil
	case "objects":
		return u.Objects, nil
	case "envoy":
		return u.Envoy, nil
	}
	return nil, nil
}

// AttrNames returns the unit's attribute names.
func (u *Unit) AttrNames() []string {
	return []string{"envoy", "name", "namespace", "object", "objects"}
}

// object is the method unit.object(kind, name = None): it returns the one
// Kubernetes object or Envoy resource of the unit whose message type is
// kind, by its name ("Deployment", "Cluster") or full name
// ("k8s.io.api.apps.v1.Deployment"), and whose name is name if given, so
// that a configuration or a prelude can adjust it in place. None, or more
// than one, is an error that names the kinds (or the names) the unit holds.
func (u *Unit) object(_ *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var kind, name string
	if err := starlark.UnpackArgs(fn.Name(), args, kwargs, "kind", &kind, "name?", &name); err != nil {
		return nil, err
	}
	var found []starlark.Value
	var kinds, names []string
	for _, list := range []*starlark.List{u.Objects, u.Envoy} {
		for i := range list.Len() {
			v := list.Index(i)
			m, ok := starproto.AsMessage(v)
			if !ok {
				continue
			}
			desc := m.ProtoReflect().Descriptor()
			kinds = append(kinds, string(desc.Name()))
			if string(desc.Name()) != kind && string(desc.FullName()) != kind {
				continue
			}
			n := messageName(m.ProtoReflect())
			names = append(names, n)
			if name == "" || n == name {
				found = append(found, v)
			}
		}
	}
	slices.Sort(kinds)
	kinds = slices.Compact(kinds)
	what := fmt.Sprintf("of kind %q", kind)
	if name != "" {
		what = fmt.Sprintf("of kind %q named %q", kind, name)
	}
	switch {
	case len(found) == 1:
		return found[0], nil
	case len(found) > 1:
		return nil, fmt.Errorf("%s: %s has %d objects %s (%s); pick one with its name, such as object(%q, name = %q)", fn.Name(), u, len(found), what, strings.Join(names, ", "), kind, names[0])
	case len(kinds) == 0:
		return nil, fmt.Errorf("%s: %s has no objects, so none %s", fn.Name(), u, what)
	case len(names) > 0:
		msg := fmt.Sprintf("%s: %s has no object %s; those of that kind are named %s", fn.Name(), u, what, strings.Join(names, ", "))
		if near := diag.Nearest(name, names); near != "" {
			msg += fmt.Sprintf(" (did you mean %q?)", near)
		}
		return nil, errors.New(msg)
	}
	msg := fmt.Sprintf("%s: %s has no object of kind %q; it has %s", fn.Name(), u, kind, strings.Join(kinds, ", "))
	if near := diag.Nearest(kind, kinds); near != "" {
		msg += fmt.Sprintf(" (did you mean %s?)", near)
	}
	return nil, errors.New(msg)
}

// messageName returns the name of a Kubernetes object (its metadata.name)
// or of an Envoy resource (its name).
func messageName(m protoreflect.Message) string {
	fields := m.Descriptor().Fields()
	if md := fields.ByName("metadata"); md != nil && md.Message() != nil {
		if n := md.Message().Fields().ByName("name"); n != nil {
			return m.Get(md).Message().Get(n).String()
		}
	}
	if n := fields.ByName("name"); n != nil && n.Kind() == protoreflect.StringKind {
		return m.Get(n).String()
	}
	return ""
}

// A Command is a process to run, as einhorn() returns it: an argv list and
// the port it listens on, if any.
type Command struct {
	Argv *starlark.List
	Port starlark.Value // an int or None
}

var _ starlark.HasAttrs = (*Command)(nil)

// String returns the command as `Command(argv = [...], port = N)`.
func (c *Command) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Command(argv = %s, port = %s)", c.Argv, c.Port)
	return b.String()
}

// Type returns "Command".
func (c *Command) Type() string { return "Command" }

// Freeze freezes the argv list.
func (c *Command) Freeze() { c.Argv.Freeze() }

// Truth returns true.
func (c *Command) Truth() starlark.Bool { return starlark.True }

// Hash returns an error: commands are not hashable.
func (c *Command) Hash() (uint32, error) { return 0, fmt.Errorf("unhashable type: Command") }

// Attr returns argv or port.
func (c *Command) Attr(name string) (starlark.Value, error) {
	switch name {
	case "argv":
		return c.Argv, nil
	case "port":
		return c.Port, nil
	}
	return nil, nil
}

// AttrNames returns the command's attribute names.
func (c *Command) AttrNames() []string { return []string{"argv", "port"} }
