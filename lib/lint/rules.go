package lint

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/svccfg/svccfg/lib/build"
	"github.com/svccfg/svccfg/lib/diag"
	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/validation"
)

// rules are every rule, sorted by name. They are set in init, as
// ignore-comment refers to them.
var rules []*Rule

func init() {
	rules = []*Rule{
		{Name: "canary-size", Doc: "a canary (pods labelled track: canary) runs no more pods than the stable track of its service", check: checkCanarySize},
		{Name: "cron-schedule", Doc: "a CronJob's schedule parses as Kubernetes parses it (5 fields or @hourly and the like) and its time zone exists", check: checkCronSchedule},
		{Name: "dns-label", Doc: "every Kubernetes object's name is a DNS-1123 label (a Service's a DNS-1035 label): lowercase letters, digits and '-', at most 63 of them", check: checkDNSLabel},
		{Name: "duplicate-name", Doc: "no two services, jobs or messages produce the same object or Envoy resource", check: checkDuplicateName},
		{Name: "duplicate-port", Doc: "no port is listed twice in one Service or one pod, and no two workloads' pods claim the same hostPort (each Service has its own address: two Services may share a port)", check: checkDuplicatePort},
		{Name: "envoy-circuit-breakers", Doc: "every Envoy Cluster has circuit breakers, with at most 10000 connections, pending requests and requests (at least 1) and no more retries than requests", check: checkCircuitBreakers},
		{Name: "envoy-timeouts", Doc: "Envoy connect timeouts are between 10ms and 10s, and route timeouts between 10ms and 2m (0, no timeout, is not allowed)", check: checkEnvoyTimeouts},
		{Name: "ignore-comment", Doc: "every `# svccfg:ignore` comment names rules that exist", check: checkIgnoreComments},
		{Name: "image-pinned", Doc: "every container image has a tag other than latest, or a digest", check: checkImagePinned},
		{Name: "mesh-retry-cycle", Doc: "no cycle of service calls in which every call retries (one failure would multiply into a storm)", check: checkMeshRetryCycle},
		{Name: "mesh-timeouts", Doc: "a service's calls time out no later than its own route does (else its callers give up first)", check: checkMeshTimeouts},
		{Name: "owner-set", Doc: "every Kubernetes object has a non-empty owner label (service() and cron() set it from owner)", check: checkOwnerSet},
		{Name: "pdb-replicas", Doc: "a workload that a PodDisruptionBudget protects has at least 2 replicas", check: checkPDBReplicas},
		{Name: "resources-set", Doc: "every container requests a non-zero amount of cpu and memory", check: checkResourcesSet},
	}
}

// ownerLabel is the label that names the team that owns an object.
const ownerLabel = "owner"

// checkOwnerSet reports the objects without an owner, one finding for the
// objects of the same name that one call produced (those of a service).
func checkOwnerSet(p *pass) {
	type call struct {
		pos, origin diag.Position
		name        string
	}
	var calls []call
	kinds := make(map[call][]string)
	sources := make(map[call]build.Source)
	for _, o := range p.objects {
		if o.meta.GetLabels()[ownerLabel] != "" {
			continue
		}
		c := call{o.src.Pos, o.src.Origin(), o.meta.GetName()}
		if kinds[c] == nil {
			calls = append(calls, c)
			sources[c] = o.src
		}
		kinds[c] = append(kinds[c], o.kind)
	}
	for _, c := range calls {
		k := kinds[c]
		if len(k) == 1 {
			p.report(sources[c], args("owner", "labels", "metadata"), "%s %q has no owner label: set it to the team that runs it", k[0], c.name)
			continue
		}
		p.report(sources[c], args("owner", "labels", "metadata"), "%s and %s %q have no owner label: set it to the team that runs them",
			strings.Join(k[:len(k)-1], ", "), k[len(k)-1], c.name)
	}
}

// podSpec returns the pod template's spec of a workload, or the spec of a
// pod, or nil.
func podSpec(obj any) *corev1.PodSpec {
	switch o := obj.(type) {
	case *corev1.Pod:
		return &o.Spec
	case *appsv1.Deployment:
		return &o.Spec.Template.Spec
	case *appsv1.StatefulSet:
		return &o.Spec.Template.Spec
	case *appsv1.DaemonSet:
		return &o.Spec.Template.Spec
	case *appsv1.ReplicaSet:
		return &o.Spec.Template.Spec
	case *batchv1.Job:
		return &o.Spec.Template.Spec
	case *batchv1.CronJob:
		return &o.Spec.JobTemplate.Spec.Template.Spec
	}
	return nil
}

