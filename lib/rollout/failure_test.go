package rollout

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/svccfg/svccfg/lib/build"
)

// TestClassify checks the failure of a Deployment that did not become
// ready, from the objects that its controllers and the scheduler leave in
// the cluster. Image pulls and crash loops are kubelet signals that the
// e2e cluster (kwok, no kubelet) cannot produce: they are tested here only.
func TestClassify(t *testing.T) {
	crash := func(p *corev1.Pod) *corev1.Pod {
		p = waiting(p, "CrashLoopBackOff", `back-off 40s restarting failed container=app pod=web-abc-1`)
		p.Status.ContainerStatuses[0].RestartCount = 3
		p.Status.ContainerStatuses[0].LastTerminationState.Terminated = &corev1.ContainerStateTerminated{ExitCode: 1, Reason: "Error"}
		return p
	}
	const insufficient = "0/2 nodes are available: 2 Insufficient cpu. preemption: 0/2 nodes are available: 2 No preemption victims found for incoming pod."
	for _, test := range []struct {
		name string
		objs []runtime.Object
		want Failure
	}{
		{
			name: "still progressing",
			objs: []runtime.Object{notReady(deployment(3), 1), replicaSet("abc", "2"),
				ready(pod("abc", "web-abc-1")), pod("abc", "web-abc-2"), pod("abc", "web-abc-3")},
			want: Failure{Reason: Timeout, Message: "still in progress after 1m0s (Available: 1/3); 1 of 3 pods ready"},
		},
		{
			name: "progress deadline exceeded",
			objs: []runtime.Object{pastDeadline(deployment(2)), replicaSet("abc", "2"), pod("abc", "web-abc-1"), pod("abc", "web-abc-2")},
			want: Failure{Reason: ProgressDeadline, Message: `ReplicaSet "web-abc" has timed out progressing; 0 of 2 pods ready`},
		},
		{
			name: "image pull back-off",
			objs: []runtime.Object{notReady(deployment(2), 0), replicaSet("abc", "2"),
				waiting(pod("abc", "web-abc-1"), "ImagePullBackOff", `Back-off pulling image "registry.example.com/web:9.9"`),
				waiting(pod("abc", "web-abc-2"), "ErrImagePull", `rpc error: not found`)},
			want: Failure{Reason: ImagePull, Message: `pod web-abc-1: container "app": ImagePullBackOff: Back-off pulling image "registry.example.com/web:9.9" (2 of 2 pods); 0 of 2 pods ready`},
		},
		{
			name: "invalid image name, past the deadline",
			objs: []runtime.Object{pastDeadline(deployment(1)), replicaSet("abc", "2"),
				waiting(pod("abc", "web-abc-1"), "InvalidImageName", `Failed to apply default image tag "Web:1": invalid reference format`)},
			want: Failure{Reason: ImagePull, Message: `pod web-abc-1: container "app": InvalidImageName: Failed to apply default image tag "Web:1": invalid reference format; 0 of 1 pods ready; progress deadline exceeded`},
		},
		{
			name: "crash loop",
			objs: []runtime.Object{notReady(deployment(1), 0), replicaSet("abc", "2"), crash(pod("abc", "web-abc-1"))},
			want: Failure{Reason: CrashLoop, Message: `pod web-abc-1: container "app": CrashLoopBackOff: back-off 40s restarting failed container=app pod=web-abc-1; last exit code 1 (Error), 3 restarts; 0 of 1 pods ready`},
		},
		{
			name: "missing secret",
			objs: []runtime.Object{notReady(deployment(1), 0), replicaSet("abc", "2"),
				waiting(pod("abc", "web-abc-1"), "CreateContainerConfigError", `secret "db" not found`)},
			want: Failure{Reason: ContainerConfig, Message: `pod web-abc-1: container "app": CreateContainerConfigError: secret "db" not found; 0 of 1 pods ready`},
		},
		{
			name: "unschedulable",
			objs: []runtime.Object{notReady(deployment(2), 1), replicaSet("abc", "2"),
				ready(pod("abc", "web-abc-1")), unschedulable(pod("abc", "web-abc-2"), insufficient)},
			want: Failure{Reason: Unschedulable, Message: "pod web-abc-2: " + strings.TrimSuffix(insufficient, ".") + " (1 of 2 pods); 1 of 2 pods ready"},
		},
		{
			name: "image pull takes precedence over unschedulable",
			objs: []runtime.Object{notReady(deployment(2), 0), replicaSet("abc", "2"),
				unschedulable(pod("abc", "web-abc-1"), insufficient), waiting(pod("abc", "web-abc-2"), "ErrImagePull", "not found")},
			want: Failure{Reason: ImagePull, Message: `pod web-abc-2: container "app": ErrImagePull: not found (1 of 2 pods); 0 of 2 pods ready`},
		},
		{
			name: "quota refused the pods",
			objs: []runtime.Object{notReady(deployment(3), 0),
				refused(replicaSet("abc", "2"), `pods "web-abc-x" is forbidden: exceeded quota: compute, requested: cpu=4, used: cpu=8, limited: cpu=10`)},
			want: Failure{Reason: Refused, Message: `ReplicaSet web-abc: FailedCreate: pods "web-abc-x" is forbidden: exceeded quota: compute, requested: cpu=4, used: cpu=8, limited: cpu=10; 0 of 3 pods ready`},
		},
		{
			name: "only the newest ReplicaSet's pods count",
			objs: []runtime.Object{notReady(deployment(1), 0), replicaSet("old", "1"), replicaSet("abc", "2"),
				crash(pod("old", "web-old-1")), pod("abc", "web-abc-1")},
			want: Failure{Reason: Timeout, Message: "still in progress after 1m0s (Available: 0/1); 0 of 1 pods ready"},
		},
		{
			name: "pods of another owner with the same labels",
			objs: []runtime.Object{notReady(deployment(1), 0), replicaSet("abc", "2"),
				func() *corev1.Pod {
					p := crash(pod("abc", "web-abc-stray"))
					p.OwnerReferences = nil
					return p
				}()},
			want: Failure{Reason: Timeout, Message: "still in progress after 1m0s (Available: 0/1); 0 of 1 pods ready"},
		},
		{
			name: "no ReplicaSet yet",
			objs: []runtime.Object{func() *appsv1.Deployment { d := deployment(2); d.Status = appsv1.DeploymentStatus{}; return d }()},
			want: Failure{Reason: Timeout, Message: "still in progress after 1m0s (waiting for the controller to observe the object (no status yet)); 0 of 2 pods ready"},
		},
	} {
		t.Run(test.name, func(t *testing.T) {
			w, _ := fakeWaiter(test.objs...)
			f := diagnoseNow(t, w, webID)
			test.want.ID = webID
			if *f != test.want {
				t.Errorf("failure:\n got %s: %s\nwant %s: %s", f.Reason, f.Message, test.want.Reason, test.want.Message)
			}
		})
	}
}

