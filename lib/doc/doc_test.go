package doc

import (
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/diff"
	"github.com/svccfg/svccfg/internal/golden"
	"github.com/svccfg/svccfg/lib/eval"
	"github.com/svccfg/svccfg/lib/k8s"
	"go.starlark.net/starlark"
	"go.starlark.net/starlarkstruct"
	"go.starlark.net/syntax"
	"google.golang.org/protobuf/reflect/protoreflect"
)

func docs(t *testing.T) *Docs {
	t.Helper()
	std, err := eval.DefaultStdlib()
	if err != nil {
		t.Fatal(err)
	}
	return New(std, k8s.Comments())
}

// text returns the documentation of name, failing the test on an error.
func text(t *testing.T, d *Docs, name string) string {
	t.Helper()
	out, err := d.Text(name)
	if err != nil {
		t.Fatalf("Text(%q): %v", name, err)
	}
	return out
}

func TestList(t *testing.T) {
	d := docs(t)
	out := text(t, d, "")
	for _, want := range []string{
		"Predeclared functions:\n  canary                     Returns a canary for service(canary = ...): a Deployment NAME-canary of hosts pods beside the service's stable Deployment.\n  cron                       Returns a cron job: a command run in a new pod on a schedule.\n  job                        Returns a one-off job: a command run in new pods until it succeeds, such as a schema migration.\n  service  ",
		"\nPredeclared module kube - kube: quantities of CPU and memory, and the parts of a workload beyond its main container: security, sidecars, tracks, shutdown, rollout, autoscaling and spreading.\n  kube.autoscale  ",
		"\nPredeclared module envoy - Envoy: the xDS resources",
		"\nPredeclared module proto - proto: every Kubernetes and Envoy message type, by protobuf package.\n  proto.package  ",
		"\n  struct                     Returns an immutable struct",
		"\nPredeclared module json - json: JSON encoding and decoding",
		"\n  json.marshal               The same as json.encode",
		"\nPredeclared module url - url: URL query strings (skycfg's url module).\n  url.encode_query  ",
		"\nFile @stdlib//einhorn.star, loaded with load() - einhorn: the process manager",
		"\n  einhorn                    Returns a Command that runs a Ruby script under einhorn",
		"\n  Quantity                   a CPU or memory size",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("list lacks %q:\n%s", want, out)
		}
	}
	// Every public function of the standard library is listed.
	for _, f := range d.std.Functions() {
		if !strings.Contains(out, "\n  "+f.Name()+" ") {
			t.Errorf("list lacks %s", f.Name())
		}
	}
	// The groups come in a fixed order: functions, modules, files.
	var titles []string
	for line := range strings.Lines(out) {
		if line != "" && line[0] != ' ' && line != "\n" {
			titles = append(titles, strings.Fields(line)[0]+" "+strings.Fields(line)[1])
		}
	}
	if got, want := strings.Join(titles[:13], ", "), "Predeclared functions:, "+strings.Repeat("Predeclared module, ", 11)+"File @stdlib//einhorn.star,"; got != want {
		t.Errorf("group titles = %s, want %s", got, want)
	}
}

