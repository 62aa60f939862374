package k8s

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// jsonCases are objects that exercise the encoder: custom encodings,
// inline structs, bytes, maps, pointers and empty values.
func jsonCases() []any {
	replicas := int32(3)
	grpcService := "health"
	return []any{
		&appsv1.Deployment{
			TypeMeta:   metav1.TypeMeta{APIVersion: "apps/v1", Kind: "Deployment"},
			ObjectMeta: metav1.ObjectMeta{Name: "web", Labels: map[string]string{"b": "2", "a": "1 <&> \u2028 \x01"}},
			Spec: appsv1.DeploymentSpec{
				Replicas: &replicas,
				Template: corev1.PodTemplateSpec{Spec: corev1.PodSpec{
					Containers: []corev1.Container{{
						Name:  "web",
						Ports: []corev1.ContainerPort{{ContainerPort: 80}},
						Resources: corev1.ResourceRequirements{
							Requests: corev1.ResourceList{"cpu": resource.MustParse("0.5"), "memory": resource.MustParse("1Gi")},
						},
						ReadinessProbe: &corev1.Probe{ProbeHandler: corev1.ProbeHandler{GRPC: &corev1.GRPCAction{Port: 9090}}},
						LivenessProbe:  &corev1.Probe{ProbeHandler: corev1.ProbeHandler{GRPC: &corev1.GRPCAction{Port: 9090, Service: &grpcService}}},
					}},
					Volumes: []corev1.Volume{{Name: "tmp", VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}}},
				}},
			},
		},
		&corev1.Service{Spec: corev1.ServiceSpec{Ports: []corev1.ServicePort{
			{Name: "a", Port: 80, TargetPort: intstr.FromString("http")},
			{Name: "b", Port: 81},
		}}},
		&corev1.Secret{Data: map[string][]byte{"k": []byte("\x00\xffsecret")}, StringData: map[string]string{"s": "v"}},
		&networkingv1.NetworkPolicy{Spec: networkingv1.NetworkPolicySpec{PolicyTypes: []networkingv1.PolicyType{"Egress"}}},
		&corev1.ConfigMap{},
	}
}

// TestAppendJSONDecodesAsEncodingJSON requires AppendJSON's output to
// decode to the same value as encoding/json's, for every case.
func TestAppendJSONDecodesAsEncodingJSON(t *testing.T) {
	for _, v := range jsonCases() {
		ours, err := AppendJSON(nil, v)
		if err != nil {
			t.Fatalf("%T: %v", v, err)
		}
		theirs, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		a := reflect.New(reflect.TypeOf(v).Elem()).Interface()
		b := reflect.New(reflect.TypeOf(v).Elem()).Interface()
		if err := json.Unmarshal(ours, a); err != nil {
			t.Fatalf("%T: decoding %s: %v", v, ours, err)
		}
		if err := json.Unmarshal(theirs, b); err != nil {
			t.Fatal(err)
		}
		if !equality.Semantic.DeepEqual(a, b) {
			t.Errorf("%T: AppendJSON\n%s\ndecodes differently from encoding/json's\n%s", v, ours, theirs)
		}
	}
}

// TestAppendJSONLeavesOutEmptyValues checks what AppendJSON leaves out and
// what it keeps.
func TestAppendJSONLeavesOutEmptyValues(t *testing.T) {
	out := map[string]string{}
	for _, v := range jsonCases() {
		b, err := AppendJSON(nil, v)
		if err != nil {
			t.Fatal(err)
		}
		out[reflect.TypeOf(v).Elem().Name()] = string(b)
	}
	for _, test := range []struct {
		kind, text string
		want       bool
	}{
		{"Deployment", `"strategy"`, false},          // a zero struct tagged omitempty
		{"Deployment", `"status"`, false},            // the same
		{"Deployment", `"creationTimestamp"`, false}, // a zero Time tagged omitempty
		{"Deployment", `"service":null`, false},      // a nil pointer not tagged omitempty
		{"Deployment", `"service":"health"`, true},
		{"Deployment", `"emptyDir":{}`, true}, // a pointer to an empty struct is a value
		{"Deployment", `"cpu":"500m"`, true},  // Quantity's own encoding
		{"Deployment", `"a":"1 <&> \u2028 \u0001"`, true},
		{"Deployment", `"grpc":{"port":9090}`, true}, // the inline ProbeHandler
		{"Service", `"targetPort":"http"`, true},
		{"Service", `"targetPort":0`, false}, // a zero IntOrString tagged omitempty
		{"Secret", `"k":"AP9zZWNyZXQ="`, true},
		{"NetworkPolicy", `"podSelector":{}`, true}, // not tagged omitempty: required
		{"ConfigMap", `{}`, true},
	} {
		if got := strings.Contains(out[test.kind], test.text); got != test.want {
			t.Errorf("%s: contains %s = %v, want %v; JSON:\n%s", test.kind, test.text, got, test.want, out[test.kind])
		}
	}
}
