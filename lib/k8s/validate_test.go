package k8s

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/validation"
)

func TestValidate(t *testing.T) {
	ptr := func(p corev1.IPFamilyPolicy) *corev1.IPFamilyPolicy { return &p }
	pod := func(restart corev1.RestartPolicy) corev1.PodTemplateSpec {
		return corev1.PodTemplateSpec{Spec: corev1.PodSpec{RestartPolicy: restart, Containers: []corev1.Container{{Name: "c"}}}}
	}
	for _, test := range []struct {
		name string
		obj  runtime.Object
		want []Problem
	}{
		{"valid", &corev1.Service{
			ObjectMeta: metav1.ObjectMeta{Name: "web", Labels: map[string]string{"app": "web", "example.com/tier": "gold"}, Annotations: map[string]string{"Example.com/Note": "any text"}},
			Spec:       corev1.ServiceSpec{Type: corev1.ServiceTypeLoadBalancer, Ports: []corev1.ServicePort{{Port: 80, Protocol: corev1.ProtocolUDP}}, IPFamilyPolicy: ptr(corev1.IPFamilyPolicySingleStack)},
		}, nil},
		{"unset", &corev1.Service{}, nil},
		{"service", &corev1.Service{
			Spec: corev1.ServiceSpec{Type: "LoadBalancr", Ports: []corev1.ServicePort{{Port: 80}, {Port: 53, Protocol: "udp"}}, IPFamilyPolicy: ptr("Single"), IPFamilies: []corev1.IPFamily{"IPv4", "ipv5"}},
		}, []Problem{
			{Path: "spec.ports[1].protocol", Field: "protocol", Value: "udp", Msg: `spec.ports[1].protocol: got "udp", want one of "TCP", "UDP", "SCTP" (did you mean "UDP"?)`},
			{Path: "spec.type", Field: "type", Value: "LoadBalancr", Msg: `spec.type: got "LoadBalancr", want one of "ClusterIP", "NodePort", "LoadBalancer", "ExternalName" (did you mean "LoadBalancer"?)`},
			{Path: "spec.ipFamilies[1]", Field: "ipFamilies", Value: "ipv5", Msg: `spec.ipFamilies[1]: got "ipv5", want one of "IPv4", "IPv6" (did you mean "IPv4"?)`},
			{Path: "spec.ipFamilyPolicy", Field: "ipFamilyPolicy", Value: "Single", Msg: `spec.ipFamilyPolicy: got "Single", want one of "SingleStack", "PreferDualStack", "RequireDualStack"`},
		}},
		{"labels", &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"bad label": "x", "ok": "not ok"}, Annotations: map[string]string{"a/b/c": ""}}}, []Problem{
			{Path: `metadata.labels["bad label"]`, Value: "bad label", Msg: `metadata.labels["bad label"]: "bad label" is not a valid label key: name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')`},
			{Path: `metadata.labels["ok"]`, Field: "ok", Value: "not ok", Msg: `metadata.labels["ok"]: "not ok" is not a valid label value: a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')`},
			{Path: `metadata.annotations["a/b/c"]`, Value: "a/b/c", Msg: `metadata.annotations["a/b/c"]: "a/b/c" is not a valid annotation key: a valid label key must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`},
		}},
		{"deployment", &appsv1.Deployment{Spec: appsv1.DeploymentSpec{Template: pod(corev1.RestartPolicyNever), Strategy: appsv1.DeploymentStrategy{Type: "Rolling"}}}, []Problem{
			{Path: "spec.strategy.type", Field: "type", Value: "Rolling", Msg: `spec.strategy.type: got "Rolling", want one of "Recreate", "RollingUpdate"`},
			{Path: "spec.template.spec.restartPolicy", Field: "restartPolicy", Value: "Never", Msg: `spec.template.spec.restartPolicy: got "Never", want "Always": the pods of a Deployment always restart`},
		}},
		{"cron job", &batchv1.CronJob{Spec: batchv1.CronJobSpec{ConcurrencyPolicy: "forbid", JobTemplate: batchv1.JobTemplateSpec{Spec: batchv1.JobSpec{Template: pod(corev1.RestartPolicyAlways)}}}}, []Problem{
			{Path: "spec.concurrencyPolicy", Field: "concurrencyPolicy", Value: "forbid", Msg: `spec.concurrencyPolicy: got "forbid", want one of "Allow", "Forbid", "Replace" (did you mean "Forbid"?)`},
			{Path: "spec.jobTemplate.spec.template.spec.restartPolicy", Field: "restartPolicy", Value: "Always", Msg: `spec.jobTemplate.spec.template.spec.restartPolicy: got "Always", want one of "OnFailure", "Never": the pods of a CronJob run to completion`},
		}},
		{"container", &corev1.Pod{Spec: corev1.PodSpec{Containers: []corev1.Container{{ImagePullPolicy: "always", Ports: []corev1.ContainerPort{{ContainerPort: 80, Protocol: "tcp"}}}}}}, []Problem{
			{Path: "spec.containers[0].ports[0].protocol", Field: "protocol", Value: "tcp", Msg: `spec.containers[0].ports[0].protocol: got "tcp", want one of "TCP", "UDP", "SCTP" (did you mean "TCP"?)`},
			{Path: "spec.containers[0].imagePullPolicy", Field: "imagePullPolicy", Value: "always", Msg: `spec.containers[0].imagePullPolicy: got "always", want one of "Always", "Never", "IfNotPresent" (did you mean "Always"?)`},
		}},
	} {
		t.Run(test.name, func(t *testing.T) {
			if d := cmp.Diff(test.want, Validate(test.obj)); d != "" {
				t.Errorf("Validate (-want +got):\n%s", d)
			}
		})
	}
}

// TestValidKeyAgrees checks the fast label checks against apimachinery's.
func TestValidKeyAgrees(t *testing.T) {
	for _, s := range []string{
		"", "a", "app", "App.Name_1", "-a", "a-", "a b", "app.kubernetes.io/managed-by", "svccfg.dev/config-set",
		"Example.com/Note", "example.com/", "/name", "a/b/c", "a..b/c", "-a.com/x", "a.com/-x", strings.Repeat("a", 63), strings.Repeat("a", 64),
		strings.Repeat("a", 64) + ".com/x", "xn--bcher-kva.example/x", "UPPER/x", "a_b/x", "a.com/x.y_z-0",
	} {
		for _, kind := range []mapKind{labelMap, annotationMap} {
			check := s
			if kind == annotationMap {
				check = strings.ToLower(s)
			}
			if got, want := validKey(s, kind), len(validation.IsQualifiedName(check)) == 0; got != want {
				t.Errorf("validKey(%q, %d) = %v, want %v", s, kind, got, want)
			}
		}
		if got, want := validLabelValue(s), len(validation.IsValidLabelValue(s)) == 0; got != want {
			t.Errorf("validLabelValue(%q) = %v, want %v", s, got, want)
		}
	}
}
