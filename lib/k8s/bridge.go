package k8s

import (
	"fmt"
	"reflect"
	"strings"
	"sync"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/kubernetes/scheme"
)

// A Kind is a top-level Kubernetes object type: its group, version and kind,
// and the Go struct that holds it.
type Kind struct {
	GVK        schema.GroupVersionKind
	Namespaced bool
	goType     reflect.Type
}

// wireUnmarshaler is the gogo-style method every k8s.io/api struct keeps.
type wireUnmarshaler interface {
	Unmarshal([]byte) error
}

// kinds maps a proto message full name, such as
// "k8s.io.api.apps.v1.Deployment", to its Kind. It is built from client-go's
// scheme, so it holds exactly the object types client-go can send.
var kinds = sync.OnceValue(func() map[protoreflect.FullName]*Kind {
	m := make(map[protoreflect.FullName]*Kind)
	for gvk, t := range scheme.Scheme.AllKnownTypes() {
		if gvk.Version == runtime.APIVersionInternal || !strings.HasPrefix(t.PkgPath(), "k8s.io/api/") {
			continue // meta types (Status, ListOptions, ...) are registered in every group
		}
		if !reflect.PointerTo(t).Implements(reflect.TypeFor[wireUnmarshaler]()) {
			continue
		}
		name := protoreflect.FullName(strings.ReplaceAll(t.PkgPath(), "/", ".") + "." + t.Name())
		m[name] = &Kind{GVK: gvk, Namespaced: !clusterScoped[gvk.Kind], goType: t}
	}
	return m
})

// KindOf returns the Kind of a top-level object message named name, or nil if
// name is not a Kubernetes object type (a DeploymentSpec, say).
func KindOf(name protoreflect.FullName) *Kind {
	return kinds()[name]
}

// IsAPIMessage reports whether name is a message of the Kubernetes API.
func IsAPIMessage(name protoreflect.FullName) bool {
	return strings.HasPrefix(string(name), "k8s.io.")
}

// ToObject converts a Kubernetes object message into its k8s.io/api struct,
// with apiVersion and kind set. The message is marshalled to the protobuf wire
// format and unmarshalled by the struct's own generated code.
func ToObject(m proto.Message) (runtime.Object, error) {
	name := m.ProtoReflect().Descriptor().FullName()
	k := KindOf(name)
	if k == nil {
		return nil, fmt.Errorf("%s is not a Kubernetes object type", name)
	}
	obj, err := toStruct(m, k.goType)
	if err != nil {
		return nil, err
	}
	ro := obj.(runtime.Object)
	ro.GetObjectKind().SetGroupVersionKind(k.GVK)
	return ro, nil
}

// toStruct returns m as a new *t, through the protobuf wire format and t's
// own generated Unmarshal.
func toStruct(m proto.Message, t reflect.Type) (any, error) {
	name := m.ProtoReflect().Descriptor().FullName()
	// The bytes only reach the struct's own Unmarshal: map order does not matter.
	data, err := proto.Marshal(m)
	if err != nil {
		return nil, fmt.Errorf("encoding %s: %w", name, err)
	}
	obj := reflect.New(t).Interface()
	if err := obj.(wireUnmarshaler).Unmarshal(data); err != nil {
		return nil, fmt.Errorf("decoding %s: %w", name, err)
	}
	return obj, nil
}

// clusterScoped lists the kinds of client-go's scheme that have no namespace.
var clusterScoped = map[string]bool{
	"APIService":                       true,
	"CSIDriver":                        true,
	"CSINode":                          true,
	"CertificateSigningRequest":        true,
	"ClusterRole":                      true,
	"ClusterRoleBinding":               true,
	"ClusterTrustBundle":               true,
	"ComponentStatus":                  true,
	"CustomResourceDefinition":         true,
	"DeviceClass":                      true,
	"DeviceTaintRule":                  true,
	"FlowSchema":                       true,
	"IPAddress":                        true,
	"IngressClass":                     true,
	"MutatingAdmissionPolicy":          true,
	"MutatingAdmissionPolicyBinding":   true,
	"MutatingWebhookConfiguration":     true,
	"Namespace":                        true,
	"Node":                             true,
	"PersistentVolume":                 true,
	"PriorityClass":                    true,
	"PriorityLevelConfiguration":       true,
	"ResourceSlice":                    true,
	"RuntimeClass":                     true,
	"SelfSubjectAccessReview":          true,
	"SelfSubjectReview":                true,
	"SelfSubjectRulesReview":           true,
	"ServiceCIDR":                      true,
	"StorageClass":                     true,
	"StorageVersion":                   true,
	"StorageVersionMigration":          true,
	"SubjectAccessReview":              true,
	"TokenReview":                      true,
	"ValidatingAdmissionPolicy":        true,
	"ValidatingAdmissionPolicyBinding": true,
	"ValidatingWebhookConfiguration":   true,
	"VolumeAttachment":                 true,
	"VolumeAttributesClass":            true,
}

// goTypes maps the full name of every Kubernetes message that an object
// type holds, such as "k8s.io.api.core.v1.ServicePort", to its Go struct,
// found by walking the fields of the object types' structs.
var goTypes = sync.OnceValue(func() map[protoreflect.FullName]reflect.Type {
	m := make(map[protoreflect.FullName]reflect.Type)
	unmarshaler := reflect.TypeFor[wireUnmarshaler]()
	var walk func(reflect.Type)
	walk = func(t reflect.Type) {
		for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Map {
			t = t.Elem()
		}
		if t.Kind() != reflect.Struct || !strings.HasPrefix(t.PkgPath(), "k8s.io/") || !reflect.PointerTo(t).Implements(unmarshaler) {
			return
		}
		name := protoreflect.FullName(strings.ReplaceAll(t.PkgPath(), "/", ".") + "." + t.Name())
		if _, seen := m[name]; seen {
			return
		}
		m[name] = t
		for i := range t.NumField() {
			walk(t.Field(i).Type)
		}
	}
	for _, k := range kinds() {
		walk(k.goType)
	}
	return m
})

// MarshalJSON returns m, any Kubernetes message that an object type holds
// (a Deployment, a PodSpec, a Quantity), as Kubernetes' own JSON encoding of
// its k8s.io/api struct writes it. It reports false if m's type has no such
// struct.
func MarshalJSON(m proto.Message) ([]byte, bool, error) {
	name := m.ProtoReflect().Descriptor().FullName()
	t, ok := goTypes()[name]
	if !ok {
		return nil, false, nil
	}
	obj, err := toStruct(m, t)
	if err != nil {
		return nil, true, err
	}
	if k := KindOf(name); k != nil {
		obj.(runtime.Object).GetObjectKind().SetGroupVersionKind(k.GVK)
	}
	out, err := AppendJSON(nil, obj)
	return out, true, err
}
