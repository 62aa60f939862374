package main

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"k8s.io/apimachinery/pkg/api/resource"
)

// Fields are the leaves of one object: each leaf's path, such as
// spec.template.spec.containers[server].ports[8080].name, and its value as
// JSON.
type Fields map[string]string

// Paths returns the paths of f, sorted.
func (f Fields) Paths() []string { return slices.Sorted(maps.Keys(f)) }

// listKeys says by which field the items of a list are matched, by the
// list's field name: items of these lists are named, so their order does not
// change behaviour, and an item added in front must not shift all the others.
// Ports are matched by number, not name: a port that one side names and the
// other does not is still the same port, and its name a field that differs.
// The first key an item has is used; lists whose items have none of their
// keys, or two items the same key, fall back to indexes.
var listKeys = map[string][]string{
	"containers":                {"name"},
	"initContainers":            {"name"},
	"ephemeralContainers":       {"name"},
	"volumes":                   {"name"},
	"volumeMounts":              {"mountPath"},
	"env":                       {"name"},
	"imagePullSecrets":          {"name"},
	"httpHeaders":               {"name"},
	"ports":                     {"containerPort", "port"},
	"subjects":                  {"name"},
	"topologySpreadConstraints": {"topologyKey"},
	"items":                     {"key"},
}

// capabilityLists are the lists of Linux capabilities (a security
// context's capabilities.add and drop): sets, whose names container
// runtimes read without regard to case ("all" is "ALL"), so each is keyed
// by its name in upper case.
var capabilityLists = map[string]bool{"add": true, "drop": true}

// presence lists the fields whose empty object is a value: `emptyDir: {}`
// makes a volume an emptyDir. Other empty objects and lists (`resources: {}`,
// `strategy: {}`, `args: []`) mean the same as an absent field and are
// dropped.
var presence = map[string]bool{"emptyDir": true}

// Flatten returns the leaves of obj, a decoded JSON object. Null values are
// dropped, like absent ones.
func Flatten(obj map[string]any) Fields {
	f := Fields{}
	flatten(f, "", "", obj)
	return f
}

// flatten adds the leaves of v, at path, to f; name is the last field name
// on path.
func flatten(f Fields, path, name string, v any) {
	switch v := v.(type) {
	case nil:
	case map[string]any:
		if len(v) == 0 && presence[name] {
			f[path] = "{}"
		}
		for _, k := range slices.Sorted(maps.Keys(v)) {
			flatten(f, join(path, k), k, v[k])
		}
	case []any:
		if capabilityLists[name] {
			for _, item := range v {
				if c, ok := item.(string); ok {
					c = strings.ToUpper(c)
					f[path+"["+c+"]"] = strconv.Quote(c)
				}
			}
			return
		}
		keys := itemKeys(name, v)
		for i, item := range v {
			flatten(f, path+"["+keys[i]+"]", name, item)
		}
	default:
		b, err := json.Marshal(v)
		if err != nil {
			panic(fmt.Sprintf("fidelity: leaf %s: %v", path, err)) // decoded JSON always encodes
		}
		f[path] = string(b)
	}
}

// join appends field k to path.
func join(path, k string) string {
	if path == "" {
		return k
	}
	return path + "." + k
}

// itemKeys returns the key of each item of list, the value of the list's
// field name: its first key field (see [listKeys]) that the item has, when
// every item has one and no two have the same; otherwise the indexes.
func itemKeys(name string, list []any) []string {
	keys := make([]string, len(list))
	seen := map[string]bool{}
	for i, item := range list {
		m, _ := item.(map[string]any)
		for _, field := range listKeys[name] {
			if v, ok := m[field]; ok && v != nil {
				keys[i] = scalar(v)
				break
			}
		}
		if keys[i] == "" || seen[keys[i]] {
			return indexes(len(list))
		}
		seen[keys[i]] = true
	}
	return keys
}

// indexes returns "0", "1", ... "n-1".
func indexes(n int) []string {
	s := make([]string, n)
	for i := range s {
		s[i] = strconv.Itoa(i)
	}
	return s
}

// scalar returns v as a list key: a string as it is, a number in its
// shortest form.
func scalar(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	default:
		b, _ := json.Marshal(v)
		return string(b)
	}
}