// containers returns the init and regular containers of an object's pods.
func containers(obj any) []corev1.Container {
	spec := podSpec(obj)
	if spec == nil {
		return nil
	}
	return slices.Concat(spec.InitContainers, spec.Containers)
}

func checkResourcesSet(p *pass) {
	for _, o := range p.objects {
		for _, c := range containers(o.obj) {
			for _, r := range []struct {
				name corev1.ResourceName
				arg  string
			}{{corev1.ResourceCPU, "cpu"}, {corev1.ResourceMemory, "mem"}} {
				q, ok := c.Resources.Requests[r.name]
				switch {
				case !ok:
					p.report(o.src, args(r.arg, "requests", "resources"), "%s: container %q requests no %s", o, c.Name, r.name)
				case q.Sign() <= 0:
					p.report(o.src, args(r.arg, "requests", "resources"), "%s: container %q requests %s %s, want more than 0", o, c.Name, q.String(), r.name)
				}
			}
		}
	}
}

func checkImagePinned(p *pass) {
	for _, o := range p.objects {
		for _, c := range containers(o.obj) {
			if problem := imageProblem(c.Image); problem != "" {
				p.report(o.src, args("image"), "%s: container %q: %s", o, c.Name, problem)
			}
		}
	}
}

// imageProblem says why an image reference is not pinned, or returns "".
func imageProblem(image string) string {
	if image == "" {
		return "no image"
	}
	if _, digest, ok := strings.Cut(image, "@"); ok {
		if algo, hex, ok := strings.Cut(digest, ":"); ok && algo != "" && hex != "" {
			return ""
		}
		return fmt.Sprintf("image %q has a malformed digest, want @sha256:HEX", image)
	}
	tag := ""
	if colon := strings.LastIndexByte(image, ':'); colon > strings.LastIndexByte(image, '/') {
		tag = image[colon+1:]
	}
	switch tag {
	case "":
		return fmt.Sprintf("image %q has no tag: pin it to a version or a digest", image)
	case "latest":
		return fmt.Sprintf("image %q is tagged latest: pin it to a version or a digest", image)
	}
	return ""
}

// A workload is an object whose pods a PodDisruptionBudget can protect.
type workload struct {
	object
	replicas *int32
	labels   map[string]string // of its pod template
}

func workloadOf(o object) (workload, bool) {
	switch w := o.obj.(type) {
	case *appsv1.Deployment:
		return workload{o, w.Spec.Replicas, w.Spec.Template.Labels}, true
	case *appsv1.StatefulSet:
		return workload{o, w.Spec.Replicas, w.Spec.Template.Labels}, true
	case *appsv1.ReplicaSet:
		return workload{o, w.Spec.Replicas, w.Spec.Template.Labels}, true
	}
	return workload{}, false
}

// checkPDBReplicas matches each PodDisruptionBudget with the workloads of
// its namespace whose pod template its selector matches, finding them
// through an index of the templates' labels.
func checkPDBReplicas(p *pass) {
	minReplicas := autoscaled(p.objects)
	byLabel := make(map[string][]workload) // by namespace, key and value of a template label
	byNamespace := make(map[string][]workload)
	for _, o := range p.objects {
		if w, ok := workloadOf(o); ok {
			ns := o.meta.GetNamespace()
			byNamespace[ns] = append(byNamespace[ns], w)
			for k, v := range w.labels {
				byLabel[ns+"\x00"+k+"="+v] = append(byLabel[ns+"\x00"+k+"="+v], w)
			}
		}
	}
	for _, o := range p.objects {
		pdb, ok := o.obj.(*policyv1.PodDisruptionBudget)
		if !ok || pdb.Spec.Selector == nil {
			continue // a nil selector selects no pods
		}
		sel, err := metav1.LabelSelectorAsSelector(pdb.Spec.Selector)
		if err != nil {
			continue
		}
		candidates := byNamespace[pdb.Namespace]
		if keys := slices.Sorted(maps.Keys(pdb.Spec.Selector.MatchLabels)); len(keys) > 0 {
			candidates = byLabel[pdb.Namespace+"\x00"+keys[0]+"="+pdb.Spec.Selector.MatchLabels[keys[0]]]
		}
		// The budget is about all the pods it selects: those of every
		// workload it matches (the tracks of a service, say).
		var matched []workload
		total := int32(0)
		for _, w := range candidates {
			if !sel.Matches(labels.Set(w.labels)) {
				continue
			}
			matched = append(matched, w)
			total += replicasOf(w, minReplicas)
		}
		if total >= 2 {
			continue
		}
		for _, w := range matched {
			replicas := replicasOf(w, minReplicas)
			p.report(w.src, args("replicas"), "%s has %d %s under PodDisruptionBudget %q: want at least 2, so that a node drain neither blocks nor stops it",
				w, replicas, plural(int(replicas), "replica"), pdb.Name)
		}
	}
}

