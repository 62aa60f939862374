package render

import (
	"cmp"
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/svccfg/svccfg/lib/build"
	"github.com/svccfg/svccfg/lib/diag"
	"github.com/svccfg/svccfg/lib/envoy"
	"google.golang.org/protobuf/proto"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime"
)

// ClusterScopedDir is the directory under kubernetes/ that holds objects
// without a namespace.
const ClusterScopedDir = "_cluster"

// installOrder is the order in which kinds are written, so that a kind
// comes after the kinds it depends on; other kinds follow, by name.
var installOrder = []string{
	"Namespace", "NetworkPolicy", "ResourceQuota", "LimitRange", "PodDisruptionBudget",
	"ServiceAccount", "Secret", "ConfigMap", "StorageClass", "PersistentVolume",
	"PersistentVolumeClaim", "CustomResourceDefinition", "ClusterRole", "ClusterRoleBinding",
	"Role", "RoleBinding", "Service", "DaemonSet", "Pod", "ReplicationController",
	"ReplicaSet", "Deployment", "HorizontalPodAutoscaler", "StatefulSet", "Job", "CronJob",
	"IngressClass", "Ingress", "APIService",
}

func kindRank(kind string) int {
	if i := slices.Index(installOrder, kind); i >= 0 {
		return i
	}
	return len(installOrder)
}

// SortObjects sorts objects by install order, then kind, namespace and name.
func SortObjects(objs []runtime.Object) {
	slices.SortStableFunc(objs, func(a, b runtime.Object) int {
		ka, kb := a.GetObjectKind().GroupVersionKind().Kind, b.GetObjectKind().GroupVersionKind().Kind
		ma, _ := meta.Accessor(a)
		mb, _ := meta.Accessor(b)
		return cmp.Or(
			cmp.Compare(kindRank(ka), kindRank(kb)),
			strings.Compare(ka, kb),
			strings.Compare(ma.GetNamespace(), mb.GetNamespace()),
			strings.Compare(ma.GetName(), mb.GetName()),
		)
	})
}

// Manifests returns every Kubernetes object of out as one stream.
func Manifests(out *build.Output, f Format) ([]byte, error) {
	var objs []runtime.Object
	for _, u := range out.Units {
		objs = append(objs, u.Objects...)
	}
	SortObjects(objs)
	trees, err := objectTrees(objs)
	if err != nil {
		return nil, err
	}
	return Stream(trees, f)
}

func objectTrees(objs []runtime.Object) ([]map[string]any, error) {
	trees := make([]map[string]any, len(objs))
	for i, o := range objs {
		t, err := Object(o)
		if err != nil {
			return nil, err
		}
		trees[i] = t
	}
	return trees, nil
}

// Files returns the output tree of out as slash-separated relative paths and
// their contents: kubernetes/<namespace>/<name>.<ext> holds the objects of a
// service or job (cluster-scoped ones under kubernetes/_cluster/), and
// envoy/<name>.<ext> a list of its Envoy resources.
func Files(out *build.Output, f Format) (map[string][]byte, error) {
	files := make(map[string][]byte)
	envoyOwner := make(map[string]*build.Unit)
	for _, u := range out.Units {
		if err := checkFileNames(u); err != nil {
			return nil, err
		}
		if len(u.Objects) > 0 {
			ns := u.Namespace
			if ns == "" {
				ns = ClusterScopedDir
			}
			objs := slices.Clone(u.Objects)
			SortObjects(objs)
			trees, err := objectTrees(objs)
			if err != nil {
				return nil, err
			}
			data, err := Stream(trees, f)
			if err != nil {
				return nil, err
			}
			files[path.Join("kubernetes", ns, u.Name+"."+string(f))] = data
		}
		if len(u.Envoy) > 0 {
			if prev := envoyOwner[u.Name]; prev != nil {
				return nil, &diag.Error{Pos: u.Pos, Msg: fmt.Sprintf("envoy/%s.%s would hold the Envoy resources of %q in both namespace %q and %q", u.Name, f, u.Name, prev.Namespace, u.Namespace)}
			}
			envoyOwner[u.Name] = u
			data, err := EnvoyList(u.Envoy, f)
			if err != nil {
				return nil, err
			}
			files[path.Join("envoy", u.Name+"."+string(f))] = data
		}
	}
	return files, nil
}

// checkFileNames fails unless u's name, and its namespace if any, can each
// name one file or directory of the output, so that nothing is written
// outside the output directory. The build checks names and namespaces; this
// keeps the output tree safe whatever reaches it.
func checkFileNames(u *build.Unit) error {
	names := []string{u.Name}
	if u.Namespace != "" {
		names = append(names, u.Namespace)
	}
	for _, s := range names {
		if s == "" || s == "." || s == ".." || strings.ContainsAny(s, `/\`) {
			return &diag.Error{Pos: u.Pos, Msg: fmt.Sprintf("%q cannot name a file or directory of the output", s)}
		}
	}
	return nil
}

// EnvoyList encodes Envoy resources as a list, ordered by type and name.
func EnvoyList(resources []proto.Message, f Format) ([]byte, error) {
	resources = slices.Clone(resources)
	slices.SortStableFunc(resources, func(a, b proto.Message) int {
		return cmp.Or(
			strings.Compare(string(a.ProtoReflect().Descriptor().FullName()), string(b.ProtoReflect().Descriptor().FullName())),
			strings.Compare(envoy.Name(a), envoy.Name(b)),
		)
	})
	list := make([]any, len(resources))
	for i, m := range resources {
		t, err := EnvoyResource(m)
		if err != nil {
			return nil, err
		}
		list[i] = t
	}
	return Encode(list, f)
}
