package build

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"sync"

	"github.com/svccfg/svccfg/lib/envoy"
	"github.com/svccfg/svccfg/lib/k8s"
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
// which the cluster owns: its identity, and the object itself in one of two
// forms, Kubernetes' own JSON encoding of its k8s.io/api struct (what
// lib/render encodes and lib/diff applies) or the struct (what lib/lint
// checks). A build keeps the form its consumer reads (see [Options.Typed]),
// and each method gives either: holding both for every object of a large
// tree would double its memory.
type Object struct {
	ID
	Source Source
	json   []byte         // the JSON, or nil if typed or spool holds the object
	typed  runtime.Object // the k8s.io/api struct, or nil
	spool  spooled        // where a [Spool] holds the JSON, if it does
}

// WithJSON returns a copy of o that holds data as its JSON, and no typed
// form.
func (o Object) WithJSON(data []byte) Object {
	o.json, o.typed, o.spool = data, nil, spooled{}
	return o
}

// JSON returns Kubernetes' own JSON encoding of the object, without status:
// the JSON the build kept, or an encoding of the typed object.
func (o *Object) JSON() ([]byte, error) {
	if o.spool.s != nil {
		return o.spool.read()
	}
	if o.json != nil || o.typed == nil {
		return o.json, nil
	}
	data, err := encodeObject(o.typed)
	if err != nil {
		return nil, fmt.Errorf("encoding %s %q: %v", o.Kind, o.Name, err)
	}
	return data, nil
}

// Typed returns the object as its k8s.io/api struct, without status: the
// struct the build kept, or one decoded from the JSON. The struct may be
// shared: it must not be changed.
func (o *Object) Typed() (runtime.Object, error) {
	if o.typed != nil {
		return o.typed, nil
	}
	obj, err := scheme.Scheme.New(o.GroupVersionKind())
	if err != nil {
		return nil, fmt.Errorf("%s %q: %v", o.Kind, o.Name, err)
	}
	data, err := o.JSON()
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(data, obj); err != nil {
		return nil, fmt.Errorf("decoding %s %q: %v", o.Kind, o.Name, err)
	}
	return obj, nil
}

// A Resource is an Envoy xDS resource as the build made it: its type and
// name, and the resource either as its JSON (as lib/envoy.Marshal writes
// it, with its "@type" and field names as in the .proto files: what
// lib/render encodes canonically) or as its validated message (what
// lib/lint checks), as for an [Object].
type Resource struct {
	Type, Name string
	Source     Source
	json       []byte        // the JSON, or nil if msg or spool holds the resource
	msg        proto.Message // the message, or nil
	spool      spooled       // where a [Spool] holds the JSON, if it does
}

// String returns the type and quoted name, such as
// `envoy.config.cluster.v3.Cluster "web"`, as messages about duplicates
// write it.
func (r *Resource) String() string { return fmt.Sprintf("%s %q", r.Type, r.Name) }

// JSON returns the resource's JSON: the JSON the build kept, or an encoding
// of its message.
func (r *Resource) JSON() ([]byte, error) {
	if r.spool.s != nil {
		return r.spool.read()
	}
	if r.json != nil || r.msg == nil {
		return r.json, nil
	}
	data, err := envoy.Marshal(r.msg)
	if err != nil {
		return nil, fmt.Errorf("encoding %s %q: %v", r.Type, r.Name, err)
	}
	return data, nil
}

// Message returns the resource's message: the message the build kept, or
// one decoded from the JSON. The message may be shared: it must not be
// changed.
func (r *Resource) Message() (proto.Message, error) {
	if r.msg != nil {
		return r.msg, nil
	}
	data, err := r.JSON()
	if err != nil {
		return nil, err
	}
	var a anypb.Any
	if err := protojson.Unmarshal(data, &a); err != nil {
		return nil, fmt.Errorf("decoding %s %q: %v", r.Type, r.Name, err)
	}
	m, err := a.UnmarshalNew()
	if err != nil {
		return nil, fmt.Errorf("decoding %s %q: %v", r.Type, r.Name, err)
	}
	return m, nil
}

// encodeObject returns Kubernetes' JSON encoding of obj, whose status
// [clearStatus] cleared, without status.
func encodeObject(obj runtime.Object) ([]byte, error) {
	data, err := k8s.AppendJSON(nil, obj)
	if err != nil {
		return nil, err
	}
	status, err := zeroStatus(reflect.TypeOf(obj))
	if err != nil || status == nil {
		return data, err
	}
	// The encoder writes the fields in the struct's order, and status, the
	// last field of every k8s.io/api object, even when it is zero unless
	// it is tagged omitempty.
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

// clearStatus sets the status of obj, which the cluster owns, to its zero
// value.
func clearStatus(obj runtime.Object) {
	if f, ok := statusField(reflect.TypeOf(obj)); ok {
		reflect.ValueOf(obj).Elem().FieldByIndex(f.Index).SetZero()
	}
}

// statusField returns the Status field of t, a pointer to a k8s.io/api
// struct, if it has one.
func statusField(t reflect.Type) (reflect.StructField, bool) {
	if t.Kind() != reflect.Pointer || t.Elem().Kind() != reflect.Struct {
		return reflect.StructField{}, false
	}
	f, ok := t.Elem().FieldByName("Status")
	if tag := f.Tag.Get("json"); !ok || tag != "status" && tag != "status,omitempty" {
		return reflect.StructField{}, false
	}
	return f, true
}

// zeroStatuses maps the type of a k8s.io/api struct with a status to what
// [zeroStatus] returns for it.
var zeroStatuses sync.Map // reflect.Type -> []byte

// zeroStatus returns the encoding of the zero status of t, a pointer to a
// k8s.io/api struct, as the last member of an object: `,"status":{...}}`;
// or nil if t has no status.
func zeroStatus(t reflect.Type) ([]byte, error) {
	if enc, ok := zeroStatuses.Load(t); ok {
		return enc.([]byte), nil
	}
	f, ok := statusField(t)
	if !ok {
		return nil, nil
	}
	if strings.HasSuffix(f.Tag.Get("json"), ",omitempty") {
		zeroStatuses.Store(t, []byte(nil))
		return nil, nil // a zero status is left out
	}
	data, err := k8s.AppendJSON(nil, reflect.Zero(f.Type).Interface())
	if err != nil {
		return nil, err
	}
	enc := append(append([]byte(`,"status":`), data...), '}')
	zeroStatuses.Store(t, enc)
	return enc, nil
}
