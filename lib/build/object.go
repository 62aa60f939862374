package build

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"sync"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/anypb"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/kubernetes/scheme"
)

// An ID identifies a Kubernetes object: its group, version and kind, and
// its namespace and name. Its methods are the ways svccfg spells it.
type ID struct {
	Group     string // "" for the core group
	Version   string
	Kind      string
	Namespace string // "" for cluster-scoped objects
	Name      string
}

// APIVersion returns the object's apiVersion: "apps/v1", or "v1" in the
// core group.
func (id ID) APIVersion() string {
	if id.Group == "" {
		return id.Version
	}
	return id.Group + "/" + id.Version
}

// GroupVersionKind returns the object's group, version and kind.
func (id ID) GroupVersionKind() schema.GroupVersionKind {
	return schema.GroupVersionKind{Group: id.Group, Version: id.Version, Kind: id.Kind}
}

// NamespacedName returns "namespace/name", or the name of a cluster-scoped
// object.
func (id ID) NamespacedName() string {
	if id.Namespace == "" {
		return id.Name
	}
	return id.Namespace + "/" + id.Name
}

// String returns the kind and namespaced name, such as
// "Deployment default/web", as messages about duplicates write it.
func (id ID) String() string { return id.Kind + " " + id.NamespacedName() }

// Path returns group/version/kind/namespace/name, such as
// "apps/v1/Deployment/default/web" ("v1/Secret/ns/name" in the core group;
// no namespace segment for a cluster-scoped object), as diffs name it.
func (id ID) Path() string { return id.APIVersion() + "/" + id.Kind + "/" + id.NamespacedName() }

// An Object is a Kubernetes object as the build made it, without status,
// which the cluster owns: its identity, Kubernetes' own JSON encoding of
// its k8s.io/api struct (what lib/render encodes and lib/diff applies),
// and the struct itself (what lib/lint checks).
type Object struct {
	ID
	// JSON is Kubernetes' own JSON encoding of the object, without status.
	JSON   []byte
	Source Source
	// typed is the k8s.io/api struct; nil for an object from the cache
	// until Typed decodes it.
	typed runtime.Object
}

// Typed returns the object as its k8s.io/api struct, without status. An
// object whose file's evaluation came from the cache is decoded from its
// JSON on the first call. The struct is shared: it must not be changed.
func (o *Object) Typed() (runtime.Object, error) {
	if o.typed != nil {
		return o.typed, nil
	}
	obj, err := scheme.Scheme.New(o.GroupVersionKind())
	if err != nil {
		return nil, fmt.Errorf("%s %q: %v", o.Kind, o.Name, err)
	}
	if err := json.Unmarshal(o.JSON, obj); err != nil {
		return nil, fmt.Errorf("decoding %s %q: %v", o.Kind, o.Name, err)
	}
	o.typed = obj
	return obj, nil
}

// A Resource is an Envoy xDS resource as the build made it: its type and
// name, its validated message (what lib/lint checks), and its JSON as
// lib/envoy.Marshal writes it, with its "@type" and field names as in the
// .proto files (what lib/render encodes canonically).
type Resource struct {
	Type, Name string
	JSON       []byte
	Source     Source
	// msg is the message; nil for a resource from the cache until Message
	// decodes it.
	msg proto.Message
}

// String returns the type and quoted name, such as
// `envoy.config.cluster.v3.Cluster "web"`, as messages about duplicates
// write it.
func (r *Resource) String() string { return fmt.Sprintf("%s %q", r.Type, r.Name) }

// Message returns the resource's message. A resource whose file's
// evaluation came from the cache is decoded from its JSON on the first
// call. The message is shared: it must not be changed.
func (r *Resource) Message() (proto.Message, error) {
	if r.msg != nil {
		return r.msg, nil
	}
	var a anypb.Any
	if err := protojson.Unmarshal(r.JSON, &a); err != nil {
		return nil, fmt.Errorf("decoding %s %q: %v", r.Type, r.Name, err)
	}
	m, err := a.UnmarshalNew()
	if err != nil {
		return nil, fmt.Errorf("decoding %s %q: %v", r.Type, r.Name, err)
	}
	r.msg = m
	return m, nil
}

// encodeObject clears the status of obj, which the cluster owns, and
// returns Kubernetes' JSON encoding of obj without it.
func encodeObject(obj runtime.Object) ([]byte, error) {
	status, err := clearStatus(obj)
	if err != nil {
		return nil, err
	}
	data, err := json.Marshal(obj)
	if err != nil || status == nil {
		return data, err
	}
	// encoding/json writes the fields in the struct's order, and status,
	// the last field of every k8s.io/api object, even when it is zero.
	if rest, ok := bytes.CutSuffix(data, status); ok {
		return append(rest, '}'), nil
	}
	var members map[string]json.RawMessage
	if err := json.Unmarshal(data, &members); err != nil {
		return nil, err
	}
	delete(members, "status")
	return json.Marshal(members)
}

// zeroStatus maps the type of a k8s.io/api struct with a status to the
// encoding of its zero status as the last member of an object:
// `,"status":{...}}`.
var zeroStatus sync.Map // reflect.Type -> []byte

// clearStatus sets the Status field of obj to its zero value, and returns
// zeroStatus's encoding of it, or nil if obj has no status.
func clearStatus(obj runtime.Object) ([]byte, error) {
	v := reflect.ValueOf(obj)
	if v.Kind() != reflect.Pointer || v.Elem().Kind() != reflect.Struct {
		return nil, nil
	}
	v = v.Elem()
	f, ok := v.Type().FieldByName("Status")
	if !ok || f.Tag.Get("json") != "status,omitempty" && f.Tag.Get("json") != "status" {
		return nil, nil
	}
	v.FieldByIndex(f.Index).SetZero()
	if enc, ok := zeroStatus.Load(v.Type()); ok {
		return enc.([]byte), nil
	}
	data, err := json.Marshal(v.FieldByIndex(f.Index).Interface())
	if err != nil {
		return nil, err
	}
	enc := append(append([]byte(`,"status":`), data...), '}')
	zeroStatus.Store(v.Type(), enc)
	return enc, nil
}