// An Ignore is a rule that leaves fields out of the comparison because they
// do not change what the object does.
type Ignore struct {
	Match func(path string) bool
	Why   string
}

// Ignored are the rules, in the order README.md documents them.
var Ignored = []Ignore{
	{exact("apiVersion", "kind", "metadata.name", "metadata.namespace"),
		"the object's identity: objects are matched by kind, namespace and name"},
	{prefix("status"), "written by the cluster, not by the configuration"},
	{exact("metadata.uid", "metadata.resourceVersion", "metadata.generation", "metadata.creationTimestamp",
		"metadata.selfLink", "metadata.deletionTimestamp", "metadata.deletionGracePeriodSeconds"),
		"bookkeeping of the apiserver"},
	{prefix("metadata.managedFields"), "bookkeeping of server-side apply"},
	{suffix(".metadata.creationTimestamp"), "bookkeeping (null in pod templates)"},
	{prefix("metadata.labels"),
		"labels of the object itself only describe it; the labels that select (selectors, pod templates) are compared"},
	{exact("metadata.annotations.kubectl.kubernetes.io/last-applied-configuration",
		"metadata.annotations.deployment.kubernetes.io/revision"),
		"written by kubectl apply and the Deployment controller"},
}

// exact matches the given paths.
func exact(paths ...string) func(string) bool {
	return func(p string) bool { return slices.Contains(paths, p) }
}

// prefix matches the field p and everything under it.
func prefix(p string) func(string) bool {
	return func(path string) bool {
		return path == p || strings.HasPrefix(path, p+".") || strings.HasPrefix(path, p+"[")
	}
}

// suffix matches the paths that end in s.
func suffix(s string) func(string) bool {
	return func(path string) bool { return strings.HasSuffix(path, s) }
}

// ignored returns whether a rule of [Ignored] leaves path out.
func ignored(path string) bool {
	for _, r := range Ignored {
		if r.Match(path) {
			return true
		}
	}
	return false
}

// Compared returns the fields of f that the comparison counts: without the
// [Ignored] ones, and with values normalized (see [normalizeValue]).
func Compared(f Fields) Fields {
	out := Fields{}
	for p, v := range f {
		if !ignored(p) {
			out[p] = normalizeValue(p, v)
		}
	}
	return out
}

// normalizeValue returns the value of the field at path in one spelling
// for one meaning: quantities in canonical form ("2000m" and "2" are two
// cores).
func normalizeValue(path, v string) string {
	if isQuantity(path) {
		var s string
		if json.Unmarshal([]byte(v), &s) == nil {
			if q, err := resource.ParseQuantity(s); err == nil {
				return strconv.Quote(q.String())
			}
		}
	}
	return v
}

// allocated is the value of a field that the apiserver allocates.
const allocated = `"<allocated>"`

// isAllocated returns whether the apiserver allocates the field at path
// when the configuration does not set it: a Service's cluster IPs and node
// ports, different on every dry run.
func isAllocated(path string) bool {
	return path == "spec.clusterIP" || strings.HasPrefix(path, "spec.clusterIPs[") ||
		strings.HasPrefix(path, "spec.ports[") && strings.HasSuffix(path, "].nodePort")
}

// normalizeAllocated replaces the values of the fields that the apiserver
// allocated (see [isAllocated]) by "<allocated>": in want (the original's
// fields), unless written (the fields the original writes) pins them; in
// have (svccfg's), unless they are want's. That the values are allocated
// is what matters, and the output must not change from one dry run to the
// next. A headless Service's clusterIP "None" stays: it changes how the
// Service is reached.
func normalizeAllocated(written, want, have Fields) {
	for p, v := range want {
		if isAllocated(p) && written[p] == "" && v != `"None"` {
			want[p] = allocated
		}
	}
	for p, v := range have {
		if isAllocated(p) && v != `"None"` && v != want[p] {
			have[p] = allocated
		}
	}
}

// isQuantity returns whether the field at path holds a resource.Quantity.
func isQuantity(path string) bool {
	return strings.Contains(path, "resources.requests.") || strings.Contains(path, "resources.limits.") ||
		strings.HasSuffix(path, ".sizeLimit") || strings.HasSuffix(path, ".averageValue")
}
