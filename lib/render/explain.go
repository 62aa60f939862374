package render

import (
	"bytes"
	"encoding/json"
	"fmt"
	"path"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/svccfg/svccfg/lib/build"
	"github.com/svccfg/svccfg/lib/canon"
)

// An Origin says where one generated object or resource is written and
// which call of the configuration produced it.
type Origin struct {
	File       string `json:"file"` // slash-separated, relative to the output directory
	APIVersion string `json:"apiVersion,omitempty"`
	Kind       string `json:"kind,omitempty"`
	Type       string `json:"type,omitempty"` // of an Envoy resource
	Namespace  string `json:"namespace,omitempty"`
	Name       string `json:"name"`
	Source     string `json:"source"` // path:line:col of the call
	By         string `json:"by"`     // `service "web"`, `cron "report"` or "main"
}

// Origins returns the origin of every object and resource of out, in the
// order of the output files (see [Files]) and, within a file, the order in
// which the file holds them. Source positions are relative to cwd.
func Origins(out *build.Output, f canon.Format, cwd string) []Origin {
	var origins []Origin
	for _, u := range out.Units {
		k8sFile, envoyFile := unitFiles(u, f)
		objs := slices.Clone(u.Objects)
		SortObjects(objs)
		for _, o := range objs {
			origins = append(origins, Origin{
				File: k8sFile, APIVersion: o.APIVersion(), Kind: o.Kind, Namespace: o.Namespace, Name: o.Name,
				Source: o.Source.Pos.Format(cwd), By: o.Source.By,
			})
		}
		for _, r := range sortedResources(u.Envoy) {
			origins = append(origins, Origin{
				File: envoyFile, Type: r.Type, Name: r.Name,
				Source: r.Source.Pos.Format(cwd), By: r.Source.By,
			})
		}
	}
	slices.SortStableFunc(origins, func(a, b Origin) int { return strings.Compare(a.File, b.File) })
	return origins
}

// unitFiles returns the names of the files that hold u's Kubernetes objects
// and its Envoy resources in the output tree.
func unitFiles(u *build.Unit, f canon.Format) (k8sFile, envoyFile string) {
	ns := u.Namespace
	if ns == "" {
		ns = ClusterScopedDir
	}
	return path.Join("kubernetes", ns, u.Name+"."+string(f)), path.Join("envoy", u.Name+"."+string(f))
}

// Explain writes origins as text: each output file, then one line for each
// object or resource in it with the position and name of the call that
// produced it, aligned in columns.
func Explain(origins []Origin) []byte {
	var b bytes.Buffer
	tw := tabwriter.NewWriter(&b, 0, 8, 2, ' ', 0)
	file := ""
	for _, o := range origins {
		if o.File != file {
			file = o.File
			fmt.Fprintf(tw, "%s\n", file)
		}
		what := o.APIVersion + " " + o.Kind
		if o.Type != "" {
			what = o.Type
		}
		name := o.Name
		if o.Namespace != "" {
			name = o.Namespace + "/" + o.Name
		}
		fmt.Fprintf(tw, "  %s %s\t%s\t%s\n", what, name, o.Source, o.By)
	}
	tw.Flush()
	return b.Bytes()
}

// ExplainJSON writes origins as an indented JSON array.
func ExplainJSON(origins []Origin) ([]byte, error) {
	if origins == nil {
		origins = []Origin{}
	}
	data, err := json.MarshalIndent(origins, "", "  ")
	return append(data, '\n'), err
}
