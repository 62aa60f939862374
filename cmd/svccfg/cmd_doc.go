package main

import (
	"io"
	"os"

	"github.com/spf13/cobra"
	"github.com/svccfg/svccfg/lib/build"
	"github.com/svccfg/svccfg/lib/diag"
	"github.com/svccfg/svccfg/lib/doc"
	"github.com/svccfg/svccfg/lib/eval"
	"github.com/svccfg/svccfg/lib/k8s"
)

const docDoc = `Doc shows the documentation of the standard library and of the protobuf
types that configuration files build, from the tool itself.

With no NAME it lists the standard library: the predeclared functions
(service, cron, struct), the predeclared modules (kube, envoy, proto, and
skycfg's json, yaml, hash and url) and the files
that configuration files load ("@stdlib//einhorn.star"), each function with
the summary of its docstring.

With a NAME it shows:

  a function (service, kube.cores, einhorn): its signature, docstring and
      every parameter with its type, default value and description;
      for a function defined in Go (json.encode, proto.merge), its
      signature and summary;
  a module or file (kube, json, "@stdlib//einhorn.star"): its functions;
  proto: the proto module's functions and every protobuf package;
  a protobuf package (k8s.io.api.apps.v1): its message types and enums;
  a message type (k8s.io.api.apps.v1.DeploymentSpec,
      envoy.config.cluster.v3.Cluster): its fields, each with the type a
      configuration writes, and the Kubernetes API's comments;
  an enum: its values.

--format markdown writes the reference of the whole standard library as
Markdown (docs/reference.md is generated with it).

Examples:

  svccfg doc
  svccfg doc service
  svccfg doc kube.cores
  svccfg doc k8s.io.api.apps.v1.DeploymentSpec`

func newDocCmd(c *command) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "doc [--format text|markdown] [NAME]",
		Short: "Show the documentation of the standard library and the protobuf types",
		Long:  docDoc,
		Args:  atMostOneName,
		RunE:  mkRunE(c, runDoc),
	}
	cmd.Flags().String(flagFormat, "text", "output `format`: text, or markdown for the reference of the whole standard library")
	return cmd
}

func runDoc(c *command, cmd *cobra.Command, args []string) error {
	format, _ := cmd.Flags().GetString(flagFormat)
	if format != "text" && format != "markdown" {
		return usageErrorf("--%s %q: want text or markdown", flagFormat, format)
	}
	if format == "markdown" && len(args) > 0 {
		return usageErrorf("--%s markdown writes the whole reference and takes no NAME, got %q", flagFormat, args[0])
	}
	std, err := eval.DefaultStdlib()
	if err != nil {
		return systemError{err}
	}
	d := doc.New(std, k8s.Comments())
	var text string
	if format == "markdown" {
		text = d.Markdown()
	} else {
		if err := addPrelude(cmd, d); err != nil {
			return err
		}
		name := ""
		if len(args) > 0 {
			name = args[0]
		}
		if text, err = d.Text(name); err != nil {
			return err
		}
	}
	_, err = io.WriteString(cmd.OutOrStdout(), text)
	return err
}

// addPrelude adds to d the prelude of the config root of the working
// directory, if its svccfg.yaml names one.
func addPrelude(cmd *cobra.Command, d *doc.Docs) error {
	cwd, err := os.Getwd()
	if err != nil {
		return systemError{err}
	}
	p, err := build.LoadPrelude(cmd.Context(), cwd, build.Options{Cwd: cwd, Stderr: cmd.ErrOrStderr()})
	if err != nil || p == nil {
		return err
	}
	d.AddPrelude(doc.Prelude{Name: diag.RelPath(p.Path, cwd), Doc: p.Doc, Globals: p.Globals})
	return nil
}

// atMostOneName checks that doc was given at most one NAME.
func atMostOneName(cmd *cobra.Command, args []string) error {
	if len(args) > 1 {
		return usageErrorf("%s takes at most one NAME, got %d arguments (see %s --help)", cmd.Name(), len(args), cmd.CommandPath())
	}
	return nil
}
