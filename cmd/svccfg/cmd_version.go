package main

import (
	"fmt"
	"runtime/debug"

	"github.com/spf13/cobra"
)

// reportedModules are the dependencies whose versions `svccfg version` shows:
// the ones that decide what the output looks like.
var reportedModules = []string{
	"k8s.io/api",
	"github.com/envoyproxy/go-control-plane/envoy",
	"go.starlark.net",
	"github.com/stripe/skycfg",
}

func newVersionCmd(c *command) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version of svccfg and of the APIs it targets",
		Args:  noArgs,
		RunE:  mkRunE(c, runVersion),
	}
}

func runVersion(c *command, cmd *cobra.Command, args []string) error {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return fmt.Errorf("no build information in this binary")
	}
	w := cmd.OutOrStdout()
	fmt.Fprintf(w, "svccfg %s %s\n", info.Main.Version, info.GoVersion)
	deps := make(map[string]string)
	for _, d := range info.Deps {
		deps[d.Path] = d.Version
	}
	for _, m := range reportedModules {
		if v, ok := deps[m]; ok {
			fmt.Fprintf(w, "%s %s\n", m, v)
		}
	}
	return nil
}
