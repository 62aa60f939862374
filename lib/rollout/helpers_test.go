package rollout

import (
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/dynamic/fake"
	"k8s.io/client-go/kubernetes/scheme"
	"k8s.io/utils/ptr"

	"github.com/svccfg/svccfg/lib/build"
)

// Objects for the tests, in the namespace "ns", as the controllers would
// leave them. Each constructor returns a typed object to adjust.

const ns = "ns"

var (
	webID = build.ID{Group: "apps", Version: "v1", Kind: "Deployment", Namespace: ns, Name: "web"}
	cmID  = build.ID{Version: "v1", Kind: "ConfigMap", Namespace: ns, Name: "cfg"}
)

// deployment returns a Deployment "web" of generation 2 with replicas
// pods, all of them ready, as its controller reports it.
func deployment(replicas int32) *appsv1.Deployment {
	sel := map[string]string{"app": "web"}
	return &appsv1.Deployment{
		TypeMeta: metav1.TypeMeta{APIVersion: "apps/v1", Kind: "Deployment"},
		ObjectMeta: metav1.ObjectMeta{
			Name: "web", Namespace: ns, UID: "dep-uid", Generation: 2,
			Annotations: map[string]string{revisionAnnotation: "2"},
		},
		Spec: appsv1.DeploymentSpec{
			Replicas:                ptr.To(replicas),
			Selector:                &metav1.LabelSelector{MatchLabels: sel},
			ProgressDeadlineSeconds: ptr.To(int32(600)),
			Template:                corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: sel}},
		},
		Status: appsv1.DeploymentStatus{
			ObservedGeneration: 2,
			Replicas:           replicas, UpdatedReplicas: replicas, ReadyReplicas: replicas, AvailableReplicas: replicas,
			Conditions: []appsv1.DeploymentCondition{
				{Type: appsv1.DeploymentAvailable, Status: corev1.ConditionTrue, Reason: "MinimumReplicasAvailable"},
				{Type: appsv1.DeploymentProgressing, Status: corev1.ConditionTrue, Reason: "NewReplicaSetAvailable"},
			},
		},
	}
}

// notReady makes d's pods not ready, still progressing.
func notReady(d *appsv1.Deployment, ready int32) *appsv1.Deployment {
	d.Status.ReadyReplicas, d.Status.AvailableReplicas = ready, ready
	d.Status.Conditions = []appsv1.DeploymentCondition{
		{Type: appsv1.DeploymentAvailable, Status: corev1.ConditionFalse, Reason: "MinimumReplicasUnavailable"},
		{Type: appsv1.DeploymentProgressing, Status: corev1.ConditionTrue, Reason: "ReplicaSetUpdated",
			Message: `ReplicaSet "web-abc" is progressing.`},
	}
	return d
}

// pastDeadline makes d's controller say that its progress deadline passed.
func pastDeadline(d *appsv1.Deployment) *appsv1.Deployment {
	d = notReady(d, 0)
	d.Status.Conditions[1] = appsv1.DeploymentCondition{Type: appsv1.DeploymentProgressing,
		Status: corev1.ConditionFalse, Reason: "ProgressDeadlineExceeded",
		Message: `ReplicaSet "web-abc" has timed out progressing.`}
	return d
}

// replicaSet returns web's ReplicaSet of revision rev, with the pod
// template hash hash.
func replicaSet(hash, rev string) *appsv1.ReplicaSet {
	sel := map[string]string{"app": "web", appsv1.DefaultDeploymentUniqueLabelKey: hash}
	return &appsv1.ReplicaSet{
		TypeMeta: metav1.TypeMeta{APIVersion: "apps/v1", Kind: "ReplicaSet"},
		ObjectMeta: metav1.ObjectMeta{
			Name: "web-" + hash, Namespace: ns, UID: types.UID("rs-" + hash), Labels: sel,
			Annotations:     map[string]string{revisionAnnotation: rev},
			OwnerReferences: []metav1.OwnerReference{controller("Deployment", "web", "dep-uid")},
		},
		Spec: appsv1.ReplicaSetSpec{Selector: &metav1.LabelSelector{MatchLabels: sel}},
	}
}

