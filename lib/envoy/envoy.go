// Package envoy provides the Envoy v3 xDS message types from
// go-control-plane to the evaluator, and checks every emitted Envoy resource
// with its own generated ValidateAll.
package envoy

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"

	// The xDS resource types and the extensions service() configures; each
	// import registers its messages with the protobuf registry.
	_ "github.com/envoyproxy/go-control-plane/envoy/config/cluster/v3"
	_ "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	_ "github.com/envoyproxy/go-control-plane/envoy/config/endpoint/v3"
	_ "github.com/envoyproxy/go-control-plane/envoy/config/listener/v3"
	_ "github.com/envoyproxy/go-control-plane/envoy/config/route/v3"
	_ "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/router/v3"
	_ "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/network/http_connection_manager/v3"
	_ "github.com/envoyproxy/go-control-plane/envoy/extensions/upstreams/http/v3"
	_ "github.com/envoyproxy/go-control-plane/envoy/type/v3"

	// The packages that svccfg xds (lib/xds: the bootstrap, the discovery
	// services) links as well. Imported here too, so that the Envoy types a
	// configuration may use, and svccfg doc lists, are the same in every
	// binary that builds configurations, whatever else it links.
	_ "github.com/envoyproxy/go-control-plane/envoy/config/bootstrap/v3"
	_ "github.com/envoyproxy/go-control-plane/envoy/service/cluster/v3"
	_ "github.com/envoyproxy/go-control-plane/envoy/service/discovery/v3"
	_ "github.com/envoyproxy/go-control-plane/envoy/service/endpoint/v3"
	_ "github.com/envoyproxy/go-control-plane/envoy/service/extension/v3"
	_ "github.com/envoyproxy/go-control-plane/envoy/service/listener/v3"
	_ "github.com/envoyproxy/go-control-plane/envoy/service/route/v3"
	_ "github.com/envoyproxy/go-control-plane/envoy/service/runtime/v3"
	_ "github.com/envoyproxy/go-control-plane/envoy/service/secret/v3"
)

// RegisterTypes registers in types every Envoy message and enum, and the
// protobuf well-known types they use.
func RegisterTypes(types *protoregistry.Types) error {
	var err error
	protoregistry.GlobalTypes.RangeMessages(func(mt protoreflect.MessageType) bool {
		if wanted(mt.Descriptor().FullName()) {
			err = types.RegisterMessage(mt)
		}
		return err == nil
	})
	if err != nil {
		return err
	}
	protoregistry.GlobalTypes.RangeEnums(func(et protoreflect.EnumType) bool {
		if wanted(et.Descriptor().FullName()) {
			err = types.RegisterEnum(et)
		}
		return err == nil
	})
	return err
}

func wanted(name protoreflect.FullName) bool {
	for _, p := range []string{"envoy.", "google.protobuf.", "xds.", "udpa."} {
		if strings.HasPrefix(string(name), p) {
			return true
		}
	}
	return false
}

// IsResource reports whether m is an Envoy message, which svccfg emits as
// an xDS resource.
func IsResource(m proto.Message) bool {
	return strings.HasPrefix(string(m.ProtoReflect().Descriptor().FullName()), "envoy.")
}

// Name returns the name field of an Envoy resource, or "".
func Name(m proto.Message) string {
	r := m.ProtoReflect()
	if fd := r.Descriptor().Fields().ByName("name"); fd != nil && fd.Kind() == protoreflect.StringKind {
		return r.Get(fd).String()
	}
	return ""
}

// Marshal encodes m as an Any, with protojson: "@type" and the field names
// of the .proto files. The bytes are not canonical (protojson varies its
// whitespace on purpose); decode them before comparing or writing.
func Marshal(m proto.Message) ([]byte, error) {
	// protojson writes an Any as its "@type" and then the fields of the
	// message it holds: write those directly rather than encoding the
	// message into an Any only for protojson to decode it again.
	data, err := protojson.MarshalOptions{UseProtoNames: true, Resolver: protoregistry.GlobalTypes}.Marshal(m)
	if err != nil {
		return nil, err
	}
	typ, err := json.Marshal(anyPrefix + string(m.ProtoReflect().Descriptor().FullName()))
	if err != nil {
		return nil, err
	}
	out := make([]byte, 0, len(data)+len(typ)+12)
	out = append(out, `{"@type":`...)
	out = append(out, typ...)
	if rest := bytes.TrimSpace(data[1:]); len(rest) > 0 && rest[0] != '}' {
		out = append(out, ',')
	}
	return append(out, data[1:]...), nil
}

// anyPrefix starts the type URL of a message in an Any.
const anyPrefix = "type.googleapis.com/"

// Validate checks m with its generated ValidateAll method and returns every
// violation, one per line.
func Validate(m proto.Message) error {
	v, ok := m.(interface{ ValidateAll() error })
	if !ok {
		return nil
	}
	err := v.ValidateAll()
	if err == nil {
		return nil
	}
	lines := describe([]string{string(m.ProtoReflect().Descriptor().Name())}, err)
	return fmt.Errorf("%s", strings.Join(lines, "; "))
}

// fieldError is implemented by the errors of generated validators.
type fieldError interface {
	Field() string
	Reason() string
	Cause() error
}

// describe follows the chain of "embedded message failed validation"
// causes down to the fields that failed, and returns each as
// "invalid Cluster.LoadAssignment.Endpoints[0]...: reason".
func describe(path []string, err error) []string {
	if multi, ok := err.(interface{ AllErrors() []error }); ok {
		var lines []string
		for _, e := range multi.AllErrors() {
			lines = append(lines, describe(path, e)...)
		}
		return lines
	}
	fe, ok := err.(fieldError)
	if !ok {
		return []string{err.Error()}
	}
	path = append(slices.Clip(path), fe.Field())
	if fe.Cause() != nil && fe.Reason() == "embedded message failed validation" {
		return describe(path, fe.Cause())
	}
	msg := fmt.Sprintf("invalid %s: %s", strings.Join(path, "."), fe.Reason())
	if fe.Cause() != nil {
		msg += ": " + fe.Cause().Error()
	}
	return []string{msg}
}
