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
		lacks     []string // what they must not contain
	}{
		{
			name:    "minimal: no port, one replica",
			expr:    `service(` + base + `)`,
			objects: "ServiceAccount ns1/api, Deployment ns1/api",
			contains: []string{
				"serviceAccountName: api", "app: api", "owner: core", "namespace: ns1",
				"runAsNonRoot: true", "type: RuntimeDefault", "allowPrivilegeEscalation: false", "readOnlyRootFilesystem: true", "drop:\n            - ALL",
			},
			lacks: []string{"resources", "strategy", "{}", "null", "kind: Service\n"},
		},
		{
			name:      "port and replicas",
			expr:      `service(` + base + `, port = 8080, replicas = 2)`,
			objects:   "ServiceAccount ns1/api, Deployment ns1/api, PodDisruptionBudget ns1/api, Service ns1/api",
			resources: "Cluster api, RouteConfiguration api, Listener api, Listener api-ingress, Cluster api-local",
			contains:  []string{"maxUnavailable: 1", "targetPort: http", "containerPort: 8080", "appProtocol: kubernetes.io/h2c"},
		},
		{
			name:      "einhorn command sets the port",
			expr:      `service(` + base + `, command = einhorn(script = "srv.rb", workers = 4, port = 9000))`,
			objects:   "ServiceAccount ns1/api, Deployment ns1/api, Service ns1/api",
			resources: "Cluster api, RouteConfiguration api, Listener api, Listener api-ingress, Cluster api-local",
			contains:  []string{"- einhorn\n", "- \"4\"\n", "- 0.0.0.0:9000\n", "- srv.rb\n", "port: 9000"},
		},
		{
			name:      "block egress, IAM role, env, health check, namespace",
			expr:      `service(` + base + `, port = 80, block_egress = True, iam_role = "api-role", env = {"B": "2", "A": "1"}, health_check_path = "/healthz", namespace = "other")`,
			objects:   "ServiceAccount other/api, Service other/api, Deployment other/api, NetworkPolicy other/api",
			resources: "Cluster api, RouteConfiguration api, Listener api, Listener api-ingress, Cluster api-local",
			contains:  []string{"iam.amazonaws.com/role: api-role", "policyTypes:\n  - Egress", "name: B\n          value: \"2\"\n        - name: A", "path: /healthz"},
		},
		{
			name:      "HTTP/1.1",
			expr:      `service(` + base + `, port = 8080, http2 = False)`,
			objects:   "ServiceAccount ns1/api, Deployment ns1/api, Service ns1/api",
			resources: "Cluster api, RouteConfiguration api, Listener api, Listener api-ingress, Cluster api-local",
			contains:  []string{"appProtocol: http\n", "clusterIP: None"},
		},
		{
			name:     "resources",
			expr:     `service(` + base + `, cpu = kube.cores(0.25), mem = kube.megabytes(2048))`,
			objects:  "ServiceAccount ns1/api, Deployment ns1/api",
			contains: []string{"cpu: 250m", "memory: 2Gi"},
		},
		{
			name:     "requests apart from limits, no CPU limit",
			expr:     `service(` + base + `, cpu = "250m", mem = "1Gi", cpu_limit = kube.unlimited(), mem_limit = "2Gi")`,
			objects:  "ServiceAccount ns1/api, Deployment ns1/api",
			contains: []string{"limits:\n            memory: 2Gi\n          requests:\n            cpu: 250m\n            memory: 1Gi\n"},
		},
		{
			name: "gRPC port, probes, a metrics port kept off the Service, a load balancer",
			expr: `service(` + base + `, ports = [port.grpc(9090, service_port = 90), port.http(9102, name = "metrics", expose = False)], expose = "load_balancer",
				readiness = probe.grpc(), liveness = probe.http("/healthz", port = "metrics", headers = {"X-Probe": "1"}, period = "10s", initial_delay = "1m"))`,
			objects:   "ServiceAccount ns1/api, Deployment ns1/api, Service ns1/api",
			resources: "Cluster api, RouteConfiguration api, Listener api, Listener api-ingress, Cluster api-local",
			contains: []string{
				"type: LoadBalancer", "appProtocol: grpc\n    name: grpc\n    port: 90\n    protocol: TCP\n    targetPort: grpc\n",
				"readinessProbe:\n          grpc:\n            port: 9090\n", "initialDelaySeconds: 60", "periodSeconds: 10", "name: X-Probe", "port: metrics",
			},
			lacks: []string{"clusterIP", "name: metrics\n    port", "service: null"},
		},
		{
			name:      "tracks behind one Service",
			expr:      `service(` + base + `, port = 80, replicas = 3, tracks = [kube.track("canary", image = "r.example.com/api:1.1")])`,
			objects:   "ServiceAccount ns1/api, Deployment ns1/api, Deployment ns1/api-canary, PodDisruptionBudget ns1/api, Service ns1/api",
			resources: "Cluster api, RouteConfiguration api, Listener api, Listener api-ingress, Cluster api-local",
			contains: []string{"name: api-canary", "replicas: 1", "replicas: 3", "track: canary", "track: stable", "image: r.example.com/api:1.1",
				"  selector:\n    app: api\n---", // the Service selects every track
			},
		},
		{
			name: "config files, scratch space, env sources, sidecar, init container",
			expr: `service(` + base + `, port = 80, volumes = [volume.files("config", "/etc/api", {"api.yaml": "a: 1\n"}), volume.empty_dir("tmp", "/tmp")],
				env = {"DB_PASSWORD": env.secret("db", "password"), "POD_IP": env.field("status.podIP")},
				sidecars = [kube.container("proxy", "r.example.com/proxy:2", volumes = [volume.empty_dir("tmp", "/tmp")])],
				init_containers = [kube.container("migrate", "r.example.com/api:1.0", command = ["migrate"])])`,
			objects:   "ServiceAccount ns1/api, ConfigMap ns1/api-config, Deployment ns1/api, Service ns1/api",
			resources: "Cluster api, RouteConfiguration api, Listener api, Listener api-ingress, Cluster api-local",
			contains: []string{
				"api.yaml: |\n    a: 1\n", "svccfg.dev/config-hash: ", "configMap:\n          name: api-config", "emptyDir: {}",
				"secretKeyRef:\n              key: password\n              name: db", "fieldPath: status.podIP", "initContainers:\n      - command:\n        - migrate",
				"mountPath: /etc/api\n          name: config\n          readOnly: true", "name: proxy",
			},
		},
		{
			name:      "autoscaling, spread, rollout, shutdown",
			expr:      `service(` + base + `, port = 80, cpu = "1", autoscale = kube.autoscale(min = 2, max = 10), spread = kube.spread(), rollout = kube.rollout(max_surge = 1, max_unavailable = 0), shutdown = kube.shutdown(grace_period = "1m", pre_stop = "5s"))`,
			objects:   "ServiceAccount ns1/api, Deployment ns1/api, HorizontalPodAutoscaler ns1/api, PodDisruptionBudget ns1/api, Service ns1/api",
			resources: "Cluster api, RouteConfiguration api, Listener api, Listener api-ingress, Cluster api-local",
			contains: []string{"averageUtilization: 80", "maxReplicas: 10", "minReplicas: 2", "topologyKey: topology.kubernetes.io/zone", "whenUnsatisfiable: ScheduleAnyway",
				"maxSurge: 1\n      maxUnavailable: 0\n    type: RollingUpdate", "terminationGracePeriodSeconds: 60", "preStop:\n            sleep:\n              seconds: 5"},
			lacks: []string{"replicas: 1"},
		},
		{
			name:     "a worker: no port, a shared ServiceAccount",
			expr:     `[service(` + base + `, service_account = "jobs"), kube.service_account("jobs", owner = "core", iam_role = "jobs-role")]`,
			objects:  "Deployment ns1/api, ServiceAccount ns1/jobs",
			contains: []string{"serviceAccountName: jobs", "iam.amazonaws.com/role: jobs-role"},
		},
		{
			name:     "a one-off job",
			expr:     `job(name = "migrate", owner = "core", image = "r.example.com/api:1.0", command = ["migrate"], retries = 2, active_deadline = "10m", ttl_after_finished = "1h")`,
			objects:  "ServiceAccount ns1/migrate, Job ns1/migrate",
			contains: []string{"backoffLimit: 2", "activeDeadlineSeconds: 600", "ttlSecondsAfterFinished: 3600", "restartPolicy: Never"},
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
			for _, s := range test.lacks {
				if strings.Contains(yaml, s) {
					t.Errorf("manifests contain %q:\n%s", s, yaml)
				}
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
		{`service(` + base + `, replicas = "3")`, `main.star:4:65: service: for parameter replicas: got string, want int or None`},
		{`service(` + base + `, replica = 3)`, `main.star:4:65: service: unexpected keyword argument "replica" (did you mean replicas?)`},
		{`service(name = "api", owner = "core")`, `main.star:4:19: service: missing argument for image`},
		{`service(` + base + `, command = ["a", 1])`, `main.star:4:65: service: for parameter command: at index 1: got int, want string`},
		{`service(` + base + `, command = "run")`, `main.star:4:65: service: for parameter command: got string, want list of string or Command or None`},
		{`service(` + base + `, env = {"A": 1})`, `main.star:4:65: service: for parameter env: for key "A": got int, want string or EnvSource (an EnvSource is made by env.secret, env.config_map or env.field)`},
		{`service(` + base + `, cpu = "4 cores")`, `main.star:4:65: service: for parameter cpu: invalid quantity "4 cores": want a number with an optional suffix such as 250m or 16Gi`},
		{`service(` + base + `, health_check_path = "/ready")`, "main.star:4:19: service: for parameter health_check_path: the workload listens on no port; set port (or ports) too\n\t@stdlib//_pod.star:"},
		{`service(` + base + `, port = 80, health_check_path = "ready")`, `main.star:4:19: service: for parameter health_check_path: got "ready", want a path starting with "/"`},
		{`service(` + base + `, readiness = probe.http("/", timeout = "1.5s"))`, `main.star:4:93: probe.http: for parameter timeout: invalid duration "1.5s": want a whole number of seconds`},
		{`service(` + base + `, ports = [port.http(80)], readiness = probe.tcp(port = "htp"))`, `main.star:4:19: service: for parameter readiness: the probe's port "htp" is not one of the ports (http)`},
		{`service(` + base + `, expose = "LoadBalancer")`, `main.star:4:19: service: for parameter expose: got "LoadBalancer", want one of "headless", "cluster_ip", "node_port", "load_balancer", "none" (did you mean "load_balancer"?)`},
		{`service(` + base + `, ports = [port.http(8080, service_port = 80)])`, `main.star:4:19: service: for parameter ports: port "http" has service_port 80, but a headless Service maps no ports (clients reach each pod on 8080); set expose = "cluster_ip" to map it`},
		{`service(` + base + `, ports = [port.http(80), port.grpc(80)])`, `main.star:4:19: service: for parameter ports: ports "http" and "grpc" both use port 80`},
		{`service(` + base + `, autoscale = kube.autoscale(min = 2, max = 4))`, `main.star:4:19: service: for parameter autoscale: the target is a percentage of the cpu request; set cpu too`},
		{`service(` + base + `, volumes = [volume.empty_dir("a", "/a"), volume.empty_dir("b", "/a")])`, `main.star:4:19: service: for parameter volumes: volumes "a" and "b" are both mounted at /a`},
		{`service(` + base + `, sidecars = [kube.container("api", "i:2")])`, `main.star:4:19: service: for parameter sidecars: two containers are named "api"`},
		{`service(` + base + `, service_account = "shared", iam_role = "r")`, `main.star:4:19: service: for parameter iam_role: the role is an annotation of the ServiceAccount; with service_account, set it where that ServiceAccount is made (kube.service_account)`},
		{`service(` + base + `, labels = {"app": "x"})`, `main.star:4:19: service: for parameter labels: the label "app" is set from the name parameter`},
		{`port.http(80, name = "http_1")`, `main.star:4:21: port.http: for parameter name: "http_1" is not a valid port name`},
		{`env.field("status.podIp")`, `main.star:4:21: env.field: for parameter path: "status.podIp" is not a pod field`},
		{`kube.security(run_as_user = 0)`, `main.star:4:25: kube.security: for parameter run_as_user: 0 is root; set run_as_root = True to allow it`},
		{`job(name = "j", owner = "o", image = "i:1", retries = -1)`, `main.star:4:15: job: for parameter retries: got -1, want at least 0`},
		{`cron(name = "j", owner = "o", image = "i:1", schedule = "* * * * *", concurrency = "Forbid")`, `main.star:4:16: cron: for parameter concurrency: got "Forbid", want "forbid", "allow" or "replace"`},
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
