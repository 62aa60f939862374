package rollout

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// The resources that a diagnosis reads.
var (
	podsResource        = schema.GroupVersionResource{Version: "v1", Resource: "pods"}
	eventsResource      = schema.GroupVersionResource{Version: "v1", Resource: "events"}
	replicaSetsResource = schema.GroupVersionResource{Group: "apps", Version: "v1", Resource: "replicasets"}
)

// revisionAnnotation is where the Deployment controller numbers a
// Deployment's revisions and their ReplicaSets.
const revisionAnnotation = "deployment.kubernetes.io/revision"

// diagnose returns why t, whose last state is o, failed after elapsed. It
// reads the workload's newest ReplicaSet and pods; what it cannot read
// leaves the failure less specific.
func (w *Waiter) diagnose(ctx context.Context, t *tracked, o *Object, elapsed time.Duration) *Failure {
	ctx, cancel := context.WithTimeout(ctx, diagnoseTimeout)
	defer cancel()
	ev := evidence{id: t.ref.ID, obj: t.live, status: o.Status, message: o.Message, elapsed: elapsed}
	if t.live != nil {
		w.gather(ctx, &ev)
	}
	return classify(ev)
}

// gather fills in the ReplicaSet, events and pods of ev's object.
func (w *Waiter) gather(ctx context.Context, ev *evidence) {
	u := ev.obj
	ns := u.GetNamespace()
	selector, ok := workloadSelector(u)
	if u.GetKind() == "Pod" && u.GroupVersionKind().Group == "" {
		var pod corev1.Pod
		if runtime.DefaultUnstructuredConverter.FromUnstructured(u.Object, &pod) == nil {
			ev.pods, ev.podsOK = []corev1.Pod{pod}, true
		}
		return
	}
	if !ok {
		return
	}
	owner := u.GetUID()
	if u.GetKind() == "Deployment" && u.GroupVersionKind().Group == "apps" {
		var dep appsv1.Deployment
		if runtime.DefaultUnstructuredConverter.FromUnstructured(u.Object, &dep) != nil {
			return
		}
		ev.dep = &dep
		ev.rs = w.newestReplicaSet(ctx, &dep, selector)
		if ev.rs == nil {
			return
		}
		owner = ev.rs.UID
		if hash := ev.rs.Labels[appsv1.DefaultDeploymentUniqueLabelKey]; hash != "" {
			req, err := labels.NewRequirement(appsv1.DefaultDeploymentUniqueLabelKey, "=", []string{hash})
			if err == nil {
				selector = selector.Add(*req)
			}
		}
	} else {
		ev.refused = w.failedCreate(ctx, ns, string(owner))
	}
	ev.pods, ev.podsOK = w.pods(ctx, ns, selector, string(owner))
}

// workloadSelector returns the pod selector of u's spec.selector.
func workloadSelector(u *unstructured.Unstructured) (labels.Selector, bool) {
	m, found, err := unstructured.NestedMap(u.Object, "spec", "selector")
	if !found || err != nil {
		return nil, false
	}
	var ls metav1.LabelSelector
	if runtime.DefaultUnstructuredConverter.FromUnstructured(m, &ls) != nil {
		return nil, false
	}
	sel, err := metav1.LabelSelectorAsSelector(&ls)
	if err != nil || sel.Empty() {
		return nil, false
	}
	return sel, true
}

// newestReplicaSet returns the ReplicaSet of dep's current revision, or
// failing that its ReplicaSet of the highest revision, or nil.
func (w *Waiter) newestReplicaSet(ctx context.Context, dep *appsv1.Deployment, selector labels.Selector) *appsv1.ReplicaSet {
	l, err := w.client.Resource(replicaSetsResource).Namespace(dep.Namespace).List(ctx, metav1.ListOptions{LabelSelector: selector.String()})
	if err != nil {
		return nil
	}
	var rss []*appsv1.ReplicaSet
	for i := range l.Items {
		var rs appsv1.ReplicaSet
		if runtime.DefaultUnstructuredConverter.FromUnstructured(l.Items[i].Object, &rs) != nil {
			continue
		}
		if metav1.IsControlledBy(&rs, dep) {
			rss = append(rss, &rs)
		}
	}
	return pickNewest(rss, dep.Annotations[revisionAnnotation])
}

// pickNewest returns the ReplicaSet of revision want, if any, or else the
// one of the highest revision (the latest created among equals), or nil.
func pickNewest(rss []*appsv1.ReplicaSet, want string) *appsv1.ReplicaSet {
	var best *appsv1.ReplicaSet
	bestRev := int64(-1)
	for _, rs := range rss {
		rev := rs.Annotations[revisionAnnotation]
		if want != "" && rev == want {
			return rs
		}
		n, err := strconv.ParseInt(rev, 10, 64)
		if err != nil {
			n = 0
		}
		if n > bestRev || n == bestRev && best.CreationTimestamp.Before(&rs.CreationTimestamp) {
			best, bestRev = rs, n
		}
	}
	return best
}

// pods returns the pods in ns that selector selects and owner controls,
// sorted by name, and whether they could be listed.
func (w *Waiter) pods(ctx context.Context, ns string, selector labels.Selector, owner string) ([]corev1.Pod, bool) {
	l, err := w.client.Resource(podsResource).Namespace(ns).List(ctx, metav1.ListOptions{LabelSelector: selector.String()})
	if err != nil {
		return nil, false
	}
	var pods []corev1.Pod
	for i := range l.Items {
		var pod corev1.Pod
		if runtime.DefaultUnstructuredConverter.FromUnstructured(l.Items[i].Object, &pod) != nil {
			continue
		}
		if ref := metav1.GetControllerOf(&pod); ref != nil && string(ref.UID) == owner {
			pods = append(pods, pod)
		}
	}
	slices.SortFunc(pods, func(a, b corev1.Pod) int { return strings.Compare(a.Name, b.Name) })
	return pods, true
}

// failedCreate returns the message of the latest FailedCreate event of the
// object with uid in ns (how a StatefulSet, DaemonSet or Job reports pods
// that a quota or an admission webhook refused), or "".
func (w *Waiter) failedCreate(ctx context.Context, ns, uid string) string {
	sel := fields.AndSelectors(
		fields.OneTermEqualSelector("involvedObject.uid", uid),
		fields.OneTermEqualSelector("reason", "FailedCreate"),
	)
	l, err := w.client.Resource(eventsResource).Namespace(ns).List(ctx, metav1.ListOptions{FieldSelector: sel.String()})
	if err != nil || len(l.Items) == 0 {
		return ""
	}
	var latest corev1.Event
	for i := range l.Items {
		var e corev1.Event
		if runtime.DefaultUnstructuredConverter.FromUnstructured(l.Items[i].Object, &e) != nil ||
			string(e.InvolvedObject.UID) != uid || e.Reason != "FailedCreate" {
			continue
		}
		if latest.Name == "" || eventTime(&latest).Before(eventTime(&e)) {
			latest = e
		}
	}
	if latest.Name == "" {
		return ""
	}
	return "FailedCreate: " + latest.Message
}

// eventTime returns when e last happened.
func eventTime(e *corev1.Event) time.Time {
	switch {
	case !e.LastTimestamp.IsZero():
		return e.LastTimestamp.Time
	case !e.EventTime.IsZero():
		return e.EventTime.Time
	}
	return e.CreationTimestamp.Time
}
