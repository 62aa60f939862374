// Package rollout waits until the objects that svccfg applied are ready:
// the phase of `svccfg apply` that follows the apply itself
// (build → diff → apply → rollout).
//
// Whether an object is ready is decided by kstatus
// (github.com/fluxcd/cli-utils/pkg/kstatus/status), the rules that Flux and
// kpt use: a Deployment is ready when its controller has observed its
// latest generation and every replica is updated, available and ready; a
// Job when it has completed; a ConfigMap at once; any other object by its
// Ready, Reconciling and Stalled conditions. On top of kstatus, [Waiter.Wait]
// guards the race of an object applied a moment ago: a workload whose
// status does not yet say which generation its controller observed (an
// empty status), or that says an older generation than the one the apply
// returned, is in progress, never ready from the status of the previous
// release.
//
// An object that does not become ready fails with a [Failure] whose
// [Reason] comes from the cluster's own signals: the Deployment's
// Progressing condition (progress deadline exceeded), the newest
// ReplicaSet's ReplicaFailure condition (a quota or an admission webhook
// refused its pods), and its pods' conditions and container states (image
// pulls, crash loops, unschedulable pods, missing configuration); failing
// those, a plain timeout that says how many pods are ready.
//
// Progress goes to [Options.Progress]: a single updating line on a
// terminal, plain lines elsewhere (CI logs).
package rollout
