// Command reference is the baseline of `make bench`: it builds, directly in
// Go, the objects that svccfg builds from the tree bench/gen writes (per
// service a ServiceAccount, Deployment, PodDisruptionBudget and Service, an
// Envoy Cluster and RouteConfiguration; per tenth service a CronJob and its
// ServiceAccount), renders them with sigs.k8s.io/yaml as most Go tools do,
// and writes the same file layout as `svccfg build -o`.
//
// Usage:
//
//	reference -n 10000 -o /tmp/ref-out
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"

	clusterv3 "github.com/envoyproxy/go-control-plane/envoy/config/cluster/v3"
	corev3 "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	endpointv3 "github.com/envoyproxy/go-control-plane/envoy/config/endpoint/v3"
	routev3 "github.com/envoyproxy/go-control-plane/envoy/config/route/v3"
	httpv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/upstreams/http/v3"
	"github.com/svccfg/svccfg/bench/internal/spec"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/anypb"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/wrapperspb"
	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"sigs.k8s.io/yaml"
)

const namespace = "services"

func main() {
	n := flag.Int("n", 1000, "number of services")
	out := flag.String("o", "", "output `dir` (required)")
	flag.Parse()
	if *out == "" {
		flag.Usage()
		os.Exit(2)
	}
	for i := range *n {
		if err := write(*out, spec.Of(i)); err != nil {
			fmt.Fprintln(os.Stderr, "reference:", err)
			os.Exit(1)
		}
	}
}

func write(out string, s spec.Spec) error {
	objs := service(s)
	if s.Cron {
		objs = append(objs, cron(s)...)
	}
	var buf bytes.Buffer
	for i, o := range objs {
		if i > 0 {
			buf.WriteString("---\n")
		}
		data, err := yaml.Marshal(o)
		if err != nil {
			return err
		}
		buf.Write(data)
	}
	if err := writeFile(filepath.Join(out, "kubernetes", namespace, s.Name+".yaml"), buf.Bytes()); err != nil {
		return err
	}
	var list []any
	for _, m := range envoy(s) {
		a, err := anypb.New(m)
		if err != nil {
			return err
		}
		j, err := protojson.MarshalOptions{UseProtoNames: true}.Marshal(a)
		if err != nil {
			return err
		}
		var v any
		if err := yaml.Unmarshal(j, &v); err != nil {
			return err
		}
		list = append(list, v)
	}
	data, err := yaml.Marshal(list)
	if err != nil {
		return err
	}
	return writeFile(filepath.Join(out, "envoy", s.Name+".yaml"), data)
}

func writeFile(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, data, 0o644)
}

func meta(name, owner string, annotations map[string]string) metav1.ObjectMeta {
	return metav1.ObjectMeta{Name: name, Namespace: namespace, Labels: map[string]string{"app": name, "owner": owner}, Annotations: annotations}
}

func resources(cpu, mem string) corev1.ResourceRequirements {
	l := corev1.ResourceList{corev1.ResourceCPU: resource.MustParse(cpu), corev1.ResourceMemory: resource.MustParse(mem)}
	return corev1.ResourceRequirements{Requests: l, Limits: l}
}

func service(s spec.Spec) []any {
	sel := func() *metav1.LabelSelector {
		return &metav1.LabelSelector{MatchLabels: map[string]string{"app": s.Name}}
	}
	role := s.Name + ".kube.bench.production"
	return []any{
		&policyv1.PodDisruptionBudget{
			TypeMeta:   metav1.TypeMeta{APIVersion: "policy/v1", Kind: "PodDisruptionBudget"},
			ObjectMeta: meta(s.Name, s.Team, nil),
			Spec:       policyv1.PodDisruptionBudgetSpec{MaxUnavailable: new(intstr.FromInt32(1)), Selector: sel()},
		},
		&corev1.ServiceAccount{
			TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "ServiceAccount"},
			ObjectMeta: meta(s.Name, s.Team, map[string]string{"iam.amazonaws.com/role": role}),
		},
		&corev1.Service{
			TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Service"},
			ObjectMeta: meta(s.Name, s.Team, nil),
			Spec: corev1.ServiceSpec{
				ClusterIP: "None",
				Selector:  map[string]string{"app": s.Name},
				Ports: []corev1.ServicePort{{
					Name: "http", Port: int32(s.Port), TargetPort: intstr.FromString("http"),
					Protocol: corev1.ProtocolTCP, AppProtocol: new("kubernetes.io/h2c"),
				}},
			},
		},
		&appsv1.Deployment{
			TypeMeta:   metav1.TypeMeta{APIVersion: "apps/v1", Kind: "Deployment"},
			ObjectMeta: meta(s.Name, s.Team, nil),
			Spec: appsv1.DeploymentSpec{
				Replicas: new(int32(s.Replicas)),
				Selector: sel(),
				Template: corev1.PodTemplateSpec{
					ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": s.Name, "owner": s.Team}},
					Spec: corev1.PodSpec{
						ServiceAccountName: s.Name,
						Containers: []corev1.Container{{
							Name:  s.Name,
							Image: fmt.Sprintf("registry.example.com/%s/%s:%s", s.Team, s.Name, s.Version),
							Command: []string{"einhorn", "-n", "4", "-b", "0.0.0.0:" + strconv.Itoa(s.Port), "--",
								"ruby", s.Name + "/server.rb"},
							Env: []corev1.EnvVar{
								{Name: "LOG_LEVEL", Value: "info"}, {Name: "SERVICE", Value: s.Name}, {Name: "TEAM", Value: s.Team},
							},
							Ports:     []corev1.ContainerPort{{Name: "http", ContainerPort: int32(s.Port), Protocol: corev1.ProtocolTCP}},
							Resources: resources(strconv.Itoa(s.Cores), strconv.Itoa(s.GiB)+"Gi"),
							ReadinessProbe: &corev1.Probe{
								ProbeHandler:  corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Path: "/healthz", Port: intstr.FromString("http")}},
								PeriodSeconds: 5,
							},
						}},
					},
				},
			},
		},
	}
}