// TestClassifyOtherWorkloads checks failures of workloads other than
// Deployments: their pods are found through their selector and owner, and
// refused pods through FailedCreate events.
func TestClassifyOtherWorkloads(t *testing.T) {
	jobID := webID
	jobID.Group, jobID.Kind, jobID.Name = "batch", "Job", "migrate"
	j := job()
	sel := map[string]string{"batch.kubernetes.io/controller-uid": "job-uid"}
	j.Spec.Selector = &metav1.LabelSelector{MatchLabels: sel}
	p := waiting(pod("x", "migrate-1"), "ImagePullBackOff", "back-off")
	p.Labels = sel
	p.OwnerReferences = []metav1.OwnerReference{controller("Job", "migrate", "job-uid")}
	t.Run("job pods", func(t *testing.T) {
		w, _ := fakeWaiter(j, p)
		f := diagnoseNow(t, w, jobID)
		if want := `pod migrate-1: container "app": ImagePullBackOff: back-off`; f.Reason != ImagePull || f.Message != want {
			t.Errorf("failure = %s: %s, want %s: %s", f.Reason, f.Message, ImagePull, want)
		}
	})
	t.Run("refused by admission", func(t *testing.T) {
		ev := &corev1.Event{
			TypeMeta:       metav1.TypeMeta{APIVersion: "v1", Kind: "Event"},
			ObjectMeta:     metav1.ObjectMeta{Name: "migrate.1", Namespace: ns},
			InvolvedObject: corev1.ObjectReference{Kind: "Job", Name: "migrate", UID: "job-uid"},
			Reason:         "FailedCreate",
			Message:        `Error creating: admission webhook "policy.example.com" denied the request: privileged`,
		}
		w, _ := fakeWaiter(j, ev)
		f := diagnoseNow(t, w, jobID)
		if want := `FailedCreate: Error creating: admission webhook "policy.example.com" denied the request: privileged`; f.Reason != Refused || f.Message != want {
			t.Errorf("failure = %s: %s, want %s: %s", f.Reason, f.Message, Refused, want)
		}
	})
}

// TestWaitClassifies checks that Wait reports a Deployment past its
// progress deadline at once, before its timeout.
func TestWaitClassifies(t *testing.T) {
	w, _ := fakeWaiter(pastDeadline(deployment(1)), replicaSet("abc", "2"),
		waiting(pod("abc", "web-abc-1"), "ImagePullBackOff", "back-off"))
	opts := fast
	opts.Timeout = time.Minute
	start := time.Now()
	_, err := w.Wait(context.Background(), Refs(webID), opts)
	var rerr *Error
	if !errors.As(err, &rerr) || rerr.Failures[0].Reason != ImagePull {
		t.Fatalf("Wait: %v, want an image pull failure", err)
	}
	if elapsed := time.Since(start); elapsed > 5*time.Second {
		t.Errorf("Wait took %s", elapsed)
	}
	want := `Deployment ns/web: image pull: pod web-abc-1: container "app": ImagePullBackOff: back-off; 0 of 1 pods ready; progress deadline exceeded`
	if err.Error() != want {
		t.Errorf("Wait: %v\nwant %s", err, want)
	}
}

// diagnoseNow classifies the failure of id, a minute into the wait.
func diagnoseNow(t *testing.T, w *Waiter, id build.ID) *Failure {
	t.Helper()
	objs := []*tracked{{ref: Ref{ID: id}}}
	m, err := w.mapper.RESTMapping(id.GroupVersionKind().GroupKind(), id.Version)
	if err != nil {
		t.Fatal(err)
	}
	objs[0].resource = m.Resource
	if err := w.poll(context.Background(), objs); err != nil {
		t.Fatal(err)
	}
	o := &Object{Ref: objs[0].ref}
	o.Status, o.Message = compute(objs[0].live, 0)
	return w.diagnose(context.Background(), objs[0], o, time.Minute)
}
