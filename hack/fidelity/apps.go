package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"

	"github.com/svccfg/svccfg/lib/build"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"
)

// An App is a public application whose manifests an example ports.
type App struct {
	Name    string // the directory under -src holding its repository, and its example under examples/
	Repo    string // owner/name on GitHub
	Version string // the tag or commit the original manifests are read at
	Commit  string // the commit of Version
	// Manifests are the globs, relative to the repository, of the YAML
	// files that make up the application, as its README applies them.
	Manifests []string
	// Namespace is where the objects that name none go, as `kubectl apply
	// -n` puts them, and where the example builds them: each app has its
	// own, so that the examples build together.
	Namespace string
}

// Apps are the applications compared, by name; README.md says why each.
var Apps = []App{
	{
		Name: "guestbook", Repo: "kubernetes/examples",
		Version: "279e8e4fe314f6cb7bc55fa3fbc21bbeaa48c0ea", Commit: "279e8e4fe314f6cb7bc55fa3fbc21bbeaa48c0ea",
		Manifests: []string{"web/guestbook/*.yaml"}, Namespace: "guestbook",
	},
	{
		Name: "online-boutique", Repo: "GoogleCloudPlatform/microservices-demo",
		Version: "v0.10.6", Commit: "5b3a712ab85ccb8f6f7cd5b720d36ba9a8d041eb",
		Manifests: []string{"release/kubernetes-manifests.yaml"}, Namespace: "online-boutique",
	},
	{
		Name: "podinfo", Repo: "stefanprodan/podinfo",
		Version: "6.14.1", Commit: "eec06d1ea459af4cb4e10e806f8be7c7bd58b361",
		Manifests: []string{"deploy/webapp/common/*.yaml", "deploy/webapp/backend/*.yaml", "deploy/webapp/frontend/*.yaml"},
		Namespace: "webapp",
	},
	{
		Name: "sock-shop", Repo: "microservices-demo/microservices-demo",
		Version: "9dff06fae4981921caec6a62393a6ebfce4b3e3f", Commit: "9dff06fae4981921caec6a62393a6ebfce4b3e3f",
		Manifests: []string{"deploy/kubernetes/complete-demo.yaml"}, Namespace: "sock-shop",
	},
}

// Dirs returns the directories of the repository that hold the app's
// manifests.
func (a App) Dirs() []string {
	var dirs []string
	for _, g := range a.Manifests {
		if d := filepath.Dir(g); !slices.Contains(dirs, d) {
			dirs = append(dirs, d)
		}
	}
	return dirs
}

// errNoSource says that the original manifests of an app are not there.
var errNoSource = errors.New("no original manifests")

// ReadOriginal reads the app's original manifests from dir, a checkout (or
// an extracted archive) of its repository at its version. Objects that
// name no namespace get the app's, as `kubectl apply -n` gives them.
func (a App) ReadOriginal(dir string) ([]map[string]any, error) {
	var files []string
	for _, g := range a.Manifests {
		m, err := filepath.Glob(filepath.Join(dir, g))
		if err != nil {
			return nil, err
		}
		files = append(files, m...)
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("%w: %s matches none of %v", errNoSource, dir, a.Manifests)
	}
	slices.Sort(files)
	var objs []map[string]any
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		docs, err := SplitYAML(data)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		for _, d := range docs {
			if child(d, "metadata") != nil && !isClusterScoped(d) && namespaceOf(d) == "" {
				child(d, "metadata")["namespace"] = a.Namespace
			}
			objs = append(objs, d)
		}
	}
	return objs, nil
}

// isClusterScoped returns whether obj is of a cluster-scoped kind among
// those the apps use.
func isClusterScoped(obj map[string]any) bool {
	switch obj["kind"] {
	case "Namespace", "ClusterRole", "ClusterRoleBinding", "ClusterIssuer":
		return true
	}
	return false
}

// SplitYAML decodes a multi-document YAML stream into its objects,
// skipping empty documents (only comments, or `---` at the end).
func SplitYAML(data []byte) ([]map[string]any, error) {
	r := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(data)))
	var out []map[string]any
	for {
		doc, err := r.Read()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		js, err := yaml.YAMLToJSON(doc)
		if err != nil {
			return nil, err
		}
		var obj map[string]any
		if err := json.Unmarshal(js, &obj); err != nil {
			return nil, err
		}
		if len(obj) > 0 {
			out = append(out, obj)
		}
	}
}

// BuildExample builds the example in dir with svccfg, as `svccfg build`
// would, and returns its Kubernetes objects. Envoy resources have no
// counterpart in the originals and are left out.
func BuildExample(ctx context.Context, dir string) ([]map[string]any, error) {
	out, err := build.Build(ctx, []string{dir}, build.Options{Stderr: os.Stderr, KubernetesOnly: true})
	if err != nil {
		return nil, err
	}
	var objs []map[string]any
	for _, u := range out.Units {
		for i := range u.Objects {
			js, err := u.Objects[i].JSON()
			if err != nil {
				return nil, err
			}
			var obj map[string]any
			if err := json.Unmarshal(js, &obj); err != nil {
				return nil, err
			}
			objs = append(objs, obj)
		}
	}
	return objs, nil
}
