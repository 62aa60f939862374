package starproto_test

import (
	"strings"
	"sync"
	"testing"

	"github.com/svccfg/svccfg/lib/starproto"
	"go.starlark.net/starlark"
	"go.starlark.net/syntax"
)

// run executes src, with the packages of [predeclared], and returns the
// value of its global result, or the error.
func run(t *testing.T, src string) (starlark.Value, error) {
	t.Helper()
	predeclared := predeclared(t)
	globals, err := starlark.ExecFileOptions(&syntax.FileOptions{Set: true, TopLevelControl: true, GlobalReassign: true}, &starlark.Thread{}, "test.star", src, predeclared)
	if err != nil {
		return nil, err
	}
	return globals["result"], nil
}

func TestBinding(t *testing.T) {
	for _, test := range []struct{ name, src, want string }{
		{"unset message fields come to life on write", `
d = apps.Deployment()
d.metadata.name = "web"
d.spec.template.spec.securityContext.runAsNonRoot = True
result = d`, `k8s.io.api.apps.v1.Deployment(metadata = k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta(name = "web"), spec = k8s.io.api.apps.v1.DeploymentSpec(template = k8s.io.api.core.v1.PodTemplateSpec(spec = k8s.io.api.core.v1.PodSpec(securityContext = k8s.io.api.core.v1.PodSecurityContext(runAsNonRoot = True)))))`},
		{"reading an unset field changes nothing", `
d = apps.Deployment()
x = d.spec.template.metadata
result = (d, bool(x), proto.has(d, "spec"))`, `(k8s.io.api.apps.v1.Deployment(), False, False)`},
		{"two reads of an unset field are one field", `
d = apps.Deployment()
a = d.spec
b = d.spec
a.replicas = 2
b.paused = True
result = d.spec`, `k8s.io.api.apps.v1.DeploymentSpec(replicas = 2, paused = True)`},
		{"a child read before its parent was set lands in the set value", `
d = apps.Deployment()
t = d.spec.template
d.spec.replicas = 1
t.metadata.name = "x"
result = d.spec`, `k8s.io.api.apps.v1.DeploymentSpec(replicas = 1, template = k8s.io.api.core.v1.PodTemplateSpec(metadata = k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta(name = "x")))`},
		{"append to a fresh repeated field", `
c = core.Container(name = "c")
c.ports.append(core.ContainerPort(containerPort = 80))
c.ports.append({"containerPort": 81, "name": "h2"})
c.ports.extend([{"containerPort": 82}])
result = [p.containerPort for p in c.ports] + [len(c.ports), type(c.ports)]`, `[80, 81, 82, 3, "list<k8s.io.api.core.v1.ContainerPort>"]`},
		{"list methods", `
c = core.Container(args = ["a", "b", "c"])
c.args.insert(0, "z")
x = c.args.pop()
c.args.remove("a")
c.args[0] = "y"
result = (list(c.args), x, c.args.index("b"), "b" in c.args, c.args + ["d"], c.args[::-1])`, `(["y", "b"], "c", 1, True, ["y", "b", "d"], ["b", "y"])`},
		{"a map field is a dict in key order", `
m = meta.ObjectMeta(labels = {"b": "2", "a": "1"})
m.labels["c"] = "3"
m.annotations.update({"x": "y"})
result = (list(m.labels), m.labels.get("a"), m.labels.get("q", "-"), "a" in m.labels, m.annotations, type(m.labels))`, `(["a", "b", "c"], "1", "-", True, {"x": "y"}, "map<string, string>")`},
		{"dicts stand for messages, recursively", `
result = apps.Deployment({"metadata": {"name": "web"}, "spec": {"template": {"spec": {"containers": [{"name": "c", "ports": [{"containerPort": 80}]}]}}}})`, `k8s.io.api.apps.v1.Deployment(metadata = k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta(name = "web"), spec = k8s.io.api.apps.v1.DeploymentSpec(template = k8s.io.api.core.v1.PodTemplateSpec(spec = k8s.io.api.core.v1.PodSpec(containers = [k8s.io.api.core.v1.Container(name = "c", ports = [k8s.io.api.core.v1.ContainerPort(containerPort = 80)])]))))`},
		{"messages are shared by reference", `
sel = meta.LabelSelector(matchLabels = {"app": "a"})
s = apps.DeploymentSpec(selector = sel)
sel.matchLabels["tier"] = "web"
result = s.selector.matchLabels`, `{"app": "a", "tier": "web"}`},
		{"None clears a field", `
d = apps.DeploymentSpec(replicas = 3, paused = True)
d.replicas = None
result = d`, `k8s.io.api.apps.v1.DeploymentSpec(paused = True)`},
		{"enums by value, name and number", `
c = cluster.Cluster(lb_policy = "RANDOM")
a = c.lb_policy
c.lb_policy = cluster.Cluster.LbPolicy.MAGLEV
b = c.lb_policy
c.lb_policy = 0
result = (a.name, b.name, b.value, c.lb_policy.name, a == cluster.Cluster.LbPolicy.RANDOM, a != b)`, `("RANDOM", "MAGLEV", 5, "ROUND_ROBIN", True, True)`},
		{"wrappers, durations and Any", `
c = cluster.Cluster(connect_timeout = "1.5s", per_connection_buffer_limit_bytes = 1024)
c.typed_extension_protocol_options["x"] = wkt.Duration(seconds = 3)
any = c.typed_extension_protocol_options["x"]
result = (c.connect_timeout.seconds, c.connect_timeout.nanos, c.per_connection_buffer_limit_bytes.value, any.type_url, proto.decode_any(any))`, `(1, 500000000, 1024, "type.googleapis.com/google.protobuf.Duration", google.protobuf.Duration(seconds = 3))`},
		{"keyword-named fields take an underscore", `
v = proto.package("envoy.type.v3").Int64Range(start = 1, end = 5)
result = sorted(dir(v))`, `["end", "start"]`},
		{"an empty message is false", `
result = (bool(core.Container()), bool(core.Container(name = "x")))`, `(False, True)`},
		{"equality is by value", `
result = (core.ContainerPort(containerPort = 1) == core.ContainerPort(containerPort = 1), core.ContainerPort(containerPort = 1) == core.ContainerPort(containerPort = 2))`, `(True, False)`},
		{"merge, clone, clear, has", `
a = apps.DeploymentSpec(replicas = 1)
b = proto.clone(a)
b.paused = True
proto.merge(a, apps.DeploymentSpec(minReadySeconds = 5))
c = proto.clear(proto.clone(b))
result = (a, b, c, proto.has(a, "replicas"), proto.has(c, "replicas"))`, `(k8s.io.api.apps.v1.DeploymentSpec(replicas = 1, minReadySeconds = 5), k8s.io.api.apps.v1.DeploymentSpec(replicas = 1, paused = True), k8s.io.api.apps.v1.DeploymentSpec(), True, False)`},
		{"encode_json and decode_json round trip, in a stable layout", `
c = cluster.Cluster(name = "x", connect_timeout = "2s")
j = proto.encode_json(c)
result = (j, proto.decode_json(cluster.Cluster, j) == c, proto.encode_json(c, compact = False))`, `("{\"name\":\"x\",\"connect_timeout\":\"2s\"}", True, "{\n  \"name\": \"x\",\n  \"connect_timeout\": \"2s\"\n}")`},
		{"encode_text and decode_text round trip, in a stable layout", `
c = cluster.Cluster(name = "x", connect_timeout = "2s")
t = proto.encode_text(c)
result = (t, proto.decode_text(cluster.Cluster, t) == c)`, `("name: \"x\" connect_timeout: { seconds: 2 }", True)`},
	} {
		t.Run(test.name, func(t *testing.T) {
			v, err := run(t, test.src)
			if err != nil {
				t.Fatalf("%s: %v", test.src, err)
			}
			if got := v.String(); got != test.want {
				t.Errorf("%s\ngot  %s\nwant %s", test.src, got, test.want)
			}
		})
	}
}

