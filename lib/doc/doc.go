// Package doc is the engine of `svccfg doc`: it documents the standard
// library, from the docstrings that also type-check its calls (see
// [eval.Signature]), and the Kubernetes and Envoy message types that
// proto.package exposes, from their descriptors and the Kubernetes .proto
// files' comments, with field types written as a configuration writes them.
package doc

import (
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/svccfg/svccfg/lib/diag"
	"github.com/svccfg/svccfg/lib/eval"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
)

// Docs documents a standard library and the protobuf types it was loaded
// with.
type Docs struct {
	std      *eval.Stdlib
	types    *protoregistry.Types
	packages []string
	comments map[protoreflect.FullName]string
	groups   []*group
	prelude  *group // the config root's prelude, if added

	typeNames func() []string // every message and enum, sorted
}

// New returns the documentation of std and its types. comments holds the
// leading comments of types and fields by full name (such as
// [github.com/svccfg/svccfg/lib/k8s.Comments]); it may be nil.
func New(std *eval.Stdlib, comments map[protoreflect.FullName]string) *Docs {
	d := &Docs{
		std:      std,
		types:    std.Registry().Types(),
		packages: std.Registry().Packages(),
		comments: comments,
	}
	d.groups = d.makeGroups()
	d.typeNames = sync.OnceValue(d.allTypes)
	return d
}

// Text returns the documentation of name as plain text: with name "", the
// list of the standard library; else the function ("service",
// "kube.cores", "einhorn", "json.encode"), module ("kube", "proto",
// "json"), file
// ("@stdlib//einhorn.star"), protobuf package ("k8s.io.api.apps.v1") or
// message or enum type ("envoy.config.cluster.v3.Cluster") called name.
func (d *Docs) Text(name string) (string, error) {
	var b strings.Builder
	switch {
	case name == "":
		d.writeList(&b)
	case d.function(name) != nil:
		d.writeFunction(&b, d.function(name))
	case d.isPreludeValue(name):
		v, _ := d.preludeValue(name)
		d.writeValue(&b, v)
	case isBuiltin(name):
		f, _ := findBuiltin(name)
		writeBuiltin(&b, f)
	case d.group(name) != nil:
		d.writeGroup(&b, d.group(name))
	case d.isPackage(name):
		d.writePackage(&b, name)
	default:
		switch desc := d.findType(name).(type) {
		case protoreflect.MessageDescriptor:
			d.writeMessage(&b, desc)
		case protoreflect.EnumDescriptor:
			d.writeEnum(&b, desc)
		default:
			return "", d.unknown(name)
		}
	}
	return b.String(), nil
}

// findType returns the message or enum type called name, or nil.
func (d *Docs) findType(name string) protoreflect.Descriptor {
	if mt, err := d.types.FindMessageByName(protoreflect.FullName(name)); err == nil {
		return mt.Descriptor()
	}
	if et, err := d.types.FindEnumByName(protoreflect.FullName(name)); err == nil {
		return et.Descriptor()
	}
	return nil
}

// unknown returns the error for a name that documents nothing, suggesting
// a near name, or the types whose short name it is.
func (d *Docs) unknown(name string) error {
	msg := fmt.Sprintf("doc: no function, module, file, package or type called %q", name)
	names := slices.Concat(d.stdlibNames(), d.packages, d.typeNames())
	if near := diag.Nearest(name, names); near != "" {
		return fmt.Errorf("%s (did you mean %s?)", msg, near)
	}
	var full []string
	for _, n := range d.typeNames() {
		if strings.EqualFold(n[strings.LastIndex(n, ".")+1:], name) {
			full = append(full, n)
		}
	}
	if len(full) > 0 {
		return fmt.Errorf("%s (did you mean %s?)", msg, orList(full))
	}
	return fmt.Errorf("%s (svccfg doc lists the standard library, svccfg doc proto the packages)", msg)
}

// orList returns "a", "a or b", "a, b or c".
func orList(items []string) string {
	if len(items) == 1 {
		return items[0]
	}
	return strings.Join(items[:len(items)-1], ", ") + " or " + items[len(items)-1]
}
