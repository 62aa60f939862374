// Command fidelity measures how much of public applications' own
// Kubernetes manifests svccfg reproduces from their ports in examples/,
// written with the standard library's high-level calls: field by field,
// optionally after the apiserver's defaulting on both sides.
//
// Usage (from the repository root; README.md beside this file says where
// the originals come from):
//
//	go run ./hack/fidelity -src DIR [-kubeconfig FILE] [-v] [APP...]
//
// DIR holds one directory per application (DIR/guestbook, DIR/podinfo,
// ...), each a checkout or an extracted archive of its repository at the
// version in [Apps]; hack/fidelity/sources.sh makes one. With -kubeconfig,
// every object of both sides goes through a server-side apply dry run
// (`make fidelity` starts a throw-away cluster with hack/cluster.sh for
// that); without, the objects are compared as written. It prints, per
// application, the objects matched, the fields reproduced / total, and
// the fields that are missing or differ. It exits 0 when it measured
// every application asked for, 2 otherwise.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/svccfg/svccfg/lib/diag"
	"github.com/svccfg/svccfg/lib/diff"
	"k8s.io/apimachinery/pkg/runtime"
)

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

// run is the command with its arguments and output streams.
func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("fidelity", flag.ContinueOnError)
	fs.SetOutput(stderr)
	src := fs.String("src", "", "directory with one checkout of each application's repository, by app name")
	examples := fs.String("examples", "examples", "directory of the ports, one example per app name")
	kubeconfig := fs.String("kubeconfig", "", "kubeconfig of a cluster for server-side dry runs (none: compare as written)")
	verbose := fs.Bool("v", false, "also list the fields that differ only after defaulting, and those only svccfg sets")
	sources := fs.Bool("sources", false, "print each app's name, repository URL, commit and manifest directories, and exit")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *sources {
		for _, a := range Apps {
			fmt.Fprintln(stdout, a.Name, "https://github.com/"+a.Repo, a.Commit, strings.Join(a.Dirs(), " "))
		}
		return 0
	}
	if *src == "" {
		fmt.Fprintln(stderr, "fidelity: -src is required (see hack/fidelity/README.md)")
		return 2
	}
	apps, err := selectApps(fs.Args())
	if err != nil {
		fmt.Fprintln(stderr, "fidelity:", err)
		return 2
	}
	ctx := context.Background()
	var dr *DryRunner
	if *kubeconfig != "" {
		cfg, err := diff.LoadConfig(*kubeconfig, "")
		if err == nil {
			dr, err = NewDryRunner(cfg)
		}
		if err != nil {
			fmt.Fprintln(stderr, "fidelity:", err)
			return 2
		}
	}
	var reports []Report
	for _, a := range apps {
		r, err := measure(ctx, a, filepath.Join(*src, a.Name), filepath.Join(*examples, a.Name), dr)
		if err != nil {
			cwd, _ := os.Getwd()
			diag.Print(stderr, err, diag.Config{Cwd: cwd})
			fmt.Fprintf(stderr, "fidelity: %s: not measured\n", a.Name)
			return 2
		}
		reports = append(reports, r)
	}
	Print(stdout, reports, *verbose)
	return 0
}

// selectApps returns the apps named, or all of them.
func selectApps(names []string) ([]App, error) {
	if len(names) == 0 {
		return Apps, nil
	}
	var out []App
	for _, n := range names {
		i := slices.IndexFunc(Apps, func(a App) bool { return a.Name == n })
		if i < 0 {
			return nil, fmt.Errorf("unknown app %q", n)
		}
		out = append(out, Apps[i])
	}
	return out, nil
}

// A Report is the comparison of one app.
type Report struct {
	App    App
	Result *AppResult
}

// measure compares app's original manifests under src with the build of
// its example, after a dry run of both sides if dr is not nil.
func measure(ctx context.Context, app App, src, example string, dr *DryRunner) (Report, error) {
	orig, err := app.ReadOriginal(src)
	if errors.Is(err, errNoSource) {
		err = fmt.Errorf("%w; get them with hack/fidelity/sources.sh", err)
	}
	if err != nil {
		return Report{}, err
	}
	built, err := BuildExample(ctx, example)
	if err != nil {
		return Report{}, err
	}
	o, err := side(ctx, orig, dr)
	if err != nil {
		return Report{}, err
	}
	s, err := side(ctx, built, dr)
	if err != nil {
		return Report{}, err
	}
	return Report{App: app, Result: Compare(o, s)}, nil
}

// side prepares the objects of one side: their defaulted forms from dr if
// it is not nil, and named ports resolved in both forms.
func side(ctx context.Context, objs []map[string]any, dr *DryRunner) ([]Object, error) {
	out := make([]Object, len(objs))
	var defaulted []map[string]any
	for i, obj := range objs {
		out[i] = Object{Key: key(obj), Obj: obj}
		if dr == nil {
			continue
		}
		d, err := dr.Default(ctx, runtime.DeepCopyJSON(obj))
		if err != nil {
			return nil, err
		}
		out[i].Defaulted = d
		defaulted = append(defaulted, d)
	}
	ResolvePorts(objs)
	ResolvePorts(defaulted)
	return out, nil
}
