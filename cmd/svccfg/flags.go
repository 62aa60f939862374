package main

import (
	"fmt"
	"k8s.io/apimachinery/pkg/api/resource"
	"maps"
	"slices"
	"strings"

	"github.com/spf13/cobra"
	"github.com/svccfg/svccfg/lib/build"
	"github.com/svccfg/svccfg/lib/canon"
	"github.com/svccfg/svccfg/lib/diff"
	"github.com/svccfg/svccfg/lib/eval"
)

// Flag names.
const (
	flagVar      = "var"
	flagMaxSteps = "max-steps"
	flagTimeout  = "timeout"
	flagMaxMem   = "max-memory"
	flagCache    = "cache"
	flagOutDir   = "out-dir"
	flagFormat   = "format"
	flagExplain  = "explain"

	flagKubeconfig  = "kubeconfig"
	flagContext     = "context"
	flagConcurrency = "concurrency"
	flagColor       = "color"
)

// addEvalFlags adds the flags that control evaluation.
func addEvalFlags(cmd *cobra.Command) {
	addSandboxFlags(cmd)
	f := cmd.Flags()
	f.String(flagCache, "", "keep evaluation results in `dir` and reuse those of unchanged files")
	f.String(flagMaxMem, resource.NewQuantity(build.DefaultMaxMemory, resource.BinarySI).String(), "stop the build when its heap exceeds this `size` (such as 512Mi or 4Gi)")
}

// addSandboxFlags adds the flags that set the variables and the limits of
// each evaluation.
func addSandboxFlags(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringArray(flagVar, nil, "a variable: `key=value` sets ctx.vars[key] to value; repeatable; overrides svccfg.yaml")
	f.Uint64(flagMaxSteps, eval.DefaultMaxSteps, "stop a file's evaluation after this many Starlark execution `steps`")
	f.Duration(flagTimeout, eval.DefaultTimeout, "stop a file's evaluation after this wall-clock `duration`")
}

// buildOptions returns the build options that cmd's evaluation flags set.
func buildOptions(cmd *cobra.Command, cwd string) (build.Options, error) {
	opts, err := sandboxOptions(cmd, cwd)
	if err != nil {
		return opts, err
	}
	f := cmd.Flags()
	mem, _ := f.GetString(flagMaxMem)
	q, err := resource.ParseQuantity(mem)
	if err != nil || q.Sign() <= 0 {
		return opts, usageErrorf("--%s %q: want a size such as 512Mi or 4Gi", flagMaxMem, mem)
	}
	opts.MaxMemory = uint64(q.Value())
	if dir, _ := f.GetString(flagCache); dir != "" {
		if opts.Cache, err = build.OpenCache(dir); err != nil {
			return opts, systemError{fmt.Errorf("--%s: %w", flagCache, err)}
		}
	}
	return opts, nil
}

// sandboxOptions returns the options that cmd's sandbox flags set.
func sandboxOptions(cmd *cobra.Command, cwd string) (build.Options, error) {
	f := cmd.Flags()
	opts := build.Options{Vars: make(map[string]string), Stderr: cmd.ErrOrStderr(), Cwd: cwd}
	// The flag's own slice: GetStringArray goes through CSV, which drops a
	// lone empty value and turns "\r\n" into "\n".
	raw := f.Lookup(flagVar).Value.(interface{ GetSlice() []string }).GetSlice()
	for _, kv := range raw {
		k, v, err := build.ParseVar(kv)
		if err != nil {
			return opts, usageError{err}
		}
		opts.Vars[k] = v
	}
	opts.MaxSteps, _ = f.GetUint64(flagMaxSteps)
	opts.Timeout, _ = f.GetDuration(flagTimeout)
	if opts.MaxSteps == 0 {
		return opts, usageErrorf("--%s must be greater than 0", flagMaxSteps)
	}
	if opts.Timeout <= 0 {
		return opts, usageErrorf("--%s must be greater than 0, got %s", flagTimeout, opts.Timeout)
	}
	return opts, nil
}

// addOutputFlags adds the flags that choose where and how output is written.
func addOutputFlags(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringP(flagOutDir, "o", "", "write the manifests under `dir` instead of printing them")
	f.String(flagFormat, string(canon.YAML), "output `format`: "+strings.Join(formatNames(), " or "))
}

func formatNames() []string {
	return slices.Sorted(maps.Keys(map[string]bool{string(canon.YAML): true, string(canon.JSON): true}))
}

func outputFlags(cmd *cobra.Command) (dir string, format canon.Format, err error) {
	f := cmd.Flags()
	dir, _ = f.GetString(flagOutDir)
	name, _ := f.GetString(flagFormat)
	format, err = canon.ParseFormat(name)
	if err != nil {
		return "", "", usageError{fmt.Errorf("--%s: %w", flagFormat, err)}
	}
	return dir, format, nil
}

// addClusterFlags adds the flags that choose the cluster and how it is used.
func addClusterFlags(cmd *cobra.Command) {
	f := cmd.Flags()
	f.String(flagKubeconfig, "", "the kubeconfig `file` (default $KUBECONFIG, else ~/.kube/config)")
	f.String(flagContext, "", "the kubeconfig `context` to use (default its current context)")
	f.Int(flagConcurrency, diff.DefaultConcurrency, "compare at most `n` objects with the cluster at once")
	f.String(flagColor, "auto", "colour the diff: `when` is auto (on a terminal, unless $NO_COLOR is set), always or never")
}

// clusterOptions are the values of the cluster flags.
type clusterOptions struct {
	kubeconfig, context string
	concurrency         int
	color               string // auto, always or never
}

// clusterFlags returns the values of cmd's cluster flags.
func clusterFlags(cmd *cobra.Command) (clusterOptions, error) {
	f := cmd.Flags()
	var o clusterOptions
	o.kubeconfig, _ = f.GetString(flagKubeconfig)
	o.context, _ = f.GetString(flagContext)
	o.concurrency, _ = f.GetInt(flagConcurrency)
	if o.concurrency <= 0 {
		return o, usageErrorf("--%s must be greater than 0, got %d", flagConcurrency, o.concurrency)
	}
	o.color, _ = f.GetString(flagColor)
	if o.color != "auto" && o.color != "always" && o.color != "never" {
		return o, usageErrorf("--%s %q: want auto, always or never", flagColor, o.color)
	}
	return o, nil
}
