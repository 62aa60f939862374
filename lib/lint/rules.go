package lint

import (
	"fmt"
	"maps"
	"slices"
	"strings"

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
		{Name: "cron-schedule", Doc: "a CronJob's schedule parses as Kubernetes parses it (5 fields or @hourly and the like) and its time zone exists", check: checkCronSchedule},
		{Name: "dns-label", Doc: "every Kubernetes object's name is a DNS-1123 label (a Service's a DNS-1035 label): lowercase letters, digits and '-', at most 63 of them", check: checkDNSLabel},
		{Name: "duplicate-name", Doc: "no two services, jobs or messages produce the same object or Envoy resource", check: checkDuplicateName},
		{Name: "duplicate-port", Doc: "no two Services in a namespace claim the same port", check: checkDuplicatePort},
		{Name: "envoy-circuit-breakers", Doc: "every Envoy Cluster has circuit breakers, with at most 10000 connections, pending requests and requests (at least 1) and no more retries than requests", check: checkCircuitBreakers},
		{Name: "envoy-timeouts", Doc: "Envoy connect timeouts are between 10ms and 10s, and route timeouts between 10ms and 2m (0, no timeout, is not allowed)", check: checkEnvoyTimeouts},
		{Name: "ignore-comment", Doc: "every `# svccfg:ignore` comment names rules that exist", check: checkIgnoreComments},
		{Name: "image-pinned", Doc: "every container image has a tag other than latest, or a digest", check: checkImagePinned},
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
		pos  diag.Position
		name string
	}
	var calls []call
	kinds := make(map[call][]string)
	for _, o := range p.objects {
		if o.meta.GetLabels()[ownerLabel] != "" {
			continue
		}
		c := call{o.pos, o.meta.GetName()}
		if kinds[c] == nil {
			calls = append(calls, c)
		}
		kinds[c] = append(kinds[c], o.kind)
	}
	for _, c := range calls {
		k := kinds[c]
		if len(k) == 1 {
			p.report(c.pos, args("owner", "labels", "metadata"), "%s %q has no owner label: set it to the team that runs it", k[0], c.name)
			continue
		}
		p.report(c.pos, args("owner", "labels", "metadata"), "%s and %s %q have no owner label: set it to the team that runs them",
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
					p.report(o.pos, args(r.arg, "requests", "resources"), "%s: container %q requests no %s", o, c.Name, r.name)
				case q.Sign() <= 0:
					p.report(o.pos, args(r.arg, "requests", "resources"), "%s: container %q requests %s %s, want more than 0", o, c.Name, q.String(), r.name)
				}
			}
		}
	}
}

func checkImagePinned(p *pass) {
	for _, o := range p.objects {
		for _, c := range containers(o.obj) {
			if problem := imageProblem(c.Image); problem != "" {
				p.report(o.pos, args("image"), "%s: container %q: %s", o, c.Name, problem)
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
			p.report(w.pos, args("replicas"), "%s has %d %s under PodDisruptionBudget %q: want at least 2, so that a node drain neither blocks nor stops it",
				w, replicas, plural(int(replicas), "replica"), pdb.Name)
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
			p.report(o.pos, args("name", "metadata"), "%s: the name is not a %s label: %s", o, what, strings.Join(problems, "; "))
		}
	}
}

func checkDuplicateName(p *pass) {
	type pair struct{ pos, prev diag.Position }
	seen := make(map[pair]bool)
	for _, d := range p.duplicates {
		if k := (pair{d.Pos, d.Prev}); !seen[k] {
			seen[k] = true // one finding for each pair of calls
			p.report(d.Pos, args("name", "metadata"), "%s: %s is also produced at %s", d.What, d.ID, d.Prev.Format(p.cwd))
		}
	}
}

func checkDuplicatePort(p *pass) {
	type claim struct {
		namespace string
		port      int32
	}
	var services []object
	for _, o := range p.objects {
		if _, ok := o.obj.(*corev1.Service); ok {
			services = append(services, o)
		}
	}
	// The first claim, in the order of the configuration, stands.
	slices.SortStableFunc(services, func(a, b object) int { return a.pos.Compare(b.pos) })
	first := make(map[claim]object)
	for _, o := range services {
		svc := o.obj.(*corev1.Service)
		for _, port := range svc.Spec.Ports {
			k := claim{svc.Namespace, port.Port}
			prev, ok := first[k]
			if !ok {
				first[k] = o
				continue
			}
			if prev.meta.GetName() == svc.Name {
				continue
			}
			p.report(o.pos, args("port", "command", "ports"), "%s: port %d is also claimed by %s in namespace %s, at %s",
				o, port.Port, prev, svc.Namespace, prev.pos.Format(p.cwd))
		}
	}
}

func checkIgnoreComments(p *pass) {
	files := make(map[string]bool)
	for _, o := range p.objects {
		files[o.pos.File] = true
	}
	for _, r := range p.resources {
		files[r.pos.File] = true
	}
	for _, d := range p.duplicates {
		files[d.Pos.File] = true
	}
	delete(files, "")
	for _, file := range slices.Sorted(maps.Keys(files)) {
		src := p.src.get(file)
		for _, list := range src.ignores {
			for _, ig := range list {
				switch {
				case ig.rule == "":
					p.report(ig.pos, nil, "svccfg:ignore names no rule: write # svccfg:ignore rule-name")
				case rule(ig.rule) == nil:
					p.report(ig.pos, nil, "svccfg:ignore names unknown rule %q%s", ig.rule, suggest(ig.rule))
				}
			}
		}
	}
}
