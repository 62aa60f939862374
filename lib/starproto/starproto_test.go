package starproto_test

import (
	"encoding/json"
	"strings"
	"sync"
	"testing"

	"github.com/svccfg/svccfg/lib/envoy"
	"github.com/svccfg/svccfg/lib/k8s"
	"github.com/svccfg/svccfg/lib/starproto"
	"go.starlark.net/starlark"
	"go.starlark.net/syntax"
	"google.golang.org/protobuf/reflect/protoregistry"
)

var registry = sync.OnceValue(func() *starproto.Registry {
	types := new(protoregistry.Types)
	if err := k8s.RegisterTypes(types); err != nil {
		panic(err)
	}
	if err := envoy.RegisterTypes(types); err != nil {
		panic(err)
	}
	return starproto.NewRegistry(types)
})

// predeclared returns the proto module and the packages the tests use, as
// apps, core, meta, cluster and wkt (google.protobuf).
func predeclared(t *testing.T) starlark.StringDict {
	t.Helper()
	r := registry()
	predeclared := starlark.StringDict{"proto": r.Module()}
	for name, pkg := range map[string]string{
		"apps":    "k8s.io.api.apps.v1",
		"core":    "k8s.io.api.core.v1",
		"meta":    "k8s.io.apimachinery.pkg.apis.meta.v1",
		"cluster": "envoy.config.cluster.v3",
		"wkt":     "google.protobuf",
	} {
		p, err := r.Package(pkg)
		if err != nil {
			t.Fatal(err)
		}
		predeclared[name] = p
	}
	return predeclared
}

// eval evaluates expr with the packages of [predeclared].
func eval(t *testing.T, expr string) (starlark.Value, error) {
	t.Helper()
	predeclared := predeclared(t)
	return starlark.EvalOptions(&syntax.FileOptions{}, &starlark.Thread{}, "test.star", expr, predeclared)
}

func TestConversions(t *testing.T) {
	for _, test := range []struct {
		expr string
		want string // JSON of the k8s object
	}{
		{
			expr: `core.Service(metadata = meta.ObjectMeta(name = "x"), spec = core.ServiceSpec(ports = [core.ServicePort(port = 80, targetPort = 8080)]))`,
			want: `{"kind":"Service","apiVersion":"v1","metadata":{"name":"x"},"spec":{"ports":[{"port":80,"targetPort":8080}]},"status":{"loadBalancer":{}}}`,
		},
		{
			expr: `core.Service(spec = core.ServiceSpec(ports = (core.ServicePort(port = 80, targetPort = "http"),)))`,
			want: `{"kind":"Service","apiVersion":"v1","metadata":{},"spec":{"ports":[{"port":80,"targetPort":"http"}]},"status":{"loadBalancer":{}}}`,
		},
		{
			expr: `core.Pod(spec = core.PodSpec(containers = [core.Container(name = "c", resources = core.ResourceRequirements(requests = {"cpu": "1500m", "memory": 1024}))]))`,
			want: `{"kind":"Pod","apiVersion":"v1","metadata":{},"spec":{"containers":[{"name":"c","resources":{"requests":{"cpu":"1500m","memory":"1024"}}}]},"status":{}}`,
		},
	} {
		t.Run(test.expr, func(t *testing.T) {
			v, err := eval(t, test.expr)
			if err != nil {
				t.Fatalf("eval: %v", err)
			}
			m, ok := starproto.AsMessage(v)
			if !ok {
				t.Fatalf("eval(%s) = %s, want a message", test.expr, v.Type())
			}
			obj, err := k8s.ToObject(m)
			if err != nil {
				t.Fatal(err)
			}
			got, err := json.Marshal(obj)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != test.want {
				t.Errorf("eval(%s) = %s, want %s", test.expr, got, test.want)
			}
		})
	}
}

func TestEnvoyConversions(t *testing.T) {
	v, err := eval(t, `cluster.Cluster(name = "x", connect_timeout = "1.5s", lb_policy = "LEAST_REQUEST", type = "STRICT_DNS")`)
	if err != nil {
		t.Fatal(err)
	}
	m, _ := starproto.AsMessage(v)
	got := m.ProtoReflect()
	fields := got.Descriptor().Fields()
	if d := got.Get(fields.ByName("connect_timeout")).Message(); d.Get(d.Descriptor().Fields().ByName("seconds")).Int() != 1 || d.Get(d.Descriptor().Fields().ByName("nanos")).Int() != 500000000 {
		t.Errorf("connect_timeout = %v, want 1.5s", d)
	}
	if e := got.Get(fields.ByName("lb_policy")).Enum(); e != 1 {
		t.Errorf("lb_policy = %d, want 1 (LEAST_REQUEST)", e)
	}
}

func TestErrors(t *testing.T) {
	for _, test := range []struct{ expr, want string }{
		{`apps.DeploymentSpec(replica = 3)`, `k8s.io.api.apps.v1.DeploymentSpec: unknown field "replica" (did you mean replicas?)`},
		{`apps.DeploymentSpec(replicas = "3")`, `k8s.io.api.apps.v1.DeploymentSpec: replicas: got string, want int32`},
		{`apps.DeploymentSpec(replicas = 1 << 40)`, `k8s.io.api.apps.v1.DeploymentSpec: replicas: value 1099511627776 overflows type "int32"`},
		{`core.ServicePort(targetPort = 1.5)`, `k8s.io.api.core.v1.ServicePort: targetPort: got float, want k8s.io.apimachinery.pkg.util.intstr.IntOrString`},
		{`core.ResourceRequirements(limits = {"cpu": "4 cores"})`, `k8s.io.api.core.v1.ResourceRequirements: limits["cpu"]: invalid quantity "4 cores": want a number with an optional suffix such as 250m or 16Gi`},
		{`cluster.Cluster(lb_policy = "LEAST_REQUESTS")`, `envoy.config.cluster.v3.Cluster: lb_policy: "LEAST_REQUESTS" is not a value of envoy.config.cluster.v3.Cluster.LbPolicy (did you mean LEAST_REQUEST?)`},
		{`cluster.Cluster(connect_timeout = "5 s")`, `envoy.config.cluster.v3.Cluster: connect_timeout: invalid duration "5 s": want a number with a unit such as 250ms, 1.5s or 2m`},
		{`core.Probe(httpGet = core.HTTPGetAction(path = "/"))`, `k8s.io.api.core.v1.Probe: unknown field "httpGet" (it is a field of handler, a k8s.io.api.core.v1.ProbeHandler)`},
		{`apps.DeploymentSpec(3)`, `k8s.io.api.apps.v1.DeploymentSpec: got int, want keyword arguments naming fields or one dict`},
		{`apps.Deploymnt`, `k8s.io.api.apps.v1 has no message or enum "Deploymnt" (did you mean Deployment?)`},
		{`proto.package("k8s.io.api.app.v1")`, `proto.package: unknown package "k8s.io.api.app.v1" (did you mean k8s.io.api.apps.v1?)`},
	} {
		t.Run(test.expr, func(t *testing.T) {
			_, err := eval(t, test.expr)
			if err == nil {
				t.Fatalf("eval(%s) succeeded, want error %q", test.expr, test.want)
			}
			if got := err.Error(); !strings.Contains(got, test.want) {
				t.Errorf("eval(%s) error = %q, want %q", test.expr, got, test.want)
			}
		})
	}
}
