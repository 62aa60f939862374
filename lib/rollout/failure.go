package rollout

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/svccfg/svccfg/lib/build"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// A Reason classifies a [Failure] by the cluster's signal.
type Reason string

// The reasons an object fails, in the order of precedence when its pods
// show several.
const (
	// Refused is a workload whose pods the apiserver would not create: a
	// ResourceQuota exceeded, an admission webhook or policy that forbids
	// them (the ReplicaSet's ReplicaFailure condition, FailedCreate).
	Refused Reason = "refused"
	// ImagePull is a pod whose image cannot be pulled: ErrImagePull,
	// ImagePullBackOff, InvalidImageName, ErrImageNeverPull.
	ImagePull Reason = "image pull"
	// ContainerConfig is a container that cannot be created from its
	// configuration: CreateContainerConfigError (a missing Secret or
	// ConfigMap key) or CreateContainerError.
	ContainerConfig Reason = "container config"
	// CrashLoop is a container that keeps exiting: CrashLoopBackOff.
	CrashLoop Reason = "crash loop"
	// Unschedulable is a pod that no node can take (its PodScheduled
	// condition, with the scheduler's message).
	Unschedulable Reason = "unschedulable"
	// ProgressDeadline is a Deployment whose controller gave up waiting
	// for progress (Progressing=False, ProgressDeadlineExceeded) with no
	// more specific cause in its pods.
	ProgressDeadline Reason = "progress deadline exceeded"
	// Stalled is an object that its controller says failed for another
	// reason: a Job past its backoff limit, a Stalled condition.
	Stalled Reason = "stalled"
	// Timeout is an object still in progress, with no sign of failure,
	// when its deadline passed.
	Timeout Reason = "timeout"
)

// causes lists the reasons found in pods, by precedence.
var causes = []Reason{Refused, ImagePull, ContainerConfig, CrashLoop, Unschedulable}

// A Failure is an object that did not become ready, and why.
type Failure struct {
	ID      build.ID
	Reason  Reason
	Message string
}

// Error returns "Kind namespace/name: reason: message".
func (f *Failure) Error() string {
	return f.ID.String() + ": " + string(f.Reason) + ": " + f.Message
}

// evidence is what the cluster shows of a failed object.
type evidence struct {
	id      build.ID
	obj     *unstructured.Unstructured // nil if not found
	status  Status
	message string             // kstatus's
	elapsed time.Duration      // since the wait started
	rs      *appsv1.ReplicaSet // a Deployment's newest ReplicaSet, if found
	refused string             // a FailedCreate event of another workload
	pods    []corev1.Pod       // the pods of the newest release, sorted by name
	podsOK  bool               // whether pods were listed
	dep     *appsv1.Deployment // the object, if it is a Deployment
}

// classify returns the failure of an object from its evidence.
func classify(ev evidence) *Failure {
	f := &Failure{ID: ev.id}
	if ev.obj == nil {
		f.Reason, f.Message = Timeout, fmt.Sprintf("not found after %s", round(ev.elapsed))
		return f
	}
	ready := ev.readiness()
	deadline := ev.progressDeadline()
	if reason, msg, ok := ev.cause(); ok {
		f.Reason, f.Message = reason, msg
		if ready != "" {
			f.Message += "; " + ready
		}
		if deadline != "" {
			f.Message += "; progress deadline exceeded"
		}
		return f
	}
	switch {
	case deadline != "":
		f.Reason, f.Message = ProgressDeadline, deadline
	case ev.status == Failed:
		f.Reason, f.Message = Stalled, ev.message
	default:
		f.Reason = Timeout
		f.Message = fmt.Sprintf("still in progress after %s", round(ev.elapsed))
		if ev.message != "" {
			f.Message += " (" + ev.message + ")"
		}
	}
	if ready != "" {
		f.Message += "; " + ready
	}
	return f
}

// round rounds d for messages.
func round(d time.Duration) time.Duration {
	switch {
	case d < time.Second:
		return d.Round(10 * time.Millisecond)
	case d < 10*time.Second:
		return d.Round(100 * time.Millisecond)
	}
	return d.Round(time.Second)
}

