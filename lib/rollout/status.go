package rollout

import (
	"fmt"

	kstatus "github.com/fluxcd/cli-utils/pkg/kstatus/status"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// observed lists the kinds, by group and kind, whose controllers write
// status.observedGeneration. Until they have written the object's
// generation there, its status (if any) is that of an earlier generation,
// or no status at all.
var observed = map[string]bool{
	"apps/Deployment":  true,
	"apps/StatefulSet": true,
	"apps/DaemonSet":   true,
	"apps/ReplicaSet":  true,
}

// compute returns the status of the live object u, applied at generation
// gen (0 if unknown): kstatus's, unless u's status does not show that its
// controller has observed its generation yet.
func compute(u *unstructured.Unstructured, gen int64) (Status, string) {
	if u.GetDeletionTimestamp() == nil {
		if st, msg, stale := stale(u, gen); stale {
			return st, msg
		}
	}
	res, err := kstatus.Compute(u)
	if err != nil {
		return Unknown, err.Error()
	}
	return Status(res.Status), res.Message
}

// stale reports whether u's status cannot be trusted yet, and if so
// returns the status in progress and why.
func stale(u *unstructured.Unstructured, gen int64) (Status, string, bool) {
	live := u.GetGeneration()
	if gen > 0 && live < gen {
		// A read from before the apply: the apiserver answers reads from
		// etcd, so this does not last.
		return InProgress, fmt.Sprintf("generation %d not yet visible (the cluster shows %d)", gen, live), true
	}
	if !observed[u.GroupVersionKind().Group+"/"+u.GetKind()] {
		return "", "", false
	}
	og, found, err := unstructured.NestedInt64(u.Object, "status", "observedGeneration")
	switch {
	case err != nil:
		return Unknown, fmt.Sprintf("status.observedGeneration: %v", err), true
	case !found:
		return InProgress, "waiting for the controller to observe the object (no status yet)", true
	case og < live:
		return InProgress, fmt.Sprintf("waiting for the controller to observe generation %d (status is of generation %d)", live, og), true
	}
	return "", "", false
}

// readyCounts returns how many of a workload's pods are ready and how
// many it wants, from its status, and whether it has pods at all.
func readyCounts(u *unstructured.Unstructured) (ready, want int64, ok bool) {
	obj := u.Object
	switch u.GetKind() {
	case "Deployment", "StatefulSet", "ReplicaSet":
		want = 1
		if n, found, _ := unstructured.NestedInt64(obj, "spec", "replicas"); found {
			want = n
		}
		ready, _, _ = unstructured.NestedInt64(obj, "status", "readyReplicas")
		return ready, want, true
	case "DaemonSet":
		want, _, _ = unstructured.NestedInt64(obj, "status", "desiredNumberScheduled")
		ready, _, _ = unstructured.NestedInt64(obj, "status", "numberReady")
		return ready, want, true
	}
	return 0, 0, false
}