func TestFunction(t *testing.T) {
	d := docs(t)
	for _, test := range []struct {
		name string
		want []string
	}{
		{"kube.cores", []string{
			"kube.cores(n)\n\nReturns a CPU quantity of n cores.\n\nParameters:\n  n (int or float, required)\n      the number of cores, greater than zero; 0.5 is 500 millicores.\n",
		}},
		{"service", []string{
			"service(name, owner, image, command = None, args = [], port = None, ports = [],\n        replicas = None, cpu = None,",
			"\n  replicas (int or None, default None)\n      the number of pods, at least 0; defaults to 1, or to the autoscaler's\n      choice with autoscale.\n",
			"\n  timeout (string, default \"15s\")\n",
			"\n  env (dict of string to (string or EnvSource), default {})\n",
			"\n  block_egress (bool, default False)\n",
			"\nIt generates a Deployment, whose pods carry the label track: stable (and one\nmore, NAME-TRACK, for each of tracks), and a ServiceAccount;",
		}},
		{"einhorn", []string{
			"einhorn(script, workers = 1, port = None, args = [])\n",
			"\nLoad it with load(\"@stdlib//einhorn.star\", \"einhorn\").\n",
			"\n  args (list of string, default [])\n      more arguments for the script.\n",
		}},
		{"kube", []string{"Predeclared module kube (@stdlib//kube.star)\n\nkube: quantities of CPU and memory,", "\n  kube.cores            Returns a CPU quantity of n cores.\n"}},
		{"@stdlib//kube.star", []string{"Predeclared module kube (@stdlib//kube.star)\n"}},
		{"@stdlib//einhorn.star", []string{"File @stdlib//einhorn.star, loaded with load()\n\neinhorn: the process manager", "\n    load(\"@stdlib//einhorn.star\", \"einhorn\")\n"}},
		{"json", []string{"Predeclared module json\n\njson: JSON encoding", "\nFunctions:\n  json.encode(x)\n      Returns x (None,"}},
		{"json.decode", []string{"json.decode(x[, default])\n\nReturns the value that the JSON string x denotes"}},
		{"yaml.marshal", []string{"yaml.marshal(x)\n\nThe same as yaml.encode, by skycfg's older name.\n"}},
		{"hash.sha256", []string{"hash.sha256(s)\n\nReturns the SHA-256 hash"}},
		{"struct", []string{"struct(**kwargs)\n\nReturns an immutable struct"}},
		{"proto.merge", []string{"proto.merge(dst, src)\n\nMerges src"}},
		{"proto", []string{"\n  proto.package(name)  ", "\nPackages (svccfg doc PACKAGE lists its types):\n  envoy.annotations\n", "\n  k8s.io.api.apps.v1\n"}},
	} {
		out := text(t, d, test.name)
		for _, want := range test.want {
			if !strings.Contains(out, want) {
				t.Errorf("Text(%q) lacks %q:\n%s", test.name, want, out)
			}
		}
		if strings.Contains(test.name, "kube.cores") && strings.Contains(out, "Load it with") {
			t.Errorf("Text(%q) says to load a predeclared function", test.name)
		}
	}
}

func TestProtoTypes(t *testing.T) {
	d := docs(t)
	for _, test := range []struct {
		name string
		want []string
	}{
		{"k8s.io.api.apps.v1", []string{
			"package k8s.io.api.apps.v1\n\n    proto.package(\"k8s.io.api.apps.v1\")\n\nMessages:\n",
			"\n  DeploymentSpec                DeploymentSpec is the specification of the desired behavior of the Deployment.\n",
		}},
		{"k8s.io.api.apps.v1.DeploymentSpec", []string{
			"message k8s.io.api.apps.v1.DeploymentSpec\n\nDeploymentSpec is the specification of the desired behavior of the Deployment.\n",
			"\n    proto.package(\"k8s.io.api.apps.v1\").DeploymentSpec(field = value, ...)\n",
			"\n  replicas                 int\n      Number of desired pods. This is a pointer to distinguish between explicit\n      zero and not specified. Defaults to 1.\n",
			"\n  selector                 k8s.io.apimachinery.pkg.apis.meta.v1.LabelSelector\n",
		}},
		{"envoy.config.cluster.v3.Cluster", []string{
			"\n    proto.package(\"envoy.config.cluster.v3\").Cluster(field = value, ...)\n",
			"\n  type                          \"STATIC\", \"STRICT_DNS\", \"LOGICAL_DNS\", \"EDS\" or \"ORIGINAL_DST\"\n",
			"\n  connect_timeout               string: a duration such as \"250ms\" or \"1.5s\"\n",
			"\nOneofs (set at most one field of each):\n  cluster_discovery_type  type or cluster_type\n",
			"\n  CommonLbConfig            message\n",
			"\n  DiscoveryType             enum\n",
		}},
		{"envoy.config.cluster.v3.Cluster.DiscoveryType", []string{
			"enum envoy.config.cluster.v3.Cluster.DiscoveryType\n",
			"\nValues:\n  STATIC        0\n  STRICT_DNS    1\n",
		}},
		{"envoy.config.cluster.v3.CircuitBreakers.Thresholds", []string{
			"\n    proto.package(\"envoy.config.cluster.v3\").CircuitBreakers.Thresholds(field = value, ...)\n",
		}},
	} {
		out := text(t, d, test.name)
		for _, want := range test.want {
			if !strings.Contains(out, want) {
				t.Errorf("Text(%q) lacks %q:\n%s", test.name, want, out)
			}
		}
	}
}

