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
	"k8s.io/client-go/rest"
)

const applyDoc = `Apply builds the configuration files at each PATH, as build does, and
applies every Kubernetes object to the cluster with server-side apply
(field manager "svccfg").

First it compares the objects with the cluster, as diff does, and sends
every one of them as a server-side apply dry run: if the cluster rejects
any (an invalid field, a conflict with another field manager), nothing is
applied, and each rejection is printed at the call in the configuration
that made the object, naming the object and the field:

  main.star:2:19: apply: validation: Deployment web/web: invalid: spec.replicas: ...

Then it prints the changes the way diff does, and applies the objects in
dependency order: namespaces and custom resource definitions; service
accounts, config maps and secrets; then workloads, services and the rest.

A field another manager owns is a conflict, which stops the apply unless
--force-conflicts takes it over. Fields that only other managers set are
never changed by svccfg.

With --prune, once every object is applied, the live objects of the config
sets built that the configuration no longer produces (those diff lists as
to prune) are deleted: never an object of another config set, never one
with a controlling owner.

Exit status: 0 if everything was applied (and, with --wait, is ready); 1
for configuration errors and objects the cluster rejected (nothing applied)
or a rollout that failed; 2 for usage errors and any failure to reach or use
the cluster, printed as "svccfg: apply: CLASS: message".

Examples:

  svccfg apply examples/home-srv
  svccfg apply --context staging --prune services/
  svccfg apply --force-conflicts --timeout 10m services/`

// Flags of apply.
const (
	flagPrune          = "prune"
	flagForceConflicts = "force-conflicts"
	flagRevision       = "revision"
)

func newApplyCmd(c *command) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "apply [flags] PATH...",
		Short: "Apply the configuration's Kubernetes objects to the cluster",
		Long:  applyDoc,
		Args:  needPaths,
		RunE:  mkRunE(c, runApply),
	}
	addClusterFlags(cmd)
	addEvalFlags(cmd)
	f := cmd.Flags()
	f.Bool(flagPrune, false, "delete the live objects of the config sets that the configuration no longer produces")
	f.Bool(flagForceConflicts, false, "take over fields that another field manager owns")
	f.String(flagRevision, "", "record this source `revision` with the apply (default the config root's git commit, if any)")
	f.Lookup(flagTimeout).Usage = "stop a file's evaluation, and the apply (retries and wait included), after this wall-clock `duration`"
	return cmd
}

func runApply(c *command, cmd *cobra.Command, args []string) error {
	cluster, err := clusterFlags(cmd)
	if err != nil {
		return err
	}
	out, opts, err := buildPaths(cmd, args, nil)
	if err != nil {
		return err
	}
	cfg, err := diff.LoadConfig(cluster.kubeconfig, cluster.context)
	if err != nil {
		return systemError{err}
	}
	a, err := apply.New(cfg)
	if err != nil {
		return systemError{err}
	}
	aopts, err := applyOptions(cmd, cluster, cfg, out, opts)
	if err != nil {
		return err
	}
	res, err := a.Apply(cmd.Context(), objectsOf(out), aopts)
	if res != nil && err == nil {
		fmt.Fprintf(cmd.OutOrStdout(), "applied %d objects, pruned %d\n", res.Applied, res.Pruned)
	}
	return applyError(err)
}

// applyOptions returns the options of an apply from the flags: the
// changes are printed as diff prints them, and the revision is recorded
// when the paths hold one config set.
func applyOptions(cmd *cobra.Command, cluster clusterOptions, cfg *rest.Config, out *build.Output, opts build.Options) (apply.Options, error) {
	f := cmd.Flags()
	aopts := apply.Options{Concurrency: cluster.concurrency, Timeout: opts.Timeout, ConfigSets: out.ConfigSets}
	aopts.Prune, _ = f.GetBool(flagPrune)
	aopts.ForceConflicts, _ = f.GetBool(flagForceConflicts)
	aopts.Changes = func(res *diff.Result) error {
		_, err := writeResult(cmd, cluster, res)
		return err
	}
	if len(out.Roots) != 1 {
		return aopts, nil
	}
	source, _ := f.GetString(flagRevision)
	if source == "" {
		source = history.SourceRevision(out.Roots[0].Dir)
	}
	store, err := history.StoreFor(cfg, out.Roots[0].ConfigSet, opts.Vars["namespace"], objectsOf(out))
	if err != nil {
		return aopts, systemError{err}
	}
	user := history.User(cfg)
	aopts.Record = func(ctx context.Context, objs []build.Object, outcome string) error {
		_, err := store.Save(ctx, objs, user, source, outcome)
		return err
	}
	return aopts, nil
}

// objectsOf returns the objects of all units of out.
func objectsOf(out *build.Output) []build.Object {
	var objs []build.Object
	for _, u := range out.Units {
		objs = append(objs, u.Objects...)
	}
	return objs
}

// applyError maps an apply's error to its exit status: rejected objects and
// failed rollouts are 1, other cluster failures 2.
func applyError(err error) error {
	var (
		rejected *apply.Rejected
		rollout  *apply.RolloutError
		aerr     *apply.Error
	)
	switch {
	case err == nil:
		return nil
	case errors.As(err, &rejected):
		return rejected.Diags().Err()
	case errors.As(err, &rollout):
		return err
	case errors.As(err, &aerr):
		return systemError{err}
	}
	return err
}
