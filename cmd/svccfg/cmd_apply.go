package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"
	"github.com/svccfg/svccfg/lib/apply"
	"github.com/svccfg/svccfg/lib/applyset"
	"github.com/svccfg/svccfg/lib/build"
	"github.com/svccfg/svccfg/lib/diff"
	"github.com/svccfg/svccfg/lib/eval"
	"github.com/svccfg/svccfg/lib/history"
	"github.com/svccfg/svccfg/lib/rollout"
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
The objects of a namespace that the same apply creates cannot be dry-run
before it exists: they are shown as built, and dry-run once the namespaces
are applied, before anything else is (a rejection then leaves only the new
namespaces applied).

A field another manager owns is a conflict, which stops the apply unless
--force-conflicts takes it over. Fields that only other managers set are
never changed by svccfg.

With --prune, once every object is applied, the live objects of the config
sets built that the configuration no longer produces (those diff lists as
to prune) are deleted: never an object of another config set, never one
with a controlling owner.

Then it waits until every object it applied is ready, as kstatus judges
it (a Deployment's new pods all available, a Job complete...): on a
terminal a line updated in place says how many are ready and which is the
slowest; otherwise (CI logs) a line for each object as it becomes ready.
A Deployment with a progress deadline (kube.rollout(progress_deadline=...))
gets that long and 30 seconds more; everything else gets --object-timeout,
if given, within what is left of --timeout. An object that fails is one line with the reason the cluster
gives: progress deadline exceeded, image pull, crash loop, unschedulable,
refused (quota or admission), container config, stalled, or timeout.
--wait=false skips the wait.

Each apply is recorded as a revision in the cluster (see svccfg history),
with its outcome: failed when the apply or the wait failed, so that the
revision before it stays the one a rollback returns to. With
--rollback-on-failure, a failed wait re-applies the previous applied
revision at once, as svccfg rollback would, and waits for it too.

Exit status: 0 if everything was applied and is ready; 1 for configuration
errors, objects the cluster rejected (nothing applied) and a rollout that
failed (the output says whether it was rolled back); 2 for usage errors
and any failure to reach or use the cluster, printed as
"svccfg: apply: CLASS: message".

Examples:

  svccfg apply examples/home-srv
  svccfg apply --context staging --prune services/
  svccfg apply --rollback-on-failure --timeout 15m services/
  svccfg apply --force-conflicts --wait=false services/`

// Flags of apply.
const (
	flagPrune          = "prune"
	flagForceConflicts = "force-conflicts"
	flagRevision       = "revision"
	flagWait           = "wait"
	flagRollback       = "rollback-on-failure"
	flagObjectTimeout  = "object-timeout"
)

// defaultApplyTimeout is the default --timeout of apply and rollback.
const defaultApplyTimeout = 10 * time.Minute

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
	f.Bool(flagRollback, false, "when the rollout fails, re-apply the previous applied revision and wait for it")
	addWaitFlags(cmd)
	return cmd
}

// addWaitFlags adds the flags of the commands that apply and wait: --wait,
// and --timeout, which bounds the apply and the wait rather than only an
// evaluation.
func addWaitFlags(cmd *cobra.Command) {
	f := cmd.Flags()
	f.Bool(flagWait, true, "wait until every applied object is ready")
	f.Duration(flagObjectTimeout, 0, "give each object at most this `duration` to become ready (default: what --timeout leaves; a Deployment's progress deadline and 30s, if it has one)")
	t := f.Lookup(flagTimeout)
	t.Usage = fmt.Sprintf("stop the apply, its retries and its wait after this wall-clock `duration` (each file's evaluation after at most %s)", eval.DefaultTimeout)
	t.DefValue = defaultApplyTimeout.String()
	_ = t.Value.Set(t.DefValue)
}

// deployTimeout returns the --timeout of apply and rollback, and sets the
// timeout of each evaluation to at most eval.DefaultTimeout.
func deployTimeout(opts *build.Options) time.Duration {
	t := opts.Timeout
	opts.Timeout = min(t, eval.DefaultTimeout)
	return t
}

func runApply(c *command, cmd *cobra.Command, args []string) error {
	cluster, err := clusterFlags(cmd)
	if err != nil {
		return err
	}
	var timeout time.Duration
	out, opts, err := buildPaths(cmd, args, func(o *build.Options) { timeout = deployTimeout(o) })
	if err != nil {
		return err
	}
	opts.Timeout = timeout
	cfg, err := diff.LoadConfig(cluster.kubeconfig, cluster.context)
	if err != nil {
		return systemError{err}
	}
	a, err := apply.New(cfg)
	if err != nil {
		return systemError{err}
	}
	aopts, store, err := applyOptions(cmd, cluster, cfg, out, opts)
	if err != nil {
		return err
	}
	res, err := a.Apply(cmd.Context(), objectsOf(out), aopts)
	if res != nil && err == nil {
		fmt.Fprintf(cmd.OutOrStdout(), "%s\n", appliedLine(res))
	}
	var rerr *apply.RolloutError
	if rollback, _ := cmd.Flags().GetBool(flagRollback); rollback && errors.As(err, &rerr) {
		return rollbackAfter(cmd, history.User(cfg), a, store, aopts, rerr)
	}
	if errors.As(err, &rerr) {
		return rolloutFailed{rerr, "not rolled back"}
	}
	return applyError(err)
}

// appliedLine returns what an apply did: "applied 3 objects, 1 unchanged,
// pruned 0", and ", all ready" if it waited for them.
func appliedLine(res *apply.Result) string {
	s := fmt.Sprintf("applied %s, %d unchanged, pruned %d", plural(res.Applied, "object"), res.Unchanged, res.Pruned)
	if res.Rollout != nil {
		s += ", all ready"
	}
	return s
}

// plural returns "1 object" or "n objects".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// rollbackAfter re-applies the revision before the one whose rollout
// failed, with the options of that apply, and returns the failure with
// what became of the rollback.
func rollbackAfter(cmd *cobra.Command, user string, a *apply.Applier, store *history.Store, aopts apply.Options, failed *apply.RolloutError) error {
	if store == nil {
		return rolloutFailed{failed, "not rolled back: the paths hold several config sets, each with its own history"}
	}
	ctx := cmd.Context()
	target, objs, err := rollbackTarget(ctx, store, 0)
	if err != nil {
		return rolloutFailed{failed, "not rolled back: " + err.Error()}
	}
	stdout := cmd.OutOrStdout()
	fmt.Fprintf(stdout, "rolling back to revision %d\n", target.Number)
	aopts.Prune = true
	aopts.Record = rollbackRecord(store, user, target.Source)
	res, err := a.Apply(ctx, objs, aopts)
	if err != nil {
		fmt.Fprintln(cmd.ErrOrStderr(), err)
		return rolloutFailed{failed, fmt.Sprintf("rollback to revision %d failed too", target.Number)}
	}
	fmt.Fprintf(stdout, "rolled back to revision %d: %s\n", target.Number, appliedLine(res))
	return rolloutFailed{failed, fmt.Sprintf("rolled back to revision %d", target.Number)}
}

// rollbackRecord returns the [apply.Options.Record] of a rollback: the
// revision it applies is recorded again, as rolled-back.
func rollbackRecord(store *history.Store, user, source string) func(context.Context, []build.Object, string) error {
	return func(ctx context.Context, objs []build.Object, outcome string) error {
		if outcome == history.Applied {
			outcome = history.RolledBack
		}
		_, err := store.Save(ctx, objs, user, source, outcome)
		return err
	}
}

// rolloutFailed is a rollout that failed, with what became of it: exit
// status 1, one line per failed object, then the rollback's outcome.
type rolloutFailed struct {
	err     *apply.RolloutError
	outcome string
}

func (e rolloutFailed) Error() string { return e.err.Error() + "\n" + e.outcome }
func (e rolloutFailed) Unwrap() error { return e.err }

// applyOptions returns the options of an apply from the flags: the
// changes are printed as diff prints them, and the revision is recorded
// when the paths hold one config set.
func applyOptions(cmd *cobra.Command, cluster clusterOptions, cfg *rest.Config, out *build.Output, opts build.Options) (apply.Options, *history.Store, error) {
	f := cmd.Flags()
	aopts := apply.Options{Concurrency: cluster.concurrency, Timeout: opts.Timeout, ConfigSets: out.ConfigSets}
	if wait, _ := f.GetBool(flagWait); wait {
		stderr := cmd.ErrOrStderr()
		aopts.Wait = &rollout.Options{Progress: stderr, Terminal: rollout.IsTerminal(stderr)}
		if aopts.Wait.ObjectTimeout, _ = f.GetDuration(flagObjectTimeout); aopts.Wait.ObjectTimeout < 0 {
			return aopts, nil, usageErrorf("--%s must not be negative, got %s", flagObjectTimeout, aopts.Wait.ObjectTimeout)
		}
	}
	aopts.Prune, _ = f.GetBool(flagPrune)
	aopts.ForceConflicts, _ = f.GetBool(flagForceConflicts)
	aopts.Changes = func(res *diff.Result) error {
		_, err := writeResult(cmd, cluster, res)
		return err
	}
	aopts.ApplySet = applySetOf(out, opts, objectsOf(out))
	if aopts.ApplySet == nil {
		return aopts, nil, nil
	}
	source, _ := f.GetString(flagRevision)
	if source == "" {
		source = history.SourceRevision(out.Roots[0].Dir)
	}
	store, err := history.StoreFor(cfg, out.Roots[0].ConfigSet, opts.Vars["namespace"], objectsOf(out))
	if err != nil {
		return aopts, nil, systemError{err}
	}
	user := history.User(cfg)
	aopts.Record = func(ctx context.Context, objs []build.Object, outcome string) error {
		_, err := store.Save(ctx, objs, user, source, outcome)
		return err
	}
	return aopts, store, nil
}

// applySetOf returns the ApplySet of the objs built into out, if out holds
// one config set: its parent is in the namespace of its history.
func applySetOf(out *build.Output, opts build.Options, objs []build.Object) *apply.ApplySet {
	if len(out.Roots) != 1 {
		return nil
	}
	set := out.Roots[0].ConfigSet
	return &apply.ApplySet{Set: set, Parent: applyset.ParentOf(set, history.Namespace(opts.Vars["namespace"], objs))}
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