// progressDeadline returns the message of a Deployment's Progressing
// condition if it says the progress deadline was exceeded, or "".
func (ev *evidence) progressDeadline() string {
	if ev.dep == nil {
		return ""
	}
	for _, c := range ev.dep.Status.Conditions {
		if c.Type == appsv1.DeploymentProgressing && c.Status == corev1.ConditionFalse && c.Reason == "ProgressDeadlineExceeded" {
			if c.Message == "" {
				return "the Deployment made no progress within its deadline"
			}
			return strings.TrimSuffix(c.Message, ".")
		}
	}
	return ""
}

// readiness returns "N of M pods ready", or "" for an object without pods.
func (ev *evidence) readiness() string {
	ready, want, ok := readyCounts(ev.obj)
	if !ok {
		return ""
	}
	if ev.dep != nil && ev.podsOK {
		ready = 0
		for i := range ev.pods {
			if podReady(&ev.pods[i]) {
				ready++
			}
		}
	}
	return fmt.Sprintf("%d of %d pods ready", ready, want)
}

// cause returns the most telling specific cause of the failure, by the
// precedence of [causes], and whether there is one.
func (ev *evidence) cause() (Reason, string, bool) {
	if ev.rs != nil {
		for _, c := range ev.rs.Status.Conditions {
			if c.Type == appsv1.ReplicaSetReplicaFailure && c.Status == corev1.ConditionTrue {
				return Refused, fmt.Sprintf("ReplicaSet %s: %s: %s", ev.rs.Name, c.Reason, c.Message), true
			}
		}
	}
	if ev.refused != "" {
		return Refused, ev.refused, true
	}
	first := map[Reason]string{}
	count := map[Reason]int{}
	for i := range ev.pods {
		reason, msg, ok := podCause(&ev.pods[i])
		if !ok {
			continue
		}
		if count[reason] == 0 {
			first[reason] = "pod " + ev.pods[i].Name + ": " + msg
		}
		count[reason]++
	}
	for _, r := range causes {
		if count[r] > 0 {
			msg := first[r]
			if len(ev.pods) > 1 {
				msg += fmt.Sprintf(" (%d of %d pods)", count[r], len(ev.pods))
			}
			return r, msg, true
		}
	}
	return "", "", false
}

// Container waiting reasons, by the reason they stand for.
var waitingReasons = map[string]Reason{
	"ErrImagePull":               ImagePull,
	"ImagePullBackOff":           ImagePull,
	"InvalidImageName":           ImagePull,
	"ErrImageNeverPull":          ImagePull,
	"CreateContainerConfigError": ContainerConfig,
	"CreateContainerError":       ContainerConfig,
	"CrashLoopBackOff":           CrashLoop,
}

// podCause returns why pod is not ready, if it shows a known reason: the
// first, by precedence, of its containers' (init containers first) and its
// scheduling.
func podCause(pod *corev1.Pod) (Reason, string, bool) {
	best, msg := -1, ""
	statuses := slices.Concat(pod.Status.InitContainerStatuses, pod.Status.ContainerStatuses)
	for _, cs := range statuses {
		w := cs.State.Waiting
		if w == nil {
			continue
		}
		r, ok := waitingReasons[w.Reason]
		if !ok {
			continue
		}
		if i := slices.Index(causes, r); best < 0 || i < best {
			best, msg = i, containerMessage(cs)
		}
	}
	if best >= 0 {
		return causes[best], msg, true
	}
	for _, c := range pod.Status.Conditions {
		if c.Type == corev1.PodScheduled && c.Status == corev1.ConditionFalse && c.Reason == corev1.PodReasonUnschedulable {
			return Unschedulable, strings.TrimSuffix(c.Message, "."), true
		}
	}
	return "", "", false
}

// containerMessage describes a waiting container.
func containerMessage(cs corev1.ContainerStatus) string {
	w := cs.State.Waiting
	msg := fmt.Sprintf("container %q: %s", cs.Name, w.Reason)
	if w.Message != "" {
		msg += ": " + w.Message
	}
	if t := cs.LastTerminationState.Terminated; w.Reason == "CrashLoopBackOff" && t != nil {
		msg += fmt.Sprintf("; last exit code %d", t.ExitCode)
		if t.Reason != "" {
			msg += " (" + t.Reason + ")"
		}
		msg += fmt.Sprintf(", %d restarts", cs.RestartCount)
	}
	return msg
}

// podReady reports whether pod's Ready condition is true.
func podReady(pod *corev1.Pod) bool {
	for _, c := range pod.Status.Conditions {
		if c.Type == corev1.PodReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}
