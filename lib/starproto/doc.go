// Package starproto gives Starlark typed protobuf messages, the values of the
// eval phase: a write-through binding of protoreflect messages (in the
// manner of go.starlark.net/lib/proto) with skycfg's Starlark surface
// (proto.package, message constructors, proto.merge and its siblings).
//
// A [*Message] wraps a protoreflect.Message and writes into it as fields are
// set, so a message is converted once, as it is built, and a child message of
// the right type is checked by its type alone, not re-validated. Messages are
// written the way Python protobuf and skycfg's examples write them:
//
//   - reading an unset message field returns an empty sub-message attached to
//     its parent: it becomes the parent's field when something is written
//     into it, so d.spec.template.spec.securityContext.runAsNonRoot = True
//     works on a fresh Deployment (and an empty message is false);
//   - repeated and map fields read as list- and dict-like views of the
//     message, so c.ports.append(p) works on a fresh container;
//   - a dict is accepted wherever a message is, recursively, and a list of
//     dicts for a repeated message field;
//   - an int or string is accepted for an IntOrString, a string (or int) for
//     a Quantity, a string such as "1.5s" for a Duration, a scalar for a
//     wrapper type (google.protobuf.UInt32Value), any message for a
//     google.protobuf.Any, and an enum value's name or number for an enum.
//
// Messages are shared by reference: assigning a message to a field, a list
// element or a map value stores that message, not a copy, except that a
// frozen message (a module's global) is copied so that it stays unchanged.
// Every error names the message type, the full path of the field inside the
// value and what was wrong ("k8s.io.api.apps.v1.Deployment:
// spec.template.spec.containers[0].ports[0].containerPort: got string, want
// int32"); an [*ArgError] tells the evaluator which argument, and where
// inside it, so that the error points at the value itself.
package starproto
