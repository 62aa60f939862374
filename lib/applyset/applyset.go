// Package applyset keeps a config set's objects as a Kubernetes ApplySet
// (KEP-3659, the inventory that `kubectl apply --prune --applyset` uses):
// a parent object, a Secret, labelled with the set's ID and annotated with
// the tool that manages it and the kinds and namespaces of its members;
// and on each member, a label naming the parent's ID.
//
// svccfg apply marks the objects it applies ([Mark]), keeps the parent up
// to date ([Parent.Object]) and prunes, through the parent's kinds, the
// members the configuration no longer produces. Any tool that follows the
// KEP finds the members, sees that svccfg manages them, and leaves them
// alone; svccfg leaves alone a parent that another tool manages.
package applyset

import (
	"bytes"
	"cmp"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"runtime/debug"
	"slices"
	"strings"

	"github.com/svccfg/svccfg/lib/build"
	"github.com/svccfg/svccfg/lib/diff"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
)

// The labels and annotations of KEP-3659.
const (
	// IDLabel marks the parent; its value is the ApplySet's ID.
	IDLabel = "applyset.kubernetes.io/id"
	// PartOfLabel marks a member; its value is the ID of its parent.
	PartOfLabel = "applyset.kubernetes.io/part-of"
	// ToolingAnnotation names the tool that manages the ApplySet, as
	// NAME/VERSION; tools leave alone ApplySets that others manage.
	ToolingAnnotation = "applyset.kubernetes.io/tooling"
	// KindsAnnotation lists the kinds of the members, as Kind.group
	// (Kind for the core group), sorted and comma-separated.
	KindsAnnotation = "applyset.kubernetes.io/contains-group-kinds"
	// NamespacesAnnotation lists the namespaces of the members other than
	// the parent's, sorted and comma-separated.
	NamespacesAnnotation = "applyset.kubernetes.io/additional-namespaces"
)

// Tool is the name of svccfg in [ToolingAnnotation].
const Tool = "svccfg"

// Tooling returns svccfg's value of [ToolingAnnotation]: "svccfg/" and the
// version of the running binary (devel for a build outside a module
// version).
func Tooling() string {
	v := "devel"
	if info, ok := debug.ReadBuildInfo(); ok && info.Main.Version != "" && info.Main.Version != "(devel)" {
		v = info.Main.Version
	}
	return Tool + "/" + v
}

// A Parent is the parent object of a config set's ApplySet: a Secret
// without data, named svccfg-CONFIG-SET ([build.ConfigSetName]).
type Parent struct {
	Namespace, Name string
}

// ParentOf returns the parent of config set set, in namespace ns.
func ParentOf(set, ns string) Parent {
	return Parent{Namespace: ns, Name: "svccfg-" + build.ConfigSetName(set)}
}

// ID returns the ApplySet's ID, as KEP-3659 defines it from the parent's
// name, namespace, kind and group: "applyset-" and the unpadded URL-safe
// base64 of the SHA-256 of "NAME.NAMESPACE.Secret.", then "-v1".
func (p Parent) ID() string {
	sum := sha256.Sum256([]byte(strings.Join([]string{p.Name, p.Namespace, "Secret", ""}, ".")))
	return "applyset-" + base64.RawURLEncoding.EncodeToString(sum[:]) + "-v1"
}

// ObjectID returns the [build.ID] of the parent Secret.
func (p Parent) ObjectID() build.ID {
	return build.ID{Version: "v1", Kind: "Secret", Namespace: p.Namespace, Name: p.Name}
}

// String returns "Secret namespace/name".
func (p Parent) String() string { return p.ObjectID().String() }

// An Inventory is what a parent says of its members: their kinds and
// their namespaces besides the parent's.
type Inventory struct {
	Kinds      []schema.GroupKind
	Namespaces []string
}

// InventoryOf returns the inventory of objs, members of p's ApplySet.
func (p Parent) InventoryOf(objs []build.Object) Inventory {
	var inv Inventory
	for _, obj := range objs {
		inv.Kinds = append(inv.Kinds, schema.GroupKind{Group: obj.Group, Kind: obj.Kind})
		if obj.Namespace != "" && obj.Namespace != p.Namespace {
			inv.Namespaces = append(inv.Namespaces, obj.Namespace)
		}
	}
	return inv.normal()
}

