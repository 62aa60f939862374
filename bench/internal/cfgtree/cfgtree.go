// Package cfgtree holds what the Starlark references of the benchmark
// (bench/plain, bench/skycfg) share about the configuration tree bench/gen
// writes: its files with a main, the variables of its svccfg.yaml, the
// config set name, and the order of objects in a stream, all as svccfg has
// them, so that every reference evaluates the same files with the same
// inputs and prints its objects in svccfg's order.
package cfgtree

import (
	"bytes"
	"cmp"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"sigs.k8s.io/yaml"
)

// Files returns the absolute paths of the .star files under root that
// define main, sorted, as svccfg build finds them (hidden directories and
// testdata are skipped). A file defines main if a line starts with
// "def main(": the generated files have no other way of doing it.
func Files(root string) ([]string, error) {
	root, err := filepath.Abs(root)
	if err != nil {
		return nil, err
	}
	var files []string
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if p != root && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata") {
				return filepath.SkipDir
			}
			return nil
		}
		if filepath.Ext(p) != ".star" {
			return nil
		}
		src, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if bytes.HasPrefix(src, []byte("def main(")) || bytes.Contains(src, []byte("\ndef main(")) {
			files = append(files, p)
		}
		return nil
	})
	slices.Sort(files)
	return files, err
}

// Vars returns the variables that svccfg build gives the files under root:
// its defaults, overridden by the vars of root's svccfg.yaml.
func Vars(root string) (map[string]string, error) {
	vars := map[string]string{"cluster": "local", "environment": "development", "namespace": "default"}
	data, err := os.ReadFile(filepath.Join(root, "svccfg.yaml"))
	if os.IsNotExist(err) {
		return vars, nil
	} else if err != nil {
		return nil, err
	}
	var c struct {
		Vars map[string]string `json:"vars"`
	}
	if err := yaml.Unmarshal(data, &c); err != nil {
		return nil, err
	}
	for k, v := range c.Vars {
		vars[k] = v
	}
	return vars, nil
}

// ConfigSet returns the name of root's config set as svccfg labels every
// object with it: the base name of the config root.
func ConfigSet(root string) (string, error) {
	abs, err := filepath.Abs(root)
	return filepath.Base(abs), err
}

// Labels that svccfg puts on every Kubernetes object it builds (lib/build).
const (
	ManagedByLabel = "app.kubernetes.io/managed-by"
	ManagedBy      = "svccfg"
	ConfigSetLabel = "svccfg.dev/config-set"
)

// installOrder is lib/render's order of kinds in a stream.
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

// An ID identifies a Kubernetes object in a stream.
type ID struct{ Kind, Namespace, Name string }

// Compare orders IDs as svccfg orders the objects of its stream: by install
// order of kinds, then kind, namespace and name.
func Compare(a, b ID) int {
	return cmp.Or(
		cmp.Compare(kindRank(a.Kind), kindRank(b.Kind)),
		strings.Compare(a.Kind, b.Kind),
		strings.Compare(a.Namespace, b.Namespace),
		strings.Compare(a.Name, b.Name),
	)
}