func TestUnknown(t *testing.T) {
	d := docs(t)
	for _, test := range []struct{ name, want string }{
		{"servce", `doc: no function, module, file, package or type called "servce" (did you mean service?)`},
		{"kube.core", `doc: no function, module, file, package or type called "kube.core" (did you mean kube.cores?)`},
		{"@stdlib//einhorn", `doc: no function, module, file, package or type called "@stdlib//einhorn" (did you mean @stdlib//einhorn.star?)`},
		{"k8s.io.api.apps.v2", `doc: no function, module, file, package or type called "k8s.io.api.apps.v2" (did you mean k8s.io.api.apps.v1?)`},
		{"k8s.io.api.apps.v1.DeploymentSpc", `doc: no function, module, file, package or type called "k8s.io.api.apps.v1.DeploymentSpc" (did you mean k8s.io.api.apps.v1.DeploymentSpec?)`},
		{"PodDisruptionBudgetSpec", `doc: no function, module, file, package or type called "PodDisruptionBudgetSpec" (did you mean k8s.io.api.policy.v1.PodDisruptionBudgetSpec or k8s.io.api.policy.v1beta1.PodDisruptionBudgetSpec?)`},
		{"jsn.encode", `doc: no function, module, file, package or type called "jsn.encode" (did you mean json.encode?)`},
		{"json.encod", `doc: no function, module, file, package or type called "json.encod" (did you mean json.encode?)`},
		{"xyzzy", `doc: no function, module, file, package or type called "xyzzy" (svccfg doc lists the standard library, svccfg doc proto the packages)`},
		{"envoy.config.cluster.v3.Cluster.DiscoveryTyp", `doc: no function, module, file, package or type called "envoy.config.cluster.v3.Cluster.DiscoveryTyp" (did you mean envoy.config.cluster.v3.Cluster.DiscoveryType?)`},
	} {
		_, err := d.Text(test.name)
		if err == nil || err.Error() != test.want {
			t.Errorf("Text(%q) error = %v, want %q", test.name, err, test.want)
		}
	}
}

func TestFieldType(t *testing.T) {
	d := docs(t)
	for _, test := range []struct{ field, want string }{
		{"k8s.io.api.apps.v1.DeploymentSpec.replicas", "int"},
		{"k8s.io.api.apps.v1.DeploymentSpec.paused", "bool"},
		{"k8s.io.api.core.v1.Container.command", "list of string"},
		{"k8s.io.api.core.v1.Container.ports", "list of k8s.io.api.core.v1.ContainerPort"},
		{"k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta.labels", "dict of string to string"},
		{"k8s.io.api.core.v1.ResourceRequirements.limits", `dict of string to Quantity: kube.cores(2), kube.gigabytes(1), or a string such as "250m" or "16Gi"`},
		{"k8s.io.api.core.v1.ServicePort.targetPort", "int or string"},
		{"envoy.config.cluster.v3.Cluster.connect_timeout", `string: a duration such as "250ms" or "1.5s"`},
		{"envoy.config.cluster.v3.Cluster.lb_policy", `"ROUND_ROBIN", "LEAST_REQUEST", "RING_HASH", "RANDOM", "MAGLEV", "CLUSTER_PROVIDED" or "LOAD_BALANCING_POLICY_CONFIG"`},
		{"envoy.config.cluster.v3.CircuitBreakers.Thresholds.max_connections", "int"},
		{"envoy.config.cluster.v3.Cluster.typed_extension_protocol_options", "dict of string to any message"},
		{"envoy.config.cluster.v3.Cluster.upstream_bind_config", "envoy.config.core.v3.BindConfig"},
		{"envoy.config.route.v3.RetryPolicy.retry_host_predicate", "list of envoy.config.route.v3.RetryPolicy.RetryHostPredicate"},
		{"envoy.config.core.v3.HealthCheck.HttpHealthCheck.codec_client_type", `"HTTP1", "HTTP2" or "HTTP3"`},
	} {
		i := strings.LastIndex(test.field, ".")
		md, ok := d.findType(test.field[:i]).(protoreflect.MessageDescriptor)
		if !ok {
			t.Fatalf("no message %s", test.field[:i])
		}
		fd := md.Fields().ByName(protoreflect.Name(test.field[i+1:]))
		if fd == nil {
			t.Fatalf("no field %s", test.field)
		}
		if got := FieldType(fd); got != test.want {
			t.Errorf("FieldType(%s) = %s, want %s", test.field, got, test.want)
		}
	}
}

// TestFieldTypeForms checks that values of the special forms FieldType
// documents are accepted where it says they are.
func TestFieldTypeForms(t *testing.T) {
	std, err := eval.DefaultStdlib()
	if err != nil {
		t.Fatal(err)
	}
	const src = `
core = proto.package("k8s.io.api.core.v1")
cluster = proto.package("envoy.config.cluster.v3")
http = proto.package("envoy.extensions.upstreams.http.v3")
core.ResourceRequirements(limits = {"cpu": kube.cores(2), "memory": kube.gigabytes(1)}, requests = {"cpu": "250m", "memory": "16Gi"})
core.ServicePort(targetPort = 8080)
core.ServicePort(targetPort = "http")
cluster.Cluster(connect_timeout = "1.5s", type = "STRICT_DNS", lb_policy = "LEAST_REQUEST",
    typed_extension_protocol_options = {"x": http.HttpProtocolOptions()})
cluster.CircuitBreakers.Thresholds(max_connections = 5, track_remaining = True)
`
	opts := &syntax.FileOptions{TopLevelControl: true}
	if _, err := starlark.ExecFileOptions(opts, &starlark.Thread{}, "forms.star", src, std.Predeclared()); err != nil {
		t.Fatal(err)
	}
}

