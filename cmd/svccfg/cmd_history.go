package main

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"
	"github.com/svccfg/svccfg/lib/build"
	"github.com/svccfg/svccfg/lib/diff"
	"github.com/svccfg/svccfg/lib/history"
	"k8s.io/client-go/rest"
)

const historyDoc = `History builds the configuration at PATH, as build does, and lists the
revisions that svccfg apply recorded in the cluster for its config set,
oldest first, one per line:

  NUMBER  TIME  OUTCOME  USER  SOURCE-REVISION

OUTCOME is applied, failed (an apply or its wait failed; the revision
before it is left as it was) or rolled-back. Each revision is a Secret
labelled svccfg.dev/revision-of=CONFIG-SET in the namespace of the config
set's objects, holding the rendered objects as gzip'd JSON; the last ten
are kept.

Exit status: 0 on success, 1 for configuration errors, 2 for usage errors
and any failure to reach or use the cluster.

Examples:

  svccfg history services/home-srv
  svccfg history --context staging --var namespace=home services/home-srv`

func newHistoryCmd(c *command) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "history [flags] PATH...",
		Short: "List the revisions apply recorded for a config set",
		Long:  historyDoc,
		Args:  needPaths,
		RunE:  mkRunE(c, runHistory),
	}
	addClusterFlags(cmd)
	addEvalFlags(cmd)
	return cmd
}

func runHistory(c *command, cmd *cobra.Command, args []string) error {
	env, err := openHistory(cmd, args, "history")
	if err != nil {
		return err
	}
	store := env.store
	revs, err := store.List(cmd.Context())
	if err != nil {
		return systemError{fmt.Errorf("history: %s: %s", diff.Classify(err), diff.Message(err))}
	}
	for _, r := range revs {
		fmt.Fprintln(cmd.OutOrStdout(), r.String())
	}
	return nil
}

// A historyEnv is what history and rollback work with: the build of
// their paths, the cluster and the config set's revision history there.
type historyEnv struct {
	out     *build.Output
	opts    build.Options
	cluster clusterOptions
	cfg     *rest.Config
	store   *history.Store
}

// openHistory builds the paths of cmd, which must hold one config set, and
// returns the cluster its flags name and the config set's history there.
func openHistory(cmd *cobra.Command, args []string, verb string) (*historyEnv, error) {
	var timeout time.Duration // of a command that applies and waits
	out, opts, err := buildPaths(cmd, args, func(o *build.Options) {
		if cmd.Flags().Lookup(flagWait) != nil {
			timeout = deployTimeout(o)
		}
	})
	if err != nil {
		return nil, err
	}
	if timeout > 0 {
		opts.Timeout = timeout
	}
	if len(out.Roots) != 1 {
		return nil, usageErrorf("%s: the paths hold %d config sets, want one", verb, len(out.Roots))
	}
	cluster, err := clusterFlags(cmd)
	if err != nil {
		return nil, err
	}
	cfg, err := diff.LoadConfig(cluster.kubeconfig, cluster.context)
	if err != nil {
		return nil, systemError{err}
	}
	store, err := history.StoreFor(cfg, out.Roots[0].ConfigSet, opts.Vars["namespace"], objectsOf(out))
	if err != nil {
		return nil, systemError{err}
	}
	return &historyEnv{out: out, opts: opts, cluster: cluster, cfg: cfg, store: store}, nil
}