// Union returns the inventory of the members of inv and of other.
func (inv Inventory) Union(other Inventory) Inventory {
	return Inventory{Kinds: slices.Concat(inv.Kinds, other.Kinds), Namespaces: slices.Concat(inv.Namespaces, other.Namespaces)}.normal()
}

// Equal reports whether inv and other list the same kinds and namespaces.
func (inv Inventory) Equal(other Inventory) bool {
	return slices.Equal(inv.Kinds, other.Kinds) && slices.Equal(inv.Namespaces, other.Namespaces)
}

// normal sorts inv and removes duplicates.
func (inv Inventory) normal() Inventory {
	slices.SortFunc(inv.Kinds, func(a, b schema.GroupKind) int {
		return cmp.Or(strings.Compare(a.Kind, b.Kind), strings.Compare(a.Group, b.Group))
	})
	slices.Sort(inv.Namespaces)
	return Inventory{Kinds: slices.Compact(inv.Kinds), Namespaces: slices.Compact(inv.Namespaces)}
}

// annotations returns the inventory's annotations on a parent.
func (inv Inventory) annotations() map[string]string {
	kinds := make([]string, len(inv.Kinds))
	for i, gk := range inv.Kinds {
		kinds[i] = gk.Kind
		if gk.Group != "" {
			kinds[i] += "." + gk.Group
		}
	}
	a := map[string]string{KindsAnnotation: strings.Join(kinds, ",")}
	if len(inv.Namespaces) > 0 {
		a[NamespacesAnnotation] = strings.Join(inv.Namespaces, ",")
	}
	return a
}

// ParseInventory returns the inventory that a parent's annotations give.
func ParseInventory(annotations map[string]string) Inventory {
	var inv Inventory
	for s := range strings.SplitSeq(annotations[KindsAnnotation], ",") {
		if s = strings.TrimSpace(s); s != "" {
			kind, group, _ := strings.Cut(s, ".")
			inv.Kinds = append(inv.Kinds, schema.GroupKind{Group: group, Kind: kind})
		}
	}
	for s := range strings.SplitSeq(annotations[NamespacesAnnotation], ",") {
		if s = strings.TrimSpace(s); s != "" {
			inv.Namespaces = append(inv.Namespaces, s)
		}
	}
	return inv.normal()
}

// appliedKey is the key of the parent's data that holds what svccfg last
// applied to each member ([diff.Applied]), as gzip'd JSON.
const appliedKey = "applied.json.gz"

// Object returns the parent Secret with the inventory inv and what svccfg
// last applied to each member, labelled as svccfg's objects are, as an
// object to apply.
func (p Parent) Object(inv Inventory, applied map[string]diff.Applied) build.Object {
	annotations := inv.annotations()
	annotations[ToolingAnnotation] = Tooling()
	secret := map[string]any{
		"apiVersion": "v1",
		"kind":       "Secret",
		"metadata": map[string]any{
			"name":      p.Name,
			"namespace": p.Namespace,
			"labels": map[string]string{
				IDLabel:              p.ID(),
				build.ManagedByLabel: build.ManagedBy,
			},
			"annotations": annotations,
		},
		"type": "svccfg.dev/applyset",
	}
	if len(applied) > 0 {
		secret["data"] = map[string][]byte{appliedKey: encodeApplied(applied)}
	}
	data, err := json.Marshal(secret)
	if err != nil {
		panic(err) // maps of strings always encode
	}
	return build.Object{ID: p.ObjectID()}.WithJSON(data)
}

// CheckTooling returns an error if a live parent's annotations say that
// another tool manages it.
func (p Parent) CheckTooling(annotations map[string]string) error {
	tool, _, _ := strings.Cut(annotations[ToolingAnnotation], "/")
	if tool != Tool {
		return fmt.Errorf("%s is the parent of an ApplySet that %q manages, not svccfg; svccfg leaves it alone", p, cmp.Or(annotations[ToolingAnnotation], "no tool"))
	}
	return nil
}