// refused gives rs the ReplicaFailure condition of refused pods.
func refused(rs *appsv1.ReplicaSet, msg string) *appsv1.ReplicaSet {
	rs.Status.Conditions = []appsv1.ReplicaSetCondition{{Type: appsv1.ReplicaSetReplicaFailure,
		Status: corev1.ConditionTrue, Reason: "FailedCreate", Message: msg}}
	return rs
}

// controller returns a controller owner reference.
func controller(kind, name, uid string) metav1.OwnerReference {
	return metav1.OwnerReference{APIVersion: "apps/v1", Kind: kind, Name: name, UID: types.UID(uid), Controller: ptr.To(true)}
}

// pod returns a running pod of web's ReplicaSet of hash, not ready.
func pod(hash, name string) *corev1.Pod {
	return &corev1.Pod{
		TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Pod"},
		ObjectMeta: metav1.ObjectMeta{
			Name: name, Namespace: ns,
			Labels:          map[string]string{"app": "web", appsv1.DefaultDeploymentUniqueLabelKey: hash},
			OwnerReferences: []metav1.OwnerReference{controller("ReplicaSet", "web-"+hash, "rs-"+hash)},
		},
		Status: corev1.PodStatus{
			Phase: corev1.PodRunning,
			Conditions: []corev1.PodCondition{
				{Type: corev1.PodScheduled, Status: corev1.ConditionTrue},
				{Type: corev1.PodReady, Status: corev1.ConditionFalse, Reason: "ContainersNotReady"},
			},
		},
	}
}

// ready makes p ready.
func ready(p *corev1.Pod) *corev1.Pod {
	p.Status.Conditions[1].Status = corev1.ConditionTrue
	return p
}

// waiting gives p a container "app" waiting for reason.
func waiting(p *corev1.Pod, reason, msg string) *corev1.Pod {
	p.Status.ContainerStatuses = []corev1.ContainerStatus{{Name: "app",
		State: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: reason, Message: msg}}}}
	return p
}

// unschedulable makes p a pod that the scheduler cannot place.
func unschedulable(p *corev1.Pod, msg string) *corev1.Pod {
	p.Status.Phase = corev1.PodPending
	p.Status.Conditions = []corev1.PodCondition{{Type: corev1.PodScheduled, Status: corev1.ConditionFalse,
		Reason: corev1.PodReasonUnschedulable, Message: msg}}
	return p
}

// job returns a Job "migrate" in ns.
func job() *batchv1.Job {
	return &batchv1.Job{
		TypeMeta:   metav1.TypeMeta{APIVersion: "batch/v1", Kind: "Job"},
		ObjectMeta: metav1.ObjectMeta{Name: "migrate", Namespace: ns, UID: "job-uid", Generation: 1},
	}
}

// configMap returns the ConfigMap of cmID.
func configMap() *corev1.ConfigMap {
	return &corev1.ConfigMap{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "ConfigMap"},
		ObjectMeta: metav1.ObjectMeta{Name: cmID.Name, Namespace: ns},
	}
}

// toUnstructured converts obj, as the dynamic client returns it.
func toUnstructured(t *testing.T, obj runtime.Object) *unstructured.Unstructured {
	t.Helper()
	m, err := runtime.DefaultUnstructuredConverter.ToUnstructured(obj)
	if err != nil {
		t.Fatal(err)
	}
	return &unstructured.Unstructured{Object: m}
}

// testMapper maps the kinds of the tests.
func testMapper() meta.RESTMapper {
	m := meta.NewDefaultRESTMapper(nil)
	for _, gvk := range []struct{ g, v, k string }{
		{"apps", "v1", "Deployment"}, {"apps", "v1", "ReplicaSet"}, {"apps", "v1", "StatefulSet"},
		{"", "v1", "Pod"}, {"", "v1", "ConfigMap"}, {"batch", "v1", "Job"},
	} {
		m.Add(schema.GroupVersionKind{Group: gvk.g, Version: gvk.v, Kind: gvk.k}, meta.RESTScopeNamespace)
	}
	return m
}

// fakeWaiter returns a Waiter of a fake cluster holding objs.
func fakeWaiter(objs ...runtime.Object) (*Waiter, *fake.FakeDynamicClient) {
	client := fake.NewSimpleDynamicClient(scheme.Scheme, objs...)
	return NewForClient(client, testMapper()), client
}
