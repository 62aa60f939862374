package main

import (
	_ "embed"
	"errors"
	"os"
	"strings"

	"github.com/spf13/cobra"
)

func main() { os.Exit(Main()) }

//go:embed doc.go
var docSource string

// manual returns the CLI manual: the package comment of doc.go.
func manual() string {
	text, _, _ := strings.Cut(docSource, "*/")
	_, text, _ = strings.Cut(text, "/*\n")
	return strings.ReplaceAll(strings.TrimSpace(text), "\t", "    ")
}

// command holds what every subcommand shares.
type command struct {
	root *cobra.Command
}

// Main runs svccfg with os.Args and returns its exit status.
func Main() int {
	c := &command{}
	c.root = &cobra.Command{
		Use:           "svccfg",
		Short:         "Compile Starlark service configuration into Kubernetes and Envoy manifests",
		Long:          manual(),
		SilenceErrors: true,
		SilenceUsage:  true,
		Args:          usageArgs(cobra.NoArgs),
	}
	c.root.SetFlagErrorFunc(func(cmd *cobra.Command, err error) error {
		return usageErrorf("%v (see %s --help)", err, cmd.CommandPath())
	})
	c.root.CompletionOptions.DisableDefaultCmd = true
	c.root.AddCommand(newBuildCmd(c), newVersionCmd(c))
	err := c.root.Execute()
	return exit(c.root.ErrOrStderr(), err)
}

// mkRunE returns a cobra RunE that runs f.
func mkRunE(c *command, f func(c *command, cmd *cobra.Command, args []string) error) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, args []string) error {
		err := f(c, cmd, args)
		var usage usageError
		if err == nil || errors.As(err, &usage) || err == errPrinted {
			return err
		}
		return configError{err}
	}
}

// usageArgs wraps a cobra argument check so that its errors are usage errors.
func usageArgs(check cobra.PositionalArgs) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if err := check(cmd, args); err != nil {
			return usageErrorf("%v (see %s --help)", err, cmd.CommandPath())
		}
		return nil
	}
}