// checkCanarySize reports a canary Deployment with more replicas than the
// stable Deployment of its service (the same app label and namespace): a
// canary is the small, incremental part of a change.
func checkCanarySize(p *pass) {
	minReplicas := autoscaled(p.objects)
	stable := make(map[string]workload) // namespace and app -> the stable track
	var canaries []workload
	for _, o := range p.objects {
		w, ok := workloadOf(o)
		if !ok {
			continue
		}
		key := o.meta.GetNamespace() + "/" + w.labels["app"]
		switch w.labels["track"] {
		case "stable":
			stable[key] = w
		case "canary":
			canaries = append(canaries, w)
		}
	}
	for _, c := range canaries {
		s, ok := stable[c.meta.GetNamespace()+"/"+c.labels["app"]]
		if !ok {
			continue
		}
		if n, m := replicasOf(c, minReplicas), replicasOf(s, minReplicas); n > m {
			p.report(c.src, args("hosts", "replicas"), "%s runs %d %s, more than the %d of its stable track %s: a canary is the smaller share",
				c, n, plural(int(n), "pod"), m, s)
		}
	}
}

// replicasOf returns the replicas of w: its own, or else the least its
// HorizontalPodAutoscaler keeps, or else Kubernetes' default of 1.
func replicasOf(w workload, minReplicas map[string]int32) int32 {
	if w.replicas != nil {
		return *w.replicas
	}
	if n, ok := minReplicas[w.meta.GetNamespace()+"/"+w.kind+"/"+w.meta.GetName()]; ok {
		return n
	}
	return 1
}

// autoscaled returns the least replicas each HorizontalPodAutoscaler keeps,
// by the key of the workload it scales.
func autoscaled(objects []object) map[string]int32 {
	out := make(map[string]int32)
	for _, o := range objects {
		hpa, ok := o.obj.(*autoscalingv2.HorizontalPodAutoscaler)
		if !ok {
			continue
		}
		n := int32(1)
		if hpa.Spec.MinReplicas != nil {
			n = *hpa.Spec.MinReplicas
		}
		out[hpa.Namespace+"/"+hpa.Spec.ScaleTargetRef.Kind+"/"+hpa.Spec.ScaleTargetRef.Name] = n // by the workload's key
	}
	return out
}

func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}

func checkDNSLabel(p *pass) {
	for _, o := range p.objects {
		check, what := validation.IsDNS1123Label, "DNS-1123"
		if o.kind == "Service" {
			check, what = validation.IsDNS1035Label, "DNS-1035"
		}
		if problems := check(o.meta.GetName()); len(problems) > 0 {
			p.report(o.src, args("name", "metadata"), "%s: the name is not a %s label: %s", o, what, strings.Join(problems, "; "))
		}
	}
}

func checkDuplicateName(p *pass) {
	type pair struct{ pos, origin, prev diag.Position }
	seen := make(map[pair]bool)
	for _, d := range p.duplicates {
		if k := (pair{d.Source.Pos, d.Source.Origin(), d.Prev.Origin()}); !seen[k] {
			seen[k] = true // one finding for each pair of calls
			p.report(d.Source, args("name", "metadata"), "%s: %s is also produced at %s", d.What, d.ID, d.Prev.Origin().Format(p.cwd))
		}
	}
}

// checkDuplicatePort reports the ports that clash: within one Service
// (each Service has an address of its own, so two Services may use the
// same port), the container ports of one pod (its containers share its
// network namespace), and host ports, which the pods of two workloads
// claim on every node they share. Ports are told apart by number and
// protocol, host ports by their host IP too.
func checkDuplicatePort(p *pass) {
	for _, o := range p.objects {
		if svc, ok := o.obj.(*corev1.Service); ok {
			checkServicePorts(p, o, svc)
		}
		if spec := podSpec(o.obj); spec != nil {
			checkContainerPorts(p, o, spec)
		}
	}
	checkHostPorts(p)
}

