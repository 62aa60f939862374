package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/spf13/cobra"
	"github.com/svccfg/svccfg/lib/build"
	"github.com/svccfg/svccfg/lib/canon"
	"github.com/svccfg/svccfg/lib/diag"
	"github.com/svccfg/svccfg/lib/render"
)

const buildDoc = `Build evaluates the configuration files at each PATH and prints every
Kubernetes object they generate as one YAML stream, ready for
"kubectl apply -f -". A PATH is a .star file, or a directory searched for
.star files that define main (hidden directories and testdata are skipped).
A .star file there that defines no main and that no .star file of its
config root loads is skipped with a warning on stderr (test files quietly).

With -o DIR it writes instead, for each service or cron job,
DIR/kubernetes/<namespace>/<name>.yaml (all its Kubernetes objects) and
DIR/envoy/<name>.yaml (a list of its Envoy xDS resources, each with its
"@type"). Files are replaced atomically, manifests that the configuration no
longer produces are removed, and nothing is written unless the whole build
succeeds.

With --explain it prints, instead of the manifests (or besides writing
them, with -o), where each object and Envoy resource comes from: its output
file, then the position of the service(), cron() or message constructor call
in the configuration that produced it. --format json prints that as a JSON
array.

Values that the API server would reject are errors at the value that
writes them, checked offline: enum-like strings (a Service's type, a port's
protocol, a container's imagePullPolicy, a pod's restartPolicy...) against
the values k8s.io/api declares, with a suggestion, and label keys and
values and annotation keys with Kubernetes' own validation functions.

The output is a pure function of the configuration files and variables: the
same bytes on any machine and from any working directory.

Examples:

  svccfg build examples/home-srv
  svccfg build --var environment=production --var cluster=east -o out/ services/
  svccfg build --format json services/ | kubectl apply -f -
  svccfg build --explain examples/home-srv`

func newBuildCmd(c *command) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "build [flags] PATH...",
		Short: "Compile configuration files into Kubernetes and Envoy manifests",
		Long:  buildDoc,
		Args:  needPaths,
		RunE:  mkRunE(c, runBuild),
	}
	addOutputFlags(cmd)
	cmd.Flags().Bool(flagExplain, false, "print the configuration line that produced each object instead of the manifests")
	addEvalFlags(cmd)
	return cmd
}

func runBuild(c *command, cmd *cobra.Command, args []string) error {
	dir, format, err := outputFlags(cmd)
	if err != nil {
		return err
	}
	explain, _ := cmd.Flags().GetBool(flagExplain)
	// The objects wait in a spool file, not in memory, until they are
	// written; without one (no temporary directory), they wait in memory.
	spool, err := build.NewSpool("")
	if err == nil {
		defer spool.Close()
	}
	out, opts, err := buildPaths(cmd, args, func(o *build.Options) {
		o.Spool = spool
		o.KubernetesOnly = dir == "" // the stream holds no Envoy resources
	})
	if err != nil {
		return err
	}
	if dir != "" {
		if err := writeOutput(dir, out, format); err != nil {
			return err
		}
	}
	if explain {
		origins := render.Origins(out, format, opts.Cwd)
		data := render.Explain(origins)
		if format == canon.JSON {
			if data, err = render.ExplainJSON(origins); err != nil {
				return err
			}
		}
		_, err = cmd.OutOrStdout().Write(data)
		return err
	}
	if dir == "" {
		return render.WriteManifests(cmd.OutOrStdout(), out, format)
	}
	return nil
}

// writeOutput writes the output tree of out under dir.
func writeOutput(dir string, out *build.Output, format canon.Format) error {
	if err := render.WriteOutput(dir, out, format); err != nil {
		var d *diag.Error
		if errors.As(err, &d) {
			return err // a name that cannot be a file: a configuration error
		}
		return systemError{fmt.Errorf("writing %s: %w", dir, err)}
	}
	return nil
}

// needPaths checks that build was given at least one PATH.
func needPaths(cmd *cobra.Command, args []string) error {
	if len(args) == 0 {
		return usageErrorf("missing PATH: a .star file or a directory (see %s --help)", cmd.CommandPath())
	}
	return nil
}

// buildPaths builds the configuration at paths with the options that cmd's
// evaluation flags set, and then set, if not nil.
func buildPaths(cmd *cobra.Command, paths []string, set func(*build.Options)) (*build.Output, build.Options, error) {
	cwd, err := os.Getwd()
	if err != nil {
		return nil, build.Options{}, systemError{err}
	}
	opts, err := buildOptions(cmd, cwd)
	if err != nil {
		return nil, opts, err
	}
	if set != nil {
		set(&opts)
	}
	out, err := build.Build(cmd.Context(), paths, opts)
	return out, opts, err
}
