package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/cobra"
	"github.com/svccfg/svccfg/lib/apply"
	"github.com/svccfg/svccfg/lib/build"
	"github.com/svccfg/svccfg/lib/diff"
	"github.com/svccfg/svccfg/lib/history"
)

const rollbackDoc = `Rollback re-applies a revision that svccfg apply recorded for the config
set at PATH (see svccfg history): by default the latest applied revision
before the current one, or --to REV. It prints what it changes as diff
does, applies that revision's objects as apply does (a dry run of the whole
set first), deletes the config set's objects the revision does not have,
and records the rollback as a new revision with outcome rolled-back.

Only fields svccfg owns are restored: fields other field managers own are
not reverted, and a field another manager has taken is a conflict unless
--force-conflicts takes it back.

Then it waits until every object is ready, as apply does (--wait=false
skips the wait).

Exit status: 0 if the revision was applied and is ready; 1 for
configuration errors, objects the cluster rejected (nothing applied) and a
rollout that failed; 2 for usage errors, a
revision that does not exist, and any failure to reach or use the cluster.

Examples:

  svccfg rollback services/home-srv
  svccfg rollback --to 3 services/home-srv`

const flagTo = "to"

func newRollbackCmd(c *command) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "rollback [flags] PATH...",
		Short: "Re-apply an earlier revision of a config set",
		Long:  rollbackDoc,
		Args:  needPaths,
		RunE:  mkRunE(c, runRollback),
	}
	addClusterFlags(cmd)
	addEvalFlags(cmd)
	f := cmd.Flags()
	f.Int(flagTo, 0, "the `revision` to roll back to (default the applied one before the current)")
	f.Bool(flagForceConflicts, false, "take over fields that another field manager owns")
	addWaitFlags(cmd)
	return cmd
}

func runRollback(c *command, cmd *cobra.Command, args []string) error {
	env, err := openHistory(cmd, args, "rollback")
	if err != nil {
		return err
	}
	cfg, store := env.cfg, env.store
	a, err := apply.New(cfg)
	if err != nil {
		return systemError{err}
	}
	to, _ := cmd.Flags().GetInt(flagTo)
	target, objs, err := rollbackTarget(cmd.Context(), store, to)
	if err != nil {
		return err
	}
	aopts, _, err := applyOptions(cmd, env.cluster, cfg, env.out, env.opts)
	if err != nil {
		return err
	}
	aopts.Prune = true
	aopts.Record = rollbackRecord(store, history.User(cfg), target.Source)
	res, err := a.Apply(cmd.Context(), objs, aopts)
	if res != nil && err == nil {
		fmt.Fprintf(cmd.OutOrStdout(), "rolled back to revision %d: %s\n", target.Number, appliedLine(res))
	}
	var rerr *apply.RolloutError
	if errors.As(err, &rerr) {
		return rolloutFailed{rerr, fmt.Sprintf("the rollback to revision %d did not become ready", target.Number)}
	}
	return applyError(err)
}

// rollbackTarget returns the revision to roll back to and its objects.
func rollbackTarget(ctx context.Context, store *history.Store, to int) (history.Revision, []build.Object, error) {
	revs, err := store.List(ctx)
	if err != nil {
		return history.Revision{}, nil, systemError{fmt.Errorf("rollback: %s: %s", diff.Classify(err), diff.Message(err))}
	}
	target, err := history.Target(revs, to)
	if err != nil {
		return target, nil, systemError{fmt.Errorf("rollback: %w", err)}
	}
	objs, err := target.BuildObjects()
	if err != nil {
		return target, nil, systemError{err}
	}
	return target, objs, nil
}