func cron(s spec.Spec) []any {
	name := s.Name + "-nightly"
	labels := map[string]string{"app": name, "owner": s.Team}
	return []any{
		&corev1.ServiceAccount{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "ServiceAccount"}, ObjectMeta: meta(name, s.Team, nil)},
		&batchv1.CronJob{
			TypeMeta:   metav1.TypeMeta{APIVersion: "batch/v1", Kind: "CronJob"},
			ObjectMeta: meta(name, s.Team, nil),
			Spec: batchv1.CronJobSpec{
				Schedule:          "0 2 * * *",
				Suspend:           new(false),
				ConcurrencyPolicy: batchv1.ForbidConcurrent,
				JobTemplate: batchv1.JobTemplateSpec{
					ObjectMeta: metav1.ObjectMeta{Labels: labels},
					Spec: batchv1.JobSpec{
						BackoffLimit: new(int32(0)),
						Template: corev1.PodTemplateSpec{
							ObjectMeta: metav1.ObjectMeta{Labels: labels},
							Spec: corev1.PodSpec{
								ServiceAccountName: name,
								RestartPolicy:      corev1.RestartPolicyNever,
								Containers: []corev1.Container{{
									Name: name, Image: fmt.Sprintf("registry.example.com/%s/%s:1.0.0", s.Team, s.Name),
									Command:   []string{"ruby", "jobs/" + s.Name + ".rb"},
									Resources: resources("500m", "512Mi"),
								}},
							},
						},
					},
				},
			},
		},
	}
}

func envoy(s spec.Spec) []proto.Message {
	fqdn := fmt.Sprintf("%s.%s.svc.cluster.local", s.Name, namespace)
	opts, _ := anypb.New(&httpv3.HttpProtocolOptions{UpstreamProtocolOptions: &httpv3.HttpProtocolOptions_ExplicitHttpConfig_{
		ExplicitHttpConfig: &httpv3.HttpProtocolOptions_ExplicitHttpConfig{
			ProtocolConfig: &httpv3.HttpProtocolOptions_ExplicitHttpConfig_Http2ProtocolOptions{Http2ProtocolOptions: &corev3.Http2ProtocolOptions{}},
		},
	}})
	return []proto.Message{
		&clusterv3.Cluster{
			Name:                 s.Name,
			ClusterDiscoveryType: &clusterv3.Cluster_Type{Type: clusterv3.Cluster_STRICT_DNS},
			ConnectTimeout:       durationpb.New(250 * time.Millisecond),
			LbPolicy:             clusterv3.Cluster_LEAST_REQUEST,
			LoadAssignment: &endpointv3.ClusterLoadAssignment{
				ClusterName: s.Name,
				Endpoints: []*endpointv3.LocalityLbEndpoints{{LbEndpoints: []*endpointv3.LbEndpoint{{
					HostIdentifier: &endpointv3.LbEndpoint_Endpoint{Endpoint: &endpointv3.Endpoint{Address: &corev3.Address{
						Address: &corev3.Address_SocketAddress{SocketAddress: &corev3.SocketAddress{
							Address: fqdn, PortSpecifier: &corev3.SocketAddress_PortValue{PortValue: uint32(s.Port)},
						}},
					}}},
				}}}},
			},
			TypedExtensionProtocolOptions: map[string]*anypb.Any{"envoy.extensions.upstreams.http.v3.HttpProtocolOptions": opts},
			CircuitBreakers: &clusterv3.CircuitBreakers{Thresholds: []*clusterv3.CircuitBreakers_Thresholds{{
				MaxConnections: wrapperspb.UInt32(1024), MaxPendingRequests: wrapperspb.UInt32(1024),
				MaxRequests: wrapperspb.UInt32(1024), MaxRetries: wrapperspb.UInt32(3),
			}}},
			OutlierDetection: &clusterv3.OutlierDetection{
				Consecutive_5Xx: wrapperspb.UInt32(5), Interval: durationpb.New(10 * time.Second),
				BaseEjectionTime: durationpb.New(30 * time.Second), MaxEjectionPercent: wrapperspb.UInt32(50),
			},
		},
		&routev3.RouteConfiguration{
			Name:                     s.Name,
			IgnorePortInHostMatching: true,
			VirtualHosts: []*routev3.VirtualHost{{
				Name:    s.Name,
				Domains: []string{s.Name, s.Name + "." + namespace, fqdn},
				Routes: []*routev3.Route{{
					Match: &routev3.RouteMatch{PathSpecifier: &routev3.RouteMatch_Prefix{Prefix: "/"}},
					Action: &routev3.Route_Route{Route: &routev3.RouteAction{
						ClusterSpecifier: &routev3.RouteAction_Cluster{Cluster: s.Name},
						Timeout:          durationpb.New(15 * time.Second),
						RetryPolicy:      &routev3.RetryPolicy{RetryOn: "connect-failure,refused-stream,reset", NumRetries: wrapperspb.UInt32(2)},
					}},
				}},
			}},
		},
	}
}
