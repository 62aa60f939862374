package main

import (
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// obj decodes one object from YAML-ish JSON written in a test.
func obj(t *testing.T, js string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(js), &m); err != nil {
		t.Fatalf("%v in %s", err, js)
	}
	return m
}

func TestFlatten(t *testing.T) {
	got := Flatten(obj(t, `{
		"spec": {
			"replicas": 3,
			"strategy": {},
			"template": {"spec": {
				"volumes": [{"name": "data", "emptyDir": {}}],
				"containers": [
					{"name": "sidecar", "image": "b"},
					{"name": "main", "image": "a", "args": [],
					 "ports": [{"containerPort": 8080, "name": "http"}, {"containerPort": 9090}],
					 "env": [{"name": "X", "value": "1"}, {"name": "Y", "value": null}],
					 "command": ["run", "--fast"]}
				]
			}}
		}
	}`))
	want := Fields{
		"spec.replicas":                                                 "3",
		"spec.template.spec.volumes[data].name":                         `"data"`,
		"spec.template.spec.volumes[data].emptyDir":                     "{}",
		"spec.template.spec.containers[sidecar].name":                   `"sidecar"`,
		"spec.template.spec.containers[sidecar].image":                  `"b"`,
		"spec.template.spec.containers[main].name":                      `"main"`,
		"spec.template.spec.containers[main].image":                     `"a"`,
		"spec.template.spec.containers[main].ports[8080].containerPort": "8080",
		"spec.template.spec.containers[main].ports[8080].name":          `"http"`,
		"spec.template.spec.containers[main].ports[9090].containerPort": "9090",
		"spec.template.spec.containers[main].env[X].name":               `"X"`,
		"spec.template.spec.containers[main].env[X].value":              `"1"`,
		"spec.template.spec.containers[main].env[Y].name":               `"Y"`,
		"spec.template.spec.containers[main].command[0]":                `"run"`,
		"spec.template.spec.containers[main].command[1]":                `"--fast"`,
	}
	if !maps.Equal(got, want) {
		t.Errorf("Flatten:\ngot  %v\nwant %v", got.Paths(), want.Paths())
		for _, p := range got.Paths() {
			if want[p] != got[p] {
				t.Errorf("%s = %s, want %q", p, got[p], want[p])
			}
		}
	}
}

// A list whose items lack their key, or share one, is keyed by index.
func TestFlattenListFallsBackToIndexes(t *testing.T) {
	got := Flatten(obj(t, `{"env": [{"name": "A"}, {"name": "A"}], "ports": [{"port": 80}, {"name": "x"}]}`))
	want := []string{"env[0].name", "env[1].name", "ports[0].port", "ports[1].name"}
	if !slices.Equal(got.Paths(), want) {
		t.Errorf("paths = %v, want %v", got.Paths(), want)
	}
}

func TestCompared(t *testing.T) {
	got := Compared(Fields{
		"apiVersion":                                                 `"v1"`,
		"metadata.name":                                              `"web"`,
		"metadata.uid":                                               `"1234"`,
		"metadata.labels.app":                                        `"web"`,
		"metadata.annotations.team":                                  `"x"`,
		"metadata.managedFields[0].manager":                          `"kubectl"`,
		"status.replicas":                                            "3",
		"spec.template.metadata.creationTimestamp":                   "null",
		"spec.template.metadata.labels.app":                          `"web"`,
		"spec.template.spec.containers[a].resources.limits.cpu":      `"2000m"`,
		"spec.template.spec.containers[a].resources.requests.memory": `"1024Mi"`,
	})
	want := Fields{
		"metadata.annotations.team":                                  `"x"`,
		"spec.template.metadata.labels.app":                          `"web"`,
		"spec.template.spec.containers[a].resources.limits.cpu":      `"2"`,
		"spec.template.spec.containers[a].resources.requests.memory": `"1Gi"`,
	}
	if !maps.Equal(got, want) {
		t.Errorf("Compared = %v\nwant %v", got, want)
	}
}

