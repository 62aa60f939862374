package render

import (
	"bytes"
	"cmp"
	"fmt"
	"github.com/svccfg/svccfg/internal/parallel"
	"io"
	"slices"
	"strings"

	"github.com/svccfg/svccfg/lib/build"
	"github.com/svccfg/svccfg/lib/canon"
	"github.com/svccfg/svccfg/lib/diag"
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
func SortObjects(objs []build.Object) {
	slices.SortStableFunc(objs, func(a, b build.Object) int {
		return cmp.Or(
			cmp.Compare(kindRank(a.Kind), kindRank(b.Kind)),
			strings.Compare(a.Kind, b.Kind),
			strings.Compare(a.Namespace, b.Namespace),
			strings.Compare(a.Name, b.Name),
		)
	})
}

// Manifests returns every Kubernetes object of out as one stream.
func Manifests(out *build.Output, f canon.Format) ([]byte, error) {
	var b bytes.Buffer
	if err := WriteManifests(&b, out, f); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// WriteManifests writes every Kubernetes object of out to w as one stream,
// encoding one object at a time.
func WriteManifests(w io.Writer, out *build.Output, f canon.Format) error {
	var objs []build.Object
	for _, u := range out.Units {
		objs = append(objs, u.Objects...)
	}
	SortObjects(objs)
	return canon.WriteStream(w, len(objs), func(i int) (canon.Node, error) {
		data, err := objs[i].JSON()
		if err != nil {
			return canon.Node{}, err
		}
		return canon.ParseJSON(data)
	}, f)
}

func objectTrees(objs []build.Object) ([]canon.Node, error) {
	trees := make([]canon.Node, len(objs))
	for i := range objs {
		data, err := objs[i].JSON()
		if err != nil {
			return nil, err
		}
		t, err := canon.ParseJSON(data)
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
func Files(out *build.Output, f canon.Format) (map[string][]byte, error) {
	specs, err := outputFiles(out, f)
	if err != nil {
		return nil, err
	}
	data := make([][]byte, len(specs))
	err = parallel.Do(len(specs), 0, func(i int) error {
		var err error
		data[i], err = specs[i].encode()
		return err
	})
	if err != nil {
		return nil, err
	}
	files := make(map[string][]byte, len(specs))
	for i, s := range specs {
		files[s.name] = data[i]
	}
	return files, nil
}

// WriteOutput writes the output tree of out (see [Files]) under dir, as
// [WriteDir] does, encoding and writing file by file in parallel rather
// than holding every file in memory at once.
func WriteOutput(dir string, out *build.Output, f canon.Format) error {
	specs, err := outputFiles(out, f)
	if err != nil {
		return err
	}
	return writeTree(dir, specs)
}

// A fileSpec is one file of the output tree, encoded on demand.
type fileSpec struct {
	name   string // slash-separated, relative to the output directory
	encode func() ([]byte, error)
}

// outputFiles returns the files of out's output tree, sorted by name.
func outputFiles(out *build.Output, f canon.Format) ([]fileSpec, error) {
	var specs []fileSpec
	envoyOwner := make(map[string]*build.Unit)
	for _, u := range out.Units {
		if err := checkFileNames(u); err != nil {
			return nil, err
		}
		k8sFile, envoyFile := unitFiles(u, f)
		if len(u.Objects) > 0 {
			objs := u.Objects
			specs = append(specs, fileSpec{k8sFile, func() ([]byte, error) {
				objs := slices.Clone(objs)
				SortObjects(objs)
				trees, err := objectTrees(objs)
				if err != nil {
					return nil, err
				}
				return canon.Stream(trees, f), nil
			}})
		}
		if len(u.Envoy) > 0 {
			if prev := envoyOwner[u.Name]; prev != nil {
				return nil, &diag.Error{Pos: u.Pos, Msg: fmt.Sprintf("envoy/%s.%s would hold the Envoy resources of %q in both namespace %q and %q", u.Name, f, u.Name, prev.Namespace, u.Namespace)}
			}
			envoyOwner[u.Name] = u
			resources := u.Envoy
			specs = append(specs, fileSpec{envoyFile, func() ([]byte, error) {
				return EnvoyList(resources, f)
			}})
		}
	}
	slices.SortFunc(specs, func(a, b fileSpec) int { return strings.Compare(a.name, b.name) })
	return specs, nil
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
func EnvoyList(resources []build.Resource, f canon.Format) ([]byte, error) {
	resources = sortedResources(resources)
	list := make([]canon.Node, len(resources))
	for i := range resources {
		data, err := resources[i].JSON()
		if err != nil {
			return nil, err
		}
		t, err := canon.ParseJSON(data)
		if err != nil {
			return nil, err
		}
		list[i] = t
	}
	return canon.List(list, f), nil
}

// sortedResources returns a copy of resources ordered by type and name.
func sortedResources(resources []build.Resource) []build.Resource {
	resources = slices.Clone(resources)
	slices.SortStableFunc(resources, func(a, b build.Resource) int {
		return cmp.Or(strings.Compare(a.Type, b.Type), strings.Compare(a.Name, b.Name))
	})
	return resources
}