// A portKey is a port as clashes are found: its number and protocol.
type portKey struct {
	port     int32
	protocol corev1.Protocol
}

// String returns "8080/TCP".
func (k portKey) String() string { return fmt.Sprintf("%d/%s", k.port, k.protocol) }

// protocolOf returns p, or TCP, the default, if it is empty.
func protocolOf(p corev1.Protocol) corev1.Protocol {
	if p == "" {
		return corev1.ProtocolTCP
	}
	return p
}

// portArgs are the arguments to point at about a port.
var portArgs = args("port", "ports", "command")

func checkServicePorts(p *pass, o object, svc *corev1.Service) {
	seen := make(map[portKey]int)
	for i, port := range svc.Spec.Ports {
		k := portKey{port.Port, protocolOf(port.Protocol)}
		if prev, ok := seen[k]; ok {
			p.report(o.src, portArgs, "%s: port %s is listed twice, as spec.ports[%d] and spec.ports[%d]", o, k, prev, i)
			continue
		}
		seen[k] = i
	}
}

func checkContainerPorts(p *pass, o object, spec *corev1.PodSpec) {
	seen := make(map[portKey]string) // the container that claimed it
	for _, c := range slices.Concat(spec.InitContainers, spec.Containers) {
		for _, port := range c.Ports {
			k := portKey{port.ContainerPort, protocolOf(port.Protocol)}
			prev, ok := seen[k]
			switch {
			case !ok:
				seen[k] = c.Name
			case prev == c.Name:
				p.report(o.src, portArgs, "%s: container %q lists containerPort %s twice", o, c.Name, k)
			default:
				p.report(o.src, portArgs, "%s: containerPort %s of container %q is also that of container %q, in the same pod", o, k, c.Name, prev)
			}
		}
	}
}

// checkHostPorts reports the host ports that the pods of two objects
// claim, in any namespace: a node runs only one pod with each (on one host
// IP, or on all of them when it is unset). One object's pods claiming a
// host port twice is reported too.
func checkHostPorts(p *pass) {
	type claim struct {
		ip string // "" for every address
		o  object
	}
	objects := slices.Clone(p.objects)
	// The first claim, in the order of the configuration, stands.
	slices.SortStableFunc(objects, func(a, b object) int { return a.src.Origin().Compare(b.src.Origin()) })
	claims := make(map[portKey][]claim)
	for _, o := range objects {
		spec := podSpec(o.obj)
		if spec == nil {
			continue
		}
		for _, c := range slices.Concat(spec.InitContainers, spec.Containers) {
			for _, port := range c.Ports {
				if port.HostPort == 0 {
					continue
				}
				k := portKey{port.HostPort, protocolOf(port.Protocol)}
				ip := port.HostIP
				if ip == "0.0.0.0" || ip == "::" {
					ip = ""
				}
				clash := func(c claim) bool { return c.ip == "" || ip == "" || c.ip == ip }
				if i := slices.IndexFunc(claims[k], clash); i >= 0 {
					if prev := claims[k][i].o; prev.obj == o.obj {
						p.report(o.src, portArgs, "%s: hostPort %s is claimed twice in the same pod", o, k)
					} else {
						p.report(o.src, portArgs, "%s: hostPort %s is also claimed by %s at %s: their pods cannot run on the same node",
							o, k, prev, prev.src.Origin().Format(p.cwd))
					}
					continue
				}
				claims[k] = append(claims[k], claim{ip, o})
			}
		}
	}
}

func checkIgnoreComments(p *pass) {
	files := make(map[string]bool)
	add := func(src build.Source) {
		files[src.Pos.File] = true
		for _, f := range src.Stack {
			files[f.Pos.File] = true
		}
	}
	for _, o := range p.objects {
		add(o.src)
	}
	for _, r := range p.resources {
		add(r.src)
	}
	for _, d := range p.duplicates {
		add(d.Source)
	}
	delete(files, "")
	for _, file := range slices.Sorted(maps.Keys(files)) {
		src := p.src.get(file)
		for _, list := range src.ignores {
			for _, ig := range list {
				switch {
				case ig.rule == "":
					p.report(build.Source{Pos: ig.pos}, nil, "svccfg:ignore names no rule: write # svccfg:ignore rule-name")
				case rule(ig.rule) == nil:
					p.report(build.Source{Pos: ig.pos}, nil, "svccfg:ignore names unknown rule %q%s", ig.rule, suggest(ig.rule))
				}
			}
		}
	}
}