// Allocated values compare as "<allocated>" unless the original pins them
// (and svccfg has the same), or they say the Service is headless.
func TestNormalizeAllocated(t *testing.T) {
	written := Fields{"spec.ports[80].nodePort": "30001"}
	orig := Fields{"spec.clusterIP": `"10.0.0.7"`, "spec.clusterIPs[0]": `"10.0.0.7"`,
		"spec.ports[80].nodePort": "30001", "spec.ports[81].nodePort": "31000", "spec.type": `"NodePort"`}
	svccfg := Fields{"spec.clusterIP": `"None"`, "spec.ports[80].nodePort": "31234", "spec.ports[81].nodePort": "32000"}
	normalizeAllocated(written, orig, svccfg)
	// 30001 is pinned: svccfg's allocated port differs, and shows as allocated.
	wantOrig := Fields{"spec.clusterIP": allocated, "spec.clusterIPs[0]": allocated,
		"spec.ports[80].nodePort": "30001", "spec.ports[81].nodePort": allocated, "spec.type": `"NodePort"`}
	wantSvccfg := Fields{"spec.clusterIP": `"None"`, "spec.ports[80].nodePort": allocated, "spec.ports[81].nodePort": allocated}
	if !maps.Equal(orig, wantOrig) || !maps.Equal(svccfg, wantSvccfg) {
		t.Errorf("normalized:\n%v\n%v\nwant\n%v\n%v", orig, svccfg, wantOrig, wantSvccfg)
	}
	same := Fields{"spec.ports[80].nodePort": "30001"}
	normalizeAllocated(written, Fields{"spec.ports[80].nodePort": "30001"}, same)
	if same["spec.ports[80].nodePort"] != "30001" {
		t.Errorf("svccfg's pinned node port, the original's, became %s", same["spec.ports[80].nodePort"])
	}
}

func TestResolvePorts(t *testing.T) {
	deploy := obj(t, `{"kind": "Deployment", "metadata": {"namespace": "ns", "name": "web"},
		"spec": {"template": {"metadata": {"labels": {"app": "web", "tier": "fe"}}, "spec": {"containers": [
			{"name": "c", "ports": [{"name": "http", "containerPort": 9898}],
			 "readinessProbe": {"httpGet": {"path": "/", "port": "http"}},
			 "livenessProbe": {"tcpSocket": {"port": "other"}}}]}}}}`)
	svc := obj(t, `{"kind": "Service", "metadata": {"namespace": "ns", "name": "web"},
		"spec": {"selector": {"app": "web"}, "ports": [{"port": 80, "targetPort": "http"}, {"port": 81, "targetPort": "nope"}]}}`)
	elsewhere := obj(t, `{"kind": "Service", "metadata": {"namespace": "other", "name": "web"},
		"spec": {"selector": {"app": "web"}, "ports": [{"port": 80, "targetPort": "http"}]}}`)
	ResolvePorts([]map[string]any{svc, deploy, elsewhere})
	f := Flatten(deploy)
	if got := f["spec.template.spec.containers[c].readinessProbe.httpGet.port"]; got != "9898" {
		t.Errorf("probe port = %s, want 9898", got)
	}
	if got := f["spec.template.spec.containers[c].livenessProbe.tcpSocket.port"]; got != `"other"` {
		t.Errorf("unknown probe port name = %s, want it kept", got)
	}
	s := Flatten(svc)
	if s["spec.ports[80].targetPort"] != "9898" || s["spec.ports[81].targetPort"] != `"nope"` {
		t.Errorf("Service target ports = %s, %s; want 9898, \"nope\"", s["spec.ports[80].targetPort"], s["spec.ports[81].targetPort"])
	}
	if got := Flatten(elsewhere)["spec.ports[80].targetPort"]; got != `"http"` {
		t.Errorf("a Service resolved its port from pods of another namespace: %s", got)
	}
}