func TestBindingErrors(t *testing.T) {
	for _, test := range []struct{ name, src, want string }{
		{"the full path of a value in nested dicts", `apps.Deployment(spec = {"template": {"spec": {"containers": [{"ports": [{"containerPort": "80"}]}]}}})`,
			`k8s.io.api.apps.v1.Deployment: spec.template.spec.containers[0].ports[0].containerPort: got string, want int32`},
		{"an unknown field in a dict", `apps.Deployment(spec = {"replica": 3})`,
			`k8s.io.api.apps.v1.Deployment: spec.replica: k8s.io.api.apps.v1.DeploymentSpec has no such field (did you mean replicas?)`},
		{"a map value", `meta.ObjectMeta(labels = {"app": 1})`, `k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta: labels["app"]: got int, want string`},
		{"a map key", `meta.ObjectMeta(labels = {1: "a"})`, `k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta: labels[1]: key 1: got int, want string`},
		{"a message of the wrong type", `apps.DeploymentSpec(selector = core.Container())`, `k8s.io.api.apps.v1.DeploymentSpec: selector: got k8s.io.api.core.v1.Container, want k8s.io.apimachinery.pkg.apis.meta.v1.LabelSelector`},
		{"a string for a list", `core.Container(args = "run")`, `k8s.io.api.core.v1.Container: args: got string, want list of string`},
		{"an element of a list", `core.Container(args = ["a", 2])`, `k8s.io.api.core.v1.Container: args[1]: got int, want string`},
		{"an assignment", "d = apps.Deployment()\nd.spec = {\"replicas\": \"3\"}", `k8s.io.api.apps.v1.Deployment: spec.replicas: got string, want int32`},
		{"an append", "c = core.Container()\nc.ports.append({\"containerPort\": True})", `k8s.io.api.core.v1.Container: ports[0].containerPort: got bool, want int32`},
		{"a map entry", "m = meta.ObjectMeta()\nm.labels[\"a\"] = 1", `k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta: labels["a"]: got int, want string`},
		{"reading an unknown field", "d = apps.DeploymentSpec()\nd.replica", `k8s.io.api.apps.v1.DeploymentSpec has no field "replica" (did you mean .replicas?)`},
		{"setting an unknown field", "d = apps.DeploymentSpec()\nd.replica = 1", `k8s.io.api.apps.v1.DeploymentSpec has no field "replica" (did you mean .replicas?)`},
		{"a message containing itself", "v = wkt.Value(list_value = {})\nv.list_value.values.append(v)", `google.protobuf.ListValue: values[0]: a google.protobuf.Value cannot contain itself`},
		{"an enum name", `cluster.Cluster(lb_policy = "LEAST_REQUESTS")`, `envoy.config.cluster.v3.Cluster: lb_policy: "LEAST_REQUESTS" is not a value of envoy.config.cluster.v3.Cluster.LbPolicy (did you mean LEAST_REQUEST?)`},
		{"an enum number", `cluster.Cluster(lb_policy = 99)`, `envoy.config.cluster.v3.Cluster: lb_policy: 99 is not a value of envoy.config.cluster.v3.Cluster.LbPolicy`},
		{"an int out of range", `cluster.Cluster(per_connection_buffer_limit_bytes = -1)`, `envoy.config.cluster.v3.Cluster: per_connection_buffer_limit_bytes: value -1 overflows type "uint32"`},
		{"merge of ints", `proto.merge(1, 2)`, `proto.merge: for parameter dst: got int, want a proto message`},
		{"merge of different types", `proto.merge(core.Container(), core.Pod())`, `proto.merge: for parameter src: got k8s.io.api.core.v1.Pod, want k8s.io.api.core.v1.Container like dst`},
		{"clone of None", `proto.clone(None)`, `proto.clone: for parameter msg: got None, want a proto message`},
		{"has of an unknown field", `proto.has(core.Container(), "nam")`, `proto.has: k8s.io.api.core.v1.Container has no such field (did you mean name?)`},
		{"decode_json of bad JSON", `proto.decode_json(core.Container, "{")`, `proto.decode_json: `},
		{"decode_json of a non-type", `proto.decode_json("x", "{}")`, `proto.decode_json: for parameter type: got string, want a proto message type`},
		{"decode_any of a non-Any", `proto.decode_any(core.Container())`, `proto.decode_any: for parameter any: got k8s.io.api.core.v1.Container, want google.protobuf.Any`},
		{"encode_json with a bad keyword", `proto.encode_json(core.Container(), compact = 1)`, `proto.encode_json: for parameter compact: got int, want bool`},
		{"too many arguments", `proto.clone(core.Container(), 1)`, `proto.clone: got 2 arguments, want 1 (msg)`},
	} {
		t.Run(test.name, func(t *testing.T) {
			_, err := run(t, "result = None\n"+test.src)
			if err == nil {
				t.Fatalf("%s: no error, want %q", test.src, test.want)
			}
			msg := err.Error()
			if ee, ok := err.(*starlark.EvalError); ok {
				msg = ee.Msg
			}
			if !strings.HasPrefix(msg, test.want) {
				t.Errorf("%s: error = %q, want %q", test.src, msg, test.want)
			}
		})
	}
}

