package starproto

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"

	"go.starlark.net/starlark"
	"go.starlark.net/starlarkstruct"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/encoding/prototext"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/known/anypb"
)

// newModule returns the proto module over r's types:
//
//	proto.package(name) -> Package
//	proto.has(msg, field) -> bool
//	proto.clear(msg) -> msg
//	proto.clone(msg) -> Message
//	proto.merge(dst, src) -> dst
//	proto.set_defaults(msg) -> msg
//	proto.encode_any(msg) -> google.protobuf.Any
//	proto.decode_any(any) -> Message
//	proto.encode_json(msg, compact = True) -> string
//	proto.decode_json(type, json) -> Message
//	proto.encode_text(msg, compact = True) -> string
//	proto.decode_text(type, text) -> Message
func newModule(r *Registry) *starlarkstruct.Module {
	fns := map[string]func(*starlark.Builtin, starlark.Tuple, []starlark.Tuple) (starlark.Value, error){
		"package":      r.packageFn,
		"has":          has,
		"clear":        clear,
		"clone":        clone,
		"merge":        merge,
		"set_defaults": setDefaults,
		"encode_any":   encodeAny,
		"decode_any":   r.decodeAny,
		"encode_json":  r.encodeJSON,
		"decode_json":  r.decodeJSON,
		"encode_text":  r.encodeText,
		"decode_text":  r.decodeText,
	}
	members := make(starlark.StringDict, len(fns))
	for name, fn := range fns {
		members[name] = starlark.NewBuiltin("proto."+name, func(_ *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			return fn(b, args, kwargs)
		})
	}
	return &starlarkstruct.Module{Name: "proto", Members: members}
}

// messageArg returns positional argument i, called param, as a message.
func messageArg(fn *starlark.Builtin, args starlark.Tuple, i int, param string) (*Message, error) {
	m, ok := args[i].(*Message)
	if !ok {
		return nil, &ArgError{Index: i, Err: fmt.Errorf("%s: for parameter %s: got %s, want a proto message", fn.Name(), param, typeOf(args[i]))}
	}
	return m, nil
}

// typeArg returns positional argument i as a message type.
func typeArg(fn *starlark.Builtin, args starlark.Tuple, i int) (*MessageType, error) {
	t, ok := args[i].(*MessageType)
	if !ok {
		return nil, &ArgError{Index: i, Err: fmt.Errorf("%s: for parameter type: got %s, want a proto message type", fn.Name(), typeOf(args[i]))}
	}
	return t, nil
}

// unpack checks that exactly n positional arguments were given, and a
// compact keyword argument where allowed.
func unpack(fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple, n int, compact *bool, params ...string) error {
	for _, kv := range kwargs {
		if compact == nil || string(kv[0].(starlark.String)) != "compact" {
			return fmt.Errorf("%s: unexpected keyword argument %s", fn.Name(), kv[0])
		}
		b, ok := kv[1].(starlark.Bool)
		if !ok {
			return &ArgError{Name: "compact", Err: fmt.Errorf("%s: for parameter compact: got %s, want bool", fn.Name(), typeOf(kv[1]))}
		}
		*compact = bool(b)
	}
	if len(args) != n {
		return fmt.Errorf("%s: got %d arguments, want %d (%s)", fn.Name(), len(args), n, strings.Join(params, ", "))
	}
	return nil
}

func (r *Registry) packageFn(fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	if err := unpack(fn, args, kwargs, 1, nil, "name"); err != nil {
		return nil, err
	}
	name, ok := args[0].(starlark.String)
	if !ok {
		return nil, &ArgError{Index: 0, Err: fmt.Errorf("%s: for parameter name: got %s, want string", fn.Name(), typeOf(args[0]))}
	}
	pkg, err := r.Package(string(name))
	if err != nil {
		return nil, &ArgError{Index: 0, Err: fmt.Errorf("%s: %w", fn.Name(), err)}
	}
	return pkg, nil
}