func TestCompareAsWritten(t *testing.T) {
	orig := []Object{
		{Key: "Deployment ns/web", Obj: obj(t, `{"kind": "Deployment", "metadata": {"name": "web", "labels": {"a": "b"}},
			"spec": {"replicas": 2, "selector": {"matchLabels": {"app": "web", "tier": "fe"}}}}`)},
		{Key: "Role ns/admin", Obj: obj(t, `{"kind": "Role", "rules": [{"verbs": ["*"]}]}`)},
	}
	svccfg := []Object{
		{Key: "Deployment ns/web", Obj: obj(t, `{"kind": "Deployment", "metadata": {"name": "web"},
			"spec": {"replicas": 3, "selector": {"matchLabels": {"app": "web"}}, "paused": true,
			"template": {"spec": {"serviceAccountName": "default", "hostNetwork": false}}}}`)},
		{Key: "PodDisruptionBudget ns/web", Obj: obj(t, `{"kind": "PodDisruptionBudget"}`)},
	}
	res := Compare(orig, svccfg)
	if res.Defaulted {
		t.Error("Defaulted without defaulted objects")
	}
	if res.Matched() != 1 || !slices.Equal(res.Extra, []string{"PodDisruptionBudget ns/web"}) {
		t.Errorf("matched %d, extra %v; want 1 and the PodDisruptionBudget", res.Matched(), res.Extra)
	}
	if got := res.Written(); got != (Score{Same: 1, Total: 4}) {
		t.Errorf("written score = %v, want 1/4 (selector app same; replicas, tier, the Role's verb not)", got)
	}
	d := res.Objects[0]
	want := []Diff{
		{Path: "spec.replicas", Want: "2", Got: "3"},
		{Path: "spec.selector.matchLabels.tier", Want: `"fe"`},
	}
	if !slices.Equal(d.Diffs, want) {
		t.Errorf("diffs = %v, want %v", d.Diffs, want)
	}
	if !slices.Equal(d.Added, []Diff{{Path: "spec.paused", Got: "true"}}) {
		t.Errorf("added = %v, want spec.paused", d.Added)
	}
	if r := res.Objects[1]; r.Matched || r.Written != (Score{Same: 0, Total: 1}) {
		t.Errorf("the Role svccfg lacks: %+v", r)
	}
}

// After defaulting, both sides' defaults count, and a default that svccfg
// overrides is a difference even though the original does not write it.
func TestCompareDefaulted(t *testing.T) {
	orig := []Object{{Key: "Service ns/web",
		Obj: obj(t, `{"kind": "Service", "spec": {"ports": [{"port": 80}]}}`),
		Defaulted: obj(t, `{"kind": "Service", "spec": {"type": "ClusterIP", "clusterIP": "10.0.0.1",
			"ports": [{"port": 80, "targetPort": 80, "protocol": "TCP"}]}}`)}}
	svccfg := []Object{{Key: "Service ns/web",
		Obj: obj(t, `{"kind": "Service", "spec": {"clusterIP": "None", "ports": [{"port": 80, "name": "http"}]}}`),
		Defaulted: obj(t, `{"kind": "Service", "spec": {"type": "ClusterIP", "clusterIP": "None",
			"ports": [{"port": 80, "name": "http", "targetPort": 80, "protocol": "TCP"}]}}`)}}
	res := Compare(orig, svccfg)
	if !res.Defaulted {
		t.Fatal("not Defaulted")
	}
	o := res.Objects[0]
	if o.Written != (Score{1, 1}) {
		t.Errorf("written = %v, want 1/1 (the port)", o.Written)
	}
	if o.Defaulted != (Score{4, 5}) {
		t.Errorf("defaulted = %v, want 4/5 (all but clusterIP)", o.Defaulted)
	}
	if want := []Diff{{Path: "spec.clusterIP", Want: `"<allocated>"`, Got: `"None"`}}; !slices.Equal(o.DefaultDiffs, want) {
		t.Errorf("default diffs = %v, want %v", o.DefaultDiffs, want)
	}
	if want := []Diff{{Path: "spec.ports[80].name", Got: `"http"`}}; !slices.Equal(o.Added, want) {
		t.Errorf("added = %v, want %v", o.Added, want)
	}
}

func TestSplitYAML(t *testing.T) {
	docs, err := SplitYAML([]byte("# a comment\napiVersion: v1 # trailing\nkind: Service\n---\n# only a comment\n---\nkind: Deployment\nspec:\n  replicas: 2\n---\n"))
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, d := range docs {
		kinds = append(kinds, d["kind"].(string))
	}
	if strings.Join(kinds, ",") != "Service,Deployment" {
		t.Errorf("kinds = %v, want Service, Deployment", kinds)
	}
	if docs[1]["spec"].(map[string]any)["replicas"] != float64(2) {
		t.Errorf("replicas = %v", docs[1]["spec"])
	}
}

func TestReadOriginalDefaultsNamespace(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir+"/m/a.yaml", "kind: Service\nmetadata:\n  name: a\n---\nkind: Namespace\nmetadata:\n  name: webapp\n")
	writeFile(t, dir+"/m/b.yaml", "kind: Service\nmetadata:\n  name: b\n  namespace: other\n")
	objs, err := App{Manifests: []string{"m/*.yaml"}, Namespace: "webapp"}.ReadOriginal(dir)
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, o := range objs {
		keys = append(keys, key(o))
	}
	if want := []string{"Service webapp/a", "Namespace webapp", "Service other/b"}; !slices.Equal(keys, want) {
		t.Errorf("keys = %v, want %v", keys, want)
	}
	if _, err := (App{Manifests: []string{"none/*.yaml"}}).ReadOriginal(dir); err == nil {
		t.Error("no error for a directory without the manifests")
	}
}

