package render

import (
	"cmp"
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/svccfg/svccfg/lib/build"
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
	return Stream(trees, f), nil
}

func objectTrees(objs []runtime.Object) ([]Node, error) {
	trees := make([]Node, len(objs))
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
			files[path.Join("kubernetes", ns, u.Name+"."+string(f))] = Stream(trees, f)
		}
		if len(u.Envoy) > 0 {
			if prev := envoyOwner[u.Name]; prev != nil {
				return nil, fmt.Errorf("%s: envoy/%s.%s would hold the Envoy resources of %q in both namespace %q and %q", u.Pos, u.Name, f, u.Name, prev.Namespace, u.Namespace)
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

// EnvoyList encodes Envoy resources as a list, ordered by type and name.
func EnvoyList(resources []proto.Message, f Format) ([]byte, error) {
	resources = sortedEnvoy(resources)
	list := make([]Node, len(resources))
	for i, m := range resources {
		t, err := EnvoyResource(m)
		if err != nil {
			return nil, err
		}
		list[i] = t
	}
	return List(list, f), nil
}

// sortedEnvoy returns a copy of resources ordered by type and name.
func sortedEnvoy(resources []proto.Message) []proto.Message {
	resources = slices.Clone(resources)
	slices.SortStableFunc(resources, func(a, b proto.Message) int {
		return cmp.Or(
			strings.Compare(string(a.ProtoReflect().Descriptor().FullName()), string(b.ProtoReflect().Descriptor().FullName())),
			strings.Compare(envoy.Name(a), envoy.Name(b)),
		)
	})
	return resources
}
