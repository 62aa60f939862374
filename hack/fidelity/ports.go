package main

// Named ports mean the port numbers they name: a probe on port "http" and
// one on 9898 check the same port when the container's port http is 9898,
// and a Service's targetPort "grpc" sends to the same port as 9999 when the
// pods it selects call 9999 grpc. [ResolvePorts] rewrites names into numbers
// on each side, so that the comparison sees behaviour rather than spelling.

// podSpec returns the pod spec of a workload object, or nil.
func podSpec(obj map[string]any) map[string]any {
	switch obj["kind"] {
	case "Pod":
		return child(obj, "spec")
	case "CronJob":
		return child(obj, "spec", "jobTemplate", "spec", "template", "spec")
	default:
		return child(obj, "spec", "template", "spec")
	}
}

// podLabels returns the pod template labels of a workload object.
func podLabels(obj map[string]any) map[string]any {
	if obj["kind"] == "Pod" {
		return child(obj, "metadata", "labels")
	}
	return child(obj, "spec", "template", "metadata", "labels")
}

// child returns the object at path under m, or nil.
func child(m map[string]any, path ...string) map[string]any {
	for _, k := range path {
		next, _ := m[k].(map[string]any)
		if next == nil {
			return nil
		}
		m = next
	}
	return m
}

// containers returns the containers and init containers of a pod spec.
func containers(spec map[string]any) []map[string]any {
	var out []map[string]any
	for _, field := range []string{"initContainers", "containers"} {
		list, _ := spec[field].([]any)
		for _, c := range list {
			if m, ok := c.(map[string]any); ok {
				out = append(out, m)
			}
		}
	}
	return out
}

// portNumbers returns the container ports of cs by name.
func portNumbers(cs []map[string]any) map[string]any {
	byName := map[string]any{}
	for _, c := range cs {
		list, _ := c["ports"].([]any)
		for _, p := range list {
			m, _ := p.(map[string]any)
			if name, ok := m["name"].(string); ok && m["containerPort"] != nil {
				byName[name] = m["containerPort"]
			}
		}
	}
	return byName
}

// ResolvePorts replaces, in objs, the port names of probes by the numbers
// of their container's ports, and the targetPort names of Services by the
// numbers of the ports of the pods they select (in the same namespace).
// Names it cannot resolve stay.
func ResolvePorts(objs []map[string]any) {
	type workload struct {
		namespace string
		labels    map[string]any
		ports     map[string]any
	}
	var workloads []workload
	for _, obj := range objs {
		spec := podSpec(obj)
		if spec == nil || obj["kind"] == "Service" {
			continue
		}
		for _, c := range containers(spec) {
			resolveProbes(c, portNumbers([]map[string]any{c}))
		}
		workloads = append(workloads, workload{namespaceOf(obj), podLabels(obj), portNumbers(containers(spec))})
	}
	for _, obj := range objs {
		if obj["kind"] != "Service" {
			continue
		}
		selector := child(obj, "spec", "selector")
		if len(selector) == 0 {
			continue
		}
		for _, w := range workloads {
			if w.namespace == namespaceOf(obj) && selects(selector, w.labels) {
				resolveTargetPorts(child(obj, "spec"), w.ports)
				break
			}
		}
	}
}

// namespaceOf returns the namespace of obj.
func namespaceOf(obj map[string]any) string {
	ns, _ := child(obj, "metadata")["namespace"].(string)
	return ns
}

// selects returns whether the selector's labels are all among labels.
func selects(selector, labels map[string]any) bool {
	for k, v := range selector {
		if labels[k] != v {
			return false
		}
	}
	return true
}

// resolveProbes resolves the named ports of c's probes.
func resolveProbes(c map[string]any, ports map[string]any) {
	for _, probe := range []string{"readinessProbe", "livenessProbe", "startupProbe"} {
		for _, handler := range []string{"httpGet", "tcpSocket"} {
			h := child(c, probe, handler)
			if name, ok := h["port"].(string); ok && ports[name] != nil {
				h["port"] = ports[name]
			}
		}
	}
}

// resolveTargetPorts resolves the named targetPorts of a Service spec.
func resolveTargetPorts(spec map[string]any, ports map[string]any) {
	list, _ := spec["ports"].([]any)
	for _, p := range list {
		m, _ := p.(map[string]any)
		if name, ok := m["targetPort"].(string); ok && ports[name] != nil {
			m["targetPort"] = ports[name]
		}
	}
}