func TestFrozen(t *testing.T) {
	// A module's global, frozen, is copied when stored in a new message:
	// changing the new message leaves the global as it was.
	r := registry()
	meta, _ := r.Package("k8s.io.apimachinery.pkg.apis.meta.v1")
	apps, _ := r.Package("k8s.io.api.apps.v1")
	predeclared := starlark.StringDict{"meta": meta, "apps": apps, "proto": r.Module()}
	opts := &syntax.FileOptions{}
	globals, err := starlark.ExecFileOptions(opts, &starlark.Thread{}, "lib.star", `BASE = meta.ObjectMeta(name = "base", labels = {"a": "1"})`, predeclared)
	if err != nil {
		t.Fatal(err)
	}
	globals.Freeze()
	predeclared["BASE"] = globals["BASE"]
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := starlark.ExecFileOptions(opts, &starlark.Thread{}, "use.star", `
d = apps.Deployment(metadata = BASE)
d.metadata.labels["b"] = "2"
x = BASE.labels["a"]
`, predeclared)
			if err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if got, want := globals["BASE"].String(), `k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta(name = "base", labels = {"a": "1"})`; got != want {
		t.Errorf("BASE = %s, want %s", got, want)
	}
	_, err = starlark.ExecFileOptions(opts, &starlark.Thread{}, "set.star", `BASE.labels["c"] = "3"`, predeclared)
	if want := "cannot change a frozen k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta"; err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("setting a frozen message's map entry: error %v, want %q", err, want)
	}
	_, err = starlark.ExecFileOptions(opts, &starlark.Thread{}, "read.star", `x = BASE.ownerReferences
y = BASE.creationTimestamp
z = len(x)`, predeclared)
	if err != nil {
		t.Errorf("reading unset fields of a frozen message: %v", err)
	}
}

func TestMarshalJSON(t *testing.T) {
	for _, test := range []struct{ src, want string }{
		{`core.ServicePort(name = "http", port = 80, targetPort = 8080)`, `{"name":"http","port":80,"targetPort":8080}`},
		{`core.ResourceRequirements(limits = {"cpu": "1500m", "memory": "1Gi"})`, `{"limits":{"cpu":"1500m","memory":"1Gi"}}`},
		{`meta.ObjectMeta(name = "x", labels = {"b": "2", "a": "1"})`, `{"name":"x","labels":{"a":"1","b":"2"}}`},
		{`cluster.Cluster(name = "x", connect_timeout = "1.5s", lb_policy = "RANDOM")`, `{"name":"x","connect_timeout":"1.500s","lb_policy":"RANDOM"}`},
	} {
		v, err := run(t, "result = "+test.src)
		if err != nil {
			t.Fatalf("%s: %v", test.src, err)
		}
		got, err := v.(*starproto.Message).MarshalJSON()
		if err != nil {
			t.Fatalf("MarshalJSON(%s): %v", test.src, err)
		}
		if string(got) != test.want {
			t.Errorf("MarshalJSON(%s) = %s, want %s", test.src, got, test.want)
		}
	}
}
