package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/spf13/cobra"
	"github.com/svccfg/svccfg/lib/applyset"
	"github.com/svccfg/svccfg/lib/build"
	"github.com/svccfg/svccfg/lib/diff"
	"golang.org/x/term"
	"k8s.io/client-go/dynamic"
)

const diffDoc = `Diff builds the configuration files at each PATH, as build does, and
compares every Kubernetes object with the live cluster: each is sent as a
server-side apply dry run (dryRun=All, field manager "svccfg", forcing
conflicts), so that the cluster's own defaulting, admission and validation
run, and the result is compared with the live object after dropping what the
server manages (managedFields, resourceVersion, uid, generation,
creationTimestamp, selfLink, status, kubectl's last-applied annotation).

For each object that would change it prints a unified diff of canonical YAML,
from live/<group/version/Kind/namespace/name> to svccfg/<...>; Secret values
are replaced by markers and never printed. The first line of a change's diff
is tagged with its risks: [recreate] when it changes an immutable field and
the object must be deleted and created again (a workload's selector, a Job's
template, a Service's clusterIP, or its type to or from ExternalName),
[restarts pods] when it changes a pod template (of a Deployment, StatefulSet
or DaemonSet, or a CronJob's job template), and [shifts traffic] when it
changes a Service's ports or selector.

Every object svccfg renders carries the labels app.kubernetes.io/managed-by:
svccfg and svccfg.dev/config-set: NAME (see svccfg.yaml in svccfg help).
Diff lists, in all namespaces, the live objects labelled with the config sets
being built that the configuration no longer produces, as to prune, each with
a diff from live/<...> to /dev/null; it searches the kinds of the objects
built and Deployment, Service, ServiceAccount, ConfigMap, PodDisruptionBudget,
NetworkPolicy and CronJob. Diff never deletes anything.

A summary line follows: "N to create, N to change, N unchanged, N to prune".

The cluster comes from the kubeconfig as kubectl finds it: --kubeconfig,
else $KUBECONFIG, else ~/.kube/config, with --context choosing the context.
On a terminal, the diff is coloured (--color) and a progress line counts
the objects compared.

Transient failures (network errors, 429 and 5xx responses) are retried until
--timeout has passed since the comparison began.

Exit status: 0 if nothing would change, 1 if something would or something is
to prune (or for
configuration errors), 2 for usage errors and any failure to reach or use
the cluster, printed as "svccfg: diff: CLASS: message" where CLASS is one of
kubeconfig, network, auth, validation, conflict or timeout.

Examples:

  svccfg diff examples/home-srv
  svccfg diff --context staging --var environment=staging services/
  svccfg diff --kubeconfig ~/.kube/prod --concurrency 16 --timeout 1m services/`

func newDiffCmd(c *command) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "diff [flags] PATH...",
		Short: "Compare the configuration's Kubernetes objects with the live cluster",
		Long:  diffDoc,
		Args:  needPaths,
		RunE:  mkRunE(c, runDiff),
	}
	addClusterFlags(cmd)
	addEvalFlags(cmd)
	cmd.Flags().Lookup(flagTimeout).Usage = "stop a file's evaluation, and the comparison with the cluster (retries included), after this wall-clock `duration`"
	return cmd
}

func runDiff(c *command, cmd *cobra.Command, args []string) error {
	cluster, err := clusterFlags(cmd)
	if err != nil {
		return err
	}
	out, opts, err := buildPaths(cmd, args, nil)
	if err != nil {
		return err
	}
	res, err := runDiffer(cmd, cluster, out, opts)
	if err != nil {
		return err
	}
	if _, err := writeResult(cmd, cluster, res); err != nil {
		return err
	}
	if res.HasDifferences() {
		return errPrinted // exit 1, with nothing more to say
	}
	return nil
}

// writeResult writes res to cmd's output, coloured as the flags say.
func writeResult(cmd *cobra.Command, cluster clusterOptions, res *diff.Result) (int64, error) {
	write := res.WriteTo
	if cluster.color == "always" || cluster.color == "auto" && os.Getenv("NO_COLOR") == "" && isTerminal(cmd.OutOrStdout()) {
		write = res.WriteColor
	}
	n, err := write(cmd.OutOrStdout())
	if err != nil {
		return n, systemError{err}
	}
	return n, nil
}

// runDiffer compares the objects of out with the cluster, as apply would
// apply them: as the members of their config set's ApplySet when the paths
// hold one config set.
func runDiffer(cmd *cobra.Command, cluster clusterOptions, out *build.Output, bopts build.Options) (*diff.Result, error) {
	objs := objectsOf(out)
	cfg, err := diff.LoadConfig(cluster.kubeconfig, cluster.context)
	if err != nil {
		return nil, systemError{err}
	}
	d, err := diff.New(cfg)
	if err != nil {
		return nil, systemError{err}
	}
	opts := diff.Options{Concurrency: cluster.concurrency, Timeout: bopts.Timeout, ConfigSets: out.ConfigSets}
	if set := applySetOf(out, bopts, objs); set != nil {
		client, err := dynamic.NewForConfig(cfg)
		if err != nil {
			return nil, systemError{err}
		}
		ctx, cancel := context.WithTimeout(cmd.Context(), bopts.Timeout)
		defer cancel()
		live, err := set.Parent.Read(ctx, client)
		if err != nil {
			class := diff.Classify(err)
			var foreign *applyset.ForeignError
			if errors.As(err, &foreign) {
				class = diff.Conflict
			}
			return nil, systemError{&diff.Error{Class: class, Err: fmt.Errorf("reading the ApplySet parent %s: %w", set.Parent, err)}}
		}
		if objs, err = set.Parent.Mark(objs); err != nil {
			return nil, err
		}
		opts.PruneKinds = live.Inventory.Kinds
		opts.Applied = live.Applied
	}
	if stderr := cmd.ErrOrStderr(); isTerminal(stderr) {
		p := &progress{w: stderr}
		opts.Progress = p.update
		defer p.clear()
	}
	res, err := d.Diff(cmd.Context(), objs, opts)
	var derr *diff.Error
	if errors.As(err, &derr) {
		return nil, systemError{err}
	}
	return res, err
}

// isTerminal reports whether w is a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// progress shows, on a terminal, how many objects have been compared: one
// line, rewritten at most ten times a second, and cleared at the end.
type progress struct {
	w     io.Writer
	last  time.Time
	shown bool
}

func (p *progress) update(done, total int) {
	if now := time.Now(); now.Sub(p.last) >= 100*time.Millisecond || done == total {
		p.last, p.shown = now, true
		fmt.Fprintf(p.w, "\rsvccfg: diff: compared %d of %d objects", done, total)
	}
}

func (p *progress) clear() {
	if p.shown {
		io.WriteString(p.w, "\r\x1b[K")
	}
}