// TestProtoFunctions checks that protoFunctions documents exactly the
// functions of the proto module.
func TestProtoFunctions(t *testing.T) {
	d := docs(t)
	var got, want []string
	for _, f := range protoFunctions {
		got = append(got, f.name)
	}
	for name := range d.std.Registry().Module().Members {
		want = append(want, name)
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("documented proto functions %v, want the proto module's %v", got, want)
	}
}

// TestSkycfgModules checks that skycfgModules and structFunction document
// exactly the Go-defined modules and functions predeclared besides proto.
func TestSkycfgModules(t *testing.T) {
	d := docs(t)
	documented := map[string]bool{structFunction.name: true}
	for _, m := range skycfgModules {
		documented[m.name] = true
		mod, ok := d.std.Predeclared()[m.name].(*starlarkstruct.Module)
		if !ok {
			t.Errorf("%s is documented but not a predeclared module", m.name)
			continue
		}
		var got []string
		for _, f := range m.funcs {
			got = append(got, f.name)
		}
		slices.Sort(got)
		if want := mod.Members.Keys(); !slices.Equal(got, want) {
			t.Errorf("documented %s functions %v, want the module's %v", m.name, got, want)
		}
	}
	for name, v := range d.std.Predeclared() {
		switch v.(type) {
		case *starlarkstruct.Module, *starlark.Builtin:
			if _, isStdlib := d.std.Module("@stdlib//" + name + ".star"); !isStdlib && name != "proto" && !documented[name] {
				t.Errorf("predeclared %s is not documented", name)
			}
		}
	}
}

// TestStdlibTypes checks that every type in a standard library docstring
// is Starlark's own or described in stdlibTypes.
func TestStdlibTypes(t *testing.T) {
	d := docs(t)
	known := map[string]bool{"string": true, "int": true, "float": true, "bool": true, "None": true, "list": true, "dict": true, "of": true, "to": true, "or": true}
	for _, st := range stdlibTypes {
		known[st.name] = true
	}
	for _, f := range d.std.Functions() {
		for _, p := range f.Signature().Params {
			for _, w := range strings.Fields(strings.NewReplacer("(", "", ")", "").Replace(p.Type)) {
				if !known[w] {
					t.Errorf("%s: parameter %s: type %q is not described in stdlibTypes", f.Name(), p.Name, w)
				}
			}
		}
	}
}

// TestReference checks that docs/reference.md is what `svccfg doc --format
// markdown` writes; SVCCFG_UPDATE=1 rewrites it.
func TestReference(t *testing.T) {
	const path = "../../docs/reference.md"
	got := docs(t).Markdown()
	if golden.Update() {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("docs/reference.md is stale (run make docs and review the diff):\n%s", diff.Diff("docs/reference.md", want, "svccfg doc --format markdown", []byte(got)))
	}
}

func TestMarkdown(t *testing.T) {
	out := docs(t).Markdown()
	for _, want := range []string{
		"- [File `@stdlib//einhorn.star`](#file-stdlibeinhornstar)\n",
		"\n### `kube.cores`\n\n```python\nkube.cores(n)\n```\n\nReturns a CPU quantity of n cores.\n\n| Parameter | Type | Default | Description |\n|---|---|---|---|\n| `n` | int or float | required | the number of cores, greater than zero; 0.5 is 500 millicores. |\n",
		"| `replicas` | int or None | `None` | the number of pods, at least 0; defaults to 1, or to the autoscaler's choice with autoscale. |\n",
		`cron syntax such as "30 0 \* \* \*"`,
		`(n × 2²⁰ bytes, written "&lt;n>Mi")`,
		"\n```python\nload(\"@stdlib//einhorn.star\", \"einhorn\")\n```\n",
		"\n- `k8s.io.api.apps.v1`\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("Markdown() lacks %q", want)
		}
	}
}

func TestReflow(t *testing.T) {
	got := reflow("one two three four\nfive six\n\n  kept\n  as is", "> ", 12)
	want := "> one two\n> three four\n> five six\n\n>   kept\n>   as is"
	if got != want {
		t.Errorf("reflow = %q, want %q", got, want)
	}
}