// writeFile writes content to path, creating its directory.
func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestPatterns(t *testing.T) {
	res := &AppResult{Objects: []ObjectResult{
		{Key: "Deployment ns/a", Matched: true, Diffs: []Diff{
			{Path: "spec.template.spec.containers[a].securityContext.privileged"},
			{Path: "spec.template.spec.nodeSelector.os"},
		}},
		{Key: "Deployment ns/b", Matched: true, Diffs: []Diff{{Path: "spec.template.spec.containers[b].securityContext.privileged"}}},
		{Key: "Role ns/r"},
	}}
	fields, kinds := Patterns([]Report{{Result: res}})
	want := []Pattern{{"Deployment spec.template.spec.containers[*].securityContext.privileged", 2}, {"Deployment spec.template.spec.nodeSelector.os", 1}}
	if !slices.Equal(fields, want) {
		t.Errorf("fields = %v, want %v", fields, want)
	}
	if !slices.Equal(kinds, []Pattern{{"Role", 1}}) {
		t.Errorf("kinds = %v, want one Role", kinds)
	}
}

func TestFlattenCapabilities(t *testing.T) {
	got := Flatten(obj(t, `{"securityContext": {"capabilities": {"drop": ["all"], "add": ["NET_BIND_SERVICE", "chown"]}}}`))
	want := Fields{
		"securityContext.capabilities.drop[ALL]":             `"ALL"`,
		"securityContext.capabilities.add[NET_BIND_SERVICE]": `"NET_BIND_SERVICE"`,
		"securityContext.capabilities.add[CHOWN]":            `"CHOWN"`,
	}
	if !maps.Equal(got, want) {
		t.Errorf("Flatten = %v, want %v", got, want)
	}
}

func TestEffective(t *testing.T) {
	const pod = "spec.template.spec."
	f := Fields{
		pod + "securityContext.runAsUser":                            "1000",
		pod + "containers[a].securityContext.runAsGroup":             "2000",
		pod + "containers[b].securityContext.runAsGroup":             "2000",
		pod + "containers[a].securityContext.runAsNonRoot":           "true",
		pod + "containers[b].securityContext.readOnlyRootFilesystem": "true",
		pod + "containers[a].image":                                  `"x"`,
		pod + "containers[b].image":                                  `"y"`,
	}
	for path, want := range map[string]string{
		pod + "containers[b].securityContext.readOnlyRootFilesystem": "true",  // its own
		pod + "containers[a].securityContext.runAsUser":              "1000",  // the pod's
		pod + "securityContext.runAsGroup":                           "2000",  // every container's
		pod + "securityContext.runAsNonRoot":                         "false", // not b's: the default
		pod + "containers[a].securityContext.privileged":             "false", // the runtime's default
		pod + "containers[a].securityContext.readOnlyRootFilesystem": "false",
		pod + "containers[a].securityContext.capabilities.drop[ALL]": "", // no such field
		pod + "containers[a].name":                                   "",
		pod + "serviceAccountName":                                   `"default"`,
	} {
		if got := effective(f, path); got != want {
			t.Errorf("effective(%s) = %q, want %q", path, got, want)
		}
	}
}

// A field set on the pod on one side and on the container on the other
// counts as reproduced.
func TestCompareInheritedSecurity(t *testing.T) {
	orig := []Object{{Key: "Deployment ns/a", Obj: obj(t, `{"spec": {"template": {"spec": {"containers": [
		{"name": "c", "securityContext": {"runAsUser": 10001, "privileged": false, "capabilities": {"drop": ["all"]}}}]}}}}`)}}
	svccfg := []Object{{Key: "Deployment ns/a", Obj: obj(t, `{"spec": {"template": {"spec": {
		"securityContext": {"runAsUser": 10001},
		"containers": [{"name": "c", "securityContext": {"capabilities": {"drop": ["ALL"]}}}]}}}}`)}}
	res := Compare(orig, svccfg)
	if got := res.Written(); got != (Score{Same: 4, Total: 4}) {
		t.Errorf("written = %v, want 4/4; diffs %v", got, res.Objects[0].Diffs)
	}
}
