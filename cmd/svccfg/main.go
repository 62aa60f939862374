package main

import (
	_ "embed"
	"errors"
	"fmt"
	"os"
	"runtime/debug"
	"strings"

	"github.com/go-logr/logr"
	"github.com/spf13/cobra"
	"github.com/svccfg/svccfg/lib/diag"
	"k8s.io/klog/v2"
)

func main() {
	tuneGC()
	os.Exit(Main())
}

// tuneGC trades memory for speed unless GOGC or GOMEMLIMIT say otherwise:
// a build allocates heavily but keeps little (the objects it built wait in a
// spool file), so collecting when the heap has grown fivefold, within a soft
// limit of 160 MiB, halves the time spent in the collector on large trees
// while keeping peak memory bounded whatever the size of the tree.
func tuneGC() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(160 << 20)
	}
}

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
func Main() (code int) {
	// client-go logs through klog to stderr (such as "Unexpected error when
	// reading response body" for requests cancelled after a failure); svccfg
	// reports every error itself, once. Output settings alone are not
	// enough: klog copies errors to stderr whatever they say.
	klog.SetLogger(logr.Discard())
	c := &command{}
	defer func() {
		if r := recover(); r != nil {
			code = exit(os.Stderr, recovered(r))
		}
	}()
	c.root = &cobra.Command{
		Use:           "svccfg",
		Short:         "Compile Starlark service configuration into Kubernetes and Envoy manifests",
		Long:          manual(),
		SilenceErrors: true,
		SilenceUsage:  true,
		// Runnable, so that a missing or unknown command is a usage error
		// rather than cobra printing the help and exiting 0.
		Args: unknownCommand,
		RunE: func(cmd *cobra.Command, args []string) error {
			return usageErrorf("missing command (see %s --help)", cmd.CommandPath())
		},
	}
	c.root.SetFlagErrorFunc(func(cmd *cobra.Command, err error) error {
		return usageErrorf("%v (see %s --help)", err, cmd.CommandPath())
	})
	c.root.CompletionOptions.DisableDefaultCmd = true
	addProfileFlags(c.root)
	c.root.AddCommand(newApplyCmd(c), newBuildCmd(c), newDiffCmd(c), newDocCmd(c), newFmtCmd(c), newHistoryCmd(c), newRollbackCmd(c), newLintCmd(c), newLSPCmd(c), newTestCmd(c), newVersionCmd(c), newXDSCmd(c))
	err := c.root.Execute()
	return exit(c.root.ErrOrStderr(), err)
}

// mkRunE returns a cobra RunE that runs f.
func mkRunE(c *command, f func(c *command, cmd *cobra.Command, args []string) error) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, args []string) (err error) {
		defer func() {
			if r := recover(); r != nil {
				err = recovered(r)
			}
		}()
		stop, err := startProfiles(cmd)
		if err != nil {
			return usageError{err}
		}
		err = f(c, cmd, args)
		if perr := stop(); err == nil && perr != nil {
			err = perr
		}
		var (
			usage usageError
			sys   systemError
		)
		if err == nil || errors.As(err, &usage) || errors.As(err, &sys) || err == errPrinted {
			return err
		}
		return configError{err}
	}
}

// unknownCommand is the argument check of the root command, which cobra
// calls with the arguments that name no subcommand.
func unknownCommand(cmd *cobra.Command, args []string) error {
	if len(args) == 0 {
		return nil
	}
	var names []string
	for _, sub := range cmd.Commands() {
		names = append(names, sub.Name())
	}
	msg := fmt.Sprintf("unknown command %q", args[0])
	if near := diag.Nearest(args[0], names); near != "" {
		msg += fmt.Sprintf(" (did you mean %s?)", near)
	}
	return usageErrorf("%s (see %s --help)", msg, cmd.CommandPath())
}

// noArgs is the argument check of a subcommand that takes no arguments.
func noArgs(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return usageErrorf("%s takes no arguments, got %q (see %s --help)", cmd.Name(), args[0], cmd.CommandPath())
	}
	return nil
}