// Mark returns objs with the label [PartOfLabel] of p's ApplySet added.
func (p Parent) Mark(objs []build.Object) ([]build.Object, error) {
	id := p.ID()
	out := make([]build.Object, len(objs))
	for i, obj := range objs {
		data, err := obj.JSON()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", obj.Path(), err)
		}
		var u map[string]any
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.UseNumber() // int64 fields beyond float64's precision stay exact
		if err := dec.Decode(&u); err != nil {
			return nil, fmt.Errorf("%s: %w", obj.Path(), err)
		}
		meta, _ := u["metadata"].(map[string]any)
		if meta == nil {
			meta = map[string]any{}
			u["metadata"] = meta
		}
		labels, _ := meta["labels"].(map[string]any)
		if labels == nil {
			labels = map[string]any{}
			meta["labels"] = labels
		}
		labels[PartOfLabel] = id
		if data, err = json.Marshal(u); err != nil {
			return nil, fmt.Errorf("%s: %w", obj.Path(), err)
		}
		out[i] = obj.WithJSON(data)
	}
	return out, nil
}

// A Live parent is the parent as the cluster has it.
type Live struct {
	// Exists says whether the cluster has the parent; the other fields
	// are empty if not.
	Exists bool
	// Inventory is what the parent's annotations say of the members.
	Inventory Inventory
	// Tooling is the parent's [ToolingAnnotation].
	Tooling string
	// Applied is what svccfg last applied to each member, by
	// [build.Object.Path]; empty if the parent does not say.
	Applied map[string]diff.Applied
}

var secrets = schema.GroupVersionResource{Version: "v1", Resource: "secrets"}

// Read returns the live parent p, with the retries of lib/diff. A parent
// that another tool manages is an error ([Parent.CheckTooling]), of class
// conflict.
func (p Parent) Read(ctx context.Context, client dynamic.Interface) (*Live, error) {
	live := &Live{}
	err := diff.Retry(ctx, func() error {
		u, err := client.Resource(secrets).Namespace(p.Namespace).Get(ctx, p.Name, metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			return nil
		} else if err != nil {
			return err
		}
		if u.GetLabels()[IDLabel] != p.ID() {
			return &ForeignError{fmt.Errorf("%s exists and is not the parent of the config set's ApplySet (no label %s=%s); svccfg leaves it alone", p, IDLabel, p.ID())}
		}
		if err := p.CheckTooling(u.GetAnnotations()); err != nil {
			return &ForeignError{err}
		}
		live.Exists, live.Inventory, live.Tooling = true, ParseInventory(u.GetAnnotations()), u.GetAnnotations()[ToolingAnnotation]
		// What the parent says of the last apply only saves dry runs:
		// unreadable, it is as if it said nothing.
		if data, ok, _ := unstructured.NestedString(u.Object, "data", appliedKey); ok {
			live.Applied = decodeApplied(data)
		}
		return nil
	})
	return live, err
}

// A ForeignError is a parent that svccfg does not manage.
type ForeignError struct{ Err error }

func (e *ForeignError) Error() string { return e.Err.Error() }
func (e *ForeignError) Unwrap() error { return e.Err }

// encodeApplied encodes applied for the parent's data: gzip'd JSON.
func encodeApplied(applied map[string]diff.Applied) []byte {
	m := make(map[string][2]string, len(applied))
	for k, a := range applied {
		m[k] = [2]string{a.Config, a.Managed}
	}
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	if err := json.NewEncoder(zw).Encode(m); err != nil {
		panic(err) // maps of strings always encode
	}
	zw.Close()
	return b.Bytes()
}

// decodeApplied decodes the parent's data, base64 as the API returns it;
// it returns nil for anything unreadable.
func decodeApplied(data string) map[string]diff.Applied {
	raw, err := base64.StdEncoding.DecodeString(data)
	if err != nil {
		return nil
	}
	zr, err := gzip.NewReader(bytes.NewReader(raw))
	if err != nil {
		return nil
	}
	var m map[string][2]string
	if err := json.NewDecoder(zr).Decode(&m); err != nil {
		return nil
	}
	applied := make(map[string]diff.Applied, len(m))
	for k, v := range m {
		applied[k] = diff.Applied{Config: v[0], Managed: v[1]}
	}
	return applied
}
