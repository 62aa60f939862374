package stdlib_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/svccfg/svccfg/lib/build"
	"github.com/svccfg/svccfg/lib/canon"
	"github.com/svccfg/svccfg/lib/diag"
	"github.com/svccfg/svccfg/lib/render"
)

// run builds a main.star whose main returns expr, and returns the objects
// as "Kind name" lines, the Envoy resources as "Type name" lines, and the
// rendered manifests; or the error as diag prints it.
func run(t *testing.T, expr string) (objects, resources []string, yaml string, errText string) {
	t.Helper()
	dir := t.TempDir()
	src := "load(\"@stdlib//einhorn.star\", \"einhorn\")\n\ndef main(ctx):\n    return " + expr + "\n"
	if err := os.WriteFile(filepath.Join(dir, "main.star"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := build.Build(context.Background(), []string{dir}, build.Options{Cwd: dir, Vars: map[string]string{"namespace": "ns1"}})
	if err != nil {
		var buf bytes.Buffer
		diag.Print(&buf, err, diag.Config{Cwd: dir})
		return nil, nil, "", buf.String()
	}
	for _, u := range out.Units {
		for _, o := range u.Objects {
			objects = append(objects, o.Kind+" "+o.Namespace+"/"+o.Name)
		}
		for _, r := range u.Envoy {
			resources = append(resources, r.Type[strings.LastIndex(r.Type, ".")+1:]+" "+r.Name)
		}
	}
	data, err := render.Manifests(out, canon.YAML)
	if err != nil {
		t.Fatal(err)
	}
	return objects, resources, string(data), ""
}

func TestService(t *testing.T) {
	const base = `name = "api", owner = "core", image = "r.example.com/api:1.0"`
	for _, test := range []struct {
		name      string
		expr      string
		objects   string
		resources string
		contains  []string // substrings of the rendered manifests
	}{
		{
			name:    "minimal: no port, one replica",
			expr:    `service(` + base + `)`,
			objects: "ServiceAccount ns1/api, Deployment ns1/api",
			contains: []string{
				"cpu: 500m", "memory: 512Mi", "serviceAccountName: api", "app: api", "owner: core", "namespace: ns1",
			},
		},
		{
			name:      "port and replicas",
			expr:      `service(` + base + `, port = 8080, replicas = 2)`,
			objects:   "ServiceAccount ns1/api, Deployment ns1/api, PodDisruptionBudget ns1/api, Service ns1/api",
			resources: "Cluster api, RouteConfiguration api",
			contains:  []string{"maxUnavailable: 1", "targetPort: http", "containerPort: 8080", "appProtocol: kubernetes.io/h2c"},
		},
		{
			name:      "einhorn command sets the port",
			expr:      `service(` + base + `, command = einhorn(script = "srv.rb", workers = 4, port = 9000))`,
			objects:   "ServiceAccount ns1/api, Deployment ns1/api, Service ns1/api",
			resources: "Cluster api, RouteConfiguration api",
			contains:  []string{"- einhorn\n", "- \"4\"\n", "- 0.0.0.0:9000\n", "- srv.rb\n", "port: 9000"},
		},
		{
			name:      "block egress, IAM role, env, health check, namespace",
			expr:      `service(` + base + `, port = 80, block_egress = True, iam_role = "api-role", env = {"B": "2", "A": "1"}, health_check_path = "/healthz", namespace = "other")`,
			objects:   "ServiceAccount other/api, Service other/api, Deployment other/api, NetworkPolicy other/api",
			resources: "Cluster api, RouteConfiguration api",
			contains:  []string{"iam.amazonaws.com/role: api-role", "policyTypes:\n  - Egress", "name: A\n          value: \"1\"\n        - name: B", "path: /healthz"},
		},
		{
			name:      "HTTP/1.1",
			expr:      `service(` + base + `, port = 8080, http2 = False)`,
			objects:   "ServiceAccount ns1/api, Deployment ns1/api, Service ns1/api",
			resources: "Cluster api, RouteConfiguration api",
			contains:  []string{"appProtocol: http\n", "clusterIP: None"},
		},
		{
			name:     "resources",
			expr:     `service(` + base + `, cpu = kube.cores(0.25), mem = kube.megabytes(2048))`,
			objects:  "ServiceAccount ns1/api, Deployment ns1/api",
			contains: []string{"cpu: 250m", "memory: 2Gi"},
		},
	} {
		t.Run(test.name, func(t *testing.T) {
			objects, resources, yaml, errText := run(t, test.expr)
			if errText != "" {
				t.Fatalf("build: %s", errText)
			}
			if got := strings.Join(objects, ", "); got != test.objects && !sameSet(got, test.objects) {
				t.Errorf("objects = %s, want %s", got, test.objects)
			}
			if got := strings.Join(resources, ", "); got != test.resources {
				t.Errorf("Envoy resources = %s, want %s", got, test.resources)
			}
			for _, s := range test.contains {
				if !strings.Contains(yaml, s) {
					t.Errorf("manifests lack %q:\n%s", s, yaml)
				}
			}
		})
	}
}

func sameSet(a, b string) bool {
	as, bs := strings.Split(a, ", "), strings.Split(b, ", ")
	if len(as) != len(bs) {
		return false
	}
	seen := map[string]int{}
	for _, x := range as {
		seen[x]++
	}
	for _, x := range bs {
		seen[x]--
	}
	for _, n := range seen {
		if n != 0 {
			return false
		}
	}
	return true
}

func TestCron(t *testing.T) {
	objects, resources, yaml, errText := run(t, `cron(name = "job", owner = "risk", image = "r.example.com/job:2", schedule = "*/5 * * * *", disabled = True, time_zone = "Etc/UTC", retries = 2)`)
	if errText != "" {
		t.Fatal(errText)
	}
	if got, want := strings.Join(objects, ", "), "ServiceAccount ns1/job, CronJob ns1/job"; got != want {
		t.Errorf("objects = %s, want %s", got, want)
	}
	if len(resources) != 0 {
		t.Errorf("Envoy resources = %v, want none", resources)
	}
	for _, s := range []string{"suspend: true", "concurrencyPolicy: Forbid", "timeZone: Etc/UTC", "backoffLimit: 2", "restartPolicy: Never", "schedule: '*/5 * * * *'"} {
		if !strings.Contains(yaml, s) {
			t.Errorf("manifests lack %q:\n%s", s, yaml)
		}
	}
	_, _, yaml, _ = run(t, `cron(name = "job", owner = "risk", image = "r.example.com/job:2", schedule = "0 * * * *", allow_overlap = True)`)
	if !strings.Contains(yaml, "concurrencyPolicy: Allow") || !strings.Contains(yaml, "suspend: false") {
		t.Errorf("allow_overlap = True: manifests:\n%s", yaml)
	}
}

func TestQuantities(t *testing.T) {
	for _, test := range []struct{ expr, want string }{
		{"kube.cores(4)", "cpu: \"4\""},
		{"kube.cores(0.5)", "cpu: 500m"},
		{"kube.cores(1.5)", "cpu: 1500m"},
		{"kube.millicores(250)", "cpu: 250m"},
		{"kube.millicores(2000)", "cpu: \"2\""},
	} {
		_, _, yaml, errText := run(t, `service(name = "q", owner = "o", image = "i:1", cpu = `+test.expr+`)`)
		if errText != "" || !strings.Contains(yaml, test.want) {
			t.Errorf("cpu = %s: want %q in manifests; error %q\n%s", test.expr, test.want, errText, yaml)
		}
	}
	for _, test := range []struct{ expr, want string }{
		{"kube.gigabytes(16)", "memory: 16Gi"},
		{"kube.megabytes(256)", "memory: 256Mi"},
		{"kube.megabytes(1024)", "memory: 1Gi"},
	} {
		_, _, yaml, errText := run(t, `service(name = "q", owner = "o", image = "i:1", mem = `+test.expr+`)`)
		if errText != "" || !strings.Contains(yaml, test.want) {
			t.Errorf("mem = %s: want %q in manifests; error %q\n%s", test.expr, test.want, errText, yaml)
		}
	}
}

// TestErrors checks the message and position of errors in calls to the
// standard library: the position is the user's call (line 4 of main.star),
// whatever stdlib frames lie below it.
func TestErrors(t *testing.T) {
	const base = `name = "api", owner = "core", image = "i:1"`
	for _, test := range []struct{ expr, want string }{
		{`service(` + base + `, replicas = "3")`, `main.star:4:65: service: for parameter replicas: got string, want int`},
		{`service(` + base + `, replica = 3)`, `main.star:4:65: service: unexpected keyword argument "replica" (did you mean replicas?)`},
		{`service(name = "api", owner = "core")`, `main.star:4:19: service: missing argument for image`},
		{`service(` + base + `, command = ["a", 1])`, `main.star:4:65: service: for parameter command: at index 1: got int, want string`},
		{`service(` + base + `, command = "run")`, `main.star:4:65: service: for parameter command: got string, want list of string or Command or None`},
		{`service(` + base + `, env = {"A": 1})`, `main.star:4:65: service: for parameter env: for key "A": got int, want string`},
		{`service(` + base + `, cpu = "4")`, `main.star:4:65: service: for parameter cpu: got string, want Quantity or None (write quantities with kube.cores, kube.millicores, kube.gigabytes or kube.megabytes)`},
		{`service(` + base + `, replicas = -1)`, "main.star:4:19: service: for parameter replicas: got -1, want at least 0\n\t@stdlib//service.star:"},
		{`service(` + base + `, port = 70000)`, "main.star:4:19: service: for parameter port: got 70000, want a port number (1 to 65535)\n\t@stdlib//service.star:"},
		{`service(name = "API", owner = "o", image = "i:1")`, `main.star:4:19: service: for parameter name: "API" is not a valid name`},
		{`kube.cores(0)`, `main.star:4:22: kube.cores: got 0, want a number greater than zero`},
		{`kube.cores(0.0001)`, `main.star:4:22: kube.cores: 0.0001 is finer than a millicore`},
		{`kube.gigabytes(1.5)`, `main.star:4:27: kube.gigabytes: for parameter n: got float, want int`},
		{`einhorn(script = "a.rb", workers = 0)`, `main.star:4:19: einhorn: for parameter workers: got 0, want at least 1`},
		{`service(` + base + `, port = 80, connect_timeout = "0s")`, `main.star:4:19: service "api": Cluster "api": invalid Cluster.ConnectTimeout: value must be greater than 0s`},
		{`envoy.cluster(name = "x", address = "", port = 80)`, `main.star:4:25: main: Cluster "x": invalid Cluster.LoadAssignment.Endpoints[0].LbEndpoints[0].Endpoint.Address.SocketAddress.Address: value length must be at least 1 runes`},
		{`cron(name = "j", owner = "o", image = "i:1")`, `main.star:4:16: cron: missing argument for schedule`},
	} {
		_, _, _, errText := run(t, test.expr)
		if !strings.HasPrefix(errText, test.want) {
			t.Errorf("%s: error\n%s\nwant prefix\n%s", test.expr, errText, test.want)
		}
	}
}
