/*
svccfg compiles service configuration written in Starlark into Kubernetes
objects and Envoy resources.

A configuration file defines main(ctx) and returns a service, a cron job, a
protobuf message, or a list of them:

	load("@stdlib//einhorn.star", "einhorn")

	def main(ctx):
	    return service(
	        name = "home-srv",
	        owner = "home",
	        image = "registry.example.com/home-srv:1.4.2",
	        command = einhorn(script = "home/srv.rb", workers = 8, port = 9768),
	        replicas = 3,
	        cpu = kube.cores(4),
	        mem = kube.gigabytes(16),
	    )

Predeclared in every file: service, cron and job (workloads); canary (a
service's canary); port, probe, env and volume (their ports, health checks,
environment and storage); kube (quantities, security, sidecars, tracks,
rollout, autoscaling); envoy (Envoy resources) and proto (any Kubernetes or
Envoy message type, through proto.package("k8s.io.api.apps.v1") and the
like), and skycfg's struct, json, yaml, hash and url, so that a
configuration written for skycfg builds unchanged; and the public globals of
the config root's prelude, if its svccfg.yaml names one (see below).
ctx.vars holds the variables: cluster, environment and namespace always,
with defaults from svccfg.yaml at the config root and --var flags.

A file's config root is the nearest directory at or above it that holds
svccfg.yaml, or else the file's own directory; a directory PATH may hold
several config roots, each with its own svccfg.yaml, and the files of a
svccfg.yaml inside another root are its own. load() reaches only files under
the root ("lib.star" relative to the loading file, "//lib/x.star" relative to the
root) and the standard library ("@stdlib//einhorn.star").

svccfg.yaml has four optional fields:

	config_set: shop      # names the config set; default: the config root's name
	vars:                 # defaults of ctx.vars; --var overrides them
	  environment: staging
	lint:                 # svccfg lint rules turned off under the config root
	  disable: [image-pinned]
	prelude: company.star # its public globals are predeclared in every file

The prelude is how a platform team extends the standard library without Go:
a .star file under the config root (a path relative to it, confined as
load() is) whose globals not starting with "_" are predeclared in every
file of the root, beside the standard names, so that main can call the
company's own stripe_service(...). It sees the standard names itself (as
do the files it loads), may load() files of the root and of the standard
library, is evaluated once per build and frozen, and is not a configuration
file (it has no main). A global that would hide a standard name (service,
len) is an error. svccfg doc, run inside the root, lists its functions.

Every Kubernetes object rendered carries the labels
app.kubernetes.io/managed-by: svccfg and svccfg.dev/config-set: NAME, the
config set, which must be a valid label value (at most 63 letters, digits,
'-', '_' or '.', starting and ending with a letter or digit). svccfg diff uses
them to list the live objects that a config set no longer produces.

Evaluation is sandboxed: no files, network, environment, clock or randomness;
each file's evaluation stops after --max-steps execution steps or --timeout of
wall-clock time, and a build whose memory grows past --max-memory stops.
Files are evaluated in parallel; the output does not depend on it.

With --cache DIR, the results of evaluating each file are kept in DIR and
reused while the file, everything it loads, the prelude (and everything it
loads), the variables and the svccfg binary are unchanged: a rebuild after a small change evaluates only what
the change touches.

svccfg build --explain prints, for every object and Envoy resource, the file
it is written to and the position of the service(), cron() or constructor
call in the configuration that produced it.

Usage:

	svccfg apply [--prune] [--rollback-on-failure] [--timeout D] [--force-conflicts] [flags] PATH...
	svccfg build [flags] PATH...
	svccfg diff [--kubeconfig FILE] [--context NAME] [flags] PATH...
	svccfg doc [NAME]
	svccfg fmt [-w | --check | --diff] PATH...
	svccfg history [--kubeconfig FILE] [--context NAME] [flags] PATH...
	svccfg rollback [--to REV] [--force-conflicts] [flags] PATH...
	svccfg lint [--json] [flags] PATH...
	svccfg lint --changed FILE...
	svccfg test [flags] [PATH...]
	svccfg version
	svccfg xds serve [--listen ADDR] [--admin ADDR] [--endpoints FILE] [flags] PATH...
	svccfg xds bootstrap [--service NAME | -o DIR] [--format envoy|grpc] [flags] PATH...

svccfg diff compares the Kubernetes objects with the live cluster through
server-side apply dry runs and prints a unified diff of each object that
would change, then "N to create, N to change, N unchanged".

svccfg apply dry-runs every object server-side first, so that an object the
cluster rejects (or a field another manager owns) stops it before anything is
applied, at the config line that made the object; then it prints the changes
as diff does (a canary's objects tagged [canary]) and applies the changed
objects with server-side apply (field manager svccfg) in dependency order,
and waits until every object is ready (kstatus), printing one classified
line for each that fails (progress deadline exceeded, image pull, crash
loop, unschedulable, refused, timeout...). --prune deletes the config set's
live objects that the configuration no longer produces (those diff lists as
to prune), never another config set's and never an owned one; the config
set is a KEP-3659 ApplySet, whose parent is the Secret svccfg-CONFIG-SET.
Each apply that changes something records a revision in the cluster (the
rendered objects, when, by whom, the source revision and the outcome,
failed if the apply or its wait failed); svccfg history lists them, and
svccfg rollback re-applies one (by default the applied revision before the
current one), pruning what it lacks, waits, and records that as a new
revision, rolled-back. apply --rollback-on-failure does so when its wait
fails.

Server-side field ownership and rollbacks: svccfg applies, and a rollback
re-applies, only the fields svccfg sets, as field manager svccfg. Fields
that other managers own (an autoscaler's replicas, a kubectl edit, a
mutating webhook's additions) are not reverted by re-applying an earlier
revision: where svccfg sets a field another manager has taken, the apply
stops with a conflict naming the field and the manager, unless
--force-conflicts takes the field back; fields svccfg never set stay as
their managers left them.

svccfg xds serve is the mesh's control plane: it serves the configuration's
Envoy resources over aggregated xDS to sidecar Envoys and proxyless gRPC
clients, with endpoints from the cluster's EndpointSlices, rebuilding on
every file change and SIGHUP; an invalid configuration is logged and never
replaces the served one. svccfg xds bootstrap writes each service's
bootstrap, which points its sidecar (or gRPC client) at the control plane.

svccfg doc lists the standard library; svccfg doc NAME shows a function's
parameters with their types and defaults (svccfg doc service), or the fields
of a Kubernetes or Envoy message type (svccfg doc
k8s.io.api.apps.v1.DeploymentSpec). docs/reference.md is the same as Markdown.

svccfg test runs the test_NAME(t) functions of configuration files, and of
test files (conventionally NAME_test.star, loading what they test), in the
manner of go test: t.eq, t.fails and the other assertions report
path:line:col: test_NAME: got X, want Y. See svccfg test --help.

svccfg lint checks the objects against policy rules (svccfg lint --rules
lists them) and prints each finding as path:line:col: message (rule); with
--changed it lints only the given files and the configurations that load
them, for a pre-commit hook.

svccfg fmt formats .star files canonically, as buildifier formats generic
Starlark files; --check lists the files that are not formatted and exits 1.

Exit status: 0 on success (for diff: no differences; for apply: everything
applied and ready); 1 for configuration errors, lint findings, failed tests,
differences found by diff, objects the cluster rejected (nothing applied) or
a failed rollout; 2 for usage errors and failures to reach or use the
cluster.
Errors are printed as path:line:col: message, with the Starlark call chain on
tab-indented lines below.
*/
package main