func has(fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	if err := unpack(fn, args, kwargs, 2, nil, "msg", "field"); err != nil {
		return nil, err
	}
	m, err := messageArg(fn, args, 0, "msg")
	if err != nil {
		return nil, err
	}
	name, ok := args[1].(starlark.String)
	if !ok {
		return nil, &ArgError{Index: 1, Err: fmt.Errorf("%s: for parameter field: got %s, want string", fn.Name(), typeOf(args[1]))}
	}
	fd := fieldByName(m.msg.Descriptor(), string(name))
	if fd == nil {
		return nil, &ArgError{Index: 1, Err: fmt.Errorf("%s: %s", fn.Name(), unknownField(m.msg.Descriptor(), string(name)))}
	}
	return starlark.Bool(m.msg.Has(fd)), nil
}

func clear(fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	m, err := oneMessage(fn, args, kwargs)
	if err != nil {
		return nil, err
	}
	if err := m.checkMutable(); err != nil {
		return nil, fmt.Errorf("%s: %w", fn.Name(), err)
	}
	m.msg.Range(func(fd protoreflect.FieldDescriptor, _ protoreflect.Value) bool {
		m.msg.Clear(fd)
		return true
	})
	return m, nil
}

func oneMessage(fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (*Message, error) {
	if err := unpack(fn, args, kwargs, 1, nil, "msg"); err != nil {
		return nil, err
	}
	return messageArg(fn, args, 0, "msg")
}

func clone(fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	m, err := oneMessage(fn, args, kwargs)
	if err != nil {
		return nil, err
	}
	return NewMessage(proto.Clone(m.msg.Interface())), nil
}

func merge(fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	if err := unpack(fn, args, kwargs, 2, nil, "dst", "src"); err != nil {
		return nil, err
	}
	dst, err := messageArg(fn, args, 0, "dst")
	if err != nil {
		return nil, err
	}
	src, err := messageArg(fn, args, 1, "src")
	if err != nil {
		return nil, err
	}
	if src.Type() != dst.Type() {
		return nil, &ArgError{Index: 1, Err: fmt.Errorf("%s: for parameter src: got %s, want %s like dst", fn.Name(), src.Type(), dst.Type())}
	}
	if err := dst.checkMutable(); err != nil {
		return nil, fmt.Errorf("%s: %w", fn.Name(), err)
	}
	if src.Truth() {
		dst.attach()
		proto.Merge(dst.msg.Interface(), src.msg.Interface())
	}
	return dst, nil
}

func setDefaults(fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	m, err := oneMessage(fn, args, kwargs)
	if err != nil {
		return nil, err
	}
	if err := m.checkMutable(); err != nil {
		return nil, fmt.Errorf("%s: %w", fn.Name(), err)
	}
	fields := m.msg.Descriptor().Fields()
	for i := range fields.Len() {
		fd := fields.Get(i)
		if fd.HasDefault() && !m.msg.Has(fd) {
			m.set(fd, fd.Default(), false)
		}
	}
	return m, nil
}

func encodeAny(fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	m, err := oneMessage(fn, args, kwargs)
	if err != nil {
		return nil, err
	}
	a := new(anypb.Any)
	if _, err := packAny(m.msg, a.ProtoReflect()); err != nil {
		return nil, fmt.Errorf("%s: %s", fn.Name(), err.(*valueError).msg)
	}
	return NewMessage(a), nil
}

func (r *Registry) decodeAny(fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	m, err := oneMessage(fn, args, kwargs)
	if err != nil {
		return nil, err
	}
	if m.msg.Descriptor().FullName() != anyName {
		return nil, &ArgError{Index: 0, Err: fmt.Errorf("%s: for parameter any: got %s, want google.protobuf.Any", fn.Name(), m.Type())}
	}
	f := m.msg.Descriptor().Fields()
	url := m.msg.Get(f.ByName("type_url")).String()
	name := url[strings.LastIndexByte(url, '/')+1:]
	mt, err := r.types.FindMessageByName(protoreflect.FullName(name))
	if err != nil {
		return nil, fmt.Errorf("%s: unknown message type %q in the Any", fn.Name(), url)
	}
	out := mt.New()
	if err := proto.Unmarshal(m.msg.Get(f.ByName("value")).Bytes(), out.Interface()); err != nil {
		return nil, fmt.Errorf("%s: decoding %s: %v", fn.Name(), name, err)
	}
	return &Message{msg: out, group: new(group)}, nil
}

// encodeJSON returns protobuf JSON (protojson, with field names as in the
// .proto files), re-spaced so that the same message always gives the same
// bytes (protojson varies its spacing on purpose).
func (r *Registry) encodeJSON(fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	compact := true
	if err := unpack(fn, args, kwargs, 1, &compact, "msg"); err != nil {
		return nil, err
	}
	m, err := messageArg(fn, args, 0, "msg")
	if err != nil {
		return nil, err
	}
	data, err := protojson.MarshalOptions{UseProtoNames: true, Resolver: r.types}.Marshal(m.msg.Interface())
	if err != nil {
		return nil, fmt.Errorf("%s: %v", fn.Name(), err)
	}
	var b bytes.Buffer
	if compact {
		err = json.Compact(&b, data)
	} else {
		err = json.Indent(&b, data, "", "  ")
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %v", fn.Name(), err)
	}
	return starlark.String(b.String()), nil
}

// textSpace matches what prototext adds at random to the end of a field
// name: a second space.
var textSpace = regexp.MustCompile(`(?m)^(\s*[^\s"]+:)  `)

// encodeText returns the protobuf text format, in a stable layout.
func (r *Registry) encodeText(fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	compact := true
	if err := unpack(fn, args, kwargs, 1, &compact, "msg"); err != nil {
		return nil, err
	}
	m, err := messageArg(fn, args, 0, "msg")
	if err != nil {
		return nil, err
	}
	data, err := prototext.MarshalOptions{Multiline: true, Indent: "  ", Resolver: r.types}.Marshal(m.msg.Interface())
	if err != nil {
		return nil, fmt.Errorf("%s: %v", fn.Name(), err)
	}
	text := textSpace.ReplaceAllString(string(data), "$1 ")
	if compact {
		lines := strings.Split(strings.TrimSpace(text), "\n")
		for i := range lines {
			lines[i] = strings.TrimSpace(lines[i])
		}
		text = strings.Join(lines, " ")
	}
	return starlark.String(text), nil
}

func (r *Registry) decodeJSON(fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	return r.decode(fn, args, kwargs, func(data []byte, m proto.Message) error {
		return protojson.UnmarshalOptions{Resolver: r.types}.Unmarshal(data, m)
	})
}

func (r *Registry) decodeText(fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	return r.decode(fn, args, kwargs, func(data []byte, m proto.Message) error {
		return prototext.UnmarshalOptions{Resolver: r.types}.Unmarshal(data, m)
	})
}

func (r *Registry) decode(fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple, unmarshal func([]byte, proto.Message) error) (starlark.Value, error) {
	if err := unpack(fn, args, kwargs, 2, nil, "type", "data"); err != nil {
		return nil, err
	}
	t, err := typeArg(fn, args, 0)
	if err != nil {
		return nil, err
	}
	s, ok := args[1].(starlark.String)
	if !ok {
		return nil, &ArgError{Index: 1, Err: fmt.Errorf("%s: for parameter data: got %s, want string", fn.Name(), typeOf(args[1]))}
	}
	m := t.New()
	if err := unmarshal([]byte(s), m.msg.Interface()); err != nil {
		return nil, &ArgError{Index: 1, Err: fmt.Errorf("%s: %s", fn.Name(), strings.ReplaceAll(err.Error(), "\u00a0", " "))}
	}
	return m, nil
}
