package diff

import (
	"fmt"
	"reflect"

	"github.com/svccfg/svccfg/lib/build"
	"github.com/svccfg/svccfg/lib/canon"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// LastAppliedAnnotation is kubectl's client-side apply annotation, which
// holds a copy of the object (Secret values included) and is not compared.
const LastAppliedAnnotation = "kubectl.kubernetes.io/last-applied-configuration"

// The markers that replace Secret values: [Redacted] for a value that is
// the same on both sides, [RedactedBefore] and [RedactedAfter] for one
// that changes.
const (
	Redacted       = "<redacted>"
	RedactedBefore = "<redacted, before>"
	RedactedAfter  = "<redacted, after>"
)

// serverManaged lists the metadata fields the server manages.
var serverManaged = []string{"managedFields", "resourceVersion", "uid", "generation", "creationTimestamp", "selfLink"}

// clean removes from u what the server manages rather than the
// configuration: the fields of serverManaged, status, and the
// last-applied annotation.
func clean(u *unstructured.Unstructured) {
	delete(u.Object, "status")
	for _, f := range serverManaged {
		unstructured.RemoveNestedField(u.Object, "metadata", f)
	}
	unstructured.RemoveNestedField(u.Object, "metadata", "annotations", LastAppliedAnnotation)
	if a, ok, _ := unstructured.NestedMap(u.Object, "metadata", "annotations"); ok && len(a) == 0 {
		unstructured.RemoveNestedField(u.Object, "metadata", "annotations")
	}
}

// redactSecrets replaces the values of data and stringData in live and
// applied, if they are core Secrets, by markers that show only whether
// each value changed. live is nil for an object to be created.
func redactSecrets(live, applied *unstructured.Unstructured) {
	if applied.GetAPIVersion() != "v1" || applied.GetKind() != "Secret" {
		return
	}
	for _, field := range []string{"data", "stringData"} {
		var before map[string]any
		if live != nil {
			before, _, _ = unstructured.NestedMap(live.Object, field)
		}
		after, _, _ := unstructured.NestedMap(applied.Object, field)
		if before != nil {
			unstructured.SetNestedMap(live.Object, markers(before, after, RedactedBefore), field)
		}
		if after != nil {
			unstructured.SetNestedMap(applied.Object, markers(after, before, RedactedAfter), field)
		}
	}
}

// markers returns m with each value replaced by [Redacted] if other has
// the same value for its key, or else by changed.
func markers(m, other map[string]any, changed string) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		if o, ok := other[k]; ok && o == v {
			out[k] = Redacted
		} else {
			out[k] = changed
		}
	}
	return out
}

// canonicalYAML encodes u as lib/canon encodes manifests.
func canonicalYAML(u *unstructured.Unstructured) ([]byte, error) {
	if u == nil {
		return nil, nil
	}
	data, err := u.MarshalJSON()
	if err != nil {
		return nil, err
	}
	n, err := canon.ParseJSON(data)
	if err != nil {
		return nil, err
	}
	return canon.AppendYAML(nil, n), nil
}

// newChange compares the live object (nil if there is none) with the
// dry-run result of applying obj.
func newChange(obj build.Object, live, applied *unstructured.Unstructured) (Change, error) {
	c := Change{Object: obj, Action: Unchanged}
	if live == nil {
		c.Action = Create
	} else {
		clean(live)
	}
	clean(applied)
	if live != nil && reflect.DeepEqual(live.Object, applied.Object) {
		return c, nil // unchanged: no need to render either side
	}
	redactSecrets(live, applied)
	before, err := canonicalYAML(live)
	if err != nil {
		return c, fmt.Errorf("%s: %w", obj.Path(), err)
	}
	after, err := canonicalYAML(applied)
	if err != nil {
		return c, fmt.Errorf("%s: %w", obj.Path(), err)
	}
	c.Diff = unified(obj.Path(), before, after)
	if c.Action == Unchanged && c.Diff != nil {
		c.Action = Update
		c.Risks = risks(live, applied)
	}
	c.Canary = isCanary(applied)
	c.Diff = tagHeader(c.Diff, c.Canary, c.Risks)
	return c, nil
}
